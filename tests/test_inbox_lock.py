"""Issue 16, case 3: one intake process per workspace. Two watchers started together: one watches, the other stops
with exit 2 naming the holder (pid and host); ``--once`` beside a running watcher does the same; a stale lock (its
holder dead on this machine, or silent on another for longer than ``[inbox] lock_stale_seconds``) is taken over."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time

from tests.inbox_helpers import Watcher, cli_env, wait_until
from toolkit.store.ledger import Ledger
from toolkit.store.workspace import LEDGER


def _answered(ws) -> list:
    return [r for r in Ledger(ws.workbooks / LEDGER).rows() if r.finished_at] if (ws.workbooks / LEDGER).exists() \
        else []


def _once(ws, timeout: float = 300.0) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "toolkit", "watch", "--once", "--quiet", "0", "-w", str(ws.root)],
                          env=cli_env(), capture_output=True, text=True, timeout=timeout)


def test_two_watchers_started_together_one_watches_the_other_names_it(fresh, tmp_path):
    a, b = Watcher(fresh.ws, "--workers", "2"), Watcher(fresh.ws, "--workers", "2")
    try:
        assert wait_until(lambda: a.proc.poll() is not None or b.proc.poll() is not None, 60)
        refused, running = (a, b) if a.proc.poll() is not None else (b, a)
        assert refused.proc.wait(10) == 2
        assert running.wait_for("watching")
        assert (f"the inbox of this workspace is being taken in by pid {running.proc.pid} on {socket.gethostname()} "
                "(mcc watch, since") in refused.said
        for k in range(3):
            shutil.copyfile(fresh.valid("JONV", tmp_path / f"v{k}.xlsx", variant=k + 1), fresh.ws.inbox / f"{k}.xlsx")
        assert wait_until(lambda: len(_answered(fresh.ws)) == 3, 60)
    finally:
        codes = [w.stop() for w in (a, b)]
    assert sorted(codes) == [0, 2]
    assert [r.status for r in _answered(fresh.ws)] == ["accepted"] * 3


def test_once_beside_a_running_watcher_refuses(fresh, tmp_path):
    w = Watcher(fresh.ws)
    try:
        assert w.wait_for("watching")
        done = _once(fresh.ws)
        assert done.returncode == 2 and f"pid {w.proc.pid} on {socket.gethostname()} (mcc watch" in " ".join(
            done.stderr.split())
    finally:
        assert w.stop() == 0


def _lock(ws, host: str, pid: int, age: float = 0.0) -> None:
    path = ws.workbooks / "intake.lock"
    path.write_text(json.dumps({"pid": pid, "host": host, "command": "mcc watch", "since": "2026-11-23T09:00:00"}))
    if age:
        past = time.time() - age
        os.utime(path, (past, past))


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_lock_left_by_a_dead_process_on_this_machine_is_taken_over(fresh, tmp_path):
    _lock(fresh.ws, socket.gethostname(), _dead_pid())
    shutil.copyfile(fresh.valid("JONV", tmp_path / "v.xlsx"), fresh.ws.inbox / "jonv.xlsx")
    done = _once(fresh.ws)
    assert done.returncode == 0, done.stderr
    assert [r.status for r in _answered(fresh.ws)] == ["accepted"]
    assert (fresh.ws.workbooks / "intake.lock").read_text() == ""  # released: emptied, never deleted


def test_a_lock_of_another_machine_is_respected_while_fresh_and_taken_over_when_stale(fresh, tmp_path):
    _lock(fresh.ws, "mcc-other-machine", 4242)
    shutil.copyfile(fresh.valid("JONV", tmp_path / "v.xlsx"), fresh.ws.inbox / "jonv.xlsx")
    done = _once(fresh.ws)
    assert done.returncode == 2
    assert "being taken in by pid 4242 on mcc-other-machine (mcc watch, since 2026-11-23T09:00:00)" in " ".join(
        done.stderr.split())
    assert (fresh.ws.inbox / "jonv.xlsx").is_file() and _answered(fresh.ws) == []
    _lock(fresh.ws, "mcc-other-machine", 4242, age=3600)  # silent for an hour: that machine stopped
    done = _once(fresh.ws)
    assert done.returncode == 0, done.stderr
    assert [r.status for r in _answered(fresh.ws)] == ["accepted"]
