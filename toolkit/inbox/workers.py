"""Judge and answer inbox files in a few long-lived worker processes, so a batch of returns dropped at once is
answered in seconds (issue 9) without giving up the isolation of issue 5.

The watcher's process claims each file and admits it (hash, ledger row, duplicates) in the order the files landed;
a worker then reads, judges, archives and answers it (``Inbox.finish``). Each worker is the isolation boundary of
the files it reads: its address space is capped, and the parent gives each file a time limit. A worker that dies on
a file (a reader crash, a memory limit) or overruns is killed and replaced, and the parent quarantines that file
with the reason, so the supplier is still answered and nothing is lost. Workers are forked after the judge has
computed the cycle's envelopes and template contents, so they start warm.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from toolkit.domain.findings import RuleId, Status, finding
from toolkit.inbox.isolate import limit_memory
from toolkit.inbox.pipeline import Admitted, Inbox, Judged, Outcome


def _serve(conn: Connection, inbox: Inbox, memory_bytes: int) -> None:
    limit_memory(memory_bytes)
    inbox.judge.isolated = False  # this process is the boundary: read in it, no child per file
    inbox.on_outcome = None  # the parent reports outcomes
    while True:
        try:
            admitted = conn.recv()
        except EOFError:
            return
        if admitted is None:
            return
        try:
            conn.send(inbox.finish(admitted))
        except Exception as exc:  # noqa: BLE001 - e.g. a broken configuration: the parent decides
            conn.send(exc)


@dataclass
class _Worker:
    process: multiprocessing.Process
    conn: Connection
    job: Admitted | None = None
    started: float = 0.0


class WorkerPool:
    """``size`` worker processes finishing admitted files; ``timeout`` seconds per file."""

    def __init__(self, inbox: Inbox, size: int, timeout: float = 120.0, memory_mb: int = 2048,
                 clock: Callable[[], float] = time.monotonic):
        self.inbox, self.size, self.timeout, self.clock = inbox, size, timeout, clock
        self.memory_bytes = memory_mb * 2**20
        self.queue: deque[Admitted] = deque()
        self.workers: list[_Worker] = []
        self.errors: list[tuple[Admitted, BaseException]] = []  # files left claimed (retried later)
        self.ctx = multiprocessing.get_context("fork")
        inbox.judge.warm()
        for _ in range(size):
            self.workers.append(self._start())

    def _start(self) -> _Worker:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_serve, args=(child, self.inbox, self.memory_bytes), daemon=True)
        proc.start()
        child.close()
        return _Worker(proc, parent)

    def submit(self, admitted: Admitted) -> None:
        self.queue.append(admitted)

    @property
    def busy(self) -> bool:
        return bool(self.queue) or any(w.job is not None for w in self.workers)

    def _dispatch(self) -> None:
        for w in self.workers:
            if w.job is None and self.queue:
                w.job, w.started = self.queue.popleft(), self.clock()
                w.conn.send(w.job)

    def _replace(self, w: _Worker, reason: str) -> Outcome:
        """The worker died or overran on its file: replace it and quarantine the file."""
        job = w.job
        if w.process.is_alive():
            w.process.kill()
        w.process.join(5)
        w.conn.close()
        self.workers[self.workers.index(w)] = self._start()
        return self.inbox.finish(job, forced=Judged(Status.UNREADABLE,
                                                    [finding(RuleId.IDENTITY_TEMPLATE, reason)], reason=reason))

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
                out.append(self._replace(w, f"the reader stopped on this file (exit code {w.process.exitcode}); "
                                            "it may be malformed or too large"))
                continue
            job, w.job = w.job, None
            if isinstance(result, BaseException):
                self.errors.append((job, result))  # left claimed: recovered at the next scan
            else:
                out.append(self.inbox._done(result))
        now = self.clock()
        for w in self.workers:
            if w.job is not None and now - w.started > self.timeout:
                out.append(self._replace(w, f"reading the workbook took longer than {self.timeout:.0f} s"))
        self._dispatch()
        return out

    def drain(self) -> list[Outcome]:
        out: list[Outcome] = []
        while self.busy:
            out += self.poll(0.2)
        return out

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
