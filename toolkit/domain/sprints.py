"""Sprint cycles and their phase dates (Choreography 3, METHOD 1).

Phase dates are calendar-day offsets from the Plan start, which falls 33 days before the execution start
(a Friday when execution starts on a Wednesday). Defaults reproduce the illustrative table in C3.6, whose
"Fri 16/03/2025" is a typo for Fri 14/03/2025.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field


class SprintOffsets(BaseModel):
    """Calendar days from the Plan start to each phase (C3.6); the retrospective length in days."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)  # validators built when first used

    plan_to_execution: int = Field(33, ge=1)
    envelope_issue: int = Field(7, ge=0)
    submission_deadline: int = Field(14, ge=0)
    draft_publication: int = Field(19, ge=0)  # also the UCA start (C3.6 "Draft Publication / UCA Start")
    uca_end: int = Field(24, ge=0)
    baseline_publication: int = Field(27, ge=0)
    retro_days: int = Field(14, ge=1)
    retro_feedback: int = Field(4, ge=0)  # retro feedback submission deadline, days from the retro start (C4.4 11)
    retro_findings: int = Field(7, ge=0)  # initial sprint findings report, days from the retro start (C4.4 12)
    # a phase date on a Migration Non-Working Day (weekend or bank holiday, C4.2) moves to the next working day
    move_to_working_day: bool = True


