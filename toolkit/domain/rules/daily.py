"""The daily plan of the sprint (METHOD 7): its days within the limits (calendar.non-migration-day,
envelope.daily, de-minimis.daily-cap unless the MCC recorded an exemption for the day), present where it is
required (daily.required) and matching the weekly plan (daily.matches-weekly)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from toolkit.domain.envelopes import Category
from toolkit.domain.findings import Finding, RuleId, finding
from toolkit.domain.parameters import Parameters
from toolkit.domain.rules.case import PlanCase
from toolkit.domain.rules.registry import family
from toolkit.domain.rules.sheets import PLAN_DAILY, PLAN_WEEKLY, SHEETS
from toolkit.domain.rules.values import DAY
from toolkit.domain.submission import Grid
from toolkit.domain.template import TemplateContent


@family("daily plan", emits=(RuleId.CALENDAR_NON_MIGRATION_DAY, RuleId.ENVELOPE_DAILY, RuleId.DE_MINIMIS_DAILY_CAP),
        when=lambda case: case.daily is not None)
def daily_plan(case: PlanCase) -> list[Finding]:
    return _daily_rules(case.content, case.parameters, case.sub.grids[PLAN_DAILY], case.daily, case.exemptions)


def _needs_daily_plan(case: PlanCase) -> bool:
    """A daily plan is missing where one is required and the weekly plan has migrations in the sprint's weeks: a
    group whose weekly plan leaves the sprint empty (nothing left to migrate then) has nothing to plan daily."""
    content = case.content
    if not (case.judgeable and content.daily_required and not case.daily_present and content.days):
        return False
    if case.weekly is None:
        return True
    in_sprint = np.array([w <= content.days[-1] for w in content.weeks], dtype=bool)
    return bool(case.weekly[in_sprint].any())


@family("daily plan required", emits=(RuleId.DAILY_REQUIRED,), when=_needs_daily_plan)
def daily_required(case: PlanCase) -> list[Finding]:
    content = case.content
    return [finding(RuleId.DAILY_REQUIRED, f"no daily plan: {content.daily_reason}, so a daily plan for "
                    f"{content.days[0]:{DAY}} to {content.days[-1]:{DAY}} is required.",
                    sheet=SHEETS[PLAN_DAILY], hint="fill in the daily plan sheet")]


@family("daily plan matches weekly", emits=(RuleId.DAILY_MATCHES_WEEKLY,),
        when=lambda case: case.weekly is not None and case.daily_present)
def daily_matches_weekly(case: PlanCase) -> list[Finding]:
    return _matches_weekly(case.content, case.sub.grids[PLAN_WEEKLY], case.weekly, case.daily)


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


def mismatched_weeks(content: TemplateContent, weekly: np.ndarray, daily: np.ndarray) -> list[tuple[int, int, int]]:
    """(week row, column, the days' total) of every week and LDSO where the daily plan does not match the weekly:
    weeks wholly inside the daily plan must match exactly; a week the daily plan only partly covers must not hold
    fewer than its days in the daily plan."""
    out: list[tuple[int, int, int]] = []
    if not content.days:
        return out
    last = content.days[-1]
    for r, week in enumerate(content.weeks):
        days = [k for k, d in enumerate(content.days) if week <= d < week + timedelta(days=7)]
        if not days:
            continue
        whole = min(week + timedelta(days=6), content.last_day) <= last
        for c in range(len(content.ldsos)):
            in_days, w = int(daily[days, c].sum()), int(weekly[r, c])
            if (whole and in_days != w) or (not whole and in_days > w):
                out.append((r, c, in_days))
    return out


def whole_weeks(content: TemplateContent) -> list[tuple[int, bool]]:
    """(week row, wholly inside the daily plan) of the weeks holding a day of the daily plan."""
    if not content.days:
        return []
    last = content.days[-1]
    return [(r, min(week + timedelta(days=6), content.last_day) <= last) for r, week in enumerate(content.weeks)
            if any(week <= d < week + timedelta(days=7) for d in content.days)]


def _matches_weekly(content: TemplateContent, wgrid: Grid, weekly: np.ndarray, daily: np.ndarray) -> list[Finding]:
    out: list[Finding] = []
    for r, c, in_days in mismatched_weeks(content, weekly, daily):
        week, col, w = content.weeks[r], content.ldsos[c], int(weekly[r, c])
        whole = dict(whole_weeks(content))[r]
        out.append(finding(RuleId.DAILY_MATCHES_WEEKLY,
                           f"the daily plan of LDSO {col.mpid} adds up to {in_days:,} "
                           f"in the week of {week:{DAY}}, {_weekly_says(wgrid, r, c, w)}"
                           + ("" if whole else " (the sprint ends inside this week)") + ".",
                           sheet=wgrid.area.sheet, cell=wgrid.cell(r, c), ldso=col.mpid, date=week,
                           value=str(w), hint="make the weekly figure the sum of that week's days"))
    return out


def _weekly_says(wgrid: Grid, r: int, c: int, w: int) -> str:
    """What the weekly plan holds for the week: its figure, or the text typed where a figure belongs (counted as 0
    by the sums, reported as what it is)."""
    raw = wgrid.values[r][c] if r < len(wgrid.values) and c < len(wgrid.values[r]) else None
    if isinstance(raw, str) and raw.strip():
        return f"the weekly plan holds the text {raw.strip()[:40]!r}, not a number"
    return f"the weekly plan says {w:,}"
