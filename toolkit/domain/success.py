"""The migration success criteria (Foundations 7, Migration performance 1 and 2, and the forecast) and the sprint
review (Foundations 5.4). Pure: the agreed plan and the outturn by group and day in; figures out.

- **Participant criterion** (F7 1): a group has migrated ``[success] participant`` (90%) of its agreed plan by the
  end of its core window, lost migration days included (XCMW). The agreed plan of a day is the schedule of the
  sprint executing that day as it stood (accepted plan, UCA grants, notified shortfalls). A group without a core
  window (only de minimis or small portfolios) is judged at M15. The criterion is decided once the window has
  closed; before that the figures to date say whether the group is on course.
- **Aggregate criterion** (F7 2): ``[success] aggregate`` (90%) of the migrations planned for the period achieved,
  nationally, the period being the days monitored so far (and each sprint's execution, for the trend).
- **Forecast** (F7 "on target to complete within timelines"): the run rate of the last ``[success] forecast_days``
  migration days with outturn carried over the migration days left to M15, against what remains of the portfolio.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np


@dataclass(frozen=True)
class GroupSuccess:
    group: str
    core_end: date  # with approved lost days; M15 for a group without a core window
    lost_days: int
    planned_by_core_end: int  # the agreed plan of every day up to the core end (or to as_of, if earlier)
    migrated_by_core_end: int
    closed: bool  # the core window has ended on or before as_of: the criterion is decided
    threshold: float

    @property
    def ratio(self) -> float:
        """Migrated over planned; 1.0 when nothing was planned (nothing was owed)."""
        if self.planned_by_core_end:
            return self.migrated_by_core_end / self.planned_by_core_end
        return 1.0

    @property
    def met(self) -> bool:
        """At least the threshold of a plan that was agreed (a group with nothing planned is not judged)."""
        return self.planned_by_core_end > 0 and self.ratio >= self.threshold

    @property
    def judged(self) -> bool:
        return self.closed and self.planned_by_core_end > 0

    @property
    def status(self) -> str:
        if not self.planned_by_core_end:
            return "no agreed plan"
        if self.closed:
            return "met" if self.met else "missed"
        return "on course" if self.met else "behind"


@dataclass(frozen=True)
class Period:
    """Planned against migrated nationally over a stretch of days (a sprint's execution, or the programme to
    date)."""

    name: str
    first: date
    last: date
    planned: int
    migrated: int
    threshold: float

    @property
    def ratio(self) -> float:
        return self.migrated / self.planned if self.planned else 1.0

    @property
    def met(self) -> bool:
        return self.ratio >= self.threshold


@dataclass(frozen=True)
class Forecast:
    portfolio: int  # the initial portfolio of every group
    migrated: int  # to as_of
    run_rate: float  # migrations per migration day, the recent average
    rate_days: int  # migration days the run rate is taken over
    days_left: int  # migration days after as_of up to M15
    planned_left: int  # the agreed plan (latest weekly plans) after as_of
    completion: date | None  # the migration day the run rate reaches the portfolio; None: not by M15
    m15: date

    @property
    def remaining(self) -> int:
        return max(self.portfolio - self.migrated, 0)

    @property
    def on_target(self) -> bool:
        return self.completion is not None and self.completion <= self.m15


@dataclass(frozen=True)
class Success:
    as_of: date
    groups: list[GroupSuccess]
    aggregate: Period
    periods: list[Period]  # one per sprint executed (in part) by as_of
    forecast: Forecast

    @property
    def met(self) -> int:
        return sum(g.judged and g.met for g in self.groups)

    @property
    def missed(self) -> int:
        return sum(g.judged and not g.met for g in self.groups)


def group_success(groups: list[str], days: list[date], planned: np.ndarray, migrated: np.ndarray,
                  core_end: list[date], lost_days: list[int], as_of: date, threshold: float) -> list[GroupSuccess]:
    """``planned`` and ``migrated``: (G, D) over ``days`` (every day from M11 to as_of)."""
    stamps = np.array(days, dtype="datetime64[D]")
    out = []
    for i, g in enumerate(groups):
        upto = stamps <= np.datetime64(min(core_end[i], as_of))
        out.append(GroupSuccess(g, core_end[i], lost_days[i], int(planned[i, upto].sum()),
                                int(migrated[i, upto].sum()), core_end[i] <= as_of, threshold))
    return out


def period(name: str, days: list[date], planned: np.ndarray, migrated: np.ndarray, first: date, last: date,
           threshold: float) -> Period:
    """National planned and migrated over ``first`` to ``last`` (``planned``, ``migrated``: (D,) over ``days``)."""
    stamps = np.array(days, dtype="datetime64[D]")
    inside = (stamps >= np.datetime64(first)) & (stamps <= np.datetime64(last))
    return Period(name, first, last, int(planned[inside].sum()), int(migrated[inside].sum()), threshold)


def forecast(portfolio: int, days: list[date], migrated: np.ndarray, migration_day: np.ndarray, covered: np.ndarray,
             future_days: list[date], planned_left: int, window: int, m15: date) -> Forecast:
    """``migrated``, ``migration_day``, ``covered`` (outturn held): (D,) over ``days`` (M11 to as_of);
    ``future_days``: the migration days after as_of up to M15. Completion is the day the cumulative outturn reached
    the portfolio, when it has; else the migration day the run rate would reach it, if by M15."""
    done = int(migrated.sum())
    held = np.flatnonzero(migration_day & covered)[-window:]
    rate = float(migrated[held].mean()) if len(held) else 0.0
    left = portfolio - done
    completion = None
    if left <= 0:
        completion = days[int(np.argmax(np.cumsum(migrated) >= portfolio))]
    elif rate > 0:
        needed = int(np.ceil(left / rate))
        if needed <= len(future_days):
            completion = future_days[needed - 1]
    return Forecast(portfolio, done, rate, len(held), len(future_days), planned_left, completion, m15)
