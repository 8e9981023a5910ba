"""What every command shares: the typer app, the consoles, the options every command takes (``--workspace``,
``--today``), the context they make (the clock is made here, at the edge), the first line naming the workspace and
the sprint, the helpers for tables that fit the terminal, lists cut with "and N more", ``--json`` and the exit codes.

Nothing heavy is imported here (no pandas, numpy, openpyxl, pydantic, rich or services): ``mcc --help`` and every
command's start-up pay only for typer (issue 20, docs/cli.md "Start-up"); a command imports what it needs when it
runs, rich when it first prints.
"""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import suppress
from datetime import date
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, get_type_hints

import typer

from toolkit.clock import parse_day

if TYPE_CHECKING:
    from rich.table import Table

    from toolkit.domain.sprints import Sprint
    from toolkit.services.context import Context

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def started() -> None:
    """Start-up (issue 20): with ``MCC_STARTUP_MARK=PATH`` a command writes to PATH, as its body begins, the
    monotonic clock in nanoseconds (system-wide on Linux, CLOCK_MONOTONIC) and the process's CPU time so far, so a
    benchmark that read the same clock when it started the process knows how long the start-up took (interpreter,
    imports, parsing the arguments) in wall and CPU time."""
    path = os.environ.get("MCC_STARTUP_MARK")
    if path:
        Path(path).write_text(f"{time.monotonic_ns()} {time.process_time_ns()}", encoding="ascii")


def _light_coercion() -> None:
    """Start-up (issue 20): typer 0.2x coerces every argument through a pydantic TypeAdapter, and building the first
    one imports pydantic and scans every installed package's entry points for plugins (0.15 s, before the command
    starts). Plain text and plain paths, the arguments of nearly every command, are taken here without it (a path
    still gets typer's own checks, ``coerce_cli_path``); anything else (numbers, lists, choices, paths with a
    ``path_type``) goes to typer as before. An older or newer typer without these internals is left alone."""
    try:
        from typer import core
        from typer._coercion import RuntimeParam
        from typer._param_types import coerce_cli_path
    except ImportError:
        return
    heavy = getattr(core, "build_runtime_param", None)
    if heavy is None or getattr(heavy, "light", False):
        return

    class Light(RuntimeParam):
        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.annotation is str:
                return value if isinstance(value, str) else str(value)
            if self.annotation is Path:
                return coerce_cli_path(value if isinstance(value, Path) else Path(value), self.parameter_info,
                                       path_type=Path, param=param, ctx=ctx)
            if isinstance(value, bool):  # a flag
                return value
            return heavy(descriptor_of(self))._coerce_value(value, param=param, ctx=ctx)  # "yes", "0": typer's

    def descriptor_of(light: Any) -> Any:
        from typer._coercion import resolve_type_descriptor

        return resolve_type_descriptor(light.annotation, light.parameter_info)

    def build(descriptor: Any) -> Any:
        info = descriptor.parameter_info
        plain = descriptor.file_annotation is None and getattr(info, "parser", None) is None and \
            (descriptor.annotation in (str, bool) or (descriptor.annotation is Path and info.path_type is None))
        return Light(parameter_info=info, annotation=descriptor.annotation) if plain else heavy(descriptor)

    build.light = True
    core.build_runtime_param = build


_light_coercion()


class Typer(typer.Typer):
    """typer's app whose every command calls ``started()`` first."""

    def command(self, *args: Any, **kwargs: Any):
        register = super().command(*args, **kwargs)

        def decorator(f):
            @wraps(f)
            def body(*a: Any, **k: Any) -> Any:
                started()
                return f(*a, **k)

            # the annotations evaluated once here, not twice by typer (signature, type hints): a tenth of --help's
            # time; a name defined after the command is left to typer, which evaluates it when it builds the command
            with suppress(NameError):
                body.__annotations__ = get_type_hints(f, include_extras=True)
            register(body)
            return f

        return decorator


app = Typer(
    name="mcc",
    help="Migration Control Centre toolkit: calendar, envelopes, supplier templates, validation, schedule. "
         "The workspace is --workspace, else MCC_WORKSPACE, else the nearest folder at or above this one holding "
         "config/workspace.toml. Every command's first line (on stderr) names the workspace and the sprint: -q "
         "anywhere on the command line leaves it out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: typer's rich help costs a third of a second of imports
)


