"""One intake process per workspace: the lock file ``workbooks/intake.lock``.

Taking it: the file is opened and locked with ``flock`` (exclusive, not waiting), which the kernel releases when the
holder dies however it dies, so on one machine a stale lock cannot exist. The holder writes its pid, host, command
and start time into it and touches it every ``stale_seconds / 4`` (a heartbeat, from a thread of its own). A
workspace on a network share may be watched from two machines, whose ``flock`` may not see each other: a lock whose
file names another host is taken over only when its heartbeat is older than ``stale_seconds`` (the file system's
own clock, read by touching a probe file beside it), and the taker checks a moment later that the lock is still its
own. The file is never deleted (deleting a locked file lets a third process lock a new one): released, it is
emptied.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import WorkspaceError


class LockHeld(WorkspaceError):
    """Another process is taking in the inbox of this workspace."""


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str
    command: str
    since: str

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host} ({self.command}, since {self.since})"


def read_holder(path: Path) -> Holder | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "null")
        return Holder(int(data["pid"]), str(data["host"]), str(data.get("command", "")), str(data.get("since", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class IntakeLock:
    """``with IntakeLock(path, ...):`` holds the workspace's intake for the block; ``LockHeld`` names the holder."""

    def __init__(self, path: Path, command: str, since: str, stale_seconds: float = 120.0,
                 settle: float = 1.0, wait=None):
        self.path, self.command, self.since, self.stale_seconds, self.settle = path, command, since, stale_seconds, \
            settle
        self.wait = wait or threading.Event().wait
        self.fd: int | None = None
        self.me = Holder(os.getpid(), socket.gethostname(), command, since)
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def _refuse(self, holder: Holder | None) -> LockHeld:
        who = str(holder) if holder else "another process"
        return LockHeld(f"the inbox of this workspace is being taken in by {who}; only one intake process may run "
                        f"per workspace (the lock is {self.path}). Stop that one first, or let it do the work")

    def _filesystem_now(self) -> float:
        probe = self.path.with_name(self.path.name + ".probe")
        probe.touch()
        os.utime(probe)
        return probe.stat().st_mtime

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise self._refuse(read_holder(self.path)) from None
        holder = read_holder(self.path)
        elsewhere = holder is not None and holder.host != self.me.host
        if elsewhere and self._filesystem_now() - self.path.stat().st_mtime < self.stale_seconds:
            os.close(fd)
            raise self._refuse(holder)
        self.fd = fd
        self._write(self.me)
        if elsewhere:  # two machines taking over one stale lock at once: the last writer wins, the other stops
            self.wait(self.settle)
            if read_holder(self.path) != self.me:
                self.release(empty=False)
                raise self._refuse(read_holder(self.path))
        self._beat = threading.Thread(target=self._heartbeat, name="intake-lock", daemon=True)
        self._beat.start()

    def _write(self, holder: Holder) -> None:
        data = json.dumps({"pid": holder.pid, "host": holder.host, "command": holder.command,
                           "since": holder.since}).encode()
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, data, 0)
        os.fsync(self.fd)

    def _heartbeat(self) -> None:
        while not self._stop.wait(max(self.stale_seconds / 4, 0.05)):
            with contextlib.suppress(OSError):
                os.utime(self.path)

    def release(self, empty: bool = True) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(5)
        if self.fd is not None:
            with contextlib.suppress(OSError):
                if empty:
                    os.ftruncate(self.fd, 0)
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> IntakeLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
