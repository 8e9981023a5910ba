"""The self-checks sheet: one row per LDSO with the figures the MCC checks on receipt, as formulas over the plan
grids that recalculate as the supplier types; the cached results are the empty template's figures, computed by
``toolkit.domain.template.self_checks``."""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell

from toolkit.domain.envelopes import Category
from toolkit.domain.findings import Severity
from toolkit.domain.industry import AGENT_ROLES
from toolkit.domain.parameters import Parameters
from toolkit.domain.template import LdsoChecks, LdsoColumn, TemplateContent, agent_mismatches, self_checks
from toolkit.excel import contract as C
from toolkit.excel.book import print_setup
from toolkit.excel.writers.template.formats import Formats
from toolkit.excel.writers.template.plan import Grid

CHECK_HEADS = ["LDSO", "Name", "Rules", "Migrated so far", "Remaining portfolio", "Fits to M15 (your limits)",
               "Planned (weekly)", "Left to plan", "Ramp-up planned", "Ramp-up share", "Ramp-up min", "Ramp-up max",
               "Core-window share by core end", "Target", "Weeks over the limit", "Days over the limit",
               "Weeks closed but planned", "Non-migration days planned", "Problems", "Status"]
CHECKS_TOP = 6  # first LDSO row (0-based)
(K_LDSO, K_NAME, K_RULES, K_MIGRATED, K_PORTFOLIO, K_FITS, K_PLANNED, K_LEFT, K_RAMP, K_RAMP_SHARE, K_RAMP_MIN,
 K_RAMP_MAX, K_CORE, K_TARGET, K_WEEKS_OVER, K_DAYS_OVER, K_WEEKS_CLOSED, K_DAYS_CLOSED, K_PROBLEMS,
 K_STATUS) = range(len(CHECK_HEADS))
CORE_END_CELL = xl_rowcol_to_cell(2, 2, row_abs=True, col_abs=True)


def problems_formula(r: int, ramp_checked: bool, core_checked: bool, target: float,
                     short_tolerated: bool = False) -> str:
    """The 'Problems' text of a check row; ``LdsoChecks.problems`` in ``toolkit.domain.template`` builds the same
    text from the same figures. ``short_tolerated``: the LDSO is short of capacity and a plan holding all that fits
    is enough (``short_by_capacity``)."""
    cell = lambda c: xl_rowcol_to_cell(r, c)  # noqa: E731
    total = (f'IF(AND({cell(K_LEFT)}<>0,OR({cell(K_PLANNED)}<{cell(K_FITS)},{cell(K_LEFT)}<0)),'
             if short_tolerated else f'IF({cell(K_LEFT)}<>0,')
    parts = [total + '"total differs from portfolio; ","")',
             f'IF(N({cell(K_WEEKS_OVER)})+N({cell(K_DAYS_OVER)})>0,"over the limit; ","")',
             f'IF({cell(K_WEEKS_CLOSED)}+{cell(K_DAYS_CLOSED)}>0,"on non-migration days; ","")']
    if ramp_checked:
        parts.append(f'IF(OR({cell(K_RAMP)}<{cell(K_RAMP_MIN)},{cell(K_RAMP)}>{cell(K_RAMP_MAX)}),'
                     '"ramp-up outside range; ","")')
    if core_checked:
        parts.append(f'IF(ROUND({cell(K_CORE)},9)<{target},"core window below target; ","")')
    return "=" + "&".join(parts)