@dataclass(frozen=True)
class Sprint:
    """One sprint cycle: Plan, UCA, Publish, Execute and Retro phase dates (C3.2)."""

    sprint: int
    plan_start: date
    envelope_issue: date
    submission_deadline: date
    draft_publication: date
    uca_start: date
    uca_end: date
    baseline_publication: date
    execution_start: date
    execution_end: date
    retro_start: date
    retro_end: date

    @property
    def cycle(self) -> str:
        """The cycle id used in folder names and workbook metadata."""
        return f"S{self.sprint}"

    def as_row(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def request_deadline(self, round: int) -> date:
        """The last day UCA requests of a round are taken (``uca.window``): the UCA end for the planning round
        (Choreography 3.2.2), the execution end for an ad hoc round."""
        return self.uca_end if round == 1 else self.execution_end

    def executes_on(self, day: date) -> bool:
        return self.execution_start <= day <= self.execution_end


SPRINT_COLUMNS = tuple(f.name for f in fields(Sprint))


def build_sprints(execution_starts: list[date], offsets: SprintOffsets, m15: date,
                  next_working_day: Callable[[date], date] | None = None) -> list[Sprint]:
    """Sprints from their execution start dates.

    Execution ends the day before the next execution start; the last sprint executes until M15. With
    ``next_working_day`` (the Migration Calendar's) and ``offsets.move_to_working_day``, a Plan, UCA or Publish
    date and the retrospective meeting falling on a weekend or bank holiday move to the next working day (C4.2:
    nothing is scheduled on Migration Non-Working Days); the execution phase itself is never moved.
    """
    roll = next_working_day if next_working_day is not None and offsets.move_to_working_day else (lambda d: d)
    starts = sorted(execution_starts)
    sprints = []
    for number, start in enumerate(starts, start=1):
        plan = start - timedelta(days=offsets.plan_to_execution)
        end = starts[number] - timedelta(days=1) if number < len(starts) else max(m15, start)
        draft = roll(plan + timedelta(days=offsets.draft_publication))
        sprints.append(Sprint(
            sprint=number,
            plan_start=roll(plan),
            envelope_issue=roll(plan + timedelta(days=offsets.envelope_issue)),
            submission_deadline=roll(plan + timedelta(days=offsets.submission_deadline)),
            draft_publication=draft,
            uca_start=draft,
            uca_end=roll(plan + timedelta(days=offsets.uca_end)),
            baseline_publication=roll(plan + timedelta(days=offsets.baseline_publication)),
            execution_start=start,
            execution_end=end,
            retro_start=end + timedelta(days=1),
            retro_end=roll(end + timedelta(days=offsets.retro_days)),
        ))
    return sprints


def sprint_by_cycle(sprints: list[Sprint], cycle: str) -> Sprint | None:
    """Look a sprint up by "S3", "s3" or "3"."""
    text = cycle.strip().upper().removeprefix("S")
    if not text.isdigit():
        return None
    return next((s for s in sprints if s.sprint == int(text)), None)


def planning_sprint(sprints: list[Sprint], today: date) -> Sprint | None:
    """The sprint being planned on ``today``: the first whose execution has not started yet.

    After the last execution start, the last sprint (there is nothing left to plan).
    """
    upcoming = [s for s in sprints if s.execution_start > today]
    if upcoming:
        return upcoming[0]
    return sprints[-1] if sprints else None


def executing_sprint(sprints: list[Sprint], day: date) -> Sprint | None:
    """The sprint whose execution phase holds ``day`` (None before the first and after the last)."""
    return next((s for s in sprints if s.execution_start <= day <= s.execution_end), None)


@dataclass(frozen=True)
class SprintPhase:
    """Where a sprint stands on a day (Choreography 3.2, 3.6): its phase (``Plan``, ``UCA``, ``Publish``,
    ``Execute``, ``Retro``; ``not started`` before its Plan phase, ``closed`` after its retrospective), what is
    happening in it, and its next key date (``None`` after the last)."""

    sprint: Sprint
    phase: str
    doing: str
    next_event: str | None
    next_date: date | None
    days_left: int | None  # calendar days from the day to the next key date (0: it is today)


def key_dates(s: Sprint) -> list[tuple[date, str]]:
    """The sprint's key dates in order, as the MCC and suppliers meet them (C3.6; C4.4)."""
    return [(s.plan_start, "plan phase starts"), (s.envelope_issue, "envelopes and templates issued"),
            (s.submission_deadline, "supplier plan submission deadline"),
            (s.draft_publication, "draft schedule and unused capacity report"), (s.uca_end, "UCA window closes"),
            (s.baseline_publication, "baseline schedule published"), (s.execution_start, "execution starts"),
            (s.execution_end, "execution ends"), (s.retro_end, "retrospective meeting")]


def sprint_phase(s: Sprint, day: date) -> SprintPhase:
    """The phase of sprint ``s`` on ``day`` and its next key date."""
    if day < s.plan_start:
        phase, doing = "not started", "its Plan phase has not started"
    elif day < s.envelope_issue:
        phase, doing = "Plan", "envelopes and templates being prepared"
    elif day <= s.submission_deadline:
        phase, doing = "Plan", "templates out, plans due"
    elif day < s.draft_publication:
        phase, doing = "Plan", "plans being validated (late returns are marked late)"
    elif day <= s.uca_end:
        phase, doing = "UCA", "draft schedule out, unused capacity requests open"
    elif day < s.execution_start:
        phase, doing = "Publish", ("baseline schedule published" if day >= s.baseline_publication
                                   else "allocating unused capacity, baseline schedule due")
    elif day <= s.execution_end:
        phase, doing = "Execute", f"day {(day - s.execution_start).days + 1} of " \
                                  f"{(s.execution_end - s.execution_start).days + 1}"
    elif day <= s.retro_end:
        phase, doing = "Retro", "retrospective review of the sprint"
    else:
        phase, doing = "closed", "the sprint is over"
    upcoming = [(d, what) for d, what in key_dates(s) if d >= day]
    if not upcoming:
        return SprintPhase(s, phase, doing, None, None, None)
    d, what = upcoming[0]
    return SprintPhase(s, phase, doing, what, d, (d - day).days)


def first_wednesdays(first: date, count: int, months_step: int = 2, monthly_from: date | None = None) -> list[date]:
    """Execution start dates on the first Wednesday of every ``months_step`` months (C3.3).

    From ``monthly_from`` on, sprints start every month (the one-month execution of later sprints).
    """
    starts: list[date] = []
    year, month = first.year, first.month
    while len(starts) < count:
        day = date(year, month, 1)
        wednesday = day + timedelta(days=(2 - day.weekday()) % 7)
        if wednesday >= first:
            starts.append(wednesday)
        step = 1 if monthly_from is not None and wednesday >= monthly_from else months_step
        month += step
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return starts
