"""The stability test of exceptional capacity (Foundations 5.2.9), evaluated from outturn. Pure.

F5.2.9: "Any use of exceptional threshold will be predicated on a successful ramp-up period where stability at the
Operational Threshold of 200k migrations per day has been demonstrated. Stability will have deemed to be met where
Migrations have occurred at or above 90% of the current threshold for at least ten days (not necessarily contiguous)
in the preceding period." A tranche is a ``[[csmt]]`` range of ``calendar.toml`` above the Operational Threshold; it
is incorporated into the planning of the sprint executing on its first day, so the evidence is the migration days
before that sprint's envelope issue, from the start of the threshold in force before it (M11 for the first). The
"current threshold" of a day is its CSMT.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from toolkit.domain.calendar import MigrationCalendar
from toolkit.domain.sprints import executing_sprint


@dataclass(frozen=True)
class TrancheCheck:
    start: date  # the tranche's first day
    value: int  # its CSMT
    evidence_from: date
    evidence_to: date  # the last day that counts: the day before the envelopes including the tranche are issued
    qualifying: tuple[date, ...]  # days with migrations at or above the share of that day's CSMT
    needed: int
    as_of: date

    @property
    def complete(self) -> bool:
        """The evidence period is over (or the days needed are already there)."""
        return self.as_of > self.evidence_to or len(self.qualifying) >= self.needed

    @property
    def status(self) -> str:
        n = len(self.qualifying)
        if n >= self.needed:
            return "supported"
        return "not supported" if self.complete else "not yet shown"

    def describe(self, share: float) -> str:
        return (f"{self.value:,} from {self.start}: {self.status} ({len(self.qualifying)} of {self.needed} days at "
                f"or above {share:.0%} of the day's CSMT from {self.evidence_from} to {self.evidence_to}"
                f"{'' if self.as_of > self.evidence_to else f', outturn to {self.as_of}'})")


def tranches(calendar: MigrationCalendar, operational: int) -> list[tuple[date, int]]:
    """(first day, CSMT) of every CSMT range above the Operational Threshold, in date order."""
    return sorted((r.start, r.value) for r in calendar.settings.csmt if r.value > operational)


def stability(calendar: MigrationCalendar, migrated: dict[date, int], operational: int, share: float, needed: int,
              as_of: date) -> list[TrancheCheck]:
    """The stability test of every configured tranche against ``migrated`` (national migrations by initiation day)
    up to ``as_of``."""
    out = []
    f = Fraction(str(share))  # compared exactly: 180,000 is 90% of 200,000, never a float's hair below
    found = tranches(calendar, operational)
    for n, (start, value) in enumerate(found):
        sprint = executing_sprint(calendar.sprints, start)
        issue = sprint.envelope_issue if sprint is not None and sprint.envelope_issue < start else start
        evidence_from = found[n - 1][0] if n else calendar.m11
        evidence_to = min(issue - timedelta(days=1), as_of)
        qualifying = tuple(d for d in calendar.migration_days(evidence_from, evidence_to)
                           if migrated.get(d, 0) * f.denominator >= f.numerator * calendar.csmt(d))
        out.append(TrancheCheck(start, value, evidence_from, issue - timedelta(days=1), qualifying, needed, as_of))
    return out