def checks_sheet(ws, f: Formats, content: TemplateContent, parameters: Parameters, wk: Grid, dy: Grid | None,
                 agent_checks: dict[str, str]) -> None:
    """Write the sheet; ``agent_checks`` holds, per role, the formula counting the weeks whose forecasts do not add
    up (from the agents sheet)."""
    ws.write(0, 0, "Self-checks (they recalculate as you type; the MCC checks again on receipt)", f.title)
    ws.merge_range(1, 0, 1, 10, "Each LDSO must be OK before you return the workbook. The weekly plan is the "
                                "basis of the totals; the daily plan is checked against its daily limits. Ramp-up "
                                "counts the weeks holding your first ramp-up days; core-window share counts "
                                "the weeks starting on or before your core window ends.", f.text)
    ws.set_row(1, 45)
    ws.merge_range(2, 0, 2, 1, "Core window ends", f.label)
    if content.core_end is not None:
        ws.write_datetime(2, 2, content.core_end, f.day)
    else:
        ws.write_string(2, 2, "no core window")
    short = capacity_text(content, parameters, on_checks=True)
    if short:
        ws.merge_range(3, 0, 3, 12, short, f.warn)
        ws.set_row(3, 15.0 * max(2, -(-len(short) // 150)) + 3)
    ws.write_row(CHECKS_TOP - 1, 0, CHECK_HEADS, f.head)
    empty = self_checks(content, content.prefilled(), None)
    for c, (col, chk) in enumerate(zip(content.ldsos, empty, strict=True)):
        _check_row(ws, f, content, parameters, wk, dy, CHECKS_TOP + c, c, col, chk)
    last = CHECKS_TOP + len(content.ldsos) - 1
    if content.ldsos:
        for criteria, fmt in (("==", f.ok), ("!=", f.red)):
            ws.conditional_format(CHECKS_TOP, K_STATUS, last, K_STATUS,
                                  {"type": "cell", "criteria": criteria, "value": '"OK"', "format": fmt})
    r = last + 2
    ws.write(r, 0, "Agent forecasts", f.subtitle)
    mismatches = agent_mismatches(content, content.prefilled(), content.prefilled_agents(),
                                  [a.role for a in content.agents])
    for k, (role, formula) in enumerate(agent_checks.items()):
        ws.write(r + 1 + k, 1, f"{AGENT_ROLES[role]} ({role}): weeks whose forecasts do not add up to the plan")
        ws.write_formula(r + 1 + k, K_RAMP, f"={formula}", f.int, mismatches.get(role, 0))
    ws.set_column(K_LDSO, K_LDSO, 8)
    ws.set_column(K_NAME, K_NAME, 30)
    ws.set_column(K_RULES, K_TARGET, 11)
    ws.set_column(K_RULES, K_RULES, 15)  # also holds the core window's end date
    ws.set_column(K_FITS, K_FITS, 13)
    ws.set_column(K_RAMP, K_RAMP, 20)
    ws.set_column(K_CORE, K_CORE, 31)
    ws.set_column(K_WEEKS_OVER, K_DAYS_CLOSED, 12)
    ws.set_column(K_PROBLEMS, K_PROBLEMS, 40)
    ws.set_column(K_STATUS, K_STATUS, 9)
    ws.set_row(CHECKS_TOP - 1, 45)
    ws.freeze_panes(CHECKS_TOP, 1)
    ws.protect("", {"format_columns": True, "select_locked_cells": True, "select_unlocked_cells": True})
    print_setup(ws)


def _check_row(ws, f: Formats, content: TemplateContent, parameters: Parameters, wk: Grid, dy: Grid | None,
               r: int, c: int, col: LdsoColumn, chk: LdsoChecks) -> None:
    """The checks of the LDSO in column ``c`` of the plan grids, on row ``r``."""
    cell = lambda k: xl_rowcol_to_cell(r, k)  # noqa: E731
    plan = wk.col_ref(wk.first_col + c)
    limit = wk.col_ref(wk.limit_col + c)
    ws.write_string(r, K_LDSO, col.mpid)
    ws.write_string(r, K_NAME, col.name)
    ws.write_string(r, K_RULES, col.category_name.replace("_", " ").lower())
    ws.write_number(r, K_MIGRATED, col.migrated, f.int)
    ws.write_number(r, K_PORTFOLIO, col.portfolio, f.int)
    if col.fits is None:
        ws.write_string(r, K_FITS, "no limit")
    else:
        ws.write_number(r, K_FITS, col.fits, f.int_red if col.infeasible else f.int)
    ws.write_formula(r, K_PLANNED, f"=SUM({plan})", f.int, chk.planned)
    ws.write_formula(r, K_LEFT, f"={cell(K_PORTFOLIO)}-{cell(K_PLANNED)}", f.int, chk.remaining)
    ramp_checked, core_checked = content.ramp_checked(col), content.core_checked(col)
    if content.ramp_up_in_window:
        ws.write_formula(r, K_RAMP, f'=SUMIFS({plan},{wk.col_ref(wk.ramp_col)},">0")', f.int, chk.ramp_up_planned)
        ws.write_formula(r, K_RAMP_SHARE, f"=IF({cell(K_PORTFOLIO)}=0,0,{cell(K_RAMP)}/{cell(K_PORTFOLIO)})", f.pct,
                         chk.ramp_up_share or 0)
    else:
        ws.write_string(r, K_RAMP, "n/a (before this plan)")
        ws.write_string(r, K_RAMP_SHARE, "n/a")
    if col.category == Category.SMALL:
        ws.write_string(r, K_RAMP_MIN, "no range")
        ws.write_string(r, K_RAMP_MAX, "no range")
    else:
        ws.write_number(r, K_RAMP_MIN, col.ramp_up_min, f.int)
        ws.write_number(r, K_RAMP_MAX, col.ramp_up_max, f.int)
    if content.core_end_in_window:
        whole = f"({cell(K_MIGRATED)}+{cell(K_PORTFOLIO)})"
        ws.write_formula(r, K_CORE, f'=IF({whole}=0,1,({cell(K_MIGRATED)}+SUMIFS({plan},{wk.col_ref(0)},"<="&'
                                    f'{CORE_END_CELL}))/{whole})', f.pct, chk.core_share)
    else:
        ws.write_string(r, K_CORE, "n/a (core window not in this plan)")
    cmwcp = parameters.submission.cmwcp
    ws.write_string(r, K_TARGET, f"at least {cmwcp:.0%}" if col.category == Category.ENVELOPE else "guide only")
    _limit_checks(ws, f, wk, dy, r, c, col, chk, plan, limit)
    problems = chk.problems(parameters, col, ramp_checked, core_checked)
    tolerated = col.infeasible and parameters.submission.completeness_beyond_capacity == Severity.WARNING
    ws.write_formula(r, K_PROBLEMS, problems_formula(r, ramp_checked, core_checked, cmwcp, tolerated), f.text,
                     problems)
    ws.write_formula(r, K_STATUS, f'=IF({cell(K_PROBLEMS)}="","OK","Check")', None,
                     "OK" if not problems else "Check")


def _limit_checks(ws, f: Formats, wk: Grid, dy: Grid | None, r: int, c: int, col: LdsoColumn, chk: LdsoChecks,
                  plan: str, limit: str) -> None:
    """Weeks and days over the limit, and planned on closed weeks and non-migration days."""
    if col.category == Category.SMALL:
        ws.write_string(r, K_WEEKS_OVER, "no limit")
        ws.write_string(r, K_DAYS_OVER, "no limit")
    else:
        ws.write_formula(r, K_WEEKS_OVER, f"=SUMPRODUCT(ISNUMBER({plan})*({plan}>{limit}))", f.int, chk.weekly_over)
        if dy is not None:
            dplan, dlimit = dy.col_ref(dy.first_col + c), dy.col_ref(dy.limit_col + c)
            ws.write_formula(r, K_DAYS_OVER, f"=SUMPRODUCT(ISNUMBER({dplan})*({dplan}>{dlimit}))", f.int,
                             chk.daily_over)
        else:
            ws.write_string(r, K_DAYS_OVER, "no daily plan")
    ws.write_formula(r, K_WEEKS_CLOSED, f"=SUMPRODUCT(({wk.col_ref(wk.open_col)}=0)*ISNUMBER({plan})*({plan}<>0))",
                     f.int, chk.weekly_closed)
    if dy is not None:
        dplan = dy.col_ref(dy.first_col + c)
        ws.write_formula(r, K_DAYS_CLOSED,
                         f"=SUMPRODUCT(({dy.col_ref(dy.open_col)}=0)*ISNUMBER({dplan})*({dplan}<>0))", f.int,
                         chk.daily_closed)
    else:
        ws.write_number(r, K_DAYS_CLOSED, 0, f.int)


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
