"""What every command shares: the typer app, the consoles, the options every command takes (``--workspace``,
``--today``), the context they make (the clock is made here, at the edge) and the exit codes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from toolkit.clock import parse_day
from toolkit.services.context import Context

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

app = typer.Typer(
    name="mcc",
    help="Migration Control Centre toolkit: calendar, envelopes, supplier templates, validation, schedule.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="Workspace folder (default: the current folder if it has a "
                 "config/, else the repository root).", show_default=False),
]
TodayOpt = Annotated[
    str | None,
    typer.Option("--today", metavar="YYYY-MM-DD", help="The day to act as, for rehearsals (default: MCC_TODAY if "
                 "set, else today).", show_default=False),
]
CycleOpt = Annotated[
    str | None,
    typer.Option(help="Sprint (S3 or 3); default: the sprint being planned today."),
]


def context(workspace: Path | None, today: str | None) -> Context:
    """The context of a command: its workspace and its clock (``--today``, else MCC_TODAY, else the real day)."""
    return Context.open(workspace, parse_day(today, "--today") if today else None)


def day_option(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (write it as YYYY-MM-DD)", param_hint=name) from None


def warn(ctx: Context) -> None:
    for problem in ctx.config.warnings:
        err_console.print(f"[yellow]warning[/]: {escape(str(problem))}")
