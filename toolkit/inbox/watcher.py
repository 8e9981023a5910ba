"""Watch the inbox with watchdog (inotify, or polling for network shares) and hand complete files to the
pipeline (shared/design/INBOX.md). Events are hints only: every path they name goes into a pending set; the
inbox is also scanned at start-up and every ``scan_seconds``; a file is processed when its size and mtime have
not changed for ``quiet_seconds`` and it opens as a zip (or, if it never does, after ``settle_seconds`` more,
when it is judged as the broken file it is). A file inotify saw closed after writing, or renamed into place (an
Excel-style save), that opens as a complete zip is taken at once: its writer is done. The observer thread is
checked and restarted if it died. With ``workers`` > 1, files are judged and answered by a pool of worker
processes (``toolkit.inbox.workers``) after being admitted here in the order they landed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from toolkit.inbox import safety
from toolkit.inbox.intake import PROCESSING, Admitted, Inbox
from toolkit.inbox.workers import WorkerPool


@dataclass
class Stability:
    """Tracks each waiting file's size and mtime; ``ready`` once unchanged long enough."""

    quiet_seconds: float = 2.0
    settle_seconds: float = 10.0
    clock: Callable[[], float] = time.monotonic
    seen: dict[Path, tuple[int, float, float]] = field(default_factory=dict)  # size, mtime, unchanged since

    def ready(self, path: Path, closed: bool = False) -> bool:
        """``closed``: inotify reported the writer closed the file (or it was renamed into place)."""
        try:
            st = path.stat()
        except FileNotFoundError:
            self.seen.pop(path, None)
            return False
        if self.quiet_seconds <= 0:  # files known to be complete (written by the toolkit itself)
            return True
        if closed and safety.zip_complete(path):
            self.seen.pop(path, None)
            return True
        now = self.clock()
        sig = (st.st_size, st.st_mtime)
        prev = self.seen.get(path)
        if prev is None or prev[:2] != sig:
            self.seen[path] = (*sig, now)
            return False
        quiet = now - prev[2]
        if quiet < self.quiet_seconds:
            return False
        if safety.zip_complete(path) or quiet >= self.quiet_seconds + self.settle_seconds:
            self.seen.pop(path, None)
            return True
        return False

    def waiting(self) -> list[Path]:
        return list(self.seen)


class _Hints(FileSystemEventHandler):
    def __init__(self, pending: set[Path], lock: threading.Lock, closed: set[Path] | None = None):
        self.pending, self.lock = pending, lock
        self.closed = closed if closed is not None else set()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        paths = [Path(p if isinstance(p, str) else p.decode()) for p in (event.src_path,
                                                                          getattr(event, "dest_path", "")) if p]
        with self.lock:
            self.pending.update(paths)
            if event.event_type == "closed":  # IN_CLOSE_WRITE: the writer is done with it
                self.closed.add(paths[0])
            elif event.event_type == "moved":  # renamed into place: complete as it arrives
                self.closed.add(paths[-1])
            elif event.event_type in ("created", "modified"):
                self.closed.discard(paths[0])


def run_once(inbox: Inbox, stability: Stability, max_wait: float, sleep: Callable[[float], None] = time.sleep,
             clock: Callable[[], float] = time.monotonic, workers: int = 1) -> tuple[list, list[Path]]:
    """Process what is in the inbox now, waiting up to ``max_wait`` seconds for files still being written;
    returns the outcomes and the files left waiting. ``workers`` > 1 judges in that many worker processes."""
    outcomes = inbox.recover()
    pool: WorkerPool | None = None  # started with the first file ready (an empty inbox needs none)
    deadline = clock() + max_wait
    try:
        while True:
            waiting = []
            for path, group in inbox.candidates():
                if not stability.ready(path):
                    waiting.append(path)
                    continue
                if pool is None and workers > 1:
                    pool = WorkerPool(inbox, workers)
                if pool is None:
                    outcomes.append(inbox.process_claimed(inbox.claim(path, group)))
                else:
                    admitted = inbox.admit(inbox.claim(path, group))
                    if isinstance(admitted, Admitted):
                        pool.submit(admitted)
                        outcomes += pool.poll(0.0)  # an idle worker starts on it now
                    else:
                        outcomes.append(admitted)
            if pool is not None:
                outcomes += pool.poll(0.0)
            if not waiting or clock() >= deadline:
                if pool is not None:
                    outcomes += pool.drain()
                return outcomes, waiting
            sleep(min(0.25, stability.quiet_seconds / 4))
    finally:
        if pool is not None:
            pool.close()


