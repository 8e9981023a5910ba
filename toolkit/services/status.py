"""Where each group stands in a cycle: what it submitted, what was judged, which accepted version is its plan; and
what the inbox could not put to a group: quarantined files, files of unknown senders, what is left in the inbox
(folders that name no group, files two levels deep) and files claimed but not answered yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from toolkit.clock import stamp
from toolkit.domain.sprints import Sprint, SprintPhase, executing_sprint, sprint_phase
from toolkit.domain.status import INBOX_FOLDERS, JUDGED, Kind, Status
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


@dataclass(frozen=True)
class Unplaced:
    """A file the MCC should look at: quarantined, from no known group or cycle, left in the inbox, or claimed and
    not answered yet."""

    what: str  # "#12 plan.xlsx", or a place in the inbox
    status: str  # quarantined, rejected, left in the inbox, claimed
    group: str  # the group it names or was delivered for, "" when none
    at: datetime | None
    reason: str


def unplaced(ctx: Context, sprint: Sprint) -> list[Unplaced]:
    """Everything of the cycle's collection (from its plan start to the next sprint's) that is quarantined or was
    put to no group or no cycle, then what the inbox holds and does not take, then files claimed and unanswered."""
    known = {s.cycle for s in ctx.config.calendar.sprints}
    later = [s.plan_start for s in ctx.config.calendar.sprints if s.plan_start > sprint.plan_start]
    start = datetime.combine(sprint.plan_start, time(0), UTC)
    end = datetime.combine(min(later), time(0), UTC) if later else datetime.max.replace(tzinfo=UTC)
    rows = {r.id: r for r in ctx.ledger.between(start, end)} | {r.id: r for r in ctx.ledger.rows(sprint.cycle)}
    out = []
    for r in sorted(rows.values(), key=lambda r: r.id):
        # outturn and lost day claims name no cycle of their own: only a quarantined one is the MCC's to look at
        unknown = r.status in JUDGED and r.kind not in (Kind.OUTTURN, Kind.LOST_DAYS_CLAIM, Kind.BULK_COA_PLAN) and (
            not r.supplier_group or not r.cycle or r.cycle not in known)
        if r.status == Status.QUARANTINED or unknown:
            reason = r.reason or ("from no known group" if not r.supplier_group else f"of no known cycle ({r.cycle})"
                                  if r.cycle not in known else "")
            out.append(Unplaced(f"#{r.id} {r.original_name}", r.status.value, r.supplier_group or "", r.received_at,
                                reason))
    from toolkit.inbox import entries  # here, and not the judge's: mcc status starts quickly

    groups, known = ctx.config.industry.group_by_mpid, set(INBOX_FOLDERS.values())  # as judge.group_folder
    _, strays = entries.look(ctx.workspace.inbox, lambda name: name.upper() in groups or name.upper() in known)
    out += [Unplaced(f"inbox/{s.where}", "left in the inbox", "", None, s.reason) for s in strays]
    for path in entries.claimed(ctx.workspace.inbox / entries.PROCESSING, tidy=False):
        c = entries.read_claim(path)
        out.append(Unplaced(c.name, "claimed", (c.folder or "").upper(), None,
                            f"in inbox/{entries.PROCESSING}/{path.name}, not answered yet: a watcher is on it, or a "
                            "fault stopped it (it is taken up at the next start)"))
    return out


def mail_status(ctx: Context) -> tuple[list, list]:
    """For ``mcc status`` (issue 21): the submissions that came by email, and the messages not taken in (every
    status but ``taken``). Here, not in services.mailbox, so mcc status starts without the judge."""
    from toolkit.store import messages

    ledger = ctx.ledger
    return ([r for r in ledger.rows() if r.message_id],
            [m for m in messages.rows(ledger) if m.status != messages.MessageStatus.TAKEN])


def open_claims(ctx: Context) -> list:
    """The Lost Migration Day claims still open, deadlines first (F6.6; for ``mcc status`` and ``mcc lost-days
    list``). Here, so mcc status reads the register without the claim judge's imports."""
    from toolkit.domain import lost_days as L
    from toolkit.store import claims as R

    recs = L.fold(R.read_events(ctx.workspace), ctx.config.calendar.add_working_days)
    return sorted((r for r in recs.values() if r.state in L.OPEN), key=lambda r: (r.outcome_by, r.claim_id))
