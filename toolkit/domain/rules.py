"""The submission rules of METHOD 7, applied to what was read from a returned workbook. Pure: the figures to
judge against (``TemplateContent``) are recalculated from the configuration by the caller, never read from the
returned file; the facts about the file's identity (signature, register) are established by the caller too.

Every rule yields findings; ``validate`` collects them all. Where the layout of a grid is broken the value rules
skip that grid (their cell references would point at the wrong cells).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from toolkit.domain.envelopes import Category
from toolkit.domain.findings import Finding, RuleId, finding
from toolkit.domain.industry import AGENT_ROLES
from toolkit.domain.parameters import Parameters
from toolkit.domain.submission import Grid, Submission
from toolkit.domain.template import TemplateContent

PLAN_WEEKLY, PLAN_DAILY, AGENT_FORECAST, FAST_FEEDBACK = "PlanWeekly", "PlanDaily", "AgentForecast", "FastFeedback"
SHEETS = {PLAN_WEEKLY: "Weekly plan", PLAN_DAILY: "Daily plan", AGENT_FORECAST: "Agents",
          FAST_FEEDBACK: "Fast feedback"}
DAY = "%a %d %b %Y"


@dataclass(frozen=True)
class Identity:
    """What the caller established about the file: the signature check needs the MCC's key, the rest the
    template register and the configuration."""

    signature_ok: bool
    known_group: bool
    known_cycle: bool
    registered: bool  # the template id is in the cycle's register
    current_version: int | None  # latest issued version of the group for the cycle
    current_digest: str | None  # digest of the envelopes recalculated now
    planning_cycle: str | None = None  # the cycle the MCC is collecting plans for (None: any)
    claimed_group: str | None = None  # from the inbox subfolder or the file name, when there is one


@dataclass(frozen=True)
class Judgement:
    findings: list[Finding]
    weekly: np.ndarray | None = None  # the plan as read (blanks and bad cells as 0), when the layout held
    daily: np.ndarray | None = None
    grids_ok: dict[str, bool] = field(default_factory=dict)


def check_identity(sub: Submission, facts: Identity) -> list[Finding]:
    meta = sub.meta
    out: list[Finding] = []
    if not meta.get("template_id"):
        return [finding(RuleId.IDENTITY_TEMPLATE, f"{sub.file} is not a plan template issued by the MCC (it has no "
                        "template metadata). Fill in the template the MCC sent you and return that.",
                        hint="use the template attached to the MCC's email")]
    tid = meta["template_id"]
    if not facts.signature_ok:
        out.append(finding(RuleId.IDENTITY_TEMPLATE, f"the template's metadata was altered or its signature does not "
                           f"match (template {tid}); the MCC cannot tell which envelopes it was issued with.",
                           sheet="_mcc", hint="return the template as issued; do not copy its sheets into "
                                              "another workbook"))
    group, cycle = meta.get("group", ""), meta.get("cycle", "")
    if not facts.known_group:
        out.append(finding(RuleId.IDENTITY_TEMPLATE, f"group {group or '(none)'} of template {tid} is not a supplier "
                           "group the MCC knows.", sheet="_mcc"))
    if not facts.known_cycle:
        out.append(finding(RuleId.IDENTITY_TEMPLATE, f"planning cycle {cycle or '(none)'} of template {tid} is not a "
                           "sprint of the migration calendar.", sheet="_mcc"))
    if facts.claimed_group and group and facts.claimed_group != group:
        out.append(finding(RuleId.IDENTITY_TEMPLATE, f"this file was delivered as group {facts.claimed_group}'s, but "
                           f"it is group {group}'s template {tid}.",
                           hint=f"send your own template, issued to group {facts.claimed_group}"))
    if facts.planning_cycle and cycle and facts.known_cycle and cycle != facts.planning_cycle:
        out.append(finding(RuleId.IDENTITY_TEMPLATE, f"template {tid} is for planning cycle {cycle}; the MCC is "
                           f"collecting plans for {facts.planning_cycle}.",
                           hint=f"use the template issued for {facts.planning_cycle}"))
    if facts.known_group and facts.known_cycle:
        version = int(meta.get("version", "0") or 0) if str(meta.get("version", "")).isdigit() else 0
        if not facts.registered:
            out.append(finding(RuleId.IDENTITY_TEMPLATE, f"template {tid} is not in the MCC's register of issued "
                               f"templates for {cycle}.", sheet="_mcc"))
        elif facts.current_version is not None and version < facts.current_version:
            out.append(finding(RuleId.IDENTITY_TEMPLATE, f"template {tid} (version {version}) was superseded by "
                               f"version {facts.current_version}; plans are only accepted on the latest version.",
                               hint=f"copy your figures into version {facts.current_version} and return that"))
        if facts.current_digest and meta.get("envelope_digest") and facts.signature_ok \
                and meta["envelope_digest"] != facts.current_digest:
            out.append(finding(RuleId.IDENTITY_TEMPLATE, f"the envelopes of template {tid} have changed since it was "
                               "issued; the MCC will send (or has sent) a new version.",
                               hint="plan on the latest version of the template"))
    return out


def check_structure(sub: Submission, content: TemplateContent) -> tuple[list[Finding], dict[str, bool]]:
    """Sheets, grid positions (as recorded in the signed layout), LDSO headers and date columns."""
    import json

    out: list[Finding] = []
    ok: dict[str, bool] = {}
    try:
        layout = json.loads(sub.meta.get("layout", "{}") or "{}")
    except ValueError:
        layout = {}
    wanted = [PLAN_WEEKLY, AGENT_FORECAST, FAST_FEEDBACK] + ([PLAN_DAILY] if content.daily_required else [])
    for name in wanted:
        sheet = SHEETS[name]
        grid = sub.grids.get(name)
        if name in sub.names and sub.names[name] is None:
            out.append(finding(RuleId.STRUCTURE_LAYOUT, f"the input area {name} no longer exists: a sheet, row or "
                               "column it used was deleted.", sheet=sheet))
            ok[name] = False
            continue
        if grid is None:
            if name == PLAN_DAILY and name not in layout:
                ok[name] = False  # issued without a daily plan (daily.required reports it)
                continue
            missing = sheet not in sub.sheet_names
            out.append(finding(RuleId.STRUCTURE_LAYOUT, f"sheet '{sheet}' is missing (renamed or deleted)." if missing
                               else f"the input area {name} on sheet '{sheet}' is missing.", sheet=sheet,
                               hint="return the template with its sheets as issued"))
            ok[name] = False
            continue
        recorded = layout.get(name)
        if recorded and recorded != grid.area.qualified:
            out.append(finding(RuleId.STRUCTURE_LAYOUT,
                               f"the input area {name} moved from {recorded.split('!')[-1]} to "
                               f"{grid.area.qualified.split('!')[-1]}: rows or columns were inserted or deleted.",
                               sheet=grid.area.sheet, cell=grid.area.ref,
                               hint="do not insert or delete rows or columns; copy your figures into a fresh "
                                    "template"))
            ok[name] = False
            continue
        ok[name] = True
        if name in (PLAN_WEEKLY, PLAN_DAILY):
            expected_dates = content.weeks if name == PLAN_WEEKLY else content.days
            for c, (got, want) in enumerate(zip(grid.keys, content.ldso_mpids, strict=False)):
                if got != want:
                    out.append(finding(RuleId.STRUCTURE_LAYOUT,
                                       f"the LDSO header reads {got or '(blank)'!r}; the template "
                                       f"had {want}.", sheet=grid.area.sheet, cell=grid.key_cell(c), ldso=want))
                    ok[name] = False
            if len(grid.keys) != len(content.ldso_mpids) or len(grid.values) != len(expected_dates):
                out.append(finding(RuleId.STRUCTURE_LAYOUT, f"the input area {name} is {len(grid.values)} x "
                                   f"{len(grid.keys)}; the template had {len(expected_dates)} x "
                                   f"{len(content.ldso_mpids)}.", sheet=grid.area.sheet, cell=grid.area.ref))
                ok[name] = False
                continue
            for r, (got, want) in enumerate(zip(grid.dates, expected_dates, strict=True)):
                if _as_date(got) != want:
                    out.append(finding(RuleId.STRUCTURE_LAYOUT, f"the date reads {got!s}; the template had "
                                       f"{want:{DAY}}.", sheet=grid.area.sheet, cell=grid.date_cell(r), date=want))
                    ok[name] = False
    return out, ok


def _as_date(v: object) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return None


def _whole(v: object) -> int | None:
    """A plan cell as a whole number >= 0; None when it is not one (blank is 0)."""
    if v is None:
        return 0
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    if not float(v).is_integer() or v < 0:
        return None
    return int(v)


def read_numbers(grid: Grid, kind: str) -> tuple[np.ndarray, list[Finding]]:
    """The grid as whole numbers (bad cells as 0) and a value.integer finding for every bad cell."""
    values = np.zeros((len(grid.values), len(grid.values[0]) if grid.values else 0), dtype=np.int64)
    out = []
    for r, row in enumerate(grid.values):
        for c, v in enumerate(row):
            if (r, c) in grid.formulas_without_value:
                out.append(finding(RuleId.VALUE_INTEGER, f"{kind} cell {grid.cell(r, c)} holds a formula with no saved "
                                   "value.", sheet=grid.area.sheet, cell=grid.cell(r, c),
                                   hint="type the number itself, or save the file in Excel so the value is kept"))
                continue
            n = _whole(v)
            if n is None:
                shown = v if not isinstance(v, float) else f"{v:g}"
                out.append(finding(RuleId.VALUE_INTEGER, f"{kind} cell {grid.cell(r, c)} holds {shown!r}; plan cells "
                                   "take whole numbers of 0 or more.", sheet=grid.area.sheet, cell=grid.cell(r, c),
                                   value=str(v), hint="type a whole number, or leave the cell blank for none"))
            else:
                values[r, c] = n
    return values, out


def validate(sub: Submission, facts: Identity, content: TemplateContent | None, parameters: Parameters,
             exemptions: frozenset[tuple[str, date]] = frozenset()) -> Judgement:
    """Every rule of METHOD 7. ``content`` is None when the file's group or cycle is unknown (then only the
    identity findings can be given)."""
    findings = check_identity(sub, facts)
    if content is None or not sub.meta.get("template_id"):
        return Judgement(findings)
    structure, ok = check_structure(sub, content)
    findings += structure
    weekly = daily = None
    if ok.get(PLAN_WEEKLY):
        weekly, bad = read_numbers(sub.grids[PLAN_WEEKLY], "weekly plan")
        findings += bad
    if ok.get(PLAN_DAILY):
        daily, bad = read_numbers(sub.grids[PLAN_DAILY], "daily plan")
        findings += bad
    daily_present = daily is not None and bool(daily.any())
    if weekly is not None:
        findings += _weekly_rules(content, parameters, sub.grids[PLAN_WEEKLY], weekly)
    if daily is not None:
        findings += _daily_rules(content, parameters, sub.grids[PLAN_DAILY], daily, exemptions)
    if content.daily_required and not daily_present and content.days:
        findings.append(finding(RuleId.DAILY_REQUIRED, f"no daily plan: {content.daily_reason}, so a daily plan for "
                                f"{content.days[0]:{DAY}} to {content.days[-1]:{DAY}} is required.",
                                sheet=SHEETS[PLAN_DAILY], hint="fill in the daily plan sheet"))
    if weekly is not None and daily is not None and daily_present:
        findings += _matches_weekly(content, sub.grids[PLAN_WEEKLY], weekly, daily)
    if weekly is not None:
        findings += _de_minimis_spread(content, parameters, sub.grids[PLAN_WEEKLY], weekly,
                                       daily if daily_present else None)
    if ok.get(FAST_FEEDBACK):
        findings += _fast_feedback(content, parameters, sub.grids[FAST_FEEDBACK])
    if ok.get(AGENT_FORECAST) and weekly is not None:
        findings += _agents(content, sub.grids[AGENT_FORECAST], weekly)
    return Judgement(findings, weekly, daily, ok)


def _weekly_rules(content: TemplateContent, parameters: Parameters, grid: Grid, weekly: np.ndarray) -> list[Finding]:
    out: list[Finding] = []
    s = parameters.submission
    sheet = grid.area.sheet
    for c, col in enumerate(content.ldsos):
        for r, week in enumerate(content.weeks):
            v = int(weekly[r, c])
            if not v:
                continue
            if content.week_open_days[r] == 0:
                out.append(finding(RuleId.CALENDAR_NON_MIGRATION_DAY,
                                   f"{v:,} planned in LDSO {col.mpid} in the week of "
                                   f"{week:{DAY}}, which has no migration day open to you"
                                   + (f" ({content.week_notes[r]})" if content.week_notes[r] else "") + ".",
                                   sheet=sheet, cell=grid.cell(r, c), ldso=col.mpid, date=week, value=str(v),
                                   hint="move these migrations to an open week"))
                continue
            limit = int(content.weekly_limit[r, c])
            if col.category == Category.ENVELOPE and v > limit:
                out.append(finding(RuleId.ENVELOPE_WEEKLY,
                                   f"{v:,} planned in LDSO {col.mpid} in the week of {week:{DAY}}; "
                                   f"the weekly envelope is {limit:,}.", sheet=sheet, cell=grid.cell(r, c),
                                   ldso=col.mpid, date=week, value=str(v),
                                   hint=f"reduce {grid.cell(r, c)} to {limit:,} or less"))
            elif col.category == Category.DE_MINIMIS and v > limit:
                out.append(finding(RuleId.DE_MINIMIS_DAILY_CAP, f"{v:,} planned in LDSO {col.mpid} in the week of "
                                   f"{week:{DAY}} is more than {content.week_open_days[r]} migration days at the de "
                                   f"minimis cap of {col.daily_cap:,} a day ({limit:,}).", sheet=sheet,
                                   cell=grid.cell(r, c), ldso=col.mpid, date=week, value=str(v),
                                   hint=f"reduce {grid.cell(r, c)} to {limit:,} or less"))
        total = int(weekly[:, c].sum())
        if total != col.portfolio:
            gap = col.portfolio - total
            out.append(finding(RuleId.COMPLETENESS_PORTFOLIO,
                               f"{total:,} planned in LDSO {col.mpid} up to M15, but the "
                               f"portfolio to migrate there is {col.portfolio:,} ({abs(gap):,} "
                               f"{'short' if gap > 0 else 'too many'}).", sheet=sheet, cell=grid.key_cell(c),
                               ldso=col.mpid, value=str(total),
                               hint="plan every MPAN once, secondary MPANs included"))
        if content.ramp_checked(col):
            ramp = int(weekly[content.week_ramp_up_days > 0, c].sum())
            if not col.ramp_up_min <= ramp <= col.ramp_up_max:
                out.append(finding(RuleId.RAMP_UP_RANGE,
                                   f"{ramp:,} planned in LDSO {col.mpid} in the weeks of your first "
                                   f"{parameters.windows.sruw} migration days ({content.migration_start:{DAY}} to "
                                   f"{content.ramp_up_check_end:{DAY}}); the ramp-up range is {col.ramp_up_min:,} to "
                                   f"{col.ramp_up_max:,}.", sheet=sheet, cell=grid.key_cell(c), ldso=col.mpid,
                                   value=str(ramp)))
        if content.core_checked(col):
            core = int(weekly[content.week_before_core_end(), c].sum())
            if round(core / col.portfolio, 9) < s.cmwcp:
                out.append(finding(RuleId.CORE_WINDOW_COMPLETION, f"{core:,} of {col.portfolio:,} MPANs "
                                   f"({core / col.portfolio:.1%}) planned in LDSO {col.mpid} by the end of your core "
                                   f"window on {content.core_end:{DAY}}; the target is {s.cmwcp:.0%}.", sheet=sheet,
                                   cell=grid.key_cell(c), ldso=col.mpid, value=str(core)))
    return out


def _daily_rules(content: TemplateContent, parameters: Parameters, grid: Grid, daily: np.ndarray,
                 exemptions: frozenset[tuple[str, date]]) -> list[Finding]:
    out: list[Finding] = []
    sheet = grid.area.sheet
    for c, col in enumerate(content.ldsos):
        for r, day in enumerate(content.days):
            v = int(daily[r, c])
            if not v:
                continue
            if not content.day_open[r]:
                why = content.day_notes[r] or ("weekend" if day.weekday() >= 5 else "not a migration day")
                out.append(finding(RuleId.CALENDAR_NON_MIGRATION_DAY,
                                   f"{v:,} planned in LDSO {col.mpid} on {day:{DAY}}, "
                                   f"which is not a migration day for you ({why}).", sheet=sheet,
                                   cell=grid.cell(r, c), ldso=col.mpid, date=day, value=str(v),
                                   hint="move these migrations to a migration day"))
                continue
            limit = int(content.daily_limit[r, c])
            if col.category == Category.ENVELOPE and v > limit:
                out.append(finding(RuleId.ENVELOPE_DAILY, f"{v:,} planned in LDSO {col.mpid} on {day:{DAY}}; the daily "
                                   f"envelope is {limit:,}.", sheet=sheet, cell=grid.cell(r, c), ldso=col.mpid,
                                   date=day, value=str(v), hint=f"reduce {grid.cell(r, c)} to {limit:,} or less"))
            elif col.category == Category.DE_MINIMIS and v > limit and (col.mpid, day) not in exemptions:
                out.append(finding(RuleId.DE_MINIMIS_DAILY_CAP, f"{v:,} planned in LDSO {col.mpid} on {day:{DAY}}; "
                                   f"de minimis portfolios may migrate at most {limit:,} a day "
                                   f"({parameters.submission.dsp:.0%} of the LDSO threshold {col.threshold:,}).",
                                   sheet=sheet, cell=grid.cell(r, c),
                                   ldso=col.mpid, date=day, value=str(v),
                                   hint="spread these migrations, or ask the MCC for an exemption (very large "
                                        "customer)"))
    return out


def _matches_weekly(content: TemplateContent, wgrid: Grid, weekly: np.ndarray, daily: np.ndarray) -> list[Finding]:
    """Weeks wholly inside the daily plan must match exactly; a week the daily plan only partly covers must not
    hold fewer than its days in the daily plan."""
    out: list[Finding] = []
    if not content.days:
        return out
    first, last = content.days[0], content.days[-1]
    for r, week in enumerate(content.weeks):
        days = [k for k, d in enumerate(content.days) if week <= d < week + timedelta(days=7)]
        if not days:
            continue
        week_end = min(week + timedelta(days=6), content.last_day)
        whole = max(week, first) >= first and week_end <= last
        for c, col in enumerate(content.ldsos):
            in_days = int(daily[days, c].sum())
            w = int(weekly[r, c])
            if (whole and in_days != w) or (not whole and in_days > w):
                out.append(finding(RuleId.DAILY_MATCHES_WEEKLY,
                                   f"the daily plan of LDSO {col.mpid} adds up to {in_days:,} "
                                   f"in the week of {week:{DAY}}, the weekly plan says {w:,}"
                                   + ("" if whole else " (the sprint ends inside this week)") + ".",
                                   sheet=wgrid.area.sheet, cell=wgrid.cell(r, c), ldso=col.mpid, date=week,
                                   value=str(w), hint="make the weekly figure the sum of that week's days"))
    return out


def _de_minimis_spread(content: TemplateContent, parameters: Parameters, grid: Grid, weekly: np.ndarray,
                       daily: np.ndarray | None) -> list[Finding]:
    """After ramp-up the rest goes over at least DDPRU migration days (F5.2.7). From a weekly plan the days used
    are at most the week's open days (or its MPANs, if fewer); the daily plan gives the sprint's days exactly."""
    out: list[Finding] = []
    after = content.ramp_up_check_end or content.first_day
    sprint_days = set(content.days) if daily is not None else set()
    # open migration days of each week that the daily plan does not cover
    open_outside = np.zeros(len(content.weeks), dtype=np.int64)
    for d, o in zip(content.window_days, content.window_open, strict=True):
        if o and d not in sprint_days:
            open_outside[(d - content.weeks[0]).days // 7] += 1
    skip_ramp = (content.week_ramp_up_days > 0) & content.ramp_up_in_window
    for c, col in enumerate(content.ldsos):
        if col.category != Category.DE_MINIMIS:
            continue
        ramp = int(weekly[content.week_ramp_up_days > 0, c].sum()) if content.ramp_up_in_window else 0
        rest = int(weekly[:, c].sum()) - ramp
        if rest <= 0:
            continue
        used = 0
        if daily is not None:
            used += int(sum(1 for k, d in enumerate(content.days) if d > after and daily[k, c] > 0))
        used += int(np.minimum(open_outside, weekly[:, c])[~skip_ramp].sum())
        needed = min(parameters.submission.ddpru, rest)
        if used < needed:
            out.append(finding(RuleId.DE_MINIMIS_SPREAD,
                               f"the {rest:,} MPANs of LDSO {col.mpid} after ramp-up are planned "
                               f"on at most {used} migration days; spread them over at least {needed}.",
                               sheet=grid.area.sheet, cell=grid.key_cell(c), ldso=col.mpid, value=str(used)))
    return out


def _fast_feedback(content: TemplateContent, parameters: Parameters, grid: Grid) -> list[Finding]:
    out: list[Finding] = []
    act, ff = parameters.activation, parameters.fast_feedback
    open_days = {d for d, o in zip(content.window_days, content.window_open, strict=True) if o}
    total = 0
    for r, row in enumerate(grid.values):
        if all(v is None for v in row):
            continue
        day, ldso, count, offset = (list(row) + [None] * 4)[:4]
        where = {"sheet": grid.area.sheet, "cell": grid.cell(r, 0)}
        d = _as_date(day)
        if d is None:
            out.append(finding(RuleId.FAST_FEEDBACK_LIMITS,
                               f"row {grid.area.top + r + 1}: {day!s} is not an initiation "
                               "date.", **where))
        elif not content.fast_feedback_start <= d <= content.fast_feedback_end:
            out.append(finding(RuleId.FAST_FEEDBACK_LIMITS, f"fast-feedback initiations on {d:{DAY}} fall outside your "
                               f"window {content.fast_feedback_start:{DAY}} to {content.fast_feedback_end:{DAY}}.",
                               date=d, **where))
        elif d not in open_days:
            out.append(finding(RuleId.FAST_FEEDBACK_LIMITS,
                               f"{d:{DAY}} is not a migration day for you.", date=d, **where))
        if str(ldso or "").strip().upper() not in content.ldso_mpids:
            out.append(finding(RuleId.FAST_FEEDBACK_LIMITS,
                               f"{ldso!s} is not one of your LDSOs.", sheet=grid.area.sheet,
                               cell=grid.cell(r, 1)))
        n = _whole(count)
        if n is None or n == 0:
            out.append(finding(RuleId.FAST_FEEDBACK_LIMITS, f"{count!s} is not a number of initiations.",
                               sheet=grid.area.sheet, cell=grid.cell(r, 2)))
        else:
            total += n
        k = _whole(offset)
        if k is None or not act.mao_min <= k <= act.mao_max:
            out.append(finding(RuleId.FAST_FEEDBACK_LIMITS, f"activation offset {offset!s}: fast feedback allows "
                               f"{act.mao_min} to {act.mao_max} working days.", sheet=grid.area.sheet,
                               cell=grid.cell(r, 3)))
    if total > ff.initiations:
        out.append(finding(RuleId.FAST_FEEDBACK_LIMITS, f"{total:,} fast-feedback initiations in total; at most "
                           f"{ff.initiations:,} are allowed.", sheet=grid.area.sheet, value=str(total)))
    return out


def _agents(content: TemplateContent, grid: Grid, weekly: np.ndarray) -> list[Finding]:
    out: list[Finding] = []
    forecast, bad = read_numbers(grid, "agent forecast")
    out += [finding(RuleId.AGENTS_FORECAST, f.message, sheet=f.sheet, cell=f.cell, value=f.value, hint=f.hint)
            for f in bad]
    named = [(c, k, (grid.roles[c] if c < len(grid.roles) else "").upper()) for c, k in enumerate(grid.keys) if k]
    if not named:
        return out + [finding(RuleId.AGENTS_FORECAST, "no service providers are listed: name your data service and "
                              "metering service providers and forecast their weekly volumes.",
                              sheet=grid.area.sheet)]
    for c, key, role in named:
        if role not in AGENT_ROLES:
            out.append(finding(RuleId.AGENTS_FORECAST, f"provider {key} has role {role or '(blank)'!r}; the roles are "
                               f"{', '.join(AGENT_ROLES)}.", sheet=grid.area.sheet,
                               cell=_above(grid, c)))
    totals = weekly.sum(axis=1)
    for role, title in AGENT_ROLES.items():
        cols = [c for c, _, r in named if r == role]
        if not cols:
            out.append(finding(RuleId.AGENTS_FORECAST, f"no {title.lower()} ({role}) provider is listed.",
                               sheet=grid.area.sheet))
            continue
        sums = forecast[:, cols].sum(axis=1)
        wrong = [r for r in range(len(totals)) if r < len(sums) and sums[r] != totals[r]]
        if wrong:
            r = wrong[0]
            out.append(finding(RuleId.AGENTS_FORECAST,
                               f"{title} ({role}) forecasts do not add up to the week's plan in "
                               f"{len(wrong)} week{'s' if len(wrong) > 1 else ''}, first the week of "
                               f"{content.weeks[r]:{DAY}}: {int(sums[r]):,} forecast, {int(totals[r]):,} planned.",
                               sheet=grid.area.sheet, cell=grid.cell(r, cols[0]), date=content.weeks[r]))
    return out


def _above(grid: Grid, c: int) -> str:
    from toolkit.domain.submission import a1

    return a1(grid.area.top - 2, grid.area.left + c)


# -- UCA requests (issue 6; Choreography 3.2.2) ----------------------------------------------------------------

UCA_REQUEST = "UcaRequest"


@dataclass(frozen=True)
class RequestForm:
    """What a group's UCA request workbook was issued with: its eligible LDSOs, the sprint's days, and the unused
    capacity snapshot it is judged against (``disclosed`` False where the figure was suppressed)."""

    group: str
    ldsos: list[str]
    days: list[date]
    unused: np.ndarray  # (D, L) whole numbers
    disclosed: np.ndarray  # (D, L) bool


def validate_request(sub: Submission, facts: Identity, form: RequestForm | None) -> Judgement:
    findings = check_identity(sub, facts)
    if form is None or not sub.meta.get("template_id"):
        return Judgement(findings)
    grid = sub.grids.get(UCA_REQUEST)
    layout = {}
    try:
        import json

        layout = json.loads(sub.meta.get("layout", "{}") or "{}")
    except ValueError:
        pass
    if grid is None:
        findings.append(finding(RuleId.STRUCTURE_LAYOUT, "the UCA request area is missing (its sheet was renamed or "
                                "deleted).", sheet="UCA request"))
        return Judgement(findings)
    if layout.get(UCA_REQUEST) and layout[UCA_REQUEST] != grid.area.qualified:
        findings.append(finding(RuleId.STRUCTURE_LAYOUT, "the UCA request area moved: rows or columns were inserted or "
                                "deleted.", sheet=grid.area.sheet, cell=grid.area.ref))
        return Judgement(findings)
    if grid.keys != form.ldsos or [_as_date(d) for d in grid.dates] != form.days:
        findings.append(finding(RuleId.STRUCTURE_LAYOUT, "the LDSO headers or dates of the UCA request are not as "
                                "issued.", sheet=grid.area.sheet, cell=grid.area.ref))
        return Judgement(findings)
    requests, bad = read_numbers(grid, "UCA request")
    findings += bad
    for r, day in enumerate(form.days):
        for c, ldso in enumerate(form.ldsos):
            v = int(requests[r, c])
            if not v:
                continue
            cap = int(form.unused[r, c])
            where = {"sheet": grid.area.sheet, "cell": grid.cell(r, c), "ldso": ldso, "date": day, "value": str(v)}
            if cap <= 0:
                findings.append(finding(RuleId.UCA_ELIGIBLE,
                                        f"{v:,} requested in LDSO {ldso} on {day:{DAY}}, which has no "
                                        "unused capacity to allocate.", **where))
            elif v > cap:
                shown = f"the {cap:,} unused" if form.disclosed[r, c] else "the unused capacity (not disclosed)"
                findings.append(finding(RuleId.UCA_AVAILABLE,
                                        f"{v:,} requested in LDSO {ldso} on {day:{DAY}}, more than "
                                        f"{shown}.", hint="request at most the unused capacity", **where))
    return Judgement(findings, weekly=None, daily=requests)


def disclosure_counts(daily: np.ndarray) -> np.ndarray:
    """(L, D): how many groups an LDSO's daily aggregate is built from."""
    return (daily > 0).sum(axis=0)
