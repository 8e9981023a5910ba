"""The programme over time (Foundations 5.3, 5.4, 6.5; Choreography 3): what is left to migrate when a sprint is
planned, and what a group's next template carries over. Pure: outturn, plans, churn and the days in; arrays out.

The portfolio a sprint plans is the deemed initial portfolio (ISLP, ``config/portfolio.csv``), plus the churn
recorded before the sprint's execution start (``config/churn.csv``: MPANs gained or lost, dated), minus what
migrated before that start:

- on a day the MCC holds outturn for (any cohort initiated that day: the outturn feed is national), the outturn;
- on a past day it holds none for, the plan the group was held to that day (its accepted plan, UCA grants and
  notified shortfalls), flagged as missing outturn;
- on a day still to come before the execution start (the sprint is planned while the one before it executes), the
  plan, as a forecast.

What migrated never counts above the portfolio: outturn first, then the plan of days without outturn, each up to
what is left; a remaining portfolio is never negative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from toolkit.domain.industry import Churn, Industry


@dataclass(frozen=True)
class PairBasis:
    """One group's figures in one LDSO when a sprint is planned."""

    initial: int  # ISLP, deemed
    churn: int  # recorded before the execution start
    outturn: int  # migrated before it, by outturn
    missing: int  # migrated by plan on past days without outturn (flagged)
    forecast: int  # migrated by plan on days still to come before the execution start
    remaining: int  # initial + churn - migrated, never below 0

    @property
    def migrated(self) -> int:
        return self.outturn + self.missing + self.forecast

    @property
    def portfolio(self) -> int:
        """The portfolio as it stands: initial and churn."""
        return self.initial + self.churn


@dataclass(frozen=True)
class GroupBasis:
    """What a group's template for a sprint is built on: per LDSO its figures, and the notes that say how they were
    counted."""

    group: str
    cycle: str
    as_of: date  # the day it was worked out
    cutoff: date  # the sprint's execution start
    pairs: dict[str, PairBasis]
    notes: tuple[str, ...] = ()


@dataclass
class PortfolioBasis:
    """The remaining portfolio of every group and LDSO for one sprint, on the axes of the industry."""

    cycle: str
    as_of: date
    cutoff: date
    groups: list[str]
    ldsos: list[str]
    initial: np.ndarray  # (G, L)
    churn: np.ndarray
    outturn: np.ndarray
    missing: np.ndarray
    forecast: np.ndarray
    remaining: np.ndarray
    notes: dict[str, list[str]] = field(default_factory=dict)
    missing_days: list[date] = field(default_factory=list)  # past migration days without outturn

    @property
    def migrated(self) -> np.ndarray:
        return self.outturn + self.missing + self.forecast

    def of(self, group: str) -> GroupBasis:
        i = self.groups.index(group)
        pairs = {x: PairBasis(*(int(a[i, j]) for a in (self.initial, self.churn, self.outturn, self.missing,
                                                         self.forecast, self.remaining)))
                 for j, x in enumerate(self.ldsos) if self.initial[i, j] or self.churn[i, j]}
        return GroupBasis(group, self.cycle, self.as_of, self.cutoff, pairs, tuple(self.notes.get(group, [])))


def group_arrays(industry: Industry, counts: dict[tuple[str, str], int]) -> np.ndarray:
    """(G, L) from supplier-level counts {(supplier MPID, LDSO): n}, rolled up to groups."""
    gi = {g.mpid: i for i, g in enumerate(industry.groups)}
    li = {x.mpid: j for j, x in enumerate(industry.ldsos)}
    out = np.zeros((len(industry.groups), len(industry.ldsos)), dtype=np.int64)
    for (supplier, ldso), n in counts.items():
        out[gi[industry.group_of_supplier[supplier]], li[ldso]] += n
    return out


def churn_before(industry: Industry, churn: list[Churn], cutoff: date) -> np.ndarray:
    """(G, L) the churn recorded for days before ``cutoff``."""
    counts: dict[tuple[str, str], int] = {}
    for c in churn:
        if c.day < cutoff:
            counts[(c.supplier, c.ldso)] = counts.get((c.supplier, c.ldso), 0) + c.change
    return group_arrays(industry, counts)


@dataclass(frozen=True)
class History:
    """What happened before a sprint's execution start, by group, LDSO and day (the days from M11 to the day before
    the start): migrations by outturn and whether the MCC holds outturn for the day; and the plan each group was
    held to, with whether it had an accepted plan for the sprint of that day."""

    days: list[date]
    outturn: np.ndarray  # (G, L, D) migrated (completions where reported, else initiations)
    covered: np.ndarray  # (D,) the MCC holds outturn for the day
    planned: np.ndarray  # (G, L, D) the schedule as it stands for the sprint of the day
    has_plan: np.ndarray  # (G, D) the group had an accepted plan for the sprint of the day
    migration_day: np.ndarray  # (D,)


def _take(wanted: np.ndarray, room: np.ndarray) -> np.ndarray:
    """What can be counted of ``wanted`` with ``room`` left (both (G, L), room never below 0)."""
    return np.minimum(wanted, np.maximum(room, 0))


