"""Where each group stands in a cycle: what it submitted, what was judged, which accepted version is its plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from toolkit.clock import stamp
from toolkit.domain.sprints import SprintPhase, executing_sprint, sprint_phase
from toolkit.domain.status import Kind, Status
from toolkit.services.context import Context


@dataclass
class GroupStatus:
    group: str
    name: str
    submitted: int
    accepted: int
    rejected: int
    quarantined: int
    latest_version: int | None
    latest_at: datetime | None
    latest_status: Status | None
    current_plan: str | None  # the accepted submission that is the group's plan: "#12 v2 received ..."
    late: int = 0  # returns received after the sprint's submission deadline (timeliness.late)


def programme_phase(ctx: Context, cycle: str | None = None) -> tuple[SprintPhase, SprintPhase | None]:
    """The phase of the sprint being planned today (or ``cycle``) and of the sprint executing today, if another."""
    today = ctx.clock.today()
    planned = sprint_phase(ctx.sprint(cycle), today)
    executing = executing_sprint(ctx.config.calendar.sprints, today)
    return planned, (sprint_phase(executing, today) if executing and executing != planned.sprint else None)


def submission_status(ctx: Context, cycle: str) -> list[GroupStatus]:
    """Per group for the cycle: what was submitted and judged, which accepted version is the current plan, and how
    many returns came after the submission deadline."""
    ledger = ctx.ledger
    sprint = ctx.sprint(cycle)
    rows = [r for r in ledger.rows(cycle) if r.status != Status.DUPLICATE and r.kind == Kind.PLAN]
    out = []
    for g in ctx.config.industry.groups:
        mine = [r for r in rows if r.supplier_group == g.mpid]
        latest = mine[-1] if mine else None
        current = ledger.current_plan(cycle, g.mpid)
        out.append(GroupStatus(
            g.mpid, g.name, len(mine), sum(r.status == Status.ACCEPTED for r in mine),
            sum(r.status == Status.REJECTED for r in mine), sum(r.status == Status.QUARANTINED for r in mine),
            latest.version if latest else None, latest.received_at if latest else None,
            latest.status if latest else None,
            f"#{current.id} v{current.version} received {stamp(current.received_at)}" if current else None,
            sum(r.received_at.date() > sprint.submission_deadline for r in mine)))
    return out