def watch(inbox: Inbox, stability: Stability, polling: bool = False, poll_seconds: float = 2.0,
          scan_seconds: float = 30.0, stop: threading.Event | None = None,
          log: Callable[[str], None] = print, workers: int = 1) -> None:
    """Watch until ``stop`` is set (or KeyboardInterrupt)."""
    _Watch(inbox, stability, polling, poll_seconds, log).run(stop or threading.Event(), scan_seconds, workers)


class _Watch:
    """The state of a running watch: the paths events named (``pending``), those seen closed, the observer and the
    worker pool."""

    def __init__(self, inbox: Inbox, stability: Stability, polling: bool, poll_seconds: float,
                 log: Callable[[str], None]):
        self.inbox, self.stability, self.polling, self.poll_seconds, self.log = (inbox, stability, polling,
                                                                                 poll_seconds, log)
        self.pending: set[Path] = set()
        self.closed: set[Path] = set()
        self.lock = threading.Lock()
        self.pool: WorkerPool | None = None

    def start_observer(self):
        observer = PollingObserver(timeout=self.poll_seconds) if self.polling else Observer()
        observer.schedule(_Hints(self.pending, self.lock, self.closed), str(self.inbox.ws.inbox), recursive=True)
        observer.daemon = True
        observer.start()
        return observer

    def run(self, stop: threading.Event, scan_seconds: float, workers: int) -> None:
        inbox = self.inbox
        inbox.ws.inbox.mkdir(parents=True, exist_ok=True)
        observer = self.start_observer()
        how = f"polling every {self.poll_seconds:g} s" if self.polling else "inotify"
        inbox.recover()
        self.pool = WorkerPool(inbox, workers) if workers > 1 else None
        self.log(f"watching {inbox.ws.inbox} ({how}{f', {workers} workers' if self.pool else ''}); Ctrl+C to stop")
        last_scan = 0.0
        try:
            while not stop.is_set():
                if not observer.is_alive():
                    self.log("the folder watcher stopped; restarting it and rescanning the inbox")
                    observer = self.start_observer()
                    last_scan = 0.0
                now = time.monotonic()
                if now - last_scan >= scan_seconds:
                    self.scan()
                    last_scan = now
                with self.lock:
                    batch = sorted(self.pending, key=_landed)
                for path in batch:
                    self.consider(path)
                if self.pool is not None and self.poll_pool():
                    continue
                stop.wait(0.05 if self.pending else 0.25)
        except KeyboardInterrupt:
            self.log("stopped")
        finally:
            if self.pool is not None:
                self.pool.drain()
                self.pool.close()
            observer.stop()
            observer.join(5)

    def scan(self) -> None:
        """Files a failed attempt left claimed, and every file in the inbox (events are hints only)."""
        try:
            self.inbox.recover()
        except Exception as exc:  # noqa: BLE001 - the watcher keeps watching; the file stays claimed
            self.log(f"could not finish a claimed file yet: {exc}")
        with self.lock:
            self.pending.update(p for p, _ in self.inbox.candidates())

    def consider(self, path: Path) -> None:
        """Forget a path that is not an inbox file; take one that is ready."""
        root = self.inbox.ws.inbox
        if PROCESSING in path.parts or safety.ignored_name(path.name) or not path.is_file():
            with self.lock:
                self.pending.discard(path)
                self.closed.discard(path)
            return
        if path.parent != root and path.parent.parent != root:
            with self.lock:
                self.pending.discard(path)
            return
        with self.lock:
            was_closed = path in self.closed
        if self.stability.ready(path, closed=was_closed):
            with self.lock:
                self.pending.discard(path)
                self.closed.discard(path)
            self.take(path, path.parent.name.upper() if path.parent != root else None)

    def take(self, path: Path, group: str | None) -> None:
        try:
            claimed = self.inbox.claim(path, group)
        except FileNotFoundError:
            return  # claimed by another watcher or removed meanwhile
        try:
            if self.pool is None:
                self.inbox.process_claimed(claimed)
            else:
                admitted = self.inbox.admit(claimed)
                if isinstance(admitted, Admitted):
                    self.pool.submit(admitted)
                    self.pool.poll(0.0)  # an idle worker starts on it now, not after the whole batch
        except Exception as exc:  # noqa: BLE001 - e.g. the configuration was saved half-edited
            self.log(f"could not process {path.name} yet ({exc}); it stays claimed and is retried at the next scan")

    def poll_pool(self) -> bool:
        """Collect what the workers finished; True while they are busy (the loop goes round again at once)."""
        self.pool.poll(0.02)
        for admitted, exc in self.pool.errors:
            self.log(f"could not process {admitted.name} yet ({exc}); it stays claimed and is retried at the next "
                     "scan")
        self.pool.errors.clear()
        return self.pool.busy


def _landed(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
