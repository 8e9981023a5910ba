"""Where each group stands in a cycle: what it submitted, what was judged, which accepted version is its plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from toolkit.clock import stamp
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


def submission_status(ctx: Context, cycle: str) -> list[GroupStatus]:
    """Per group for the cycle: what was submitted and judged, and which accepted version is the current plan."""
    ledger = ctx.ledger
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
            f"#{current.id} v{current.version} received {stamp(current.received_at)}" if current else None))
    return out
