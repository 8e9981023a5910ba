"""de-minimis.spread (METHOD 7; F5.2.7): after ramp-up, a de minimis portfolio is spread over at least DDPRU
migration days (or over every MPAN, if fewer remain). The de minimis daily cap is judged with the other limits,
day by day and week by week (``daily``, ``weekly``)."""

from __future__ import annotations

import numpy as np

from toolkit.domain.envelopes import Category
from toolkit.domain.findings import Finding, RuleId, finding
from toolkit.domain.parameters import Parameters
from toolkit.domain.rules.case import PlanCase
from toolkit.domain.rules.registry import family
from toolkit.domain.rules.sheets import PLAN_WEEKLY
from toolkit.domain.submission import Grid
from toolkit.domain.template import TemplateContent


@family("de minimis spread", emits=(RuleId.DE_MINIMIS_SPREAD,), when=lambda case: case.weekly is not None)
def de_minimis_spread(case: PlanCase) -> list[Finding]:
    return _de_minimis_spread(case.content, case.parameters, case.sub.grids[PLAN_WEEKLY], case.weekly,
                              case.daily if case.daily_present else None)


def spread_outside(content: TemplateContent, with_daily: bool) -> np.ndarray:
    """(W,) per week: the open migration days the daily plan does not cover (all of them ``with_daily`` False), 0 in
    the weeks of ramp-up (their migrations are the ramp-up's): the most days a week's figure can be spread over."""
    sprint_days = set(content.days) if with_daily else set()
    open_outside = np.zeros(len(content.weeks), dtype=np.int64)
    for d, o in zip(content.window_days, content.window_open, strict=True):
        if o and d not in sprint_days:
            open_outside[(d - content.weeks[0]).days // 7] += 1
    skip_ramp = (content.week_ramp_up_days > 0) & content.ramp_up_in_window
    return np.where(skip_ramp, 0, open_outside)


def spread_days(content: TemplateContent, parameters: Parameters, weekly: np.ndarray,
                daily: np.ndarray | None) -> dict[int, tuple[int, int]]:
    """Per de minimis column: (days used after ramp-up, days needed). From a weekly plan the days used are at most
    the week's open days (or its MPANs, if fewer); the daily plan gives the sprint's days exactly."""
    out: dict[int, tuple[int, int]] = {}
    after = content.ramp_up_check_end or content.first_day
    outside = spread_outside(content, daily is not None)
    for c, col in enumerate(content.ldsos):
        if col.category != Category.DE_MINIMIS:
            continue
        ramp = int(weekly[content.week_ramp_up_days > 0, c].sum()) if content.ramp_up_in_window else 0
        rest = int(weekly[:, c].sum()) - ramp
        used = 0
        if daily is not None:
            used += int(sum(1 for k, d in enumerate(content.days) if d > after and daily[k, c] > 0))
        used += int(np.minimum(outside, weekly[:, c]).sum())
        out[c] = (used, max(min(parameters.submission.ddpru, rest), 0))
    return out


def _de_minimis_spread(content: TemplateContent, parameters: Parameters, grid: Grid, weekly: np.ndarray,
                       daily: np.ndarray | None) -> list[Finding]:
    """After ramp-up the rest goes over at least DDPRU migration days (F5.2.7)."""
    out: list[Finding] = []
    for c, (used, needed) in spread_days(content, parameters, weekly, daily).items():
        col = content.ldsos[c]
        if used < needed:
            ramp = int(weekly[content.week_ramp_up_days > 0, c].sum()) if content.ramp_up_in_window else 0
            rest = int(weekly[:, c].sum()) - ramp
            out.append(finding(RuleId.DE_MINIMIS_SPREAD,
                               f"the {rest:,} MPANs of LDSO {col.mpid} after ramp-up are planned "
                               f"on at most {used} migration day{'s' if used != 1 else ''}; spread them over at least "
                               f"{needed}.", sheet=grid.area.sheet, cell=grid.key_cell(c), ldso=col.mpid,
                               value=str(used)))
    return out
