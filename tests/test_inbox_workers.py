"""The inbox with worker processes (issue 9): a batch judged in parallel is accounted for once per file and
recorded in the order it landed; a worker that dies or hangs on a file is replaced and the file quarantined with
the reason; the same bytes twice in one batch are one verdict and one duplicate; a file inotify saw closed is
taken without waiting for the quiet period."""

from __future__ import annotations

import os
import shutil
import threading
import time
from datetime import datetime

from tests.conftest import fresh_small
from tests.inbox_helpers import context, distinct_copies
from tests.test_inbox import sha
from toolkit.inbox.watcher import Stability, run_once, watch
from toolkit.inbox.workers import WorkerPool
from toolkit.services.inbox import make_inbox
from toolkit.store.ledger import Ledger
from toolkit.store.workspace import LEDGER


def _drop(r, files, names=None):
    for k, f in enumerate(files):
        target = r.ws.inbox / (names[k] if names else f.name)
        shutil.copyfile(f, target)
        os.utime(target, (1_800_000_000 + k, 1_800_000_000 + k))  # landing order: the order given


def test_a_parallel_batch_is_accounted_for_once_and_recorded_in_landing_order(small, tmp_path):
    r = fresh_small(small, tmp_path)
    group = small[1]
    files = distinct_copies(r.valid(group, tmp_path / "v.xlsx"), tmp_path / "many", 24)
    _drop(r, files)
    outcomes, waiting = run_once(make_inbox(context(r.ws)), Stability(quiet_seconds=0), max_wait=0,
                                 workers=2)
    assert waiting == [] and len(outcomes) == 24 and {o.status for o in outcomes} == {"accepted"}
    rows = Ledger(r.ws.workbooks / LEDGER).rows()
    assert [x.original_name for x in rows] == [f.name for f in files]  # ids follow landing, not finishing
    assert [x.sha256 for x in rows] == [sha(f) for f in files]
    # so the group's current plan is the last file that landed, whichever worker finished last
    assert Ledger(r.ws.workbooks / LEDGER).current_plan("S8", group).original_name == files[-1].name
    assert not any(p.is_file() for p in r.ws.inbox.rglob("*"))
    assert len(list((r.ws.outbox / "S8" / group).glob("*.eml"))) == 24


def test_the_same_bytes_twice_in_one_batch_are_one_verdict_and_a_duplicate(small, tmp_path):
    r = fresh_small(small, tmp_path)
    a, b = distinct_copies(r.valid(small[1], tmp_path / "v.xlsx"), tmp_path / "two", 2)
    _drop(r, [a, a, b], names=["first.xlsx", "again.xlsx", "other.xlsx"])
    outcomes, _ = run_once(make_inbox(context(r.ws)), Stability(quiet_seconds=0), max_wait=0,
                           workers=2)
    by_name = {o.name: o for o in outcomes}
    assert by_name["first.xlsx"].status == "accepted" and by_name["other.xlsx"].status == "accepted"
    assert by_name["again.xlsx"].status == "duplicate"
    assert by_name["again.xlsx"].duplicate_of == by_name["first.xlsx"].row_id


def _sabotaged_inbox(r, how: str, victim: str):
    """An inbox whose judge crashes the process, or hangs, on one file (as a reader crash or a runaway parse
    would); the workers are forked from it, so they carry the sabotage."""
    inbox = make_inbox(context(r.ws))
    real = inbox.judge.judge

    def judge(path, name, claimed_group=None, isolated=True, received_at=None):
        if name == victim:
            if how == "crash":
                os._exit(70)
            time.sleep(60)
        return real(path, name, claimed_group, isolated, received_at)

    inbox.judge.judge = judge
    return inbox


def test_a_worker_that_dies_on_a_file_is_replaced_and_the_file_quarantined(small, tmp_path):
    r = fresh_small(small, tmp_path)
    files = distinct_copies(r.valid(small[1], tmp_path / "v.xlsx"), tmp_path / "three", 4)
    _drop(r, files)
    inbox = _sabotaged_inbox(r, "crash", files[1].name)
    outcomes, _ = run_once(inbox, Stability(quiet_seconds=0), max_wait=0, workers=2)
    by_name = {o.name: o for o in outcomes}
    assert [by_name[f.name].status for f in files] == ["accepted", "quarantined", "accepted", "accepted"]
    assert by_name[files[1].name].reason == ("the reader stopped on this file (exit code 70); it may be malformed "
                                              "or too large")
    row = Ledger(r.ws.workbooks / LEDGER).get(by_name[files[1].name].row_id)
    assert (r.ws.root / row.archive_path).read_bytes() == files[1].read_bytes()  # the bytes are kept
    assert row.email_path  # and the supplier is answered
    assert not any(p.is_file() for p in r.ws.inbox.rglob("*"))


