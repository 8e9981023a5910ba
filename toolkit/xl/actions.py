"""The operations MCC staff run from Excel, as plain functions over the same services as the CLI. Each returns a
``Result``: a table for a sheet of the control workbook and a one-line message. No xlwings here: the adapter
(``toolkit.xl.adapter``) reads the request from the book and writes the result back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.clock import stamp
from toolkit.domain.status import Status
from toolkit.domain.text import counted
from toolkit.errors import UsageError
from toolkit.excel.writers.control import (
    CONSOLIDATE,
    ISSUE_TEMPLATE,
    PROCESS_INBOX,
    REFRESH_STATUS,
    VALIDATE_WORKBOOK,
)
from toolkit.services.consolidate import consolidate_schedule
from toolkit.services.context import Context
from toolkit.services.inbox import make_inbox, process
from toolkit.services.issue import issue_templates
from toolkit.services.judge import validate_file
from toolkit.services.status import submission_status


@dataclass(frozen=True)
class Request:
    """What the control sheet asks for."""

    action: str
    group: str = ""
    file: str = ""
    cycle: str = ""


@dataclass
class Result:
    sheet: str  # the sheet the table goes to
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    message: str = ""
    ok: bool = True


def issue_template(ctx: Context, req: Request) -> Result:
    if not req.group.strip():
        raise UsageError("choose a supplier group (Supplier group cell) to issue its template")
    sprint = ctx.sprint(req.cycle or None)
    issued = issue_templates(ctx, sprint, groups=[req.group.strip()], workers=1)
    folder = ctx.workspace.templates_dir(sprint.cycle)
    rows = [[t.group, t.version, str(folder / t.file), stamp(t.issued_at),
             f"{sprint.submission_deadline:%a %d %b %Y}"] for t in issued]
    return Result("Templates", ["group", "version", "file", "issued at", "return by"], rows,
                  f"Issued {issued[0].file} for sprint {sprint.sprint} ({sprint.cycle})")


def validate_workbook(ctx: Context, req: Request) -> Result:
    if not req.file.strip():
        raise UsageError("give the workbook to validate (Workbook cell): its full path")
    path = Path(req.file.strip().strip('"'))
    judged = validate_file(ctx, path, req.cycle or None)
    rows = [[f.severity.value, f.rule, f.sheet or "", f.cell or "", f.ldso or "",
             f.date.isoformat() if f.date else "", f.value or "", f.message, f.hint or ""] for f in judged.findings]
    return Result("Findings", ["severity", "rule", "sheet", "cell", "LDSO", "date", "value", "message", "hint"], rows,
                  f"{judged.status.value.upper()}: {path.name}, {counted(judged.errors, 'error')}, "
                  f"{counted(judged.warnings, 'warning')}",
                  ok=judged.status == Status.ACCEPTED)


def process_inbox(ctx: Context, req: Request) -> Result:
    outcomes, waiting = process(make_inbox(ctx, req.cycle or None), quiet=1.0, max_wait=10.0)
    rows = [[o.row_id, o.name, o.status, o.group or "", o.cycle or "", o.errors, o.warnings, o.reason or ""]
            for o in outcomes]
    rows += [["", p.name, "waiting", "", "", "", "", "still being written; left for the next run"] for p in waiting]
    counts = {s: sum(o.status == s for o in outcomes) for s in (Status.ACCEPTED, Status.REJECTED, Status.QUARANTINED,
                                                                Status.DUPLICATE)}
    return Result("Inbox", ["#", "file", "status", "group", "cycle", "errors", "warnings", "reason"], rows,
                  f"{len(outcomes)} files processed: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v)
                  + (f"; {len(waiting)} waiting" if waiting else ""))


def consolidate(ctx: Context, req: Request) -> Result:
    result, path = consolidate_schedule(ctx, ctx.sprint(req.cycle or None))
    rows = [[b.scope, b.granularity, b.period.isoformat(), b.planned, round(b.limit), b.planned - round(b.limit),
             "; ".join(f"{g} {v:,}" for g, v in b.contributors)] for b in result.breaches]
    return Result("Breaches", ["scope", "day or week", "date", "planned", "limit", "excess", "groups contributing"],
                  rows, f"Draft schedule {path.name}: {len(result.plans)} plans, {len(result.missing)} groups without "
                  f"one, {len(result.breaches)} breaches ({path})", ok=not result.breaches)


def refresh_status(ctx: Context, req: Request) -> Result:
    sprint = ctx.sprint(req.cycle or None)
    status = submission_status(ctx, sprint.cycle)
    rows = [[s.group, s.name, s.submitted, s.accepted, s.rejected, s.quarantined, s.latest_version or "",
             s.latest_status or "", stamp(s.latest_at) if s.latest_at else "", s.current_plan or "outstanding"]
            for s in status]
    missing = sum(s.current_plan is None for s in status)
    return Result("Status", ["group", "name", "submitted", "accepted", "rejected", "quarantined", "latest version",
                             "latest status", "latest at", "current plan"], rows,
                  f"Sprint {sprint.sprint} ({sprint.cycle}), deadline {sprint.submission_deadline:%a %d %b %Y}: "
                  f"{len(status) - missing} of {len(status)} groups have a valid plan")


# one function for each label of the Control sheet's list, in the list's order: the labels belong to the sheet's
# writer, and a test holds the two to the same labels in the same order
ACTIONS: dict[str, Callable[[Context, Request], Result]] = {
    ISSUE_TEMPLATE: issue_template,
    VALIDATE_WORKBOOK: validate_workbook,
    PROCESS_INBOX: process_inbox,
    CONSOLIDATE: consolidate,
    REFRESH_STATUS: refresh_status,
}
