"""Email: ``mcc distribute``."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from toolkit.cli.common import EXIT_INVALID, CycleOpt, TodayOpt, WorkspaceOpt, app, console, context, err_console

if TYPE_CHECKING:
    from toolkit.services.distribute import Distribution, SendReport


def _table(dist: Distribution, title: str) -> Table:
    table = Table(title=title)
    for col in ("to", "recipients", "subject", "attachments", "record"):
        table.add_column(col, overflow="fold")
    for m in dist.messages[:25]:
        table.add_row(m.party, ", ".join(m.to), m.subject, ", ".join(m.attachments), m.status)
    if len(dist.messages) > 25:
        table.add_row("...", f"and {len(dist.messages) - 25} more", "", "", "")
    return table


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
    workspace: WorkspaceOpt = None,
    today: TodayOpt = None,
) -> None:
    """Write one .eml per recipient into outbox/<cycle>/mail/<what>/ (openable in Outlook); --send sends them,
    each at most once."""
    from toolkit.services.distribute import prepare, send

    ctx = context(workspace, today)
    sprint = ctx.sprint(cycle)
    with console.status(f"composing the {what} messages"):
        dist = prepare(ctx, sprint, what, stage=stage)
    console.print(_table(dist, f"{what} for sprint {sprint.sprint} ({sprint.cycle}): {len(dist.messages)} messages in "
                               f"{dist.folder.relative_to(ctx.workspace.root)}"))
    for party, why in dist.skipped:
        err_console.print(f"[yellow]not addressed[/]: {party}: {why}", highlight=False)
    if not send_them:
        console.print("Nothing was sent (add --send to send them).")
        return
    password = os.environ.get(ctx.config.parameters.smtp.password_env)
    with Progress(TextColumn("sending"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task("send", total=len(dist.messages))
        report = send(ctx, dist, password, retry_uncertain=retry_uncertain, progress=lambda _k, _s: bar.advance(task))
    _show_report(report)
    if report.failed or report.uncertain or report.not_tried:
        raise typer.Exit(EXIT_INVALID)
