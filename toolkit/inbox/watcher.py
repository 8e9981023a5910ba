"""Watch the inbox with watchdog (inotify, or polling for network shares) and hand complete files to the
pipeline (shared/design/INBOX.md). Events are hints only: every path they name goes into a pending set; the
inbox is also scanned at start-up and every ``scan_seconds``; a file is processed when its size and mtime have
not changed for ``quiet_seconds`` and it opens as a zip (or, if it never does, after ``settle_seconds`` more,
when it is judged as the broken file it is). A file inotify saw closed after writing, or renamed into place (an
Excel-style save), that opens as a complete zip is taken at once: its writer is done. A link, pipe or device is
taken at once too, to be refused unread. The observer thread is checked and restarted if it died. With ``workers``
> 1, files are judged and answered by a pool of worker processes (``toolkit.inbox.workers``) after being admitted
here in the order they landed.

One intake process per workspace: both ``run_once`` and ``watch`` hold the workspace's intake lock
(``toolkit.store.lock``) while they work; a second one stops with ``LockHeld``, naming the holder. The periodic
rescan takes up claimed files left unfinished, never those in a worker's hands (``Inbox.inflight``).

A fault of the machine (a read-only ledger, a full disk, an unwritable outbox) or a broken configuration pauses the
watcher: it says what is wrong, leaves every file where it is and tries again every ``retry_seconds``; ``run_once``
stops and raises ``InboxFault`` (the command exits 2) rather than report success with files left behind. SIGTERM and
Ctrl+C stop it at the next safe point; the workers finish the file in hand for a few seconds, queued files stay
claimed for the next start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserverVFS

from toolkit.errors import ToolkitError
from toolkit.inbox import entries, faults, safety
from toolkit.inbox.entries import PROCESSING, Arrival
from toolkit.inbox.faults import InboxFault
from toolkit.inbox.intake import Admitted, Inbox, Outcome
from toolkit.inbox.workers import WorkerPool

GRACE_SECONDS = 10.0  # at a stop, how long the files in the workers' hands may take to finish


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
            st = path.lstat()
        except FileNotFoundError:
            self.seen.pop(path, None)
            return False
        if self.quiet_seconds <= 0 or not stat.S_ISREG(st.st_mode):  # complete, or refused unread anyway
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
        paths = [Path(os.fsdecode(p)) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        with self.lock:
            self.pending.update(paths)
            if event.event_type == "closed":  # IN_CLOSE_WRITE: the writer is done with it
                self.closed.add(paths[0])
            elif event.event_type == "moved":  # renamed into place: complete as it arrives
                self.closed.add(paths[-1])
            elif event.event_type in ("created", "modified"):
                self.closed.discard(paths[0])


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event):
    """SIGTERM and Ctrl+C set ``stop`` (a second Ctrl+C interrupts at once); only in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(signum, frame):
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def run_once(inbox: Inbox, stability: Stability, max_wait: float, sleep: Callable[[float], None] = time.sleep,
             clock: Callable[[], float] = time.monotonic, workers: int = 1,
             stop: threading.Event | None = None, lock_stale_seconds: float = 120.0) -> tuple[list, list[Path]]:
    """Process what is in the inbox now, waiting up to ``max_wait`` seconds for files still being written;
    returns the outcomes and the files left waiting. ``workers`` > 1 judges in that many worker processes. Raises
    ``InboxFault`` when it had to stop with files unanswered (a fault, a broken configuration, a stop signal)."""
    stop = stop or threading.Event()
    with inbox.locked("mcc watch --once", lock_stale_seconds), _stop_on_signals(stop):
        return _Once(inbox, stability, max_wait, sleep, clock, workers, stop).run()


