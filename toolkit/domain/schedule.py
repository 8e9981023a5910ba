"""The consolidated migration schedule and its unused capacity (METHOD 8; Choreography 3.2.2, 3.2.3; Foundations
5.2.6). Pure and deterministic: accepted plans in, arrays out. Allocating the unused capacity is
``toolkit.domain.allocation``.

Axes: g (groups in ``Industry.groups`` order), l (LDSOs in ``Industry.ldsos`` order), d (the dates of the plan
window of a cycle, from the sprint's execution start to M15) and w (its weeks, Monday first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from toolkit.domain.envelopes import Envelopes
from toolkit.domain.sprints import Sprint


@dataclass(frozen=True)
class GroupPlan:
    """One group's accepted plan for the cycle, by LDSO MPID: weekly over the window's weeks and daily over the
    sprint's days (None when the group did not plan daily)."""

    group: str
    ldsos: list[str]
    weekly: np.ndarray  # (W, len(ldsos))
    daily: np.ndarray | None  # (sprint days, len(ldsos))


@dataclass
class Schedule:
    groups: list[str]
    ldsos: list[str]
    weeks: list[date]
    days: list[date]  # the sprint's days
    weekly: np.ndarray  # (G, L, W)
    daily: np.ndarray  # (G, L, D)
    planned: np.ndarray  # (G,) bool: the group has an accepted plan
    daily_limit: np.ndarray  # (L, D): ALMT (envelope LDSOs), ULMT - LRC (de minimis LDSOs), 0 on closed days
    national_limit: np.ndarray  # (D,) CSMT
    weekly_limit: np.ndarray  # (L, W)
    national_weekly_limit: np.ndarray  # (W,)
    de_minimis_ldso: np.ndarray  # (L,)

    @property
    def ldso_daily(self) -> np.ndarray:
        return self.daily.sum(axis=0)

    @property
    def national_daily(self) -> np.ndarray:
        return self.daily.sum(axis=(0, 1))

    @property
    def ldso_weekly(self) -> np.ndarray:
        return self.weekly.sum(axis=0)

    @property
    def national_weekly(self) -> np.ndarray:
        return self.weekly.sum(axis=(0, 1))


@dataclass(frozen=True)
class Breach:
    """A limit the consolidated plans exceed, with the groups contributing (largest first)."""

    scope: str  # an LDSO MPID, or "national"
    period: date  # the day, or the week's Monday
    granularity: str  # "day" or "week"
    planned: int
    limit: float
    contributors: list[tuple[str, int]]


