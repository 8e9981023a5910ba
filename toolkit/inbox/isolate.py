"""Parse an untrusted workbook in a child process with a memory limit and a timeout (EXCEL.md: parse untrusted
files in a subprocess). The child only reads values; nothing in the file is ever run. It ignores Ctrl+C and
SIGTERM (the parent decides when to stop), so an interrupted watcher prints no child's traceback."""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
from dataclasses import dataclass
from pathlib import Path

from toolkit.domain.findings import RuleId
from toolkit.domain.submission import Submission


@dataclass(frozen=True)
class ReadFailure:
    reason: str
    rule: RuleId = RuleId.IDENTITY_TEMPLATE
    sheet: str = ""
    cell: str = ""


MAX_CELLS = 2_000_000  # [inbox] max_sheet_cells


def read_guarded(path: Path, name: str, max_cells: int = MAX_CELLS) -> Submission | ReadFailure:
    """Read a returned workbook in this process, every failure turned into a reason. Only for a process that is
    itself the isolation boundary (a child with a memory limit, or a pool worker: ``toolkit.inbox.workers``)."""
    from toolkit.excel.reader import TemplateReadError, read_template

    try:
        return read_template(Path(path), name, max_cells)
    except TemplateReadError as exc:
        return ReadFailure(exc.message, exc.rule, exc.sheet, exc.cell)
    except MemoryError:
        return ReadFailure("reading the workbook needed more memory than a template ever does")
    except Exception as exc:  # noqa: BLE001 - every failure is a reason
        text = str(exc)
        if "entit" in text.lower() or "DTD" in text:
            text = "the workbook's XML declares entities (refused: a possible XML entity attack)"
        return ReadFailure(f"the workbook cannot be read ({type(exc).__name__}: {text})")


def limit_memory(memory_bytes: int) -> None:
    """Cap this process's address space at what it holds now plus ``memory_bytes`` (a file that needs more fails
    here instead of taking the machine). Counted from what it holds: a worker forked from a large process (the
    rehearsal after a few sprints, a long test session) inherits its address space, and a cap below that left it
    no room for anything, not even the ledger's shared memory ("disk I/O error")."""
    if memory_bytes:
        limit = _address_space() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _address_space() -> int:
    """This process's virtual size in bytes (0 where /proc cannot tell)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def leave_signals_to_parent() -> None:
    """Ctrl+C reaches every process of the terminal's group, SIGTERM every process of a service: a reader or worker
    ignores both and lets its parent stop it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _child(conn, path: str, args: tuple, memory_bytes: int) -> None:
    try:
        leave_signals_to_parent()
        limit_memory(memory_bytes)
        conn.send(read_guarded(Path(path), *args))
    finally:
        conn.close()


def _table_child(conn, path: str, args: tuple, memory_bytes: int) -> None:
    from toolkit.excel.reader import TemplateReadError, read_table

    try:
        leave_signals_to_parent()
        limit_memory(memory_bytes)
        conn.send(read_table(Path(path), *args))
    except TemplateReadError as exc:
        conn.send(ReadFailure(exc.message, exc.rule, exc.sheet, exc.cell))
    except MemoryError:
        conn.send(ReadFailure("reading the workbook needed more memory than allowed"))
    except Exception as exc:  # noqa: BLE001 - the child reports every failure as a reason
        conn.send(ReadFailure(f"the workbook cannot be read ({type(exc).__name__}: {exc})"))
    finally:
        conn.close()


def _isolated(target, path: Path, args: tuple, timeout: float, memory_mb: int):
    """Run ``target(conn, path, args, memory)`` in a forked child and return what it sent, or the reason it sent
    nothing: it overran ``timeout`` (and was killed) or died."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=target, args=(child, str(path), args, memory_mb * 2**20), daemon=True)
    proc.start()
    child.close()
    result = None
    if parent.poll(timeout):
        try:
            result = parent.recv()
        except EOFError:
            result = None
    proc.join(5)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return ReadFailure(f"reading the workbook took longer than {timeout:.0f} s")
    if result is None:
        return ReadFailure(f"the reader stopped (exit code {proc.exitcode}) on this file; it may be malformed or "
                           "too large")
    return result


def read_isolated(path: Path, name: str, timeout: float = 60.0, memory_mb: int = 1024,
                  max_cells: int = MAX_CELLS) -> Submission | ReadFailure:
    """A returned template read in a child process with a memory limit and a timeout."""
    return _isolated(_child, path, (name, max_cells), timeout, memory_mb)


def read_table_isolated(path: Path, sheet: str, timeout: float = 60.0, memory_mb: int = 1024,
                        max_cells: int = MAX_CELLS) -> tuple[str, list[list]] | ReadFailure:
    """The cell values of one sheet (``sheet`` if the workbook has it, else the first), read in a child process
    with limits: (sheet name, rows)."""
    return _isolated(_table_child, path, (sheet, max_cells), timeout, memory_mb)