def remaining_portfolio(industry: Industry, cycle: str, cutoff: date, as_of: date, history: History,
                        churn: list[Churn], starts: dict[str, date]) -> PortfolioBasis:
    """The portfolio left for a sprint executing from ``cutoff``, worked out on ``as_of`` (module docstring).
    ``starts``: each group's migration start (days before it are not counted as missing)."""
    initial = group_arrays(industry, industry.portfolio)
    changes = churn_before(industry, churn, cutoff)
    portfolio = initial + changes
    days = np.array(history.days, dtype="datetime64[D]")
    past = days < np.datetime64(as_of)
    covered = history.covered
    outturn = history.outturn[:, :, covered].sum(axis=2) if len(days) else np.zeros_like(initial)
    gap = ~covered & past
    ahead = ~covered & ~past
    missing = _take(history.planned[:, :, gap].sum(axis=2), portfolio - outturn)
    forecast = _take(history.planned[:, :, ahead].sum(axis=2), portfolio - outturn - missing)
    remaining = np.maximum(portfolio - outturn - missing - forecast, 0)
    basis = PortfolioBasis(cycle, as_of, cutoff, [g.mpid for g in industry.groups], [x.mpid for x in industry.ldsos],
                           initial, changes, outturn, missing, forecast, remaining)
    basis.missing_days = [d for d, g, m in zip(history.days, gap, history.migration_day, strict=True) if g and m]
    for i, g in enumerate(basis.groups):
        basis.notes[g] = _notes(basis, history, i, starts.get(g), gap, ahead, portfolio[i] - outturn[i])
    return basis


def _span(days: list[date]) -> str:
    return f"{days[0]:%d %b %Y}" if len(days) == 1 else f"{days[0]:%d %b %Y} to {days[-1]:%d %b %Y}"


def _notes(basis: PortfolioBasis, history: History, i: int, start: date | None, gap: np.ndarray, ahead: np.ndarray,
           after_outturn: np.ndarray) -> list[str]:
    """How one group's 'migrated so far' was counted, in words."""
    out = []
    mine = np.array([start is not None and d >= start for d in history.days], dtype=bool) & history.migration_day
    held = [d for d, k in zip(history.days, mine & history.covered, strict=True) if k]
    if held:
        out.append(f"outturn held for {len(held)} migration days ({_span(held)}): {int(basis.outturn[i].sum()):,} "
                   "MPANs migrated")
    lacking = [d for d, k in zip(history.days, mine & gap, strict=True) if k]
    unplanned = [d for d, k in zip(history.days, mine & gap & ~history.has_plan[i], strict=True) if k]
    if lacking and len(unplanned) == len(lacking):
        out.append(f"no outturn and no accepted plan for {len(lacking)} past migration days ({_span(lacking)}): "
                   "nothing counted as migrated on them")
    elif lacking:
        out.append(f"no outturn for {len(lacking)} past migration days ({_span(lacking)}): your accepted plan for "
                   f"them was counted instead ({int(basis.missing[i].sum()):,} MPANs)"
                   + (f"; for {len(unplanned)} of them there was no accepted plan either, counted as none" if unplanned
                      else ""))
    coming = [d for d, k in zip(history.days, mine & ahead, strict=True) if k]
    if coming and not (history.has_plan[i] & mine & ahead).any():
        out.append(f"{len(coming)} migration days before the execution start are still to come ({_span(coming)}), "
                   "with no accepted plan for them: nothing counted")
    elif coming:
        out.append(f"{len(coming)} migration days before the execution start are still to come ({_span(coming)}): "
                   f"your current plan for them was counted ({int(basis.forecast[i].sum()):,} MPANs)")
    over = [basis.ldsos[j] for j in np.flatnonzero(after_outturn < 0)]
    if over:
        out.append(f"outturn exceeds the portfolio in {', '.join(over)}: nothing is left to plan there (churn not "
                   "recorded?)")
    return out


def history_days(m11: date, cutoff: date) -> list[date]:
    """Every day from M11 to the day before ``cutoff``."""
    return [m11 + timedelta(days=k) for k in range(max((cutoff - m11).days, 0))]


def carry_over(prev_weeks_from: date, prev_ldsos: list[str], prev_weekly: np.ndarray, weeks: list[date],
               ldsos: list[str], after: date) -> np.ndarray:
    """(W, L) a group's previous weekly plan on the weeks of a new template that start after ``after`` (the new
    sprint's execution end), by LDSO; -1 where nothing is carried (the sprint's own weeks, a week or LDSO the old plan
    did not have). The weeks of the sprint are left to plan afresh, daily and weekly."""
    out = np.full((len(weeks), len(ldsos)), -1, dtype=np.int64)
    prev = np.asarray(prev_weekly, dtype=np.int64)
    cols = {x: c for c, x in enumerate(prev_ldsos)}
    for w, monday in enumerate(weeks):
        k = (monday - prev_weeks_from).days // 7
        if monday <= after or not 0 <= k < prev.shape[0] or (monday - prev_weeks_from).days % 7:
            continue
        for c, x in enumerate(ldsos):
            if x in cols:
                out[w, c] = prev[k, cols[x]]
    return out
