"""A plan a careful supplier would return for a template: the demo's simulated returns and the tests' valid plans.

Per LDSO, day by day over the plan window, within the daily limits (envelope, de minimis cap, or none):
1. when the ramp-up is in the window, the middle of the ramp-up range over the ramp-up days, leaving the rest of
   the last ramp-up week empty (the template's ramp-up share counts whole weeks);
2. the rest spread evenly over the core window, as far as the limits allow (a de minimis remainder over at least
   DDPRU days, past the core window's end where fewer of its days are left);
3. whatever is left spread over the ramp-down days.
Where the limits to M15 cannot hold the portfolio left (``LdsoColumn.infeasible``), it plans all that fits: the
ramp-up maximum over the ramp-up weeks, then every limit to M15 (the shortfall is for unused capacity).
Weekly figures are the sums of the daily ones, so the daily plan matches the weekly plan by construction; where
the limits cannot hold the whole portfolio the plan falls short and the checks say so. Pure and deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from toolkit.domain.envelopes import Category
from toolkit.domain.parameters import Parameters
from toolkit.domain.template import TemplateContent


@dataclass(frozen=True)
class SamplePlan:
    days: list[date]  # every date of the plan window
    per_day: np.ndarray  # (days, L)
    weekly: np.ndarray  # (W, L)
    daily: np.ndarray | None  # (sprint days, L), None when the group does not plan daily
    agents: np.ndarray  # (W, agents) forecasts: each role's providers share the week's total


def spread(amount: int, caps: np.ndarray) -> np.ndarray:
    """``amount`` as whole numbers over the slots as evenly as ``caps`` allow (water-filling), early slots taking
    the odd units; returns less than ``amount`` in total when the caps cannot hold it. In closed form: the slots
    below the water level are full, the others hold the level, and the first of them one more each for the rest."""
    caps = np.maximum(np.asarray(caps, dtype=np.int64), 0)
    total = int(min(amount, caps.sum()))
    if total <= 0:
        return np.zeros_like(caps)
    flat = caps.ravel()
    c = np.sort(flat)
    n = len(c)
    prefix = np.concatenate(([0], np.cumsum(c)[:-1]))  # the sum of the k smallest caps
    k = np.arange(n)
    levels = (total - prefix) // (n - k)  # the level where the k smallest slots are full
    level = int(levels[np.argmax((c > levels) | (k == n - 1))])
    out = np.minimum(flat, level)
    rest = total - int(out.sum())
    if rest > 0:
        out[np.flatnonzero(flat > level)[:rest]] += 1
    return out.reshape(caps.shape)


def sample_plan(content: TemplateContent, parameters: Parameters) -> SamplePlan:
    """The plan; its weekly, daily and agent grids line up with the template's."""
    days, open_days, limits = content.window_days, content.window_open, content.window_limit
    n, n_l = len(days), len(content.ldsos)
    per_day = np.zeros((n, n_l), dtype=np.int64)
    day_arr = np.array(days, dtype="datetime64[D]")
    ramp_end = content.ramp_up_check_end or content.migration_start
    in_ramp = (day_arr >= np.datetime64(content.migration_start)) & (day_arr <= np.datetime64(ramp_end)) & open_days
    last_ramp_monday = ramp_end - timedelta(days=ramp_end.weekday())
    after_ramp_week = day_arr >= np.datetime64(last_ramp_monday + timedelta(days=7))
    ramp_weeks = ~after_ramp_week & (day_arr >= np.datetime64(content.migration_start - timedelta(
        days=content.migration_start.weekday()))) & open_days
    if not content.ramp_up_in_window:
        after_ramp_week = day_arr >= np.datetime64(content.first_day)
    core_end = content.core_end or content.last_day
    in_core = after_ramp_week & (day_arr <= np.datetime64(core_end)) & open_days
    later = after_ramp_week & (day_arr > np.datetime64(core_end)) & open_days
    s = parameters.submission
    for c, col in enumerate(content.ldsos):
        cap = np.where(open_days, limits[:, c], 0)
        if col.category == Category.SMALL:
            cap = np.where(open_days, col.portfolio, 0)
        left = col.portfolio
        if content.ramp_up_in_window and col.infeasible:  # all that fits: the ramp-up maximum in its weeks
            got = spread(col.ramp_up_max, np.where(ramp_weeks, cap, 0))
            per_day[:, c] += got
            left -= int(got.sum())
        elif content.ramp_up_in_window:
            target = min(col.ramp_up_max, max(col.ramp_up_min, round(col.portfolio * (s.rurp_min + s.rurp_max) / 2)))
            got = spread(target, np.where(in_ramp, cap, 0))
            per_day[:, c] += got
            left -= int(got.sum())
        masks = (in_core, later)
        if col.category == Category.DE_MINIMIS:  # what is left goes over at least DDPRU days (F5.2.7)
            masks = (_first_days(in_core | later, cap - per_day[:, c], in_core, min(s.ddpru, left)), *masks)
        for mask in masks:
            got = spread(left, np.where(mask, cap - per_day[:, c], 0))
            per_day[:, c] += got
            left -= int(got.sum())
    weekly = _weekly(content, days, per_day)
    daily = None
    if content.daily_required:
        idx = [days.index(d) for d in content.days]
        daily = per_day[idx]
    totals = np.maximum(weekly.sum(axis=1), 0)
    agents = np.zeros((len(content.weeks), len(content.agents)), dtype=np.int64)
    for role in sorted({a.role for a in content.agents}):
        members = [k for k, a in enumerate(content.agents) if a.role == role]
        # the week's total shared evenly, the first providers taking the odd units: spread() over caps of the
        # total each, for every week at once
        m = len(members)
        agents[:, members] = (totals // m)[:, None] + (np.arange(m)[None, :] < (totals % m)[:, None])
    return SamplePlan(days=days, per_day=per_day, weekly=weekly, daily=daily, agents=agents)


def _first_days(after_ramp: np.ndarray, room: np.ndarray, in_core: np.ndarray, needed: int) -> np.ndarray:
    """The days a de minimis remainder is spread over: the core window's, or, where fewer of its days are left than
    ``needed`` (a group whose core window ends soon after the sprint starts), the first ``needed`` open days after
    the ramp-up, past the core window's end if need be."""
    core = in_core & (room > 0)
    if np.count_nonzero(core) >= needed:
        return core
    first = np.zeros_like(after_ramp)
    first[np.flatnonzero(after_ramp & (room > 0))[:needed]] = True
    return first


def _weekly(content: TemplateContent, days: list[date], per_day: np.ndarray) -> np.ndarray:
    monday = content.weeks[0]
    idx = np.array([(d - monday).days // 7 for d in days])
    out = np.zeros((len(content.weeks), per_day.shape[1]), dtype=np.int64)
    np.add.at(out, idx, per_day)
    return out
