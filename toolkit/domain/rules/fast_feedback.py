"""fast-feedback.limits (METHOD 7; F5.2.11): fast-feedback initiations fall on the group's migration days within
its window from the ramp-up start, in its LDSOs, total at most the allowance (FF), with an activation offset of
MAOmin to MAOmax working days."""

from __future__ import annotations

from toolkit.domain.findings import Finding, RuleId, finding
from toolkit.domain.parameters import Parameters
from toolkit.domain.rules.case import PlanCase
from toolkit.domain.rules.registry import family
from toolkit.domain.rules.sheets import FAST_FEEDBACK
from toolkit.domain.rules.values import DAY, as_date, whole
from toolkit.domain.submission import Grid
from toolkit.domain.template import TemplateContent


@family("fast feedback", emits=(RuleId.FAST_FEEDBACK_LIMITS,), when=lambda case: case.grids_ok.get(FAST_FEEDBACK))
def fast_feedback_limits(case: PlanCase) -> list[Finding]:
    return _fast_feedback(case.content, case.parameters, case.sub.grids[FAST_FEEDBACK])


def _fast_feedback(content: TemplateContent, parameters: Parameters, grid: Grid) -> list[Finding]:
    out: list[Finding] = []
    act, limit = parameters.activation, content.fast_feedback_initiations  # the group's terms (F5.2.11)
    open_days = {d for d, o in zip(content.window_days, content.window_open, strict=True) if o}
    total = 0
    for r, row in enumerate(grid.values):
        if all(v is None for v in row):
            continue
        day, ldso, count, offset = (list(row) + [None] * 4)[:4]
        where = {"sheet": grid.area.sheet, "cell": grid.cell(r, 0)}
        d = as_date(day)
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
        n = whole(count)
        if n is None or n == 0:
            out.append(finding(RuleId.FAST_FEEDBACK_LIMITS, f"{count!s} is not a number of initiations.",
                               sheet=grid.area.sheet, cell=grid.cell(r, 2)))
        else:
            total += n
        k = whole(offset)
        if k is None or not act.mao_min <= k <= act.mao_max:
            out.append(finding(RuleId.FAST_FEEDBACK_LIMITS, f"activation offset {offset!s}: fast feedback allows "
                               f"{act.mao_min} to {act.mao_max} working days.", sheet=grid.area.sheet,
                               cell=grid.cell(r, 3)))
    if total > limit:
        out.append(finding(RuleId.FAST_FEEDBACK_LIMITS, f"{total:,} fast-feedback initiations in total; at most "
                           f"{limit:,} are allowed.", sheet=grid.area.sheet, value=str(total)))
    return out
