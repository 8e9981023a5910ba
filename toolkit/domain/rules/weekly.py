"""The weekly plan to M15, column by column (METHOD 7): calendar.non-migration-day (a week with no migration day
open to the group), envelope.weekly, de-minimis.daily-cap (a week above the cap times its migration days: without
a daily plan, some day of it must be above the cap), completeness.portfolio (cited on the LDSO's 'Left to plan'
cell, where the supplier sees the total against the portfolio), ramp-up.range and core-window.completion. One
family, because the findings come column by column, in that order."""

from __future__ import annotations

import numpy as np

from toolkit.domain.envelopes import Category
from toolkit.domain.findings import Finding, RuleId, finding
from toolkit.domain.parameters import Parameters
from toolkit.domain.rules.case import PlanCase
from toolkit.domain.rules.registry import family
from toolkit.domain.rules.sheets import PLAN_WEEKLY
from toolkit.domain.rules.values import DAY
from toolkit.domain.submission import Grid
from toolkit.domain.template import LdsoColumn, TemplateContent


@family("weekly plan", emits=(RuleId.CALENDAR_NON_MIGRATION_DAY, RuleId.ENVELOPE_WEEKLY, RuleId.DE_MINIMIS_DAILY_CAP,
                              RuleId.COMPLETENESS_PORTFOLIO, RuleId.RAMP_UP_RANGE, RuleId.CORE_WINDOW_COMPLETION),
        when=lambda case: case.weekly is not None)
def weekly_plan(case: PlanCase) -> list[Finding]:
    return _weekly_rules(case.content, case.parameters, case.sub.grids[PLAN_WEEKLY], case.weekly)


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
            out.append(_completeness(col, total, parameters, sheet=sheet, cell=grid.left_cell(c), ldso=col.mpid,
                                     value=str(total)))
        if content.ramp_checked(col):
            ramp = int(weekly[content.week_ramp_up_days > 0, c].sum())
            if not col.ramp_up_min <= ramp <= col.ramp_up_max:
                out.append(finding(RuleId.RAMP_UP_RANGE,
                                   f"{ramp:,} planned in LDSO {col.mpid} in the weeks of your first "
                                   f"{parameters.windows.sruw} migration days ({content.migration_start:{DAY}} to "
                                   f"{content.ramp_up_check_end:{DAY}}); the ramp-up range is {col.ramp_up_min:,} to "
                                   f"{col.ramp_up_max:,}.", sheet=sheet, cell=grid.key_cell(c), ldso=col.mpid,
                                   value=str(ramp)))
        if content.core_checked(col) and col.total:
            core = col.migrated + int(weekly[content.week_before_core_end(), c].sum())
            if round(core / col.total, 9) < s.cmwcp:
                out.append(finding(RuleId.CORE_WINDOW_COMPLETION, f"{core:,} of {col.total:,} MPANs "
                                   f"({core / col.total:.1%}) migrated and planned in LDSO {col.mpid} by the end of "
                                   f"your core window on {content.core_end:{DAY}}; the target is {s.cmwcp:.0%}.",
                                   sheet=sheet, cell=grid.key_cell(c), ldso=col.mpid, value=str(core)))
    return out


def _completeness(col: LdsoColumn, total: int, parameters: Parameters, **where) -> Finding:
    """completeness.portfolio: the plan to M15 against the portfolio left on the sprint's execution start. Where the
    limits to M15 cannot hold what is left, a plan holding all that fits is short for want of capacity: reported with
    the severity the MCC set (``completeness_beyond_capacity``), asking for unused capacity."""
    gap = col.portfolio - total
    left = f"the portfolio left to migrate there is {col.portfolio:,}" + (
        f" (of {col.initial + col.churn:,}, {col.migrated:,} migrated before this sprint)" if col.migrated else "")
    if col.infeasible and col.fits <= total < col.portfolio:
        return finding(RuleId.COMPLETENESS_PORTFOLIO,
                       f"{total:,} planned in LDSO {col.mpid} up to M15: all that your limits to M15 hold "
                       f"({col.fits:,}), but {left}; {gap:,} MPANs find no capacity.",
                       parameters.submission.completeness_beyond_capacity,
                       hint=f"request unused capacity for them in the UCA window; the MCC knows of the {gap:,}",
                       **where)
    if col.infeasible and total < col.fits:
        return finding(RuleId.COMPLETENESS_PORTFOLIO,
                       f"{total:,} planned in LDSO {col.mpid} up to M15, but {left} and your limits to M15 hold "
                       f"{col.fits:,}: plan at least all that fits ({col.fits - total:,} more).",
                       hint="fill your limits to M15, then request unused capacity for the rest", **where)
    return finding(RuleId.COMPLETENESS_PORTFOLIO,
                   f"{total:,} planned in LDSO {col.mpid} up to M15, but {left} ({abs(gap):,} "
                   f"{'short' if gap > 0 else 'too many'}).", hint="plan every MPAN once, secondary MPANs included",
                   **where)
