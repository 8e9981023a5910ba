"""The ``mcc`` command: parse arguments, call a service, render the result, set the exit code. One module per
group of commands; ``common`` holds the app, the shared options and the exit codes.

Exit codes: 0 success; 1 the input was judged invalid (a rejected workbook, a failed check);
2 usage or configuration error; 3 an unexpected internal error. Always a message, never a traceback
(``MCC_DEBUG=1`` shows the traceback of an internal error).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

EXIT_OK, EXIT_USAGE = 0, 2  # as in toolkit.cli.common, which is not imported before it is needed (mcc --help)

# The module of every command and group of commands: a command imports only its own module (start-up, issue 20:
# typer builds only the commands it may run); --help, no command or an unknown one imports them all.
# tests/test_cli_startup.py checks this table against what each module registers.
MODULES = ("bulk_coa", "distribute", "inbox", "key", "lost_days", "mailbox", "monitor", "plans", "review", "schedule",
           "setup", "sites")
COMMANDS = {
    "bulk-coa": "bulk_coa", "distribute": "distribute",
    "validate": "inbox", "watch": "inbox", "rejudge": "inbox", "status": "inbox",
    "key": "key", "lost-days": "lost_days", "mailbox": "mailbox", "monitor": "monitor",
    "calendar": "plans", "sprints": "plans", "envelopes": "plans", "explain": "plans", "templates": "plans",
    "review": "review", "rehearse": "review",
    "consolidate": "schedule", "uca": "schedule", "publish": "schedule",
    "init": "setup", "generate-industry": "setup", "check": "setup", "control-workbook": "setup", "demo": "setup",
    "version": "setup",
    "sites": "sites",
}


def load_commands(argv: list[str] | None = None) -> typer.Typer:
    """The app with the module of the command ``argv`` starts with imported (its commands registered), or with every
    module imported when ``argv`` starts with no known command (``--help``, nothing, a typo; None: all)."""
    from importlib import import_module

    name = argv[0] if argv else None
    for module in (COMMANDS[name],) if name in COMMANDS else MODULES:
        import_module(f"toolkit.cli.{module}")
    from toolkit.cli.common import app

    return app


def __getattr__(name: str):
    """``toolkit.cli.app``: the app with every command (imported on first use, not at start-up)."""
    if name == "app":
        return load_commands()
    raise AttributeError(name)


def _quiet(argv: list[str]) -> tuple[list[str], bool]:
    """``-q`` anywhere before ``--`` leaves out the first line naming the workspace and sprint (``MCC_QUIET=1``
    too); it is taken out of the arguments here, so every command takes it."""
    cut = argv.index("--") if "--" in argv else len(argv)
    quiet = [i for i in range(cut) if argv[i] == "-q"]
    return [a for i, a in enumerate(argv) if i not in quiet], bool(quiet) or bool(os.environ.get("MCC_QUIET"))


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the command and turn every outcome into an exit code with a message."""
    argv, quiet = _quiet(list(sys.argv[1:] if argv is None else argv))
    if argv == ["--help"]:
        return _help()
    return _run(argv, quiet)


def _help() -> int:
    """``mcc --help``: the copy of the text typer printed last time, when the code has not changed since (start-up,
    issue 20, ``toolkit.cli.helptext``); else typer's, printed and copied."""
    from contextlib import redirect_stdout
    from io import StringIO

    from toolkit.cli import helptext

    width = helptext.columns()
    text = helptext.read(width)
    code = EXIT_OK
    if text is None:
        out = StringIO()
        with redirect_stdout(out):
            code = _run(["--help"])
        text = out.getvalue()
        if code == EXIT_OK:
            helptext.write(width, text)
    sys.stdout.write(text)
    sys.stdout.flush()
    return code


def _run(argv: list[str], quiet: bool = False) -> int:
    import typer

    from toolkit.cli.common import EXIT_INTERNAL, QUIET, err_console, escape
    from toolkit.errors import ToolkitError

    QUIET["on"] = quiet
    try:
        result = load_commands(argv)(args=argv, prog_name="mcc", standalone_mode=False)
        return result if isinstance(result, int) else EXIT_OK
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        err_console.print("aborted")
        return EXIT_USAGE
    except ToolkitError as exc:  # ConfigError among them; messages name "[section] key", which is not markup
        err_console.print(f"[red]error[/]: {escape(str(exc))}", highlight=False)
        return EXIT_USAGE
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return EXIT_USAGE
    except Exception as exc:
        if callable(getattr(exc, "show", None)) and hasattr(exc, "exit_code"):
            exc.show()  # a usage error from typer's argument parser: message and usage line
            return EXIT_USAGE
        # the last resort: a message, not a traceback
        if os.environ.get("MCC_DEBUG"):
            raise
        err_console.print(f"[red]internal error[/]: {type(exc).__name__}: {escape(str(exc))} "
                          "(set MCC_DEBUG=1 to see the traceback, and report it)", highlight=False)
        return EXIT_INTERNAL


def entry() -> None:
    sys.exit(main())


__all__ = ["app", "entry", "main"]
