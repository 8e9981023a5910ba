"""Judge and answer inbox files in a few long-lived worker processes, so a batch of returns dropped at once is
answered in seconds (issue 9) without giving up the isolation of issue 5.

The watcher's process claims each file and admits it (hash, ledger row, duplicates) in the order the files landed;
a worker then reads, judges, archives and answers it (``Inbox.finish``). Each worker is the isolation boundary of
the files it reads: its address space is capped, and the parent gives each file a time limit. A worker that dies on
a file (a reader crash, a memory limit) or overruns is killed and replaced, and the parent quarantines that file
with the reason, so the supplier is still answered and nothing is lost. Workers are forked after the judge has
computed the cycle's envelopes and template contents, so they start warm.

Workers ignore Ctrl+C and SIGTERM: the parent stops them (``shutdown``), letting each finish the file in hand for a
while; files still queued stay claimed, their rows unfinished, and are taken up at the next start. A file a worker
could not finish because of a fault of the machine or a broken configuration comes back in ``faults`` (left
claimed, for the watcher to pause and retry); one it failed on for its own sake is quarantined here.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from toolkit.errors import ToolkitError
from toolkit.inbox import faults
from toolkit.inbox.intake import Admitted, Inbox, Outcome
from toolkit.inbox.isolate import leave_signals_to_parent, limit_memory


def _serve(conn: Connection, inbox: Inbox, memory_bytes: int, inherited: list[Connection]) -> None:
    for other in inherited:  # the parent's ends of every pipe, copied by the fork: held here, the parent's death
        other.close()  # would never reach this worker as the end of its pipe, and it would wait for ever
    leave_signals_to_parent()
    limit_memory(memory_bytes)
    inbox.isolated = False  # this process is the boundary: read in it, no child per file
    inbox.on_outcome = None  # the parent reports outcomes
    while True:
        try:
            admitted = conn.recv()
        except (EOFError, OSError):
            return
        if admitted is None:
            return
        try:
            result = inbox.finish(admitted)
        except Exception as exc:  # noqa: BLE001 - e.g. a broken configuration: the parent decides
            result = exc if _picklable(exc) else ToolkitError(f"{type(exc).__name__}: {exc}")
        try:
            conn.send(result)
        except (BrokenPipeError, OSError):
            return  # the parent is gone: the file stays claimed, or finished, for the next start


def _picklable(exc: BaseException) -> bool:
    import pickle

    try:
        pickle.dumps(exc)
    except Exception:  # noqa: BLE001
        return False
    return True


@dataclass
class _Worker:
    process: multiprocessing.Process
    conn: Connection
    job: Admitted | None = None
    started: float = 0.0


class WorkerPool:
    """``size`` worker processes finishing admitted files; ``timeout`` seconds per file (default: the inbox's read
    time limit), ``memory_mb`` per worker."""

    def __init__(self, inbox: Inbox, size: int, timeout: float | None = None, memory_mb: int | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.inbox, self.size, self.clock = inbox, size, clock
        self.timeout = timeout if timeout is not None else inbox.limits.read_seconds
        self.memory_bytes = (memory_mb if memory_mb is not None else inbox.limits.read_memory_mib) * 2**20
        self.queue: deque[Admitted] = deque()
        self.workers: list[_Worker] = []
        self.faults: list[tuple[Admitted, BaseException]] = []  # files left claimed (retried after a pause)
        self.ctx = multiprocessing.get_context("fork")
        inbox.warm()
        for _ in range(size):
            self.workers.append(self._start())

    @property
    def errors(self) -> list[tuple[Admitted, BaseException]]:
        """The files left claimed by a fault (the name of issue 9's API)."""
        return self.faults

    def _start(self) -> _Worker:
        parent, child = self.ctx.Pipe()
        inherited = [parent, *(w.conn for w in self.workers if not w.conn.closed)]
        proc = self.ctx.Process(target=_serve, args=(child, self.inbox, self.memory_bytes, inherited), daemon=True)
        proc.start()
        child.close()
        return _Worker(proc, parent)

    def submit(self, admitted: Admitted) -> None:
        self.inbox.inflight.add(admitted.claimed.name)
        self.queue.append(admitted)

    @property
    def busy(self) -> bool:
        return bool(self.queue) or any(w.job is not None for w in self.workers)

    def _dispatch(self) -> None:
        for w in self.workers:
            if w.job is None and self.queue:
                w.job, w.started = self.queue.popleft(), self.clock()
                w.conn.send(w.job)

    def _done_with(self, job: Admitted) -> None:
        self.inbox.inflight.discard(job.claimed.name)

    def _quarantine(self, job: Admitted, reason: str) -> list[Outcome]:
        """Finish ``job`` here as quarantined with ``reason``; a fault doing so leaves it claimed."""
        self._done_with(job)
        try:
            return [self.inbox.finish(job, forced=reason)]
        except Exception as exc:  # noqa: BLE001 - a fault of the machine: the watcher pauses and retries
            self.faults.append((job, exc))
            return []

    def _replace(self, w: _Worker, reason: str) -> list[Outcome]:
        """The worker died or overran on its file: replace it and quarantine the file."""
        job, w.job = w.job, None
        if w.process.is_alive():
            w.process.kill()
        w.process.join(5)
        w.conn.close()
        self.workers[self.workers.index(w)] = self._start()
        return self._quarantine(job, reason)

    def _result(self, job: Admitted, result: object) -> list[Outcome]:
        if not isinstance(result, BaseException):
            self._done_with(job)
            return [self.inbox._done(result)]
        if isinstance(result, ToolkitError) or faults.environmental(result):
            self._done_with(job)
            self.faults.append((job, result))  # left claimed: taken up again once the fault is gone
            return []
        return self._quarantine(job, f"the toolkit failed on this file ({type(result).__name__}: {result}); the "
                                     "MCC will look")

    def poll(self, wait_seconds: float = 0.05) -> list[Outcome]:
        """Hand queued files to idle workers and collect what is finished (waiting up to ``wait_seconds``)."""
        self._dispatch()
        out: list[Outcome] = []
        busy = [w for w in self.workers if w.job is not None]
        if not busy:
            return out
        for conn in wait([w.conn for w in busy], timeout=wait_seconds):
            w = next(x for x in busy if x.conn is conn)
            try:
                result = conn.recv()
            except (EOFError, OSError):
                w.process.join(5)  # reap it, for its exit code
                out += self._replace(w, f"the reader stopped on this file (exit code {w.process.exitcode}); "
                                        "it may be malformed or too large")
                continue
            job, w.job = w.job, None
            out += self._result(job, result)
        now = self.clock()
        for w in self.workers:
            if w.job is not None and now - w.started > self.timeout:
                out += self._replace(w, f"reading the workbook took longer than {self.timeout:.0f} s")
        self._dispatch()
        return out

    def drain(self) -> list[Outcome]:
        out: list[Outcome] = []
        while self.busy:
            out += self.poll(0.2)
        return out

    def shutdown(self, grace: float = 10.0) -> tuple[list[Outcome], list[Admitted]]:
        """Stop: no queued file is started (they stay claimed, their rows unfinished, for the next start); the files
        in hand are finished if that takes at most ``grace`` seconds. Returns what finished and what was left."""
        left = list(self.queue)
        self.queue.clear()
        out: list[Outcome] = []
        deadline = self.clock() + grace
        while any(w.job is not None for w in self.workers) and self.clock() < deadline:
            out += self.poll(0.1)
        left += [w.job for w in self.workers if w.job is not None]
        for job in left:
            self._done_with(job)
        self.close()
        return out, left

    def close(self) -> None:
        for w in self.workers:
            with contextlib.suppress(BrokenPipeError, OSError):
                w.conn.send(None)
        for w in self.workers:
            w.process.join(5)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
