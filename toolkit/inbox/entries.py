"""What lies in the inbox, looked at without following anything, and how a file is claimed.

Only regular files in ``inbox/`` and in the folders its judges accept (``inbox/<GROUP>/``, ``inbox/outturn/``) are
taken. A link, a named pipe, a device or a socket is taken too, but never opened or followed: it is refused, and
answered like an unreadable file. A folder that names no group, and anything two levels deep, is left where it is
and reported (``Stray``), never taken as a claim to be a group's.

A file is claimed by an atomic rename into ``inbox/.processing/`` under a short generated name (``<12 hex>``), after
its record (``<12 hex>.json``: the name as sent, its exact bytes in hex, the folder it came in) is written beside it.
No name a sender chose is ever a path or a header: a name of 255 bytes, with a line break or with bytes that are
not UTF-8 is recorded, and shown in its readable form (``display_name``).
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from toolkit.domain.text import display_name
from toolkit.inbox import safety
from toolkit.store.records import MailOrigin

PROCESSING = ".processing"
RECORD = ".json"
FOLDER_NAME = re.compile(r"[A-Za-z0-9]{1,32}")


@dataclass(frozen=True)
class Arrival:
    """An entry of the inbox to claim: ``folder`` the subfolder it is in (as named; None for ``inbox/`` itself);
    ``refused`` why it is refused unread (a link, a pipe, a device), "" for a regular file."""

    path: Path
    folder: str | None
    refused: str = ""


@dataclass(frozen=True)
class Stray:
    """Something in the inbox that is not taken, and why: reported, never silently ignored."""

    where: str  # relative to inbox/, readable
    reason: str


@dataclass(frozen=True)
class Claim:
    """A claimed entry and its record."""

    path: Path
    name: str  # readable
    name_bytes: bytes
    folder: str | None
    refused: str = ""
    mail: MailOrigin | None = None  # the email it came attached to (``mcc mailbox``)


def refusal(st: os.stat_result, path: Path) -> str:
    """Why an entry is refused unread ("" for a regular file with one name)."""
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        # Where the link points is the MCC's own file system: never in a message that may reach a supplier.
        return "this is a symbolic link, not a file: links are never followed. Send the file itself"
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a folder" if stat.S_ISDIR(mode) else None)
    if kind is not None:
        return f"this is {kind}, not a file: it was not opened. Send the file itself"
    if st.st_nlink > 1:
        return (f"this file has {st.st_nlink} names (a hard link to a file elsewhere): refused unread. Copy the "
                "file into the inbox instead")
    return ""


def _entries(folder: Path) -> list[os.DirEntry]:
    with os.scandir(folder) as it:
        return list(it)


def _arrival(entry: os.DirEntry, folder: str | None) -> Arrival:
    return Arrival(Path(entry.path), folder, refusal(entry.stat(follow_symlinks=False), Path(entry.path)))


def _count(entry: os.DirEntry) -> int:
    try:
        return sum(1 for e in _entries(Path(entry.path)) if not e.is_dir(follow_symlinks=False))
    except OSError:
        return 0


def look(inbox: Path, accepts: Callable[[str], bool]) -> tuple[list[Arrival], list[Stray]]:
    """The entries to claim, oldest first, and what is left and reported."""
    arrivals: list[Arrival] = []
    strays: list[Stray] = []
    if not inbox.is_dir():
        return arrivals, strays
    for entry in _entries(inbox):
        name = entry.name
        if name == PROCESSING:
            continue
        if safety.ignored_name(name) and not entry.is_dir(follow_symlinks=False):
            strays += _ignored(name, "")
            continue
        if not entry.is_dir(follow_symlinks=False):
            arrivals.append(_arrival(entry, None))
        elif not accepts(name):
            strays.append(Stray(f"{display_name(name)}/", f"this folder names no supplier group (nor outturn): its "
                                f"{_count(entry)} files were not taken. Put a group's files in inbox/<GROUP>/ "
                                "(its MPID), or in inbox/ itself"))
        else:
            for sub in _entries(Path(entry.path)):
                if sub.is_dir(follow_symlinks=False):
                    strays.append(Stray(f"{display_name(name)}/{display_name(sub.name)}/",
                                        f"a folder inside a group folder: its {_count(sub)} files were not taken. "
                                        f"Move them into inbox/{display_name(name)}/ itself"))
                elif safety.ignored_name(sub.name):
                    strays += _ignored(sub.name, f"{display_name(name)}/")
                else:
                    arrivals.append(_arrival(sub, name))
    return sorted(arrivals, key=_landed), strays


def _ignored(name: str, where: str) -> list[Stray]:
    """A temporary, partial or lock file is never taken, but it is reported (a return saved as ``plan.tmp`` would
    otherwise wait unseen); the files operating systems leave in folders are not."""
    if name.lower() in safety.SYSTEM_FILES:
        return []
    return [Stray(f"{where}{display_name(name)}", "a temporary, partial or lock file: never taken (it may still be "
                  "being written or be open in Excel). If it is a return, save it as .xlsx")]


def _landed(a: Arrival) -> tuple[float, str]:
    try:
        return a.path.lstat().st_mtime, a.path.name
    except OSError:
        return 0.0, a.path.name


class CannotTake(Exception):  # noqa: N818 - a file the inbox cannot take, not an error of the toolkit
    """One entry cannot be moved out of the inbox (its folder or the entry itself may not be changed by the
    watcher): it is left where it is and reported, and the other files are taken."""


DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


def _processing_dir(processing: Path) -> None:
    """``.processing`` must be a folder of its own: a link (or a file) there is a fault, never followed."""
    try:
        st = processing.lstat()
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(st.st_mode):
        raise NotADirectoryError(20, "inbox/.processing is not a folder (a link or a file is there)", str(processing))


def claim(arrival: Arrival, processing: Path) -> Path:
    """Move the entry out of the inbox's view (an atomic rename, same filesystem; a link is moved, never followed)
    under a generated name, its record written first. The rename is made between folder handles opened without
    following links (the inbox, the group folder, ``.processing``): a group folder swapped for a link after the
    look is never entered. FileNotFoundError when the entry is gone meanwhile (or its folder is no longer a
    folder: the next look reports it)."""
    _processing_dir(processing)
    processing.mkdir(parents=True, exist_ok=True)
    inbox_fd = os.open(processing.parent, DIR_FLAGS)
    fds = [inbox_fd]
    try:
        proc_fd = os.open(PROCESSING, DIR_FLAGS, dir_fd=inbox_fd)
        fds.append(proc_fd)
        if arrival.folder is None:
            src_fd = inbox_fd
        else:
            try:
                src_fd = os.open(arrival.path.parent.name, DIR_FLAGS, dir_fd=inbox_fd)
            except OSError as exc:
                if exc.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR):
                    raise FileNotFoundError(errno.ENOENT, "its folder is gone or no longer a folder",
                                            str(arrival.path)) from exc
                raise
            fds.append(src_fd)
        ident = uuid.uuid4().hex[:12]
        record, part = ident + RECORD, ident + RECORD + ".part"
        name = arrival.path.name
        data = json.dumps({"name": display_name(name), "name_hex": os.fsencode(name).hex(),
                           "folder": arrival.folder}).encode("utf-8")
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=proc_fd)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(part, record, src_dir_fd=proc_fd, dst_dir_fd=proc_fd)
        try:
            os.rename(name, ident, src_dir_fd=src_fd, dst_dir_fd=proc_fd)
        except BaseException as exc:
            os.unlink(record, dir_fd=proc_fd)
            if isinstance(exc, PermissionError):
                where = f"inbox/{display_name(arrival.folder)}/" if arrival.folder else "inbox/"
                raise CannotTake(f"{display_name(name)} cannot be moved out of {where} ({exc.strerror}): it is "
                                 f"left there. Check who may change {where} (the watcher must be able to)") from exc
            raise
        return processing / ident
    finally:
        for fd in fds:
            os.close(fd)


def read_claim(path: Path) -> Claim:
    """The record of a claimed entry (claims made before records were kept: ``<id>.<group or ->.<name>``; an entry
    with neither is answered under its own name)."""
    record = path.with_name(path.name + RECORD)
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        # the record is trusted for nothing that matters: a folder must be a plain name (a group or outturn is
        # checked by the judges), and why an entry is refused is worked out again from the entry itself
        return Claim(path, display_name(str(data["name"])), bytes.fromhex(data["name_hex"]),
                     _folder(data.get("folder")), mail=MailOrigin.of(data.get("mail")))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    parts = path.name.split(".", 2)
    if len(parts) == 3 and len(parts[0]) == 12:
        return Claim(path, display_name(parts[2]), os.fsencode(parts[2]), _folder(parts[1]))
    return Claim(path, display_name(path.name), os.fsencode(path.name), None)


def _folder(value: object) -> str | None:
    """A claim record's folder, if it is a plain folder name (letters and digits: a group MPID, or outturn)."""
    return value if isinstance(value, str) and FOLDER_NAME.fullmatch(value) else None