def window_weeks(first_day: date, last_day: date) -> list[date]:
    monday = first_day - timedelta(days=first_day.weekday())
    return [monday + timedelta(weeks=k) for k in range((last_day - monday).days // 7 + 1)]


def consolidate(env: Envelopes, sprint: Sprint, plans: list[GroupPlan]) -> Schedule:
    """Every accepted plan on the same axes, with the limits they are checked against (METHOD 8)."""
    first = max(sprint.execution_start, env.dates[0])
    last = env.dates[-1]
    weeks = window_weeks(first, last)
    sprint_end = min(sprint.execution_end, last)
    days = [first + timedelta(days=k) for k in range((sprint_end - first).days + 1)]
    n_g, n_l = len(env.groups), len(env.ldsos)
    weekly = np.zeros((n_g, n_l, len(weeks)), dtype=np.int64)
    daily = np.zeros((n_g, n_l, len(days)), dtype=np.int64)
    planned = np.zeros(n_g, dtype=bool)
    for plan in plans:
        i = env.groups.index(plan.group)
        planned[i] = True
        cols = [env.ldsos.index(x) for x in plan.ldsos]
        weekly[i, cols, :] = np.asarray(plan.weekly, dtype=np.int64).T[:, :len(weeks)]
        if plan.daily is not None:
            daily[i, cols, :] = np.asarray(plan.daily, dtype=np.int64).T[:, :len(days)]
    k0 = (first - env.dates[0]).days
    ks = np.arange(k0, k0 + (last - first).days + 1)
    open_ = env.migration[ks]
    dm_limit = np.where(env.de_minimis_ldso, env.ulmt - env.lrc, 0.0)
    limit_all = np.where(env.de_minimis_ldso[:, None], dm_limit[:, None] * open_[None, :], env.almt[:, ks])
    national_all = env.planned_csmt[ks].astype(np.float64)  # CSMT, less the reserve when it sits within
    week_of = np.array([(first + timedelta(days=int(k - k0)) - weeks[0]).days // 7 for k in ks])
    weekly_limit = np.zeros((n_l, len(weeks)))
    np.add.at(weekly_limit.T, week_of, limit_all.T)
    national_weekly = np.bincount(week_of, weights=national_all, minlength=len(weeks))
    return Schedule(groups=list(env.groups), ldsos=list(env.ldsos), weeks=weeks, days=days, weekly=weekly,
                    daily=daily, planned=planned, daily_limit=limit_all[:, :len(days)],
                    national_limit=national_all[:len(days)], weekly_limit=weekly_limit,
                    national_weekly_limit=national_weekly, de_minimis_ldso=env.de_minimis_ldso.copy())


def breaches(s: Schedule) -> list[Breach]:
    """Days and weeks where an LDSO's or the nation's planned total exceeds its limit."""
    out: list[Breach] = []

    def contributors(values: np.ndarray) -> list[tuple[str, int]]:
        order = np.argsort(-values, kind="stable")
        return [(s.groups[i], int(values[i])) for i in order if values[i] > 0]

    for l_idx, ldso in enumerate(s.ldsos):
        for k in np.flatnonzero(s.ldso_daily[l_idx] > s.daily_limit[l_idx] + 1e-9):
            out.append(Breach(ldso, s.days[k], "day", int(s.ldso_daily[l_idx, k]), float(s.daily_limit[l_idx, k]),
                              contributors(s.daily[:, l_idx, k])))
        for w in np.flatnonzero(s.ldso_weekly[l_idx] > s.weekly_limit[l_idx] + 1e-9):
            out.append(Breach(ldso, s.weeks[w], "week", int(s.ldso_weekly[l_idx, w]), float(s.weekly_limit[l_idx, w]),
                              contributors(s.weekly[:, l_idx, w])))
    for k in np.flatnonzero(s.national_daily > s.national_limit + 1e-9):
        out.append(Breach("national", s.days[k], "day", int(s.national_daily[k]), float(s.national_limit[k]),
                          contributors(s.daily[:, :, k].sum(axis=1))))
    for w in np.flatnonzero(s.national_weekly > s.national_weekly_limit + 1e-9):
        out.append(Breach("national", s.weeks[w], "week", int(s.national_weekly[w]), float(s.national_weekly_limit[w]),
                          contributors(s.weekly[:, :, w].sum(axis=1))))
    return out


def unused_capacity(s: Schedule) -> np.ndarray:
    """UC[l, d] for the sprint's days (METHOD 8): ALMT minus the plans in envelope LDSOs (de minimis LDSOs have
    none to give), floored to whole migrations, and scaled down where the nation's sum would pass CSMT minus the
    national plans. Whole numbers; 0 on closed days."""
    uc = np.where(s.de_minimis_ldso[:, None], 0.0, np.floor(np.maximum(s.daily_limit - s.ldso_daily, 0.0)))
    headroom = np.maximum(s.national_limit - s.national_daily, 0.0)
    total = uc.sum(axis=0)
    scale = np.where(total > headroom, np.divide(headroom, total, out=np.zeros_like(total), where=total > 0), 1.0)
    return np.floor(uc * scale[None, :] + 1e-9).astype(np.int64)


def baseline(s: Schedule, grants: np.ndarray) -> Schedule:
    """Plans plus grants: the baseline schedule (grants are daily, within the sprint; each week's figure grows by
    its days' grants)."""
    daily = s.daily + grants
    weekly = s.weekly.copy()
    for k, d in enumerate(s.days):
        weekly[:, :, (d - s.weeks[0]).days // 7] += grants[:, :, k]
    return Schedule(groups=s.groups, ldsos=s.ldsos, weeks=s.weeks, days=s.days, weekly=weekly, daily=daily,
                    planned=s.planned, daily_limit=s.daily_limit, national_limit=s.national_limit,
                    weekly_limit=s.weekly_limit, national_weekly_limit=s.national_weekly_limit,
                    de_minimis_ldso=s.de_minimis_ldso)
