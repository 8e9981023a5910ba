"""Returned workbooks: ``mcc validate``, ``watch`` and ``status``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
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
        console.print(f"[bold {colour}]{judged.status.value.upper()}[/] {file.name}"
                      + (f": group {judged.group}, {judged.cycle}, version {judged.version}" if judged.group else "")
                      + f" ({judged.errors} errors, {judged.warnings} warnings)", highlight=False)
        for f in judged.findings:
            where = " ".join(x for x in (f.sheet and f"'{f.sheet}'", f.cell, f.ldso) if x)
            console.print(f"  {f.severity.value:<7} {f.rule:<26} {where:<24} {f.message}", highlight=False,
                          soft_wrap=True)
    raise typer.Exit({Status.ACCEPTED: EXIT_OK, Status.REJECTED: EXIT_INVALID}.get(judged.status, EXIT_USAGE))


def _report(o: Outcome) -> None:
    colour = COLOURS.get(o.status, "yellow")
    detail = o.reason if o.status in (Status.QUARANTINED, Status.DUPLICATE) else \
        f"{o.errors} errors, {o.warnings} warnings"
    console.print(f"#{o.row_id} [{colour}]{o.status}[/] {o.name}" + (f" ({o.group}, {o.cycle})" if o.group else "")
                  + f": {detail}", highlight=False, soft_wrap=True)


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

    ctx = context(workspace, today)
    workers = workers or min(os.cpu_count() or 1, 4)
    if once:
        outcomes, waiting = process_inbox(ctx, cycle, quiet, max_wait, workers, on_outcome=_report)
        for path in waiting:
            err_console.print(f"[yellow]waiting[/]: {path.name} is still being written; left in the inbox for the "
                              "next run")
        console.print(f"{len(outcomes)} file{'s' if len(outcomes) != 1 else ''} processed, {len(waiting)} waiting")
        return
    watch_inbox(ctx, cycle, quiet, polling=polling, workers=workers, on_outcome=_report,
                log=lambda m: err_console.print(m))


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
