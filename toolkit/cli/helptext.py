"""``mcc --help`` from a copy of the text typer printed last time (start-up, issue 20: building the app imports typer
and registers about forty commands, 0.15-0.25 s before a word is printed; the copy is printed in 0.05 s more than the
interpreter's own start).

The copy is ``toolkit/cli/__pycache__/help-<columns>.txt`` (where Python keeps the compiled modules of this package;
one file per terminal width, since the text is wrapped to it). Its first line is its key, worked out from:
- the size and modification time of every module of ``toolkit/cli`` (the commands and their docstrings, the only
  text the top-level help shows) and of ``toolkit/__init__.py`` (the version);
- typer's package and its version module (the layout of the text), and the Python version.

Anything else (no copy, another key, an unreadable file) runs typer as before, prints its text and writes a new copy:
to a temporary file first, then ``os.replace``, so two processes at once leave one whole copy. A copy that cannot be
written (a read-only install) is skipped: the copy saves time, it is never needed. ``PYTHONDONTWRITEBYTECODE`` is
about compiled modules and does not stop it (container images often set it); ``MCC_HELP_CACHE=0`` neither reads nor
writes one. Only the exact command ``mcc --help`` is served this way (``mcc`` alone prints the same text but exits 2,
through typer); ``toolkit.cli._help`` reads, prints and writes the copy.

Nothing here imports typer, rich or the toolkit's commands.
"""

from __future__ import annotations

import hashlib
import os
import sys
from contextlib import suppress
from importlib.util import find_spec
from pathlib import Path

FORMAT = 1  # the layout of the file: "mcc-help <FORMAT> <key>\n" then the text exactly as printed
_HERE = Path(__file__).parent


def enabled() -> bool:
    return os.environ.get("MCC_HELP_CACHE", "1") != "0"


def columns() -> int:
    """The width the help is wrapped to: the one typer's formatter reads (``COLUMNS``, else the terminal's, else 80)."""
    from shutil import get_terminal_size

    return get_terminal_size().columns


def path(width: int) -> Path:
    return _HERE / "__pycache__" / f"help-{width}.txt"


def key(width: int) -> str:
    """The key of the help text as the code is now, at terminal width ``width``."""
    files = sorted(_HERE.glob("*.py")) + [_HERE.parent / "__init__.py"]
    spec = find_spec("typer")
    if spec is not None and spec.origin:
        typer_dir = Path(spec.origin).parent
        files += [typer_dir / "__init__.py", typer_dir / "core.py", typer_dir / "main.py"]
    h = hashlib.blake2b(f"{FORMAT}\0{sys.version}\0{width}\0".encode(), digest_size=20)
    for f in files:
        try:
            st = f.stat()
            h.update(f"{f}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        except OSError:
            h.update(f"{f}\0missing\0".encode())
    return h.hexdigest()


def read(width: int) -> str | None:
    """The copied help text when there is one under the key of the code as it is now; else None."""
    if not enabled():
        return None
    try:
        raw = path(width).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    first, _, text = raw.partition("\n")
    return text if first == f"mcc-help {FORMAT} {key(width)}" and text else None


def write(width: int, text: str) -> None:
    """Keep ``text`` as the help at ``width``; silently skipped when it cannot be written."""
    if not enabled() or not text:
        return
    target = path(width)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(exist_ok=True)
        tmp.write_text(f"mcc-help {FORMAT} {key(width)}\n{text}", encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        with suppress(OSError):
            tmp.unlink()

