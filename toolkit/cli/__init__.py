"""The ``mcc`` command: parse arguments, call a service, render the result, set the exit code. One module per
group of commands; ``common`` holds the app, the shared options and the exit codes.

Exit codes: 0 success; 1 the input was judged invalid (a rejected workbook, a failed check);
2 usage or configuration error; 3 an unexpected internal error. Always a message, never a traceback
(``MCC_DEBUG=1`` shows the traceback of an internal error).
"""

from __future__ import annotations

import os
import sys

import typer
from rich.markup import escape

from toolkit.cli import (  # noqa: F401 - they register commands
    bulk_coa,
    distribute,
    inbox,
    key,
    lost_days,
    mailbox,
    monitor,
    plans,
    review,
    schedule,
    setup,
    sites,
)
from toolkit.cli.common import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, QUIET, app, err_console
from toolkit.errors import ToolkitError


def _quiet(argv: list[str]) -> list[str]:
    """``-q`` anywhere before ``--`` leaves out the first line naming the workspace and sprint (``MCC_QUIET=1``
    too); it is taken out of the arguments here, so every command takes it."""
    cut = argv.index("--") if "--" in argv else len(argv)
    quiet = [i for i in range(cut) if argv[i] == "-q"]
    QUIET["on"] = bool(quiet) or bool(os.environ.get("MCC_QUIET"))
    return [a for i, a in enumerate(argv) if i not in quiet]


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the command and turn every outcome into an exit code with a message."""
    argv = _quiet(list(sys.argv[1:] if argv is None else argv))
    try:
        result = app(args=argv, prog_name="mcc", standalone_mode=False)
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