def test_a_worker_that_hangs_is_stopped_at_the_time_limit(small, tmp_path):
    r = fresh_small(small, tmp_path)
    files = distinct_copies(r.valid(small[1], tmp_path / "v.xlsx"), tmp_path / "two", 2)
    _drop(r, files)
    inbox = _sabotaged_inbox(r, "hang", files[0].name)
    with WorkerPool(inbox, 2, timeout=2.0) as pool:
        for arrival in inbox.candidates():
            pool.submit(inbox.admit(inbox.claim(arrival)))
        outcomes = pool.drain()
        assert all(w.process.is_alive() for w in pool.workers)  # the hung one was replaced
    by_name = {o.name: o for o in outcomes}
    assert by_name[files[0].name].status == "quarantined"
    assert by_name[files[0].name].reason == "reading the workbook took longer than 2 s"
    assert by_name[files[1].name].status == "accepted"


def test_a_file_seen_closed_is_taken_without_waiting_for_the_quiet_period(small, tmp_path):
    r = fresh_small(small, tmp_path)
    (a,) = distinct_copies(r.valid(small[1], tmp_path / "v.xlsx"), tmp_path / "one", 1)
    inbox = make_inbox(context(r.ws))
    done = threading.Event()
    inbox.on_outcome = lambda o: done.set()
    stop = threading.Event()
    # a quiet period far longer than the test waits: only the close hint can make the file ready in time
    thread = threading.Thread(target=watch, args=(inbox, Stability(quiet_seconds=120, settle_seconds=1)),
                              kwargs={"stop": stop, "log": lambda m: None, "workers": 2, "scan_seconds": 300})
    thread.start()
    try:
        time.sleep(1.0)  # let the observer start
        shutil.copyfile(a, r.ws.inbox / "closed.xlsx")  # written, then closed: IN_CLOSE_WRITE
        assert done.wait(30), "the closed file was not taken before the quiet period"
    finally:
        stop.set()
        thread.join(30)
    (row,) = Ledger(r.ws.workbooks / LEDGER).rows()
    assert row.status == "accepted" and row.original_name == "closed.xlsx"


def test_the_ledger_is_reopened_when_its_file_is_replaced(tmp_path):
    path = tmp_path / "ledger.sqlite"
    ledger = Ledger(path)
    first = ledger.receive("a" * 64, "one.xlsx", datetime.fromisoformat("2026-11-12T10:00:00+00:00"))
    for p in tmp_path.glob("ledger.sqlite*"):
        p.unlink()  # removed under a running process: the next write must land in a file that exists
    second = ledger.receive("b" * 64, "two.xlsx", datetime.fromisoformat("2026-11-12T10:01:00+00:00"))
    assert path.is_file() and [r.original_name for r in Ledger(path).rows()] == ["two.xlsx"]
    assert first == 1 and second == 1


def test_workers_forked_from_a_large_process_still_have_their_memory(small, tmp_path):
    """Found by the full suite after issue 15 made the rehearsal judge with two workers: a worker's address-space
    cap was absolute, so a worker forked from a process already larger than the cap (a long rehearsal, a long test
    session) could not map anything, and every file ended in "the ledger cannot be written (disk I/O error)". The
    cap now counts from what the worker holds when it starts."""
    import mmap

    r = fresh_small(small, tmp_path)
    files = distinct_copies(r.valid(small[1], tmp_path / "v.xlsx"), tmp_path / "big", 2)
    _drop(r, files)
    ballast = mmap.mmap(-1, 3 * 2**30)  # 3 GiB of address space in this process (never touched: no memory used)
    try:
        outcomes, waiting = run_once(make_inbox(context(r.ws)), Stability(quiet_seconds=0), max_wait=0, workers=2)
    finally:
        ballast.close()
    assert waiting == [] and [o.status for o in outcomes] == ["accepted", "accepted"]
