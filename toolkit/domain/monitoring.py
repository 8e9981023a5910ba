"""Sprint execution monitoring (issue 8; Foundations 6.1-6.6, 7; Parameters EMT/SMT, MAO, FF, XCMW; METHOD 9).
Pure: cohorts, the calendar and the plan in; levels, escalations and findings out. The checks of an outturn file
are rules of the catalogue (``toolkit.domain.rules.outturn``).

Outturn is reported in cohorts: the migrations a supplier MPID initiated (IF-031) in an LDSO on one day with one
appointment effective date, and the completions (IF-036) that came back for them, secondary MPANs included (F5.5:
one IF-031 for a primary MPAN brings an IF-036 for it and for each of its secondary MPANs).

A migration counts on the migration day it was initiated, as the plan does, and as many MPANs as it moves: the
completions of a cohort once they are reported, its initiations until then (a lower bound: the day is marked
provisional). Deviation is (actual - plan) / plan per group, LDSO and day, and cumulatively over the sprint to date;
level 1 within the L1 tolerance, level 2 beyond it up to the L2 tolerance, level 3 beyond that (METHOD 9; the
Parameters give "> 5% and < 10%" for level 2 and "> 10%" for level 3, silent on exactly 10%: it is level 2, "up to
10%" as METHOD 9 says). Migrations on a day with no plan are level 3. The boundaries are compared exactly (as
fractions), never in floating point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from toolkit.domain.calendar import MigrationCalendar
from toolkit.domain.envelopes import Category, Envelopes
from toolkit.domain.industry import Industry
from toolkit.domain.parameters import Parameters, Tolerance

OUTTURN_COLUMNS = ("supplier_mpid", "ldso_mpid", "initiation_date", "effective_date", "initiations", "completions")
EXCESS, SHORTFALL = 1, -1


class Cohort(NamedTuple):
    """Migrations initiated by a supplier MPID in an LDSO on one day with one effective date. A named tuple, not a
    frozen dataclass: the ledger makes hundreds of thousands of them at a time by the end of the programme, in a
    third of the time (issue 15)."""

    supplier: str
    ldso: str
    initiated: date  # MMID, the IF-031 date
    effective: date  # MMAD, the appointment effective date
    initiations: int
    completions: int | None  # IF-036 received for them (secondary MPANs included); None: not reported yet
    exceptions: int | None = None  # of its initiations, how many resulted in exceptions (F6.1); None: not reported


# -- actual against plan ------------------------------------------------------------------------------------

@dataclass
class Actuals:
    """Outturn rolled up to groups on the plan's axes: (G, L, D) over the sprint's days."""

    migrated: np.ndarray  # migrations by initiation day: completions where reported, else initiations
    initiated: np.ndarray  # IF-031 by initiation day
    completed: np.ndarray  # IF-036 by effective day (reported ones)
    provisional: np.ndarray  # (G, L, D) bool: some cohort initiated that day has no completions yet


@dataclass(frozen=True)
class CohortTable:
    """Cohorts as columns (``cohort_table``): one pass over the cohorts for any number of ``actuals`` on them (a sprint
    review rolls up every sprint executed so far on the same outturn)."""

    suppliers: list[str]  # the distinct supplier MPIDs, indexed by ``supplier``
    ldsos: list[str]
    supplier: np.ndarray  # (N,) int
    ldso: np.ndarray
    initiated: np.ndarray  # (N,) day ordinals
    effective: np.ndarray
    initiations: np.ndarray
    completions: np.ndarray  # -1: not reported yet


def cohort_table(cohorts: list[Cohort]) -> CohortTable:
    n = len(cohorts)

    def coded(values: list) -> tuple[list, np.ndarray]:
        codes = {v: k for k, v in enumerate(dict.fromkeys(values))}
        return list(codes), np.fromiter((codes[v] for v in values), np.int64, n)

    suppliers, supplier = coded([c.supplier for c in cohorts])
    ldsos, ldso = coded([c.ldso for c in cohorts])
    ordinal = {d: d.toordinal() for d in {c.initiated for c in cohorts} | {c.effective for c in cohorts}}
    return CohortTable(suppliers, ldsos, supplier, ldso,
                       np.fromiter((ordinal[c.initiated] for c in cohorts), np.int64, n),
                       np.fromiter((ordinal[c.effective] for c in cohorts), np.int64, n),
                       np.fromiter((c.initiations for c in cohorts), np.int64, n),
                       np.fromiter((-1 if c.completions is None else c.completions for c in cohorts), np.int64, n))


def actuals(cohorts: list[Cohort] | CohortTable, industry: Industry, groups: list[str], ldsos: list[str],
            days: list[date]) -> Actuals:
    shape = (len(groups), len(ldsos), len(days))
    out = Actuals(np.zeros(shape, np.int64), np.zeros(shape, np.int64), np.zeros(shape, np.int64),
                  np.zeros(shape, bool))
    t = cohorts if isinstance(cohorts, CohortTable) else cohort_table(cohorts)
    if not days or not len(t.supplier):
        return out
    gi = {g: i for i, g in enumerate(groups)}
    li = {x: j for j, x in enumerate(ldsos)}
    first = min(days).toordinal()
    di = np.full(max(days).toordinal() - first + 1, -1, dtype=np.int64)  # day ordinal - first -> index in days
    for k, d in enumerate(days):
        di[d.toordinal() - first] = k

    def index(ordinals: np.ndarray) -> np.ndarray:
        at = ordinals - first
        inside = (at >= 0) & (at < len(di))
        return np.where(inside, di[np.clip(at, 0, len(di) - 1)], -1)

    k, done = index(t.initiated), t.completions >= 0
    e = np.where(done, index(t.effective), -1)
    used = (k >= 0) | (e >= 0)
    # a cohort of a group or LDSO off the plan's axes is an error (KeyError), as it always was
    g = np.array([gi[industry.group_of_supplier[x]] for x in t.suppliers], dtype=np.int64)
    lj = np.array([li[x] for x in t.ldsos], dtype=np.int64)
    i = np.full(len(used), -1, dtype=np.int64)
    j = i.copy()
    i[used], j[used] = g[t.supplier[used]], lj[t.ldso[used]]
    a = k >= 0
    np.add.at(out.initiated, (i[a], j[a], k[a]), t.initiations[a])
    np.add.at(out.migrated, (i[a], j[a], k[a]), np.where(done[a], t.completions[a], t.initiations[a]))
    p = a & ~done
    out.provisional[i[p], j[p], k[p]] = True
    b = e >= 0
    np.add.at(out.completed, (i[b], j[b], e[b]), t.completions[b])
    return out


def _fraction(share: float) -> Fraction:
    return Fraction(str(share))


def levels(actual: np.ndarray, plan: np.ndarray, tolerance: Tolerance) -> tuple[np.ndarray, np.ndarray]:
    """(level, direction) of every cell: level 0 where nothing was planned or done, 1-3 otherwise (exact
    comparisons); direction +1 excess, -1 shortfall, 0 on plan. Migrations where nothing was planned: level 3."""
    actual, plan = np.asarray(actual, np.int64), np.asarray(plan, np.int64)
    diff = actual - plan
    over = np.abs(diff)
    level = np.ones(actual.shape, np.int8)
    for direction, (l1, l2) in ((EXCESS, (tolerance.emt_l1, tolerance.emt_l2)),
                                (SHORTFALL, (tolerance.smt_l1, tolerance.smt_l2))):
        side = np.sign(diff) == direction
        f1, f2 = _fraction(l1), _fraction(l2)
        beyond1 = over * f1.denominator > f1.numerator * plan
        beyond2 = over * f2.denominator > f2.numerator * plan
        level[side & beyond1] = 2
        level[side & beyond2] = 3
    level[(plan == 0) & (actual > 0)] = 3
    level[(plan == 0) & (actual == 0)] = 0
    return level, np.sign(diff).astype(np.int8)


def deviation(actual: np.ndarray, plan: np.ndarray) -> np.ndarray:
    """(actual - plan) / plan, NaN where nothing was planned."""
    plan = np.asarray(plan, np.float64)
    return np.divide(np.asarray(actual, np.float64) - plan, plan, out=np.full(plan.shape, np.nan), where=plan > 0)


@dataclass(frozen=True)
class Escalation:
    group: str
    ldso: str
    scope: str  # "day" or "sprint to date"
    day: date  # the day, or the as-of day for the cumulative figure
    plan: int
    actual: int
    direction: str  # "excess" or "shortfall"
    unplanned: bool  # migrations on a day with no plan
    provisional: bool  # completions not all reported: the figure may still grow


@dataclass
class Monitoring:
    groups: list[str]
    ldsos: list[str]
    days: list[date]  # the sprint's days up to the as-of day
    plan: np.ndarray  # (G, L, D)
    actual: Actuals
    daily_level: np.ndarray  # (G, L, D)
    daily_direction: np.ndarray
    cumulative_level: np.ndarray  # (G, L, D): sprint to date, up to and including each day
    cumulative_direction: np.ndarray
    escalations: list[Escalation] = field(default_factory=list)


def monitor(plan: np.ndarray, act: Actuals, groups: list[str], ldsos: list[str], days: list[date],
            tolerance: Tolerance) -> Monitoring:
    """Levels per group, LDSO and day and cumulatively, and the level-3 escalations (daily, and the sprint to
    date at the last day)."""
    daily, daily_dir = levels(act.migrated, plan, tolerance)
    cum_actual, cum_plan = np.cumsum(act.migrated, axis=2), np.cumsum(plan, axis=2)
    cumulative, cum_dir = levels(cum_actual, cum_plan, tolerance)
    out = Monitoring(groups, ldsos, days, plan, act, daily, daily_dir, cumulative, cum_dir)
    words = {EXCESS: "excess", SHORTFALL: "shortfall"}
    # a shortfall on a day whose completions are not all in may still close (the secondary MPANs come with the
    # IF-036s): it is shown, but escalated only once the figure is final; an excess can only grow
    pending = act.provisional & (daily_dir == SHORTFALL)
    for i, j, k in zip(*np.nonzero((daily == 3) & ~pending), strict=True):
        out.escalations.append(Escalation(groups[i], ldsos[j], "day", days[k], int(plan[i, j, k]),
                                          int(act.migrated[i, j, k]), words[int(daily_dir[i, j, k])],
                                          bool(plan[i, j, k] == 0), bool(act.provisional[i, j, k])))
    if days:
        last = len(days) - 1
        open_ = act.provisional.any(axis=2) & (cum_dir[:, :, last] == SHORTFALL)
        for i, j in zip(*np.nonzero((cumulative[:, :, last] == 3) & ~open_), strict=True):
            out.escalations.append(Escalation(groups[i], ldsos[j], "sprint to date", days[last],
                                              int(cum_plan[i, j, last]), int(cum_actual[i, j, last]),
                                              words[int(cum_dir[i, j, last])], bool(cum_plan[i, j, last] == 0),
                                              bool(act.provisional[i, j].any())))
    return out


# -- activation offsets and secondary MPANs (F5.2.11, F5.5) ---------------------------------------------------

@dataclass(frozen=True)
class OffsetFinding:
    group: str
    ldso: str
    initiated: date
    effective: date
    initiations: int
    offset: int  # MAOact, working days
    allowed: str  # "5" or "2-4 (fast feedback)"
    why: str


def check_offsets(cohorts: list[Cohort], industry: Industry, calendar: MigrationCalendar, env: Envelopes,
                  parameters: Parameters) -> list[OffsetFinding]:
    """MAOact of every cohort against MAO 5, or MAOmin-MAOmax inside the group's fast-feedback window (from its
    ramp-up start for FF weeks, and for its first FF initiations only)."""
    act, ff = parameters.activation, parameters.fast_feedback
    out = []
    used: dict[str, int] = {}  # fast-feedback initiations per group so far, in date order
    known: dict[str, tuple] = {}  # each group's terms and window, worked out once
    for c in sorted(cohorts, key=lambda c: (c.initiated, c.supplier, c.ldso, c.effective)):
        group = industry.group_of_supplier[c.supplier]
        if group not in known:
            g = industry.group_by_mpid[group]
            terms = ff.for_group(g.ff_weeks, g.ff_initiations)  # the group's own terms where agreed (F5.2.11)
            known[group] = (terms, *terms.window(env.phases[env.groups.index(group)].migration_start))
        terms, ff_start, ff_end = known[group]
        offset = calendar.working_days_between(c.initiated, c.effective)
        in_window = ff_start <= c.initiated <= ff_end
        if offset == act.mao_default:
            continue
        if in_window and act.mao_min <= offset <= act.mao_max:
            before = used.get(group, 0)
            used[group] = before + c.initiations
            if used[group] <= terms.initiations:
                continue
            why = (f"fast-feedback initiations beyond the first {terms.initiations:,} of the group "
                   f"({used[group]:,} so far)")
        elif in_window:
            why = f"fast feedback allows {act.mao_min}-{act.mao_max} working days"
        else:
            why = f"outside the fast-feedback window every migration uses MAO {act.mao_default}"
        allowed = f"{act.mao_min}-{act.mao_max} (fast feedback)" if in_window else str(act.mao_default)
        out.append(OffsetFinding(group, c.ldso, c.initiated, c.effective, c.initiations, offset, allowed, why))
    return out


@dataclass(frozen=True)
class Spike:
    group: str
    ldso: str
    effective: date
    initiations: int
    completions: int  # IF-036: primary and secondary MPANs

    @property
    def secondary(self) -> int:
        return self.completions - self.initiations


def secondary_spikes(cohorts: list[Cohort], industry: Industry, share: float) -> list[Spike]:
    """Effective days where a group's IF-036 completions in an LDSO exceed its IF-031 initiations for them by more
    than ``share`` (secondary MPANs appointed with their primary: F5.5 asks the MCC to track these spikes)."""
    totals: dict[tuple[str, str, date], list[int]] = {}
    for c in cohorts:
        if c.completions is None:
            continue
        key = (industry.group_of_supplier[c.supplier], c.ldso, c.effective)
        t = totals.setdefault(key, [0, 0])
        t[0] += c.initiations
        t[1] += c.completions
    limit = _fraction(share)
    return [Spike(g, x, d, i, n) for (g, x, d), (i, n) in sorted(totals.items())
            if (n - i) * limit.denominator > limit.numerator * i]


# -- success criterion (F7; METHOD 9) ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    """Migrated to date counts the outturn ingested; a group that started migrating before the first outturn the
    MCC holds has history missing, and its status says so rather than judging it."""

    group: str
    portfolio: int  # ISLP over the group's envelope LDSOs
    migrated: int  # to date, in those LDSOs (all outturn ingested)
    core_end: date | None  # with approved lost days (XCMW)
    lost_days: int
    target: int  # CMWCP x portfolio
    days_left: int  # migration days from the day after as_of to the core end
    migration_start: date | None = None
    outturn_from: date | None = None  # the first initiation day of any outturn held

    @property
    def share(self) -> float:
        return self.migrated / self.portfolio if self.portfolio else 1.0

    @property
    def needed_per_day(self) -> int | None:
        short = self.target - self.migrated
        if short <= 0:
            return 0
        return -(-short // self.days_left) if self.days_left else None

    def status(self, as_of: date) -> str:
        if self.migrated >= self.target:
            return "met"
        if self.outturn_from is None or (self.migration_start is not None and self.migration_start < self.outturn_from):
            return f"outturn incomplete (held from {self.outturn_from})" if self.outturn_from else "no outturn yet"
        if self.core_end is not None and as_of > self.core_end:
            return "missed"
        return "to do"


def progress(cohorts: list[Cohort], industry: Industry, env: Envelopes, calendar: MigrationCalendar,
             parameters: Parameters, as_of: date) -> list[Progress]:
    """Each group's progress toward migrating CMWCP of its portfolio in its envelope LDSOs by the end of its
    (extended) core window."""
    envelope_pairs = {(env.groups[i], env.ldsos[j]) for i, j in zip(*np.nonzero(env.category == Category.ENVELOPE),
                                                                   strict=True)}
    migrated: dict[str, int] = {}
    for c in cohorts:
        group = industry.group_of_supplier[c.supplier]
        if (group, c.ldso) in envelope_pairs and c.initiated <= as_of:
            migrated[group] = migrated.get(group, 0) + (c.completions if c.completions is not None
                                                        else c.initiations)
    out = []
    first = min((c.initiated for c in cohorts), default=None)
    cmwcp = _fraction(parameters.submission.cmwcp)
    for i, group in enumerate(env.groups):
        portfolio = sum(industry.group_portfolio.get((group, x), 0) for g, x in envelope_pairs if g == group)
        if not portfolio:
            continue
        ph = env.phases[i]
        target = -(-portfolio * cmwcp.numerator // cmwcp.denominator)  # ceil
        days_left = calendar.count_migration_days(as_of + timedelta(days=1), ph.core_end) if ph.core_end else 0
        out.append(Progress(group, portfolio, migrated.get(group, 0), ph.core_end, ph.lost_days, target, days_left,
                            ph.migration_start, first))
    return out


def ldso_over_load(migrated: np.ndarray, limit: np.ndarray, lrc: np.ndarray, ldsos: list[str],
                   days: list[date]) -> list[tuple[str, date, int, float]]:
    """LDSO-days whose outturn went over the LDSO's load limit: its planned limit (ALMT, or ULMT - LRC for a de
    minimis LDSO) plus its Reserved Capacity LRC for re-tries and re-migrations (P LRC, LRCFC); nothing may be
    migrated on a closed day. ``migrated`` and ``limit`` are (L, D)."""
    load = np.where(limit > 0, limit + lrc[:, None], 0.0)
    return [(ldsos[j], days[k], int(migrated[j, k]), float(load[j, k]))
            for j, k in zip(*np.nonzero(migrated > load + 1e-9), strict=True)]
