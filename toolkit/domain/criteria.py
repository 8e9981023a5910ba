"""Monitoring criteria beyond the day and the sprint to date (issue 19 item 8; Foundations 5.2.11, 6.1, 6.3;
Parameters EMT/SMT "Cumulative (Rolling period)"). Pure: arrays and cohorts in, figures out.

- The rolling period: plan and actual summed over the last ``rolling_days`` migration days up to each day, judged
  with the same tolerance levels as a day.
- Reduced deltas (F5.2.11 "report on the number of reduced deltas for each sprint"): cohorts whose activation offset
  is shorter than MAO default.
- Persistent deviation (F6.3 "trend versus ad-hoc"): a group whose own total deviates at level 2 or more in the same
  direction on at least ``persistent_days`` of its last ``persistent_window`` planned migration days, days of a
  declared outage of a central system or of the LDSO left out (F6.3: such events "should not inform migrating
  parties' performance").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import numpy as np

from toolkit.domain.calendar import MigrationCalendar
from toolkit.domain.events import Outage
from toolkit.domain.industry import Industry
from toolkit.domain.monitoring import EXCESS, SHORTFALL, Cohort, levels
from toolkit.domain.parameters import Tolerance


def rolling(values: np.ndarray, migration: np.ndarray, n: int) -> np.ndarray:
    """(..., D) sums over the last ``n`` migration days up to and including each day (a non-migration day carries
    the window of the migration day before it)."""
    cum = np.cumsum(np.where(migration, values, 0), axis=-1)
    index = np.flatnonzero(migration)
    out = np.zeros_like(cum)
    for k in range(values.shape[-1]):
        seen = index[index <= k]
        if not len(seen):
            continue
        start = seen[-n] if len(seen) >= n else None
        before = cum[..., start - 1] if start is not None and start > 0 else 0
        out[..., k] = cum[..., k] - before
    return out


def rolling_levels(actual: np.ndarray, plan: np.ndarray, migration: np.ndarray, n: int,
                   tolerance: Tolerance) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(level, direction, rolling actual, rolling plan) of every (group, LDSO, day) over the rolling period."""
    act, pl = rolling(np.asarray(actual, np.int64), migration, n), rolling(np.asarray(plan, np.int64), migration, n)
    level, direction = levels(act, pl, tolerance)
    return level, direction, act, pl


def reduced_offsets(cohorts: list[Cohort], industry: Industry, calendar: MigrationCalendar, mao_default: int,
                    first: date, last: date) -> dict[str, tuple[int, int]]:
    """Group -> (cohorts, initiations) initiated from ``first`` to ``last`` with an activation offset shorter than
    MAO default (F5.2.11: "will report on the number of reduced deltas for each sprint")."""
    out: dict[str, tuple[int, int]] = {}
    for c in cohorts:
        if first <= c.initiated <= last and calendar.working_days_between(c.initiated, c.effective) < mao_default:
            group = industry.group_of_supplier[c.supplier]
            n, total = out.get(group, (0, 0))
            out[group] = (n + 1, total + c.initiations)
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class Persistent:
    group: str
    direction: str  # "excess" or "shortfall"
    days: tuple[date, ...]  # the days at level 2 or more in that direction
    window: tuple[date, ...]  # the planned migration days looked at
    excluded: tuple[date, ...]  # days left out for an outage


def persistent_deviations(actual: np.ndarray, plan: np.ndarray, groups: list[str], ldsos: list[str],
                          days: list[date], migration: np.ndarray, outages: list[Outage], tolerance: Tolerance,
                          need: int, window: int) -> list[Persistent]:
    """Groups deviating on at least ``need`` of their last ``window`` planned migration days (F6.3), with LDSOs
    under an outage left out of that day's figures and days of a central outage left out altogether."""
    central = {o.day for o in outages if not o.ldso}
    act, pl = np.array(actual, np.int64), np.array(plan, np.int64)
    excluded: set[date] = set()
    for o in outages:
        if o.day in days and o.ldso in ldsos:
            k = days.index(o.day)
            act[:, ldsos.index(o.ldso), k] = pl[:, ldsos.index(o.ldso), k] = 0
    out = []
    for i, group in enumerate(groups):
        a, p = act[i].sum(axis=0), pl[i].sum(axis=0)
        level, direction = levels(a, p, tolerance)
        looked = [k for k in range(len(days)) if migration[k] and p[k] > 0 and days[k] not in central][-window:]
        left_out = tuple(d for k, d in enumerate(days) if migration[k] and d in central and pl[i, :, k].any())
        excluded.update(left_out)
        for sign, word in ((EXCESS, "excess"), (SHORTFALL, "shortfall")):
            hits = [days[k] for k in looked if level[k] >= 2 and direction[k] == sign]
            if len(hits) >= need:
                out.append(Persistent(group, word, tuple(hits), tuple(days[k] for k in looked), left_out))
    return out


def exception_rates(cohorts: list[Cohort], industry: Industry, first: date, last: date,
                    threshold: float) -> list[tuple[str, str, int, int]]:
    """(group, LDSO, initiations, exceptions) over the cohorts initiated from ``first`` to ``last`` that report
    exceptions, where exceptions exceed ``threshold`` of the initiations (F6.1: "The MCC will seek to engage if a
    high proportion of migrations result in exceptions"); compared exactly."""
    sums: dict[tuple[str, str], list[int]] = {}
    for c in cohorts:
        if first <= c.initiated <= last and c.exceptions is not None:
            pair = sums.setdefault((industry.group_of_supplier[c.supplier], c.ldso), [0, 0])
            pair[0] += c.initiations
            pair[1] += c.exceptions
    f = Fraction(str(threshold))
    return [(g, x, n, e) for (g, x), (n, e) in sorted(sums.items()) if e * f.denominator > f.numerator * n]
