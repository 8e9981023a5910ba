"""Faults of the machine, not of a file: the ledger read-only or on a full disk, the outbox or the archive that cannot
be written, too many open files. They are no verdict on the file in hand: the inbox pauses, keeps the file where it
is (in ``inbox/`` or claimed in ``inbox/.processing/``, its ledger row unfinished), says what is wrong and tries
again; once the fault is gone every file is answered, once. Anything else that goes wrong on one file is that file's
problem: it is quarantined with the reason and the inbox goes on.
"""

from __future__ import annotations

import errno
import sqlite3

from toolkit.errors import ToolkitError

# errors of the machine or the workspace, whichever file was in hand
ENVIRONMENT = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO, errno.ENOTDIR,
               errno.EEXIST, errno.EISDIR, errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.EAGAIN, errno.EBUSY,
               errno.ESTALE, errno.ENOLCK, errno.EXDEV}


class InboxFault(ToolkitError):
    """The inbox cannot go on until the MCC fixes the machine or the workspace (the message says what)."""


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def environmental(exc: BaseException) -> str | None:
    """What is wrong with the machine, when ``exc`` (or what caused it) is such a fault; None when it is not."""
    for e in _chain(exc):
        if isinstance(e, InboxFault):
            return str(e)
        if isinstance(e, sqlite3.OperationalError):
            return f"the ledger cannot be written ({e})"
        if isinstance(e, OSError) and e.errno in ENVIRONMENT:
            where = f": {e.filename}" if e.filename else ""
            return f"{e.strerror or type(e).__name__}{where}"
    return None


def reraise(exc: BaseException) -> None:
    """Raise ``InboxFault`` for a fault of the machine (or a ``ToolkitError``: the configuration is broken); return
    for anything else, which is the file's problem."""
    if isinstance(exc, ToolkitError):
        raise exc
    fault = environmental(exc)
    if fault is not None:
        raise InboxFault(fault) from exc
