"""The weekly plan to M15, column by column (METHOD 7): calendar.non-migration-day (a week with no migration day
open to the group), envelope.weekly, de-minimis.daily-cap (a week above the cap times its migration days: without
a daily plan, some day of it must be above the cap), completeness.portfolio, ramp-up.range and
core-window.completion. One family, because the findings come column by column, in that order."""

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
from toolkit.domain.template import TemplateContent


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