@app.callback()
def _group() -> None:
    """Always a group of commands: typer runs an app of one command as that command, and a command typed imports
    only its own module (``toolkit.cli.load_commands``), which may hold one command (``mcc mailbox``)."""


class _Console:
    """rich's Console, made when first used: ``mcc --help`` never imports rich (0.06 s)."""

    def __init__(self, **options: Any):
        self._options, self._made = options, None

    def real(self) -> Any:
        """The rich Console itself, for rich's own classes (a progress bar)."""
        if self._made is None:
            from rich.console import Console

            self._made = Console(**self._options)
        return self._made

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


def escape(text: str) -> str:
    """rich's markup escape, imported when first used."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


# soft wrap: a long message is one line the terminal wraps, never a line broken mid-sentence at a guessed width
console = _Console(soft_wrap=True)
err_console = _Console(stderr=True, soft_wrap=True)
QUIET = {"on": bool(os.environ.get("MCC_QUIET"))}  # -q anywhere on the command line (``toolkit.cli.main``)

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="Workspace folder (default: MCC_WORKSPACE, else the nearest folder at or "
                 "above the current one holding config/workspace.toml).", show_default=False),
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
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON (fields in docs/cli.md).")]


def context(workspace: Path | None, today: str | None) -> Context:
    """The context of a command: its workspace and its clock (``--today``, else MCC_TODAY, else the real day)."""
    from toolkit.services.context import Context

    return Context.open(workspace, parse_day(today, "--today") if today else None)


def announced(workspace: Path | None, today: str | None) -> Context:
    """The context of a command that acts on no one sprint, its workspace named on the first line."""
    ctx = context(workspace, today)
    header(ctx)
    return ctx


def header(ctx: Context, sprint: Sprint | None = None, how: str | None = None) -> None:
    """The command's first line (stderr, so ``--json`` stays pure): the workspace and the sprint acted on. ``how``
    says why that sprint: None for one asked with --cycle, else e.g. "being planned" or "executing"."""
    if QUIET["on"]:
        return
    line = f"workspace {ctx.workspace.root}"
    if sprint is not None:
        why = f", {how} on {ctx.clock.today():%a %d %b %Y}" if how else ""
        line += f"; sprint {sprint.cycle} ({sprint.execution_start} to {sprint.execution_end}{why})"
    err_console.print(escape(line), highlight=False, style="dim")


def sprint_of(ctx: Context, cycle: str | None) -> Sprint:
    """The sprint named by ``--cycle``, else the one being planned today; announced on the first line."""
    sprint = ctx.sprint(cycle)
    header(ctx, sprint, None if cycle else "being planned")
    return sprint


def executing_of(ctx: Context, cycle: str | None, day: date) -> Sprint:
    """The sprint named by ``--cycle``, else the one executing on ``day``; announced on the first line."""
    sprint = ctx.executing(cycle, day)
    header(ctx, sprint, None if cycle else "executing")
    return sprint


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


def emit_json(data: Any) -> None:
    """One JSON document on stdout, nothing else (dates as ISO text)."""
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def more(shown: int, total: int) -> str | None:
    """The line that says a list was cut: "and N more" (None when nothing was cut)."""
    return f"... and {total - shown} more" if total > shown else None


def table(title: str | None, *columns: str, dates: tuple[str, ...] = (), right: tuple[str, ...] = ()) -> Table:
    """A table that fits the terminal: a light frame, date columns never cut or wrapped (a narrow terminal squeezes
    the text columns, which wrap whole words), numbers right-aligned."""
    from rich import box
    from rich.table import Table

    t = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, collapse_padding=True,
              title_justify="left")
    for k, col in enumerate(columns):
        if col in dates or k == 0:  # the first column names the row: never squeezed either
            t.add_column(col, no_wrap=True, min_width=10 if col in dates else None)
        else:
            t.add_column(col, justify="right" if col in right else "left", overflow="fold")
    return t
