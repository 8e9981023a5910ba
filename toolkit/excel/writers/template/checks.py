"""The Checks sheet (issue 18): the inbox's rules as formulas that recalculate as the supplier types, each named by
its rule id. Per LDSO the figures the rules judge and the rule ids the inbox would report there as errors and as
warnings, with a status that reads OK exactly when the inbox would find no error in that LDSO; for the whole
workbook the daily plan, fast feedback and agent forecasts, and a status that reads OK exactly when the inbox would
accept the file on what a formula can judge; the rules a formula cannot judge are listed (``RETURN_ONLY``). The
cached results are the template as issued, judged by the inbox's own rules (``check_formulas.as_issued``)."""

from __future__ import annotations

from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell

from toolkit.domain.checks import GROUP_RULES, LDSO_RULES, NOT_OK, OK, RETURN_ONLY, RETURN_ONLY_PARTS, verdicts
from toolkit.domain.envelopes import Category
from toolkit.domain.findings import RuleId, Severity
from toolkit.domain.parameters import Parameters
from toolkit.domain.rules.daily import whole_weeks
from toolkit.domain.rules.de_minimis import spread_days
from toolkit.domain.template import LdsoChecks, LdsoColumn, TemplateContent, self_checks
from toolkit.excel import contract as C
from toolkit.excel.book import print_setup
from toolkit.excel.writers.template import check_formulas as F
from toolkit.excel.writers.template.check_group import group_checks
from toolkit.excel.writers.template.formats import Formats
from toolkit.excel.writers.template.plan import Grid

CHECK_HEADS = ["LDSO", "Name", "Rules", "Migrated so far", "Remaining portfolio", "Fits to M15 (your limits)",
               "Planned (weekly)", "Left to plan", "Ramp-up planned (n/a: before this plan)", "Ramp-up share",
               "Ramp-up min", "Ramp-up max", "Core-window share by core end (n/a: not in this plan)", "Target",
               "Cells not whole numbers", "Weeks over the limit", "Days over the limit", "Weeks closed but planned",
               "Non-migration days planned", "Spread: days used", "Spread: days needed",
               "Weeks whose days do not add up", "Errors (rule ids)", "Warnings (rule ids)", "Status"]
CHECKS_TOP = 7  # first LDSO row (0-based)
(K_LDSO, K_NAME, K_RULES, K_MIGRATED, K_PORTFOLIO, K_FITS, K_PLANNED, K_LEFT, K_RAMP, K_RAMP_SHARE, K_RAMP_MIN,
 K_RAMP_MAX, K_CORE, K_TARGET, K_BAD, K_WEEKS_OVER, K_DAYS_OVER, K_WEEKS_CLOSED, K_DAYS_CLOSED, K_SPREAD_USED,
 K_SPREAD_NEEDED, K_DAILY_WEEKS, K_ERRORS, K_WARNINGS, K_STATUS) = range(len(CHECK_HEADS))
CORE_END_CELL = xl_rowcol_to_cell(2, 2, row_abs=True, col_abs=True)
OVERALL_ROW = 3  # the whole workbook's status (C), errors (E) and warnings (N)
OVERALL_STATUS, OVERALL_ERRORS, OVERALL_WARNINGS = (OVERALL_ROW, 2), (OVERALL_ROW, 4), (OVERALL_ROW, 13)
NA = "n/a"


