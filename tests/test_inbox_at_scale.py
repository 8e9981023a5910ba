"""Issue 16, case 3 at scale: 500 files dropped at once under a running watcher with two workers, the periodic
rescan forced all through the batch; every file is answered once, and every verdict is the one ``mcc validate``
gives the same file (a duplicate: the verdict of the first of its bytes)."""

from __future__ import annotations

import os
import shutil
import threading
import time

from tests.conftest import fresh_small
from tests.inbox_helpers import context, distinct_copies, wait_until
from toolkit.inbox.watcher import Stability, watch
from toolkit.services.inbox import make_inbox
from toolkit.services.judge import make_judge


def dropped(f) -> str:
    """The name a file is dropped under: its folder's name first (the valid and the rejected copies share names)."""
    return f"{f.parent.name}_{f.name}"


def test_500_files_with_rescans_forced_during_the_batch_match_validate(small, tmp_path):
    r = fresh_small(small, tmp_path)
    group = small[1]
    valid = distinct_copies(r.valid(group, tmp_path / "v.xlsx"), tmp_path / "valid", 430)
    bad, _ = r.over_limit(group, tmp_path / "over.xlsx")
    rejected = distinct_copies(bad, tmp_path / "rejected", 40)
    junk = []
    for k in range(20):
        junk.append(tmp_path / "junk" / f"notes_{k:02d}.xlsx")
        junk[-1].parent.mkdir(exist_ok=True)
        junk[-1].write_bytes(f"not a workbook {k}\n".encode())
    again = [shutil.copyfile(f, tmp_path / "junk" / f"again_{k}.xlsx") for k, f in enumerate(valid[:10])]
    files = [*valid, *rejected, *junk, *again]
    assert len(files) == 500
    inbox = make_inbox(context(r.ws))
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(inbox, Stability(quiet_seconds=0.05, settle_seconds=0.2)),
                              kwargs={"stop": stop, "log": lambda m: None, "workers": 2, "scan_seconds": 0.0})
    thread.start()
    try:
        for k, f in enumerate(files):
            target = r.ws.inbox / dropped(f)
            shutil.copyfile(f, target)
            os.utime(target, (1_800_000_000 + k, 1_800_000_000 + k))
        assert wait_until(lambda: len([x for x in inbox.ledger.rows() if x.finished_at]) == 500, 600)
    finally:
        stop.set()
        thread.join(60)
    rows = {x.original_name: x for x in inbox.ledger.rows()}
    assert len(rows) == 500 and not any(p.is_file() for p in r.ws.inbox.rglob("*"))
    judge = make_judge(context(r.ws))  # what mcc validate does, the judge made once rather than 500 times
    by_id = {x.id: x for x in rows.values()}
    mismatches = []
    for f in files:
        row = rows[dropped(f)]
        decided = by_id[row.duplicate_of] if row.status == "duplicate" else row
        judged = judge.judge(f, f.name)
        if (decided.status, decided.errors, decided.warnings, decided.supplier_group) != (
                judged.status.recorded, judged.errors, judged.warnings, judged.group):
            mismatches.append((f.name, decided.status, decided.reason, judged.status))
    assert mismatches == []
    statuses = sorted(x.status for x in rows.values())
    assert statuses.count("duplicate") == 10 and statuses.count("quarantined") == 20
    assert statuses.count("accepted") == 430 and statuses.count("rejected") == 40
    assert len(list((r.ws.outbox / "S8" / group).glob("*.eml"))) == 470


def test_a_rescan_never_takes_a_file_waiting_for_a_worker(small, tmp_path):
    """Slow judges (a second a file) and a rescan on every turn of the loop: the files queued for the two workers
    are judged by a worker, once each; the rescan never takes one up in the watcher itself."""
    r = fresh_small(small, tmp_path)
    files = distinct_copies(r.valid(small[1], tmp_path / "v.xlsx"), tmp_path / "slow", 6)
    inbox = make_inbox(context(r.ws))
    judge = inbox.judges[None]
    assess, log = judge.assess, tmp_path / "judged.txt"

    def slow(path, receipt, claimed_group, isolated):  # forked into the workers with the judge
        with log.open("a") as handle:
            handle.write(f"{receipt.row_id} {os.getpid()}\n")
        time.sleep(1.0)
        return assess(path, receipt, claimed_group, isolated)

    judge.assess = slow
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(inbox, Stability(quiet_seconds=0.05, settle_seconds=0.2)),
                              kwargs={"stop": stop, "log": lambda m: None, "workers": 2, "scan_seconds": 0.0})
    thread.start()
    try:
        for f in files:
            shutil.copyfile(f, r.ws.inbox / f.name)
        assert wait_until(lambda: len([x for x in inbox.ledger.rows() if x.finished_at]) == 6, 120)
    finally:
        stop.set()
        thread.join(60)
    judged = [line.split() for line in log.read_text().splitlines()]
    assert sorted(int(row) for row, _ in judged) == [x.id for x in inbox.ledger.rows()]  # each once
    assert os.getpid() not in {int(pid) for _, pid in judged}  # and by a worker, never by the watcher
    assert {x.status for x in inbox.ledger.rows()} == {"accepted"}
