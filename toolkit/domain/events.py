"""The key migration events (Choreography 4.4) and the meetings and ceremonies (Choreography 5) of the Migration
Calendar, as all-day events for ``mcc calendar --ics``.

Every date that the documents fix is taken from the sprint (C3.6); where they name an event without a day (the
weekday of a weekly meeting, the day of a report), the day is a setting of ``[meetings]`` in ``calendar.toml``.
No event is put on a Migration Non-Working Day (C4.2): a date falling on one moves to the next working day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from toolkit.domain.sprints import Sprint, SprintOffsets

Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri"]
WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")


class MeetingDays(BaseModel):
    """The weekdays of the regular meetings of Choreography 5 and of the weekly migration report (C4.4 14)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)  # validators built when first used

    readiness: Weekday = "Tue"  # M-01.01 Weekly Migration Readiness Meeting (Plan phase)
    support: Weekday = "Thu"  # M-01.02 Migration Support Meetings, every two weeks
    standup: Weekday = "Wed"  # M-02.01 Weekly Sprint Execution Phase Stand-up
    review: Weekday = "Wed"  # M-02.02 Monthly Migration Review: the last of this weekday in each month
    weekly_report: Weekday = "Mon"  # C4.4 14: the weekly migration report (F5.4: outturn reported daily and weekly)


@dataclass(frozen=True)
class CalendarEvent:
    """A key migration event (C4.4); ``end`` is inclusive and equals ``start`` for one-day events."""

    start: date
    end: date
    title: str
    kind: str
    sprint: int | None = None


def _on(day: date, title: str, kind: str, sprint: int | None = None) -> CalendarEvent:
    return CalendarEvent(day, day, title, kind, sprint)


def weekdays_between(start: date, end: date, weekday: int, step_weeks: int = 1) -> list[date]:
    """Every ``weekday`` (Monday = 0) from ``start`` to ``end`` inclusive, every ``step_weeks`` weeks."""
    first = start + timedelta(days=(weekday - start.weekday()) % 7)
    if first > end:
        return []
    return [first + timedelta(weeks=k) for k in range(0, (end - first).days // 7 + 1, step_weeks)]


def last_weekday_of_months(start: date, end: date, weekday: int) -> list[date]:
    """The last given weekday of each month that falls inside [start, end]."""
    return [d for d in weekdays_between(start, end, weekday) if (d + timedelta(days=7)).month != d.month]


def sprint_events(s: Sprint, offsets: SprintOffsets, days: MeetingDays,
                  roll: Callable[[date], date]) -> list[CalendarEvent]:
    """The key migration events of one sprint (C4.4 1-14) and its sprint meetings (C5 M-01.01, M-02.01,
    M-02.02)."""
    n = s.sprint
    p = f"Sprint {n}:"
    ev = [
        _on(s.plan_start, f"{p} plan phase starts", "plan", n),
        _on(s.envelope_issue, f"{p} MCC envelope publish", "plan", n),
        _on(s.submission_deadline, f"{p} supplier plan submission deadline", "plan", n),
        CalendarEvent(s.submission_deadline, s.draft_publication - timedelta(days=1),
                      f"{p} supplier plan validation window", "plan", n),
        _on(s.draft_publication, f"{p} draft migration schedule (without UCA) and UCA report publish", "publish", n),
        CalendarEvent(s.uca_start, s.uca_end, f"{p} supplier UCA request window", "uca", n),
        _on(s.baseline_publication, f"{p} baseline migration schedule (with UCA) publish", "publish", n),
        _on(s.execution_start, f"{p} execution starts", "execute", n),
        _on(s.execution_end, f"{p} execution ends", "execute", n),
        CalendarEvent(s.execution_start, s.execution_end,
                      f"{p} daily migration reports (outturn, exceptions, capacity utilisation) each migration day",
                      "report", n),
        _on(roll(s.retro_start + timedelta(days=offsets.retro_feedback)),
            f"{p} retro feedback submission deadline", "retro", n),
        _on(roll(s.retro_start + timedelta(days=offsets.retro_findings)),
            f"{p} retro initial sprint findings report", "retro", n),
        _on(s.retro_end, f"{p} retro meeting", "retro", n),
    ]
    ev += [_on(roll(d), f"{p} weekly migration report", "report", n)
           for d in weekdays_between(s.execution_start + timedelta(days=1), s.execution_end,
                                     WEEKDAYS.index(days.weekly_report))]
    ev += [_on(roll(d), f"{p} M-01.01 weekly migration readiness meeting", "meeting", n)
           for d in weekdays_between(s.plan_start, s.execution_start - timedelta(days=1),
                                     WEEKDAYS.index(days.readiness))]
    ev += [_on(roll(d), f"{p} weekly stand-up", "execute", n)
           for d in weekdays_between(s.execution_start + timedelta(days=7), s.execution_end,
                                     WEEKDAYS.index(days.standup))]
    ev += [_on(roll(d), f"{p} monthly review", "execute", n)
           for d in last_weekday_of_months(s.execution_start, s.execution_end, WEEKDAYS.index(days.review))]
    return ev


def programme_meetings(first_plan_start: date, last_day: date, els: tuple[date, date], days: MeetingDays,
                       working: Callable[[date], bool], roll: Callable[[date], date],
                       supplier_ramp_up_days: Iterable[date] = ()) -> list[CalendarEvent]:
    """The meetings of Choreography 5 that run across sprints: M-01.02 every two weeks throughout the sprint
    cycles; M-02.03 daily during the industry ramp-up (Early Life Support); M-02.04 daily on every working day on
    which a group is in its supplier ramp-up (no group named: the calendar goes to every participant)."""
    ev = [_on(roll(d), "M-01.02 migration support meeting (surgery, FAQ, training)", "meeting")
          for d in weekdays_between(first_plan_start, last_day, WEEKDAYS.index(days.support), step_weeks=2)]
    els_start, els_end = els
    ev += [_on(els_start + timedelta(days=k), "M-02.03 daily stand-up (industry ramp-up)", "meeting")
           for k in range((els_end - els_start).days + 1) if working(els_start + timedelta(days=k))]
    ev += [_on(d, "M-02.04 daily stand-up (supplier ramp-up)", "meeting")
           for d in sorted(set(supplier_ramp_up_days)) if working(d)]
    return ev


@dataclass(frozen=True)
class Outage:
    """A declared outage (F6.3; F6.6): a central system for everyone (``ldso`` empty) or one LDSO's service."""

    day: date
    ldso: str  # "" for a central outage (every LDSO)
    reason: str
    incident: str = ""