class _Once:
    def __init__(self, inbox: Inbox, stability: Stability, max_wait: float, sleep, clock, workers: int,
                 stop: threading.Event):
        self.inbox, self.stability, self.sleep, self.clock, self.workers, self.stop = (inbox, stability, sleep, clock,
                                                                                      workers, stop)
        self.deadline = clock() + max_wait
        self.pool: WorkerPool | None = None
        self.outcomes: list[Outcome] = []
        self.fault: str | None = None

    def run(self) -> tuple[list, list[Path]]:
        waiting: list[Path] = []
        try:
            self._guard(lambda: self.outcomes.extend(self.inbox.recover()))
            while not self.fault and not self.stop.is_set():
                waiting = [a.path for a in self.inbox.candidates() if not self._take_if_ready(a)]
                self._poll(0.0)
                if self.fault or not waiting or self.clock() >= self.deadline:
                    break
                self.sleep(min(0.25, self.stability.quiet_seconds / 4))
            if self.pool is not None and not self.fault and not self.stop.is_set():
                while self.pool.busy and not self.fault:
                    self._poll(0.2)
        finally:
            left = self._close()
        self._raise_if_unanswered(left)
        return self.outcomes, waiting

    def _take_if_ready(self, arrival: Arrival) -> bool:
        if self.fault or self.stop.is_set():
            return True  # not waiting: stopping
        if not arrival.refused and not self.stability.ready(arrival.path):
            return False
        if self.pool is None and self.workers > 1:
            self.pool = WorkerPool(self.inbox, self.workers)
        self._guard(lambda: self._take(arrival))
        return True

    def _take(self, arrival: Arrival) -> None:
        try:
            claimed = self.inbox.claim(arrival)
        except (FileNotFoundError, entries.CannotTake):
            return  # gone meanwhile, or left where it is (``inbox.untaken``: reported at the end)
        if self.pool is None:
            self.outcomes.append(self.inbox.process_claimed(claimed))
            return
        admitted = self.inbox.admit(claimed)
        if isinstance(admitted, Admitted):
            self.pool.submit(admitted)
            self._poll(0.0)  # an idle worker starts on it now
        else:
            self.outcomes.append(admitted)

    def _guard(self, step: Callable[[], object]) -> None:
        try:
            step()
        except ToolkitError as exc:  # InboxFault among them: the machine, or the configuration
            self.fault = str(exc)

    def _poll(self, seconds: float) -> None:
        if self.pool is None:
            return
        self.outcomes.extend(self.pool.poll(seconds))
        if self.pool.faults:
            self.fault = self.fault or str(self.pool.faults[0][1])
            self.pool.faults.clear()

    def _close(self) -> list[Admitted]:
        if self.pool is None:
            return []
        done, left = self.pool.shutdown(GRACE_SECONDS if (self.fault or self.stop.is_set()) else 3600.0)
        self.outcomes.extend(done)
        if self.pool.faults:
            self.fault = self.fault or str(self.pool.faults[0][1])
        return left

    def _raise_if_unanswered(self, left: list[Admitted]) -> None:
        try:
            stuck = entries.claimed(self.inbox.processing)
        except OSError:  # .processing is not a folder: the fault says so
            stuck = []
        if not (self.fault or stuck or self.inbox.untaken):
            return
        what = self.fault or ("stopped" if self.stop.is_set() else "; ".join(
            [f"{k}: {v}" for k, v in self.inbox.stuck.items()] + list(self.inbox.untaken.values()))
            or "files were left claimed")
        raise InboxFault(f"{what}. {len(stuck)} file{'s' if len(stuck) != 1 else ''} claimed in "
                         f"{self.inbox.processing} and the files still in the inbox are unanswered: nothing is lost, "
                         "they are taken up at the next run")


def watch(inbox: Inbox, stability: Stability, polling: bool = False, poll_seconds: float = 2.0,
          scan_seconds: float = 30.0, stop: threading.Event | None = None,
          log: Callable[[str], None] = print, workers: int = 1, retry_seconds: float = 30.0,
          lock_stale_seconds: float = 120.0) -> None:
    """Watch until ``stop`` is set (or SIGTERM, or Ctrl+C)."""
    stop = stop or threading.Event()
    with inbox.locked("mcc watch", lock_stale_seconds), _stop_on_signals(stop):
        _Watch(inbox, stability, polling, poll_seconds, log, retry_seconds).run(stop, scan_seconds, workers)


