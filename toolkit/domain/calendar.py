"""The Migration Calendar (Choreography 4, METHOD 1): working days, migration days, CSMT, key events.

A calendar is declarative settings (milestones, excluded ranges each with a reason, CSMT by date range)
over one class that answers questions from precomputed lists (one entry a day), so that the envelope engine can
take whole columns at once. Plain Python, no numpy: a command that only asks which sprint it is starts without it
(issue 20); the holidays package is imported only to build a calendar.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cached_property
from itertools import accumulate

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from toolkit.domain.events import CalendarEvent, MeetingDays, programme_meetings, sprint_events
from toolkit.domain.sprints import Sprint, SprintOffsets, build_sprints
from toolkit.domain.text import valid

# England and Wales share their bank holidays; the holidays package names that subdivision "ENG".
HOLIDAY_REGIONS = {"ENG": "England and Wales", "WLS": "England and Wales", "SCT": "Scotland",
                   "NIR": "Northern Ireland"}


class DateRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)  # validators built when first used

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self):
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


class ExcludedRange(DateRange):
    """Days that are not migration days though they are working days (C4.3): price control events,
    contract rounds, change freezes."""

    reason: str = Field(min_length=1)

    @field_validator("reason")
    @classmethod
    def _plain(cls, value: str) -> str:
        """The reason is a calendar title and a CSV cell: one line of text."""
        return valid(value)


class CsmtRange(DateRange):
    """CSMT flexed for a date range (F5.2.9): between 200,000 and 280,000."""

    value: int = Field(gt=0)


class FactorRange(DateRange):
    """The industry ramp-up scaling factor set by the MCC for days inside Early Life Support (P SLSF)."""

    value: float = Field(ge=0, le=1)


class CalendarSettings(BaseModel):
    """Everything in ``config/calendar.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)  # validators built when first used

    m11: date  # first migration day
    m14: date  # all suppliers qualified; extensions (XRUF, XCMW) end here
    m15: date  # last migration day
    els_start: date | None = None  # Early Life Support window; default M11
    els_end: date | None = None  # default M11 + IRUW weeks - 1 day
    holiday_region: str = "ENG"
    csmt_default: int = Field(200_000, gt=0)
    csmt: tuple[CsmtRange, ...] = ()
    excluded: tuple[ExcludedRange, ...] = ()
    industry_ramp_up_factors: tuple[FactorRange, ...] = ()
    sprint_execution_starts: tuple[date, ...] = ()
    sprint_phases: SprintOffsets = Field(default_factory=SprintOffsets)
    meetings: MeetingDays = Field(default_factory=MeetingDays)

    @model_validator(mode="after")
    def _consistent(self):
        if not self.m11 <= self.m14 <= self.m15:
            raise ValueError(f"milestones must be in order M11 <= M14 <= M15 (got {self.m11}, {self.m14}, "
                             f"{self.m15})")
        if self.holiday_region not in HOLIDAY_REGIONS:
            raise ValueError(f"holiday_region {self.holiday_region!r} is not one of "
                             f"{', '.join(sorted(HOLIDAY_REGIONS))}")
        if self.els_start and self.els_end and self.els_end < self.els_start:
            raise ValueError("els_end is before els_start")
        starts = list(self.sprint_execution_starts)
        if starts != sorted(set(starts)):
            raise ValueError("sprint_execution_starts must be in ascending order without repeats")
        return self

    def els_window(self, iruw_weeks: int) -> tuple[date, date]:
        """Early Life Support, first and last day: by default from M11 for IRUW weeks (P IRUW)."""
        start = self.els_start or self.m11
        return start, self.els_end or (start + timedelta(weeks=iruw_weeks, days=-1))


