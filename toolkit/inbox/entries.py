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

import json
import os
import stat
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from toolkit.domain.text import display_name
from toolkit.inbox import safety

PROCESSING = ".processing"
RECORD = ".json"


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
        if name == PROCESSING or (safety.ignored_name(name) and not entry.is_dir(follow_symlinks=False)):
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
                elif not safety.ignored_name(sub.name):
                    arrivals.append(_arrival(sub, name))
    return sorted(arrivals, key=_landed), strays


def _landed(a: Arrival) -> tuple[float, str]:
    try:
        return a.path.lstat().st_mtime, a.path.name
    except OSError:
        return 0.0, a.path.name


def claim(arrival: Arrival, processing: Path) -> Path:
    """Move the entry out of the inbox's view (an atomic rename, same filesystem; a link is moved, never followed)
    under a generated name, its record written first. FileNotFoundError when it is gone meanwhile."""
    if processing.is_symlink() or (processing.exists() and not processing.is_dir()):
        raise NotADirectoryError(20, "inbox/.processing is not a folder", str(processing))
    processing.mkdir(parents=True, exist_ok=True)
    ident = uuid.uuid4().hex[:12]
    record = processing / (ident + RECORD)
    part = processing / (ident + RECORD + ".part")
    name = arrival.path.name
    part.write_text(json.dumps({"name": display_name(name), "name_hex": os.fsencode(name).hex(),
                                "folder": arrival.folder, "refused": arrival.refused}), encoding="utf-8")
    part.replace(record)
    target = processing / ident
    try:
        os.rename(arrival.path, target)
    except BaseException:
        record.unlink(missing_ok=True)
        raise
    return target


def read_claim(path: Path) -> Claim:
    """The record of a claimed entry (claims made before records were kept: ``<id>.<group or ->.<name>``; an entry
    with neither is answered under its own name)."""
    record = path.with_name(path.name + RECORD)
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        return Claim(path, data["name"], bytes.fromhex(data["name_hex"]), data.get("folder"), data.get("refused", ""))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    parts = path.name.split(".", 2)
    if len(parts) == 3 and len(parts[0]) == 12:
        return Claim(path, display_name(parts[2]), os.fsencode(parts[2]), None if parts[1] == "-" else parts[1])
    return Claim(path, display_name(path.name), os.fsencode(path.name), None)


def claimed(processing: Path, skip: set[str] = frozenset(), tidy: bool = True) -> list[Path]:
    """Entries claimed and not finished (oldest first), except ``skip``; with ``tidy`` (only the holder of the intake
    lock: another process may be between writing a record and renaming its entry), records left without their entry
    (a claim that never happened) are removed."""
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
