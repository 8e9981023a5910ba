"""Returned workbooks: ``mcc validate``, ``watch``, ``rejudge`` and ``status``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from toolkit.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    CycleOpt,
    TodayOpt,
    WorkspaceOpt,
    app,
    console,
    context,
    err_console,
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

    judged = validate_file(context(workspace, today), file, cycle)
    if as_json:
        console.print_json(json.dumps(judged.as_json(file.name)))
    else:
        colour = COLOURS.get(judged.status, "yellow")
        console.print(f"[bold {colour}]{judged.status.value.upper()}[/] {escape(display_name(file.name))}"
                      + (f": group {judged.group}, {judged.cycle}, version {judged.version}" if judged.group else "")
                      + f" ({counted(judged.errors, 'error')}, {counted(judged.warnings, 'warning')})", highlight=False)
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
    workers = workers or min(os.cpu_count() or 1, 4)
    if once:
        outcomes, waiting = process_inbox(ctx, cycle, quiet, max_wait, workers, on_outcome=_report)
        for path in waiting:
            err_console.print(f"[yellow]waiting[/]: {escape(display_name(path.name))} is still being written; left in "
                              "the inbox for the next run", highlight=False)
        for u in unplaced(ctx, ctx.sprint(cycle)):
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

    outcome = rejudge_submission(context(workspace, today), submission, why, cycle)
    _report(outcome)
    raise typer.Exit({Status.ACCEPTED: EXIT_OK, Status.REJECTED: EXIT_INVALID}.get(outcome.status, EXIT_USAGE))


@app.command()
def status(cycle: CycleOpt = None, workspace: WorkspaceOpt = None, today: TodayOpt = None) -> None:
    """The sprint being planned, its phase and the days to its next deadline; per group: submitted, accepted,
    rejected, late, latest version; and the groups without a valid plan."""
    from toolkit.services.status import programme_phase, submission_status

    ctx = context(workspace, today)
    sprint = ctx.sprint(cycle)
    planned, executing = programme_phase(ctx, cycle)
    for label, ph in (("being planned" if not cycle else "asked for", planned), ("executing", executing)):
        if ph is None:
            continue
        s = ph.sprint
        nxt = (f"; next: {ph.next_event} on {ph.next_date:%a %d %b %Y}, "
               + ("today" if ph.days_left == 0 else f"in {ph.days_left} day{'s' if ph.days_left != 1 else ''}")
               if ph.next_date else "")
        console.print(f"Sprint {s.sprint} ({s.cycle}) {label} on {ctx.clock.today():%a %d %b %Y}: phase "
                      f"[bold]{ph.phase}[/] ({ph.doing}){nxt}", highlight=False, soft_wrap=True)
    rows = submission_status(ctx, sprint.cycle)
    table = Table(title=f"Submissions for sprint {sprint.sprint} ({sprint.cycle}), deadline "
                        f"{sprint.submission_deadline:%a %d %b %Y}")
    for col in ("group", "name", "submitted", "accepted", "rejected", "quarantined", "late", "latest",
                "current plan"):
        table.add_column(col)
    for r in rows:
        latest = f"v{r.latest_version} {r.latest_status} {stamp(r.latest_at)}" if r.latest_at else ""
        table.add_row(r.group, r.name, str(r.submitted), str(r.accepted), str(r.rejected), str(r.quarantined),
                      str(r.late) if r.late else "", latest, r.current_plan or "[red]outstanding[/]")
    console.print(table)
    missing = [r.group for r in rows if r.current_plan is None]
    late = sum(r.late for r in rows)
    console.print(f"{len(rows) - len(missing)} of {len(rows)} groups have a valid plan."
                  + (f" Without one ({len(missing)}): {', '.join(missing)}." if missing else "")
                  + f" {late} return{'s' if late != 1 else ''} received after the deadline.", soft_wrap=True)
    _unplaced(ctx, sprint)


def _unplaced(ctx, sprint) -> None:
    """Quarantined files, files of unknown senders, what is left in the inbox and what is claimed unanswered."""
    from toolkit.services.status import unplaced

    found = unplaced(ctx, sprint)
    if not found:
        console.print("Nothing quarantined, unassigned or left in the inbox.")
        return
    table = Table(title=f"Quarantined, unassigned or left in the inbox ({len(found)})")
    for col in ("file", "status", "group", "received", "reason"):
        table.add_column(col)
    for u in found:
        table.add_row(escape(u.what), u.status, u.group, stamp(u.at) if u.at else "", escape(u.reason))
    console.print(table)
