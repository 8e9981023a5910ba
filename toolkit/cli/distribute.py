"""Email: ``mcc distribute``."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from toolkit.cli.common import (
    EXIT_INVALID,
    CycleOpt,
    JsonOpt,
    TodayOpt,
    WorkspaceOpt,
    app,
    console,
    context,
    emit_json,
    err_console,
    more,
    sprint_of,
    table,
)
from toolkit.errors import UsageError

if TYPE_CHECKING:
    from rich.table import Table

    from toolkit.services.distribute import Distribution, SendReport

SHOWN = 25


def _table(dist: Distribution, title: str) -> Table:
    t = table(title, "to", "recipients", "subject", "attachments", "record")
    for m in dist.messages[:SHOWN]:
        t.add_row(m.party, ", ".join(m.to), m.subject, ", ".join(m.attachments), m.status)
    if cut := more(min(SHOWN, len(dist.messages)), len(dist.messages)):
        t.add_row(cut, "", "", "", "")
    return t


def _json(ctx, sprint, dist: Distribution, report: SendReport | None) -> dict:
    """``mcc distribute --json`` (docs/cli.md lists the fields)."""
    out = {"workspace": str(ctx.workspace.root), "sprint": sprint.cycle, "what": dist.what,
           "folder": str(dist.folder),
           "messages": [{"key": m.key, "to": m.party, "recipients": list(m.to), "subject": m.subject,
                         "attachments": list(m.attachments), "record": m.status} for m in dist.messages],
           "not_addressed": [{"party": p, "why": w} for p, w in dist.skipped], "sent": None}
    if report is not None:
        out["sent"] = {"sent": report.sent, "already": report.already, "uncertain": report.uncertain,
                       "failed": [{"key": k, "error": e} for k, e in report.failed],
                       "refused": [{"key": k, "refused": r} for k, r in report.refused],
                       "not_tried": report.not_tried, "stopped": report.stopped}
    return out


def _show_report(report: SendReport) -> None:
    console.print(f"{len(report.sent)} sent, {len(report.already)} already sent before, {len(report.failed)} failed, "
                  f"{len(report.uncertain)} uncertain, {len(report.not_tried)} not tried")
    for key, error in report.failed:
        err_console.print(f"[red]failed[/]: {key}: {error}", highlight=False)
    for key, refused in report.refused:
        err_console.print(f"[yellow]partly refused[/]: {key} was sent, but not to {refused}", highlight=False)
    for key in report.uncertain:
        err_console.print(f"[yellow]uncertain[/]: {key} was being sent when an earlier run stopped; check the sent "
                          "items, then use --retry-uncertain to send it again", highlight=False)
    if report.stopped:
        err_console.print(f"[red]stopped[/]: {report.stopped}", highlight=False)


@app.command()
def distribute(
    what: Annotated[str, typer.Option(help="templates, feedback, reminders, uca, grants or publication.")],
    cycle: CycleOpt = None,
    send_them: Annotated[bool, typer.Option("--send", help="Send the messages through the [smtp] server of "
                                            "config/parameters.toml (password from its password_env variable). "
                                            "Without it nothing leaves the machine.")] = False,
    stage: Annotated[str | None, typer.Option(help="With --what publication: draft or baseline (default: the "
                                              "latest publication, the baseline if there is one).")] = None,
    retry_uncertain: Annotated[bool, typer.Option(help="Send again the messages an interrupted run left "
                                                  "uncertain (check the sent items first).")] = False,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Write one .eml per recipient into outbox/<cycle>/mail/<what>/ (openable in Outlook); --send sends them,
    each at most once."""
    from toolkit.services.distribute import prepare, send

    ctx = context(workspace, today)
    sprint = sprint_of(ctx, cycle)
    smtp = ctx.config.parameters.smtp
    password = os.environ.get(smtp.password_env)
    if send_them and not smtp.host:  # said before anything is composed or listed
        raise UsageError("no mail server: set [smtp] host in config/parameters.toml to send (without --send the "
                         "messages are written to outbox/ and nothing leaves the machine)")
    if send_them and smtp.user and not password:
        raise UsageError(f"no password for {smtp.user!r} on {smtp.host}: set the environment variable "
                         f"{smtp.password_env} ([smtp] password_env)")
    with console.status(f"composing the {what} messages"):
        dist = prepare(ctx, sprint, what, stage=stage)
    if not as_json:
        console.print(_table(dist, f"{what} for sprint {sprint.sprint} ({sprint.cycle}): {len(dist.messages)} "
                                   f"messages in {dist.folder.relative_to(ctx.workspace.root)}"))
        for party, why in dist.skipped:
            err_console.print(f"[yellow]not addressed[/]: {party}: {why}", highlight=False)
    if not send_them:
        if as_json:
            emit_json(_json(ctx, sprint, dist, None))
        else:
            console.print("Nothing was sent (add --send to send them).")
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("sending"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console.real(), transient=True) as bar:
        task = bar.add_task("send", total=len(dist.messages))
        report = send(ctx, dist, password, retry_uncertain=retry_uncertain, progress=lambda _k, _s: bar.advance(task))
    if as_json:
        emit_json(_json(ctx, sprint, dist, report))
    else:
        _show_report(report)
    if report.failed or report.uncertain or report.not_tried:
        raise typer.Exit(EXIT_INVALID)
