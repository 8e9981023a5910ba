"""Issue 16, case 6: faults of the machine pause the inbox, never kill it or lose a file. An unwritable outbox or a
read-only ledger, injected under a running ``mcc watch`` and then removed: the watcher says it is paused, answers
nothing meanwhile, and once the fault is gone answers every file exactly once. ``--once`` with a fault exits 2 and
loses nothing. SIGTERM and Ctrl+C stop the watcher and its workers cleanly; workers never outlive it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.inbox_helpers import Watcher, cli_env, distinct_copies, wait_until
from toolkit.store.ledger import Ledger
from toolkit.store.workspace import LEDGER


@pytest.fixture
def quick(small, tmp_path):
    """A copy of the small workspace whose inbox retries a second after a fault, and twelve distinct returns."""
    from tests.conftest import fresh_small

    r = fresh_small(small, tmp_path)
    params = r.ws.config / "parameters.toml"
    params.write_text(params.read_text().replace("retry_seconds = 30.0", "retry_seconds = 1.0"))
    return r, distinct_copies(r.valid(small[1], tmp_path / "v.xlsx"), tmp_path / "many", 12)


def _rows(ws) -> list:
    return Ledger(ws.workbooks / LEDGER).rows() if (ws.workbooks / LEDGER).exists() else []


def _emails(ws) -> list[Path]:
    return sorted(p for p in ws.outbox.rglob("*.eml")) if ws.outbox.is_dir() else []


def _answered_once(ws, files: list[Path]) -> None:
    rows = _rows(ws)
    assert len(rows) == len(files) and {r.status for r in rows} == {"accepted"}, [(r.id, r.status) for r in rows]
    assert sorted(r.original_name for r in rows) == sorted(f.name for f in files)
    assert len(_emails(ws)) == len(files) and len({r.email_path for r in rows}) == len(files)
    assert not any(p.is_file() for p in ws.inbox.rglob("*"))


def _drop(ws, files: list[Path]) -> None:
    for f in files:
        shutil.copyfile(f, ws.inbox / f.name)


def _unwritable_outbox(ws) -> callable:
    """The outbox replaced by a file (a fault even root meets): returns how to put it back."""
    away = ws.root / "outbox.away"
    ws.outbox.rename(away)
    ws.outbox.write_text("not a folder")

    def remove() -> None:
        ws.outbox.unlink()
        away.rename(ws.outbox)

    return remove


def _read_only(path: Path) -> callable:
    """``path`` made read-only for this process (root is stopped only by the immutable attribute)."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
            pytest.skip("root, and the file system has no immutable attribute to make a file read-only for root")
        return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)
    mode = path.stat().st_mode
    path.chmod(0o444)
    return lambda: path.chmod(mode)


def test_an_unwritable_outbox_pauses_the_watcher_then_every_file_is_answered_once(quick):
    r, files = quick
    w = Watcher(r.ws, "--workers", "2")
    try:
        assert w.wait_for("watching")
        remove = _unwritable_outbox(r.ws)
        _drop(r.ws, files)
        assert w.wait_for("paused:", 60), w.lines
        assert "Nothing is lost" in w.said and "outbox" in w.said
        time.sleep(2)  # a retry or two, still faulty
        assert [x for x in _rows(r.ws) if x.finished_at] == [] and w.proc.poll() is None
        remove()
        assert wait_until(lambda: len([x for x in _rows(r.ws) if x.finished_at]) == len(files), 120), w.lines
        assert w.wait_for("resumed")
    finally:
        assert w.stop() == 0
    _answered_once(r.ws, files)


def test_a_read_only_ledger_pauses_the_watcher_then_every_file_is_answered_once(quick):
    r, files = quick
    ledger = r.ws.workbooks / LEDGER
    Ledger(ledger).rows()  # the ledger exists, and then cannot be written
    remove = _read_only(ledger)
    w = Watcher(r.ws, "--workers", "2")
    try:
        assert w.wait_for("watching")
        _drop(r.ws, files)
        assert w.wait_for("paused: the ledger cannot be written", 60), w.lines
        time.sleep(2)
        assert _rows(r.ws) == [] and _emails(r.ws) == [] and w.proc.poll() is None
    finally:
        remove()
    try:
        assert wait_until(lambda: len([x for x in _rows(r.ws) if x.finished_at]) == len(files), 120), w.lines
    finally:
        assert w.stop() == 0
    _answered_once(r.ws, files)


