"""Returned workbooks: ``mcc validate``, ``watch``, ``rejudge`` and ``status``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from toolkit.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    CycleOpt,
    JsonOpt,
    TodayOpt,
    WorkspaceOpt,
    app,
    console,
    context,
    emit_json,
    err_console,
    escape,
    header,
    sprint_of,
    table,
)
from toolkit.clock import stamp
from toolkit.domain.status import Status
from toolkit.domain.text import counted, display_name

if TYPE_CHECKING:
    from toolkit.services.inbox import Outcome

COLLECTING = "The planning cycle being collected (default: the sprint being planned today)."
COLOURS = {Status.ACCEPTED: "green", Status.REJECTED: "red", Status.DUPLICATE: "dim"}


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="The returned workbook to judge.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdict and findings as JSON.")] = False,
    cycle: Annotated[str | None, typer.Option(help=COLLECTING)] = None,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Judge one returned workbook without touching the inbox: exit 0 accepted, 1 rejected, 2 unreadable."""
    from toolkit.services.judge import validate_file

    ctx = context(workspace, today)
    header(ctx, *((ctx.sprint(cycle), None) if cycle else ()))
    judged = validate_file(ctx, file, cycle)
    if as_json:
        emit_json(judged.as_json(file.name))
    else:
        colour = COLOURS.get(judged.status, "yellow")
        console.print(f"[bold {colour}]{judged.status.value.upper()}[/] {escape(display_name(file.name))}"
                      + (f": group {judged.group}, {judged.cycle}, version {judged.version}" if judged.group else "")
                      + f" ({counted(judged.errors, 'error')}, {counted(judged.warnings, 'warning')})",
                      highlight=False)
        for f in judged.findings:
            where = " ".join(x for x in (f.sheet and f"'{f.sheet}'", f.cell, f.ldso) if x)
            console.print(f"  {f.severity.value:<7} {f.rule:<26} {escape(where):<24} {escape(f.message)}",
                          highlight=False, soft_wrap=True)
    raise typer.Exit({Status.ACCEPTED: EXIT_OK, Status.REJECTED: EXIT_INVALID}.get(judged.status, EXIT_USAGE))


def _report(o: Outcome) -> None:
    """One line per file; its name and reason are the sender's text, never markup."""
    colour = COLOURS.get(o.status, "yellow")
    detail = o.reason if o.status in (Status.QUARANTINED, Status.DUPLICATE) else \
        f"{counted(o.errors, 'error')}, {counted(o.warnings, 'warning')}"
    again = f" (decision {o.decision})" if o.decision > 1 else ""
    console.print(f"#{o.row_id} [{colour}]{o.status}[/]{again} {escape(o.name)}"
                  + (f" ({escape(o.group)}, {escape(str(o.cycle))})" if o.group else "") + f": {escape(detail)}",
                  highlight=False, soft_wrap=True)


@app.command()
def watch(
    once: Annotated[bool, typer.Option("--once", help="Process what is in the inbox now and exit.")] = False,
    polling: Annotated[bool, typer.Option(help="Poll the folder instead of inotify (network shares).")] = False,
    quiet: Annotated[float, typer.Option(help="Seconds a file must stay unchanged before it is read.")] = 2.0,
    max_wait: Annotated[float, typer.Option(help="With --once: seconds to wait for files still being "
                                            "written.")] = 30.0,
    cycle: Annotated[str | None, typer.Option(help=COLLECTING)] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes judging files (default: one per "
                                                "core, up to 4).")] = None,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Watch inbox/: judge every returned workbook, answer in outbox/, record it in the ledger."""
    from toolkit.services.inbox import process_inbox, watch_inbox
    from toolkit.services.status import unplaced

    ctx = context(workspace, today)
    sprint = sprint_of(ctx, cycle)
    workers = workers or min(os.cpu_count() or 1, 4)
    if once:
        outcomes, waiting = process_inbox(ctx, cycle, quiet, max_wait, workers, on_outcome=_report)
        for path in waiting:
            err_console.print(f"[yellow]waiting[/]: {escape(display_name(path.name))} is still being written; left in "
                              "the inbox for the next run", highlight=False)
        for u in unplaced(ctx, sprint):
            if u.at is None:
                err_console.print(f"[yellow]{u.status}[/]: {escape(u.what)}: {escape(u.reason)}", highlight=False)
        console.print(f"{len(outcomes)} file{'s' if len(outcomes) != 1 else ''} processed, {len(waiting)} waiting")
        return
    watch_inbox(ctx, cycle, quiet, polling=polling, workers=workers, on_outcome=_report,
                log=lambda m: err_console.print(escape(m), highlight=False))


@app.command()
def rejudge(
    submission: Annotated[int, typer.Argument(help="The submission's number in the ledger (#N in mcc status).")],
    why: Annotated[str, typer.Option(help="Why it is judged again (kept in the ledger).")] = "judged again by the MCC",
    cycle: Annotated[str | None, typer.Option(help=COLLECTING)] = None,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Judge a submission again from its kept bytes, as if dropped into inbox/ (no group folder claimed): a misfiled
    return gets a new decision on the same receipt, and a new answer; the earlier decision stays in the ledger."""
    from toolkit.services.inbox import rejudge as rejudge_submission

    ctx = context(workspace, today)
    header(ctx, *((ctx.sprint(cycle), None) if cycle else ()))
    outcome = rejudge_submission(ctx, submission, why, cycle)
    _report(outcome)
    raise typer.Exit({Status.ACCEPTED: EXIT_OK, Status.REJECTED: EXIT_INVALID}.get(outcome.status, EXIT_USAGE))