class MigrationCalendar:
    """Answers calendar questions for every day from the year before M11 to the year after M15."""

    def __init__(self, settings: CalendarSettings, iruw_weeks: int = 13):
        self.settings = settings
        self.m11, self.m14, self.m15 = settings.m11, settings.m14, settings.m15
        self.els_start, self.els_end = settings.els_window(iruw_weeks)
        self.first = date(settings.m11.year - 1, 1, 1)
        self.last = date(settings.m15.year + 1, 12, 31)
        self.n = n = (self.last - self.first).days + 1
        bank = _bank_holidays(settings.holiday_region, range(self.first.year, self.last.year + 1))
        weekday0 = self.first.weekday()  # Monday = 0
        self.weekend = [(weekday0 + i) % 7 >= 5 for i in range(n)]
        self.bank_holiday = [False] * n
        reasons = ["weekend" if w else "" for w in self.weekend]
        for day, name in bank.items():
            if self.first <= day <= self.last:
                i = (day - self.first).days
                self.bank_holiday[i] = True
                reasons[i] = name
        self.working = [not (w or b) for w, b in zip(self.weekend, self.bank_holiday, strict=True)]
        self.excluded = [False] * n
        for rng in settings.excluded:
            lo, hi = self._clip(rng.start, rng.end)
            for i in range(lo, hi + 1):
                self.excluded[i] = True
                if self.working[i]:
                    reasons[i] = rng.reason
        self.reasons = reasons
        lo, hi = self.index(self.m11), self.index(self.m15)
        self.migration = [w and not x and lo <= i <= hi
                          for i, (w, x) in enumerate(zip(self.working, self.excluded, strict=True))]
        csmt = [settings.csmt_default] * n
        for rng in settings.csmt:
            lo, hi = self._clip(rng.start, rng.end)
            csmt[lo:hi + 1] = [rng.value] * max(hi - lo + 1, 0)
        self.csmt_all = csmt
        # cumulative counts make "nth working day after" and "count between" O(1) look-ups
        self._working_cum = list(accumulate(int(w) for w in self.working))
        self._migration_cum = list(accumulate(int(m) for m in self.migration))

    # -- positions ---------------------------------------------------------------------------------
    @property
    def dates(self) -> list[date]:
        """Every date of the calendar, the year before M11 to the year after M15 (the positions of its lists)."""
        return [self.first + timedelta(days=i) for i in range(self.n)]

    def _clip(self, start: date, end: date) -> tuple[int, int]:
        lo = max((start - self.first).days, 0)
        hi = min((end - self.first).days, self.n - 1)
        return lo, hi

    def index(self, day: date) -> int:
        if not self.first <= day <= self.last:
            raise ValueError(f"{day} is outside the calendar ({self.first} to {self.last})")
        return (day - self.first).days

    def date_at(self, i: int) -> date:
        return self.first + timedelta(days=int(i))

    # -- single days -------------------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        return self.working[self.index(day)]

    def is_migration_day(self, day: date) -> bool:
        return self.migration[self.index(day)]

    def reason(self, day: date) -> str:
        """Why a day is not a migration day: the bank holiday, "weekend", the excluded range's reason,
        "before M11" or "after M15"; "" for a migration day."""
        i = self.index(day)
        if self.migration[i]:
            return ""
        if self.reasons[i]:
            return self.reasons[i]
        return "before M11" if day < self.m11 else "after M15"

    def csmt(self, day: date) -> int:
        """CSMT on a migration day; 0 on any other day."""
        i = self.index(day)
        return self.csmt_all[i] if self.migration[i] else 0

    # -- ranges ------------------------------------------------------------------------------------
    def window(self) -> list[date]:
        """Every date from M11 to M15."""
        return [self.m11 + timedelta(days=k) for k in range((self.m15 - self.m11).days + 1)]

    def migration_days(self, start: date | None = None, end: date | None = None) -> list[date]:
        lo, hi = self._clip(start or self.m11, end or self.m15)
        return [self.date_at(i) for i in range(lo, hi + 1) if self.migration[i]]

    def count_migration_days(self, start: date, end: date) -> int:
        if end < start:
            return 0
        lo, hi = self._clip(start, end)
        return self._migration_cum[hi] - (self._migration_cum[lo - 1] if lo else 0)

    def nth_migration_day(self, start: date, n: int) -> date | None:
        """The n-th migration day counting from ``start`` inclusive (n >= 1); None past the calendar."""
        lo = self.index(start)
        target = (self._migration_cum[lo - 1] if lo else 0) + n
        i = bisect_left(self._migration_cum, target)
        return self.date_at(i) if i < self.n else None

    def last_migration_day_on_or_before(self, day: date) -> date | None:
        """The latest migration day not after ``day``; None before M11."""
        i = self.index(min(day, self.m15))
        if self._migration_cum[i] == 0:
            return None
        return self.date_at(bisect_left(self._migration_cum, self._migration_cum[i]))

    # -- working-day arithmetic (MAO counts working days only, P MAOdef) ---------------------------
    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (n >= 1); ``start`` itself for n = 0."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return start
        target = self._working_cum[self.index(start)] + n
        i = bisect_left(self._working_cum, target)
        if i >= self.n:
            raise ValueError(f"{n} working days after {start} is outside the calendar")
        return self.date_at(i)

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it (C4.1, C4.2)."""
        return day if self.is_working_day(day) else self.add_working_days(day, 1)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``: the activation offset of an
        initiation on ``start`` with appointment effective date ``end``. Negative when end < start."""
        return self._working_cum[self.index(end)] - self._working_cum[self.index(start)]

    # -- sprints and events ------------------------------------------------------------------------
    @cached_property
    def sprints(self) -> list[Sprint]:
        return build_sprints(list(self.settings.sprint_execution_starts), self.settings.sprint_phases, self.m15,
                             self.next_working_day)

    def events(self, supplier_ramp_up_days: Iterable[date] = ()) -> list[CalendarEvent]:
        """Milestones, excluded ranges, the key migration events of every sprint (C4.4) and the meetings of
        Choreography 5; ``supplier_ramp_up_days`` are the days some group is in its supplier ramp-up (M-02.04)."""
        ramp_up = tuple(supplier_ramp_up_days)
        return list(self._events if not ramp_up else self._make_events(ramp_up))

    @cached_property
    def _events(self) -> tuple[CalendarEvent, ...]:
        """The events without supplier ramp-up days, worked out once: every group's template content reads them."""
        return tuple(self._make_events(()))

    def _make_events(self, supplier_ramp_up_days: tuple[date, ...]) -> list[CalendarEvent]:
        ev = [
            CalendarEvent(self.m11, self.m11, "M11: first migration day", "milestone"),
            CalendarEvent(self.m14, self.m14, "M14: all suppliers qualified", "milestone"),
            CalendarEvent(self.m15, self.m15, "M15: last migration day", "milestone"),
            CalendarEvent(self.els_start, self.els_end, "Early Life Support (industry ramp-up)", "window"),
        ]
        ev += [CalendarEvent(r.start, r.end, f"Excluded: {r.reason}", "excluded") for r in self.settings.excluded]
        offsets, days = self.settings.sprint_phases, self.settings.meetings
        roll = self.next_working_day if offsets.move_to_working_day else (lambda d: d)
        for s in self.sprints:
            ev += sprint_events(s, offsets, days, roll)
        if self.sprints:
            ev += programme_meetings(self.sprints[0].plan_start, self.m15, (self.els_start, self.els_end), days,
                                     self.is_working_day, roll, supplier_ramp_up_days)
        return sorted(ev, key=lambda e: (e.start, e.end, e.title))


def _bank_holidays(region: str, years: range) -> dict[date, str]:
    """The bank holidays of the region, by the holidays package (imported here: 0.2 s of imports, paid by building a
    calendar only)."""
    import holidays

    return dict(holidays.country_holidays("GB", subdiv=region, years=years))


CALENDAR_COLUMNS = ("date", "weekday", "working_day", "migration_day", "reason", "csmt")


def calendar_table(calendar: MigrationCalendar) -> list[dict[str, object]]:
    """One row per date from M11 to M15 (the ``mcc calendar --csv`` table)."""
    return [{"date": d, "weekday": d.strftime("%a"), "working_day": calendar.is_working_day(d),
             "migration_day": calendar.is_migration_day(d), "reason": calendar.reason(d),
             "csmt": calendar.csmt(d)} for d in calendar.window()]