def test_once_with_a_fault_exits_2_and_loses_nothing(quick):
    r, files = quick
    _drop(r.ws, files[:4])
    remove = _unwritable_outbox(r.ws)
    cmd = [sys.executable, "-m", "toolkit", "watch", "--once", "--quiet", "0", "--workers", "2", "-w", str(r.ws.root)]
    done = subprocess.run(cmd, env=cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    said = " ".join(done.stderr.split())
    assert "outbox" in said and "nothing is lost, they are taken up at the next run" in said
    assert [x for x in _rows(r.ws) if x.finished_at] == []
    remove()
    done = subprocess.run(cmd, env=cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    _answered_once(r.ws, files[:4])


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


def _gone(pids: list[int]) -> bool:
    return all(not Path(f"/proc/{p}").exists() or "Z" in Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1][:3]
               for p in pids)


@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl+C"])
def test_a_stop_signal_stops_the_watcher_and_its_workers_cleanly(quick, how):
    r, files = quick
    w = Watcher(r.ws, "--workers", "2")
    assert w.wait_for("watching")
    workers = _children(w.proc.pid)
    assert len(workers) >= 2
    _drop(r.ws, files[:6])
    time.sleep(0.3)  # a batch in hand when the signal comes
    if how == "SIGTERM":
        w.proc.send_signal(signal.SIGTERM)  # a service manager stopping it
    else:
        os.killpg(w.proc.pid, signal.SIGINT)  # a terminal: the whole process group
    assert w.proc.wait(30) == 0
    w.stop()
    assert "stopped" in w.said and "Traceback" not in w.said and "Traceback" not in " ".join(w.out)
    assert wait_until(lambda: _gone(workers), 10), workers
    # nothing lost: whatever was not finished is taken up by the next run, once
    done = subprocess.run([sys.executable, "-m", "toolkit", "watch", "--once", "--quiet", "0", "-w", str(r.ws.root)],
                          env=cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    _answered_once(r.ws, files[:6])


def test_workers_never_outlive_a_killed_watcher(quick):
    r, _ = quick
    w = Watcher(r.ws, "--workers", "2")
    assert w.wait_for("watching")
    workers = _children(w.proc.pid)
    w.proc.kill()
    w.proc.wait(10)
    assert wait_until(lambda: _gone(workers), 15), workers


def test_a_full_disk_while_answering_leaves_the_files_for_the_next_run(fresh, tmp_path):
    """No space left on the device while an answer is written (injected, once): nothing is quarantined for it, the
    run stops with ``InboxFault`` and every file is answered once by the next run."""
    import errno

    from tests.inbox_helpers import context
    from toolkit.errors import ToolkitError
    from toolkit.inbox.watcher import Stability, run_once
    from toolkit.services.inbox import make_inbox

    for k in range(3):
        shutil.copyfile(fresh.valid("JONV", tmp_path / f"v{k}.xlsx", variant=k + 1), fresh.ws.inbox / f"{k}.xlsx")
    inbox = make_inbox(context(fresh.ws))
    settle = inbox.judge.settle

    def full(verdict, receipt):
        raise OSError(errno.ENOSPC, "No space left on device", str(fresh.ws.outbox))

    inbox.judge.settle = full
    with pytest.raises(ToolkitError, match="No space left on device"):  # InboxFault: a fault, not a crash
        run_once(inbox, Stability(quiet_seconds=0), max_wait=0)
    assert [x for x in _rows(fresh.ws) if x.finished_at] == [] and _emails(fresh.ws) == []
    inbox.judge.settle = settle
    outcomes, waiting = run_once(inbox, Stability(quiet_seconds=0), max_wait=0)
    assert sorted(o.status for o in outcomes) == ["accepted"] * 3 and waiting == []
    rows = _rows(fresh.ws)
    assert len(rows) == 3 and {r.status for r in rows} == {"accepted"} and len(_emails(fresh.ws)) == 3
    assert not any(p.is_file() for p in fresh.ws.inbox.rglob("*"))