@app.command()
def status(cycle: CycleOpt = None, as_json: JsonOpt = False, workspace: WorkspaceOpt = None,
           today: TodayOpt = None) -> None:
    """The sprint being planned, its phase and the days to its next deadline; per group: submitted, accepted,
    rejected, late, latest version; and the groups without a valid plan."""
    from toolkit.services.status import programme_phase, submission_status, unplaced

    ctx = context(workspace, today)
    sprint = sprint_of(ctx, cycle)
    planned, executing = programme_phase(ctx, cycle)
    phases = [(label, ph) for label, ph in (("being planned" if not cycle else "asked for", planned),
                                            ("executing", executing)) if ph is not None]
    rows = submission_status(ctx, sprint.cycle)
    found = unplaced(ctx, sprint)
    if as_json:
        emit_json(_status_json(ctx, sprint, phases, rows, found))
        return
    for label, ph in phases:
        s = ph.sprint
        nxt = (f"; next: {ph.next_event} on {ph.next_date:%a %d %b %Y}, "
               + ("today" if ph.days_left == 0 else f"in {ph.days_left} day{'s' if ph.days_left != 1 else ''}")
               if ph.next_date else "")
        console.print(f"Sprint {s.sprint} ({s.cycle}) {label} on {ctx.clock.today():%a %d %b %Y}: phase "
                      f"[bold]{ph.phase}[/] ({ph.doing}){nxt}", highlight=False)
    wide = console.width >= 120
    cols = ("group", *(("name",) if wide else ()), "sub.", "acc.", "rej.", "quar.", "late", "latest",
            "current plan")
    t = table(f"Submissions for sprint {sprint.sprint} ({sprint.cycle}), deadline "
              f"{sprint.submission_deadline:%a %d %b %Y}", *cols, right=("sub.", "acc.", "rej.", "quar.", "late"))
    for r in rows:
        when = (stamp(r.latest_at) if wide else f"{r.latest_at:%d %b}") if r.latest_at else ""
        latest = f"v{r.latest_version} {r.latest_status} {when}" if r.latest_at else ""
        plan = (r.current_plan if wide else r.current_plan.split(" received")[0]) if r.current_plan else None
        t.add_row(r.group, *((r.name,) if wide else ()), str(r.submitted), str(r.accepted), str(r.rejected),
                  str(r.quarantined), str(r.late) if r.late else "", latest, plan or "[red]outstanding[/]")
    console.print(t)
    missing = [r.group for r in rows if r.current_plan is None]
    late = sum(r.late for r in rows)
    console.print(f"{len(rows) - len(missing)} of {len(rows)} groups have a valid plan."
                  + (f" Without one ({len(missing)}): {', '.join(missing)}." if missing else "")
                  + f" {late} return{'s' if late != 1 else ''} received after the deadline.")
    _unplaced(found)
    from toolkit.cli.mailbox import mail_table

    mail_table(ctx)  # issue 21: the returns that came by email
    _claims(ctx)


def _claims(ctx) -> None:
    """Lost Migration Day claims still open, with their 2 and 10 working day deadlines (F6.6)."""
    from toolkit.cli.lost_days import claim_lines
    from toolkit.services.status import open_claims

    found = open_claims(ctx)
    if found:
        console.print(f"Lost Migration Day claims open ({len(found)}):")
        for line in claim_lines(found, ctx.clock.today()):
            console.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)


def _status_json(ctx, sprint, phases, rows, found) -> dict:
    """``mcc status --json`` (docs/cli.md lists the fields)."""
    return {
        "workspace": str(ctx.workspace.root), "today": ctx.clock.today(), "sprint": sprint.cycle,
        "submission_deadline": sprint.submission_deadline,
        "phases": [{"sprint": ph.sprint.cycle, "role": label, "phase": ph.phase, "doing": ph.doing,
                    "next_event": ph.next_event, "next_date": ph.next_date, "days_left": ph.days_left}
                   for label, ph in phases],
        "groups": [{"group": r.group, "name": r.name, "submitted": r.submitted, "accepted": r.accepted,
                    "rejected": r.rejected, "quarantined": r.quarantined, "late": r.late,
                    "latest_version": r.latest_version, "latest_status": r.latest_status and str(r.latest_status),
                    "latest_at": r.latest_at and stamp(r.latest_at), "current_plan": r.current_plan}
                   for r in rows],
        "without_plan": [r.group for r in rows if r.current_plan is None],
        "unplaced": [{"what": u.what, "status": str(u.status), "group": u.group, "at": u.at and stamp(u.at),
                      "reason": u.reason} for u in found],
        **_mail_json(ctx),
    }


def _mail_json(ctx) -> dict:
    """Issue 21: the returns that came by email and the messages not taken in."""
    from toolkit.services.status import mail_status

    rows, held = mail_status(ctx)
    return {
        "by_email": [{"submission": r.id, "file": r.original_name, "status": str(r.status), "sender": r.sender,
                      "subject": r.subject, "message_id": r.message_id,
                      "received": r.mail_received and stamp(r.mail_received)} for r in rows],
        "messages_not_taken": [{"message": m.id, "reason": m.reason, "status": str(m.status), "sender": m.sender,
                                "subject": m.subject, "key": m.key, "received": stamp(m.received_at)}
                               for m in held],
    }


def _unplaced(found) -> None:
    """Quarantined files, files of unknown senders, what is left in the inbox and what is claimed unanswered."""
    if not found:
        console.print("Nothing quarantined, unassigned or left in the inbox.")
        return
    t = table(f"Quarantined, unassigned or left in the inbox ({len(found)})", "file", "status", "group", "received",
              "reason")
    for u in found:
        t.add_row(escape(u.what), u.status, u.group, stamp(u.at) if u.at else "", escape(u.reason))
    console.print(t)