def checks_sheet(ws, f: Formats, content: TemplateContent, parameters: Parameters, wk: Grid, dy: Grid | None,
                 sheets: dict[str, str]) -> None:
    """Write the sheet; ``sheets`` names the sheets of the fast-feedback and agent grids."""
    findings = F.as_issued(content, parameters, wk, dy, sheets)
    per, overall = verdicts(findings, content.ldso_mpids)
    ws.write(0, 0, "Checks: the MCC's rules, recalculated as you type", f.title)
    ws.merge_range(1, 0, 1, K_DAILY_WEEKS,
                   "A status reads OK when the MCC's inbox would find no error there; errors and warnings are named "
                   "by the rule ids the MCC's feedback uses. The whole workbook must be OK before you return it "
                   "(warnings do not stop a plan). Ramp-up counts the weeks holding your first ramp-up days; "
                   "core-window share counts the weeks starting on or before your core window ends. The checks "
                   "only the MCC can make are listed at the bottom.", f.text)
    ws.set_row(1, 33)
    ws.merge_range(2, 0, 2, 1, "Core window ends", f.label)
    if content.core_end is not None:
        ws.merge_range(2, 2, 2, 3, content.core_end, f.day)
    else:
        ws.merge_range(2, 2, 2, 3, "no core window", None)
    short = capacity_text(content, parameters, on_checks=True)
    if short:
        ws.merge_range(4, 0, 4, K_DAILY_WEEKS, short, f.warn)
        ws.set_row(4, 15.0 * max(2, -(-len(short) // 250)) + 3)
    ws.write_row(CHECKS_TOP - 1, 0, CHECK_HEADS, f.head)
    empty = self_checks(content, content.prefilled(), None)
    spread = spread_days(content, parameters, content.prefilled(), None)
    daily_present = None
    last = CHECKS_TOP + len(content.ldsos) - 1
    group_top = last + 2
    if dy is not None:
        daily_present = xl_rowcol_to_cell(group_top + 2, 7)  # the group block's first figure (check_group)
    for c, (col, chk) in enumerate(zip(content.ldsos, empty, strict=True)):
        _check_row(ws, f, content, parameters, wk, dy, CHECKS_TOP + c, c, col, chk, spread.get(c), daily_present,
                   per[col.mpid])
    if content.ldsos:
        for criteria, fmt in (("==", f.ok), ("!=", f.red)):
            ws.conditional_format(CHECKS_TOP, K_STATUS, last, K_STATUS,
                                  {"type": "cell", "criteria": criteria, "value": f'"{OK}"', "format": fmt})
    group, rows = group_checks(ws, f, content, parameters, wk, dy, sheets, group_top)
    _overall(ws, f, content, last, group, overall)
    _return_only(ws, f, group_top + rows + 1)
    _layout(ws)


def _overall(ws, f: Formats, content: TemplateContent, last: int, group: list[tuple[str, RuleId, str]],
             overall) -> None:
    """The whole workbook: the LDSO rows' ids and the group rows' (``group``: condition, rule id, severity)."""
    errs, warns = xl_range_abs(CHECKS_TOP, K_ERRORS, last, K_ERRORS), xl_range_abs(CHECKS_TOP, K_WARNINGS, last,
                                                                                  K_WARNINGS)
    in_rows = lambda rid, rng: f'SUMPRODUCT(--ISNUMBER(FIND("{rid}",{rng})))>0'  # noqa: E731
    err_parts = [(in_rows(r, errs), r) for r in LDSO_RULES] if content.ldsos else []
    warn_parts = [(in_rows(r, warns), r) for r in LDSO_RULES] if content.ldsos else []
    for rid in GROUP_RULES:
        for severity, parts in ((Severity.ERROR, err_parts), (Severity.WARNING, warn_parts)):
            conds = [cond for cond, r, s in group if r == rid and s == severity]
            if conds:
                parts.append((f"OR({','.join(conds)})", rid))
    ws.merge_range(OVERALL_ROW, 0, OVERALL_ROW, 1, "The whole workbook", f.label)
    ws.write(OVERALL_ROW, 3, "Errors", f.label)
    ws.write(OVERALL_ROW, 12, "Warnings", f.label)
    ws.merge_range(OVERALL_ROW, 4, OVERALL_ROW, 11, "", f.fit)
    ws.merge_range(OVERALL_ROW, 13, OVERALL_ROW, K_DAILY_WEEKS, "", f.fit)
    ws.write_formula(*OVERALL_ERRORS, F.joined(err_parts), f.fit, overall.error_text)
    ws.write_formula(*OVERALL_WARNINGS, F.joined(warn_parts), f.fit, overall.warning_text)
    ws.write_formula(*OVERALL_STATUS, f'=IF({xl_rowcol_to_cell(*OVERALL_ERRORS)}="","{OK}","{NOT_OK}")', f.bold_center,
                     overall.status)
    for criteria, fmt in (("==", f.ok), ("!=", f.red)):
        ws.conditional_format(*OVERALL_STATUS, *OVERALL_STATUS,
                              {"type": "cell", "criteria": criteria, "value": f'"{OK}"', "format": fmt})


def _return_only(ws, f: Formats, r: int) -> None:
    ws.write(r, 0, "Checked only when the MCC receives the workbook (no formula can)", f.subtitle)
    lines = [f"{rid}: {text}." for rid, text in RETURN_ONLY.items()] + [p[0].upper() + p[1:] + "." for p in
                                                                        RETURN_ONLY_PARTS]
    for k, line in enumerate(lines, start=1):
        ws.merge_range(r + k, 0, r + k, K_DAILY_WEEKS, line, f.text)


def _layout(ws) -> None:
    ws.set_column(K_LDSO, K_LDSO, 8)
    ws.set_column(K_NAME, K_NAME, 30)
    ws.set_column(K_RULES, K_DAILY_WEEKS, 11)
    ws.set_column(K_RULES, K_RULES, 15)  # also holds the core window's end date, over two columns
    ws.set_column(K_FITS, K_FITS, 13)
    ws.set_column(K_CORE, K_TARGET, 13)
    ws.set_column(K_ERRORS, K_ERRORS, 44)
    ws.set_column(K_WARNINGS, K_WARNINGS, 32)
    ws.set_column(K_STATUS, K_STATUS, 9)
    ws.set_row(CHECKS_TOP - 1, 78)
    ws.freeze_panes(CHECKS_TOP, 1)
    ws.protect("", {"format_columns": True, "select_locked_cells": True, "select_unlocked_cells": True})
    print_setup(ws)


def _check_row(ws, f: Formats, content: TemplateContent, parameters: Parameters, wk: Grid, dy: Grid | None,
               r: int, c: int, col: LdsoColumn, chk: LdsoChecks, spread: tuple[int, int] | None,
               daily_present: str | None, verdict) -> None:
    """The checks of the LDSO in column ``c`` of the plan grids, on row ``r``."""
    cell = lambda k: xl_rowcol_to_cell(r, k)  # noqa: E731
    arr = lambda k, formula, fmt, value: ws.write_array_formula(r, k, r, k, "{=" + formula + "}", fmt, value)  # noqa
    plan = wk.col_ref(wk.first_col + c)
    wc = F.clean(plan)
    ws.write_string(r, K_LDSO, col.mpid)
    ws.write_string(r, K_NAME, col.name)
    ws.write_string(r, K_RULES, col.category_name.replace("_", " ").lower())
    ws.write_number(r, K_MIGRATED, col.migrated, f.int)
    ws.write_number(r, K_PORTFOLIO, col.portfolio, f.int)
    if col.fits is None:
        ws.write_string(r, K_FITS, "no limit", f.na)
    else:
        ws.write_number(r, K_FITS, col.fits, f.int_red if col.infeasible else f.int)
    dplan = dy.col_ref(dy.first_col + c) if dy is not None else None
    arr(K_BAD, f"SUM({F.bad(plan)})" + (f"+SUM({F.bad(dplan)})" if dplan else ""), f.int, 0)
    arr(K_PLANNED, f"SUM({wc})", f.int, chk.planned)
    ws.write_formula(r, K_LEFT, f"={cell(K_PORTFOLIO)}-{cell(K_PLANNED)}", f.int, chk.remaining)
    if content.ramp_up_in_window:
        arr(K_RAMP, f"SUM(IF({wk.col_ref(wk.ramp_col)}>0,{wc},0))", f.int, chk.ramp_up_planned)
        ws.write_formula(r, K_RAMP_SHARE, f"=IF({cell(K_PORTFOLIO)}=0,0,{cell(K_RAMP)}/{cell(K_PORTFOLIO)})", f.pct,
                         chk.ramp_up_share or 0)
    else:
        ws.write_string(r, K_RAMP, NA, f.na)
        ws.write_string(r, K_RAMP_SHARE, NA, f.na)
    if col.category == Category.SMALL:
        ws.write_string(r, K_RAMP_MIN, "no range", f.na)
        ws.write_string(r, K_RAMP_MAX, "no range", f.na)
    else:
        ws.write_number(r, K_RAMP_MIN, col.ramp_up_min, f.int)
        ws.write_number(r, K_RAMP_MAX, col.ramp_up_max, f.int)
    if content.core_end_in_window:
        whole = f"({cell(K_MIGRATED)}+{cell(K_PORTFOLIO)})"
        arr(K_CORE, f"IF({whole}=0,1,({cell(K_MIGRATED)}+SUM(IF({wk.col_ref(0)}<={CORE_END_CELL},{wc},0)))"
                    f"/{whole})", f.pct, chk.core_share)
    else:
        ws.write_string(r, K_CORE, NA, f.na)
    cmwcp = parameters.submission.cmwcp
    ws.write_string(r, K_TARGET, f"at least {cmwcp:.0%}" if col.category == Category.ENVELOPE else "guide only")
    _limit_checks(ws, f, wk, dy, r, c, col, chk, arr)
    _spread_checks(ws, f, content, wk, dy, r, c, parameters.submission.ddpru, spread, daily_present, arr)
    errors, warnings = _rule_conditions(content, parameters, dy, r, col)
    ws.write_formula(r, K_ERRORS, F.joined(errors), f.fit, verdict.error_text)
    ws.write_formula(r, K_WARNINGS, F.joined(warnings), f.fit, verdict.warning_text)
    ws.write_formula(r, K_STATUS, f'=IF({cell(K_ERRORS)}="","{OK}","{NOT_OK}")', None, verdict.status)


def _limit_checks(ws, f: Formats, wk: Grid, dy: Grid | None, r: int, c: int, col: LdsoColumn, chk: LdsoChecks,
                  arr) -> None:
    """Weeks and days over the limit (open ones: a closed one is a calendar problem), and planned on closed weeks
    and non-migration days."""
    wc = F.clean(wk.col_ref(wk.first_col + c))
    week_open = wk.col_ref(wk.open_col)
    dc = F.clean(dy.col_ref(dy.first_col + c)) if dy is not None else None
    day_open = dy.col_ref(dy.open_col) if dy is not None else None
    if col.category == Category.SMALL:
        ws.write_string(r, K_WEEKS_OVER, "no limit", f.na)
        ws.write_string(r, K_DAYS_OVER, "no limit", f.na)
    else:
        arr(K_WEEKS_OVER, f"SUM(IF({week_open}>0,IF({wc}>{wk.col_ref(wk.limit_col + c)},1,0),0))", f.int,
            chk.weekly_over)
        if dy is not None:
            arr(K_DAYS_OVER, f"SUM(IF({day_open}>0,IF({dc}>{dy.col_ref(dy.limit_col + c)},1,0),0))", f.int,
                chk.daily_over)
        else:
            ws.write_string(r, K_DAYS_OVER, NA, f.na)
    arr(K_WEEKS_CLOSED, f"SUM(IF({week_open}=0,IF({wc}>0,1,0),0))", f.int, chk.weekly_closed)
    if dy is not None:
        arr(K_DAYS_CLOSED, f"SUM(IF({day_open}=0,IF({dc}>0,1,0),0))", f.int, chk.daily_closed)
    else:
        ws.write_string(r, K_DAYS_CLOSED, NA, f.na)


def _spread_checks(ws, f: Formats, content: TemplateContent, wk: Grid, dy: Grid | None, r: int, c: int, ddpru: int,
                   spread: tuple[int, int] | None, daily_present: str | None, arr) -> None:
    """de-minimis.spread (days used after ramp-up against days needed) and daily.matches-weekly (weeks of the
    sprint whose days do not add up to the weekly figure), as ``toolkit.domain.rules`` count them."""
    cell = lambda k: xl_rowcol_to_cell(r, k)  # noqa: E731
    plan = wk.col_ref(wk.first_col + c)
    wc = F.clean(plan)
    if spread is None:
        ws.write_string(r, K_SPREAD_USED, NA, f.na)
        ws.write_string(r, K_SPREAD_NEEDED, NA, f.na)
    else:
        without, within = F.spread_constants(content)
        weekly_days = lambda k: f"SUM(IF({wc}<{k},{wc},{k}))"  # noqa: E731
        used = weekly_days(F.column(without))
        if dy is not None:
            after = F.serial(content.ramp_up_check_end or content.first_day)
            dc = F.clean(dy.col_ref(dy.first_col + c))
            used = (f"IF({daily_present}>0,SUM(IF({dy.col_ref(0)}>{after},IF({dc}>0,1,0),0))+"
                    f"{weekly_days(F.column(within))},{used})")
        arr(K_SPREAD_USED, used, f.int, spread[0])
        ramp = cell(K_RAMP) if content.ramp_up_in_window else "0"
        ws.write_formula(r, K_SPREAD_NEEDED, f"=MAX(0,MIN({ddpru},"
                                             f"{cell(K_PLANNED)}-{ramp}))", f.int, spread[1])
    weeks = whole_weeks(content)
    if dy is None or not weeks:
        ws.write_string(r, K_DAILY_WEEKS, NA, f.na)
        return
    r0, r1 = weeks[0][0], weeks[-1][0]
    dates = f"'{wk.sheet}'!" + xl_range_abs(wk.top + r0, 0, wk.top + r1, 0)
    sub = F.clean(f"'{wk.sheet}'!" + xl_range_abs(wk.top + r0, wk.first_col + c, wk.top + r1, wk.first_col + c))
    days = f"TRANSPOSE({dy.col_ref(0)})"
    in_days = f"MMULT(({days}>={dates})*({days}<{dates}+7),{F.clean(dy.col_ref(dy.first_col + c))})"
    arr(K_DAILY_WEEKS, f"IF({daily_present}>0,SUM(IF({F.column(w for _, w in weeks)}=1,IF({in_days}<>{sub},1,0),"
                       f"IF({in_days}>{sub},1,0))),0)", f.int, 0)


def _rule_conditions(content: TemplateContent, parameters: Parameters, dy: Grid | None, r: int,
                     col: LdsoColumn) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(condition, rule id) of the errors and of the warnings of the row, as the inbox's rules decide them."""
    cell = lambda k: xl_rowcol_to_cell(r, k)  # noqa: E731
    s = parameters.submission
    cat = col.category
    closed = f"{cell(K_WEEKS_CLOSED)}" + (f"+{cell(K_DAYS_CLOSED)}" if dy is not None else "")
    errors = [(f"{cell(K_BAD)}>0", RuleId.VALUE_INTEGER), (f"{closed}>0", RuleId.CALENDAR_NON_MIGRATION_DAY)]
    if cat == Category.ENVELOPE:
        errors.append((f"{cell(K_WEEKS_OVER)}>0", RuleId.ENVELOPE_WEEKLY))
        if dy is not None:
            errors.append((f"{cell(K_DAYS_OVER)}>0", RuleId.ENVELOPE_DAILY))
    if cat == Category.DE_MINIMIS:
        over = f"{cell(K_WEEKS_OVER)}" + (f"+{cell(K_DAYS_OVER)}" if dy is not None else "")
        errors.append((f"{over}>0", RuleId.DE_MINIMIS_DAILY_CAP))
    left, planned = cell(K_LEFT), cell(K_PLANNED)
    warnings = []
    if col.infeasible and s.completeness_beyond_capacity == Severity.WARNING:
        band = f"AND({planned}>={col.fits},{planned}<{col.portfolio})"
        errors.append((f"AND({left}<>0,NOT({band}))", RuleId.COMPLETENESS_PORTFOLIO))
        warnings.append((band, RuleId.COMPLETENESS_PORTFOLIO))
    else:
        errors.append((f"{left}<>0", RuleId.COMPLETENESS_PORTFOLIO))
    if content.ramp_checked(col):
        errors.append((f"OR({cell(K_RAMP)}<{col.ramp_up_min},{cell(K_RAMP)}>{col.ramp_up_max})",
                       RuleId.RAMP_UP_RANGE))
    if content.core_checked(col) and col.total:
        warnings.append((f"ROUND({cell(K_CORE)},9)<{s.cmwcp}", RuleId.CORE_WINDOW_COMPLETION))
    if cat == Category.DE_MINIMIS:
        errors.append((f"{cell(K_SPREAD_USED)}<{cell(K_SPREAD_NEEDED)}", RuleId.DE_MINIMIS_SPREAD))
    if dy is not None and whole_weeks(content):
        errors.append((f"{cell(K_DAILY_WEEKS)}>0", RuleId.DAILY_MATCHES_WEEKLY))
    order = {rid: k for k, rid in enumerate(LDSO_RULES)}
    return sorted(errors, key=lambda x: order[x[1]]), sorted(warnings, key=lambda x: order[x[1]])


def capacity_text(content: TemplateContent, parameters: Parameters, on_checks: bool = False) -> str:
    """What the template says where the limits to M15 cannot hold what is left (capacity sufficiency): the figures
    and what to do; "" where they can. ``on_checks``: the text stands on the Checks sheet, above the figures."""
    short = content.infeasible
    if not short:
        return ""
    sp = content.sprint
    fits, left = sum(c.fits for c in short), sum(c.portfolio for c in short)
    where = short[0].mpid if len(short) == 1 else f"{len(short)} of your LDSOs ({', '.join(c.mpid for c in short)})"
    severity = parameters.submission.completeness_beyond_capacity
    counts = ("a plan holding all that fits is accepted, with a warning on the rest" if severity == Severity.WARNING
              else "a plan short of the portfolio is refused until capacity is found")
    return (f"Short of capacity in {where}: your limits to M15 hold {fits:,} of the {left:,} MPANs left there "
            f"({left - fits:,} beyond; the figures per LDSO are "
            + ("below, in 'Fits to M15'" if on_checks else f"on '{C.SHEET_CHECKS}'") + "). Plan all that fits, then "
            f"request unused capacity for the rest in the UCA window ({sp.uca_start:%a %d %b} to "
            f"{sp.uca_end:%a %d %b %Y}); {counts}. The MCC knows of the shortfall and may add capacity.")

