"""Issue 16, case 1: no file name stops the inbox. Names of 255 bytes, with a line break, with bytes that are not
UTF-8 or with terminal markup are claimed under short generated names, recorded as given (readable, and as exact
bytes), and never used as a path or a header unsanitised; an unexpected error on one file quarantines that file and
the others are answered; nothing left in ``inbox/.processing/`` can make a restart fail."""

from __future__ import annotations

import email
import json
import os
import shutil
import subprocess
import sys

from tests.inbox_helpers import cli_env, run_inbox
from toolkit.inbox.intake import PROCESSING
from toolkit.store.ledger import Ledger
from toolkit.store.workspace import LEDGER

LONG = "p" * 245 + ".xlsx"  # 250 bytes: the claim once added 15 more, past the 255 a name may have
LINES = "plan\r\nBcc: spy@evil.example.xlsx"
MARKUP = "plan [bold red]x[link=http:evil.example].xlsx"  # shown as it is, never as terminal markup
NOT_UTF8 = b"plan \xff\xfe caf\xe9.xlsx"


def _drop(fresh, tmp_path, names: list, group: str = "JONV") -> None:
    for k, name in enumerate(names):
        source = fresh.valid(group, tmp_path / f"v{k}.xlsx", variant=k + 1)
        target = os.path.join(os.fsencode(fresh.ws.inbox), name if isinstance(name, bytes) else os.fsencode(name))
        shutil.copyfile(source, target)


def test_a_name_of_250_bytes_is_answered(fresh, tmp_path):
    _drop(fresh, tmp_path, [LONG])
    [o], ledger = run_inbox(fresh.ws)
    assert (o.status, o.name) == ("accepted", LONG)
    row = ledger.get(o.row_id)
    assert (row.original_name, row.name_bytes) == (LONG, LONG.encode())
    assert all(len(p.name.encode()) < 120 for p in o.outputs)


def test_a_line_break_in_a_name_never_reaches_a_header(fresh, tmp_path):
    _drop(fresh, tmp_path, [LINES])
    [o], ledger = run_inbox(fresh.ws)
    assert o.status == "accepted"
    row = ledger.get(o.row_id)
    assert row.original_name == "plan\\r\\nBcc: spy@evil.example.xlsx" and row.name_bytes == LINES.encode()
    msg = email.message_from_bytes((fresh.ws.root / row.email_path).read_bytes())
    assert msg["Bcc"] is None and "\\r\\n" in msg["Subject"]
    assert msg["To"] == ", ".join(fresh.config.industry.group_by_mpid["JONV"].contacts)


def test_bytes_that_are_not_utf8_are_recorded_as_given(fresh, tmp_path):
    _drop(fresh, tmp_path, [NOT_UTF8])
    [o], ledger = run_inbox(fresh.ws)
    assert o.status == "accepted"
    row = ledger.get(o.row_id)
    assert row.original_name == "plan \\xff\\xfe caf\\xe9.xlsx" and row.name_bytes == NOT_UTF8


def test_odd_names_in_one_batch_through_the_command_line(fresh, tmp_path):
    """The batch of the issue with ``--workers 1``: each odd name is answered, and so is every file after it."""
    _drop(fresh, tmp_path, [LONG, LINES, MARKUP, NOT_UTF8, "after.xlsx"])
    cmd = [sys.executable, "-m", "toolkit", "watch", "--once", "--quiet", "0", "--workers", "1", "-w",
           str(fresh.ws.root)]
    done = subprocess.run(cmd, env=cli_env(), capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    rows = Ledger(fresh.ws.workbooks / LEDGER).rows()
    assert len(rows) == 5 and {r.status for r in rows} == {"accepted"}
    assert {r.name_bytes for r in rows} == {os.fsencode(n) if isinstance(n, str) else n
                                            for n in (LONG, LINES, MARKUP, NOT_UTF8, "after.xlsx")}
    assert b"5 files processed" in done.stdout and not any(fresh.ws.inbox.rglob("*.xlsx"))
    assert MARKUP.encode() in done.stdout.replace(b"\n", b"")


def test_an_unexpected_error_on_one_file_quarantines_it_and_the_others_go_on(fresh, tmp_path):
    from tests.inbox_helpers import context
    from toolkit.inbox.watcher import Stability, run_once
    from toolkit.services.inbox import make_inbox

    _drop(fresh, tmp_path, ["a.xlsx", "poison.xlsx", "c.xlsx"])
    inbox = make_inbox(context(fresh.ws))
    settle = inbox.judge.settle

    def broken(verdict, receipt):  # a fault of ours on one file, while answering it
        if receipt.name == "poison.xlsx" and verdict.status == "accepted":
            raise ValueError("a bug of ours")
        return settle(verdict, receipt)

    inbox.judge.settle = broken
    outcomes, _ = run_once(inbox, Stability(quiet_seconds=0), max_wait=0)
    by_name = {o.name: o for o in outcomes}
    assert [by_name[n].status for n in ("a.xlsx", "poison.xlsx", "c.xlsx")] == ["accepted", "quarantined",
                                                                             "accepted"]
    assert by_name["poison.xlsx"].reason == ("the toolkit failed while answering this file (ValueError: a bug of "
                                             "ours); the MCC will look")
    row = inbox.ledger.get(by_name["poison.xlsx"].row_id)
    assert row.email_path and (fresh.ws.root / row.archive_path).is_file()  # answered, and its bytes kept
    assert not any(p.is_file() for p in fresh.ws.inbox.rglob("*"))


def test_nothing_left_claimed_can_make_a_restart_fail(fresh, tmp_path):
    """Claims a stopped run left behind: one from before claim records (its name holds a line break), one whose
    record is not JSON, one whose record is missing: each is answered, and the restart exits 0."""
    processing = fresh.ws.inbox / PROCESSING
    processing.mkdir()
    shutil.copyfile(fresh.valid("JONV", tmp_path / "a.xlsx", variant=1), processing / f"0123456789ab.-.{LINES}")
    shutil.copyfile(fresh.valid("JONV", tmp_path / "b.xlsx", variant=2), processing / "aaaaaaaaaaaa")
    (processing / "aaaaaaaaaaaa.json").write_text("{not json")
    shutil.copyfile(fresh.valid("JONV", tmp_path / "c.xlsx", variant=3), processing / "bbbbbbbbbbbb")
    (processing / "cccccccccccc.json").write_text(json.dumps({"name": "gone.xlsx"}))  # a claim that never happened
    cmd = [sys.executable, "-m", "toolkit", "watch", "--once", "--quiet", "0", "-w", str(fresh.ws.root)]
    done = subprocess.run(cmd, env=cli_env(), capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    rows = Ledger(fresh.ws.workbooks / LEDGER).rows()
    assert sorted(r.original_name for r in rows) == sorted(["plan\\r\\nBcc: spy@evil.example.xlsx", "aaaaaaaaaaaa",
                                                            "bbbbbbbbbbbb"])
    assert {r.status for r in rows} == {"accepted"} and list(processing.iterdir()) == []