class _Watch:
    """The state of a running watch: the paths events named (``pending``), those seen closed, the observer, the
    worker pool, and the pause a fault put it in."""

    def __init__(self, inbox: Inbox, stability: Stability, polling: bool, poll_seconds: float,
                 log: Callable[[str], None], retry_seconds: float = 30.0):
        self.inbox, self.stability, self.polling, self.poll_seconds, self.log = (inbox, stability, polling,
                                                                                 poll_seconds, log)
        self.retry_seconds = retry_seconds
        self.pending: set[Path] = set()
        self.closed: set[Path] = set()
        self.lock = threading.Lock()
        self.pool: WorkerPool | None = None
        self.paused: str | None = None
        self.retry_at = 0.0
        self.reported: set[str] = set()  # strays and stuck files already logged

    def start_observer(self):
        observer = (PollingObserverVFS(os.lstat, os.scandir, polling_interval=self.poll_seconds) if self.polling
                    else Observer())  # polling: never through a link
        observer.schedule(_Hints(self.pending, self.lock, self.closed), str(self.inbox.ws.inbox), recursive=True)
        observer.daemon = True
        observer.start()
        return observer

    def run(self, stop: threading.Event, scan_seconds: float, workers: int) -> None:
        inbox = self.inbox
        inbox.ws.inbox.mkdir(parents=True, exist_ok=True)
        observer = self.start_observer()
        how = f"polling every {self.poll_seconds:g} s" if self.polling else "inotify"
        self.pool = WorkerPool(inbox, workers) if workers > 1 else None
        self.guard(inbox.recover)
        self.log(f"watching {inbox.ws.inbox} ({how}{f', {workers} workers' if self.pool else ''}); Ctrl+C to stop")
        last_scan = 0.0
        try:
            while not stop.is_set():
                if not observer.is_alive():
                    self.log("the folder watcher stopped; restarting it and rescanning the inbox")
                    observer = self.start_observer()
                    last_scan = 0.0
                now = time.monotonic()
                if self.paused and now >= self.retry_at:
                    self.resume()
                if not self.paused and now - last_scan >= scan_seconds:
                    self.scan()
                    last_scan = now
                if not self.paused:
                    with self.lock:
                        batch = sorted(self.pending, key=_landed)
                    for path in batch:
                        self.consider(path)
                if self.pool is not None and self.poll_pool():
                    continue
                stop.wait(0.05 if self.pending and not self.paused else 0.25)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop_all(observer)

    def stop_all(self, observer) -> None:
        if self.pool is not None:
            busy = sum(w.job is not None for w in self.pool.workers)
            if busy:
                self.log(f"stopping: letting the {busy} file{'s' if busy != 1 else ''} being judged finish")
            _, left = self.pool.shutdown(GRACE_SECONDS)
            if left:
                self.log(f"{len(left)} claimed file{'s' if len(left) != 1 else ''} not judged yet: taken up at the "
                         "next start")
        observer.stop()
        observer.join(5)
        self.log("stopped")

    # -- faults ---------------------------------------------------------------------------------------------------
    def guard(self, step: Callable[[], object]) -> bool:
        """Run ``step``; a fault of the machine or a broken configuration pauses the watcher (False)."""
        try:
            step()
        except ToolkitError as exc:
            self.pause(str(exc))
            return False
        return True

    def pause(self, why: str) -> None:
        if self.paused != why:
            self.log(f"paused: {why}. Nothing is lost: files wait in inbox/ (or claimed in inbox/{PROCESSING}/) "
                     f"and are answered once this is fixed; trying again every {self.retry_seconds:g} s")
        self.paused = why
        self.retry_at = time.monotonic() + self.retry_seconds

    def resume(self) -> None:
        """Try again: the files a fault left claimed first."""
        if self.guard(self.inbox.recover):
            self.log("resumed: the fault is gone")
            self.paused = None
            self.scan()

    # -- finding and taking files ------------------------------------------------------------------------------
    def scan(self) -> None:
        """Files a failed attempt left claimed (never those in a worker's hands), and every file in the inbox
        (events are hints only); what is left in the inbox, and files that could not be taken, are reported once."""
        if not self.guard(self.inbox.recover):
            return
        try:
            arrivals, strays = self.inbox.look()
        except OSError as exc:
            self.pause(faults.environmental(exc) or f"the inbox cannot be read ({exc})")
            return
        for stray in strays:
            self.report(f"stray:{stray.where}", f"left in the inbox: {stray.where}: {stray.reason}")
        for claim, error in self.inbox.stuck.items():
            self.report(f"stuck:{claim}", f"could not take {claim} in {PROCESSING}/ ({error}); it stays there for "
                                          "the MCC to look at")
        with self.lock:
            self.pending.update(a.path for a in arrivals)

    def report(self, key: str, message: str) -> None:
        if key not in self.reported:
            self.reported.add(key)
            self.log(message)

    def consider(self, path: Path) -> None:
        """Forget a path that is not an inbox file; take one that is ready (a link or device at once)."""
        arrival = self.arrival(path)
        if arrival is None:
            with self.lock:
                self.pending.discard(path)
                self.closed.discard(path)
            return
        with self.lock:
            was_closed = path in self.closed
        if arrival.refused or self.stability.ready(path, closed=was_closed):
            with self.lock:
                self.pending.discard(path)
                self.closed.discard(path)
            self.take(arrival)

    def arrival(self, path: Path) -> Arrival | None:
        """The inbox entry at ``path``, if it is one to take: in ``inbox/`` or a folder it accepts, not ignored."""
        root = self.inbox.ws.inbox
        if path.parent == root:
            folder = None
        elif path.parent.parent == root and path.parent.name != PROCESSING and self.inbox.accepts(path.parent.name):
            folder = path.parent.name
        else:
            return None
        if safety.ignored_name(path.name) or (folder is None and path.name == PROCESSING):
            return None
        try:
            st = path.lstat()
        except OSError:
            return None
        if stat.S_ISDIR(st.st_mode):
            return None
        return Arrival(path, folder, entries.refusal(st, path))

    def take(self, arrival: Arrival) -> None:
        def step() -> None:
            try:
                claimed = self.inbox.claim(arrival)
            except FileNotFoundError:
                return  # removed meanwhile
            except entries.CannotTake as exc:
                self.report(f"claim:{arrival.path}", str(exc))
                return
            except OSError as exc:
                faults.reraise(exc)
                self.report(f"claim:{arrival.path}", f"could not take {entries.display_name(arrival.path.name)} "
                                                     f"({exc}); it is left in the inbox")
                return
            if self.pool is None:
                self.inbox.process_claimed(claimed)
                return
            admitted = self.inbox.admit(claimed)
            if isinstance(admitted, Admitted):
                self.pool.submit(admitted)
                self.pool.poll(0.0)  # an idle worker starts on it now, not after the whole batch

        self.guard(step)

    def poll_pool(self) -> bool:
        """Collect what the workers finished; True while they are busy (the loop goes round again at once)."""
        self.pool.poll(0.02)
        for _admitted, exc in self.pool.faults:
            self.pause(str(exc))
        self.pool.faults.clear()
        return self.pool.busy


def _landed(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except FileNotFoundError:
        return 0.0