def claimed(processing: Path, skip: set[str] = frozenset(), tidy: bool = True) -> list[Path]:
    """Entries claimed and not finished (oldest first), except ``skip``; with ``tidy`` (only the holder of the intake
    lock: another process may be between writing a record and renaming its entry), records left without their entry
    (a claim that never happened) are removed."""
    _processing_dir(processing)
    if not processing.is_dir():
        return []
    entries = {e.name: e for e in _entries(processing)}
    out = []
    for name, entry in entries.items():
        if name.endswith(RECORD + ".part") or (name.endswith(RECORD) and name[:-len(RECORD)] not in entries):
            if tidy:
                Path(entry.path).unlink(missing_ok=True)
        elif not name.endswith(RECORD) and name not in skip and not entry.is_dir(follow_symlinks=False):
            out.append(Path(entry.path))
    return sorted(out, key=_claimed_at)


def _claimed_at(path: Path) -> tuple[float, str]:
    try:
        return path.lstat().st_mtime, path.name
    except OSError:
        return 0.0, path.name


def release(path: Path) -> None:
    """Remove a finished claim and its record (a link is removed, never its target)."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + RECORD).unlink(missing_ok=True)


STAGING = ".mail"  # inside .processing: attachments being written (a folder: never taken as a claim)


def deliver(processing: Path, ident: str, name: str, data: bytes, folder: str | None, mail: MailOrigin) -> Path:
    """Claim an attachment of an email as if it had been dropped into ``inbox/<folder>/`` and claimed: its bytes
    written under ``ident`` (chosen by the caller, the same for the same attachment of the same message, so a
    delivery repeated after a crash is recognised), its record (with the email it came in) written first. Returns
    the claimed path."""
    _processing_dir(processing)
    staging = processing / STAGING
    staging.mkdir(parents=True, exist_ok=True)
    part = staging / ident
    with open(part, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    record = processing / (ident + RECORD)
    tmp = processing / (ident + RECORD + ".part")
    tmp.write_text(json.dumps({"name": display_name(name), "name_hex": name.encode("utf-8", "surrogateescape").hex(),
                               "folder": folder, "mail": mail.as_dict()}), encoding="utf-8")
    os.replace(tmp, record)
    os.replace(part, processing / ident)
    return processing / ident
