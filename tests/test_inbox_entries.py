"""Issue 16, cases 4 and 7: links, hard links, pipes and devices in the inbox are refused without being followed or
opened (recorded, answered where the sender is known, never copied); a folder that names no group and files two
levels deep are left where they are and reported, never taken as a claim; ``mcc status`` lists what is quarantined,
from unknown senders, left in the inbox or claimed unanswered, with the reasons."""

from __future__ import annotations

import os
import shutil
import threading

import pytest

from tests.inbox_helpers import TODAY, run_inbox
from toolkit.cli import main
from toolkit.inbox.intake import PROCESSING


def _everything_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _no_copy_of(data: bytes, ws) -> None:
    for p in ws.root.rglob("*"):
        if p.is_file() and not p.is_symlink() and p.parent.name != "config":
            assert data not in p.read_bytes(), p


def test_a_linked_folder_is_refused_and_what_it_points_to_is_untouched(fresh, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    for k in range(3):
        fresh.valid("JONV", outside / f"plan{k}.xlsx", variant=k + 1)
    before = _everything_under(outside)
    (fresh.ws.inbox / "JONV").symlink_to(outside, target_is_directory=True)
    (fresh.ws.inbox / "received").symlink_to(fresh.ws.workbooks, target_is_directory=True)
    outcomes, ledger = run_inbox(fresh.ws)
    assert _everything_under(outside) == before and (fresh.ws.workbooks / "S8" / "templates").is_dir()
    assert sorted((o.name, o.status) for o in outcomes) == [("JONV", "quarantined"), ("received", "quarantined")]
    assert all("symbolic link" in o.reason and "never followed" in o.reason for o in outcomes)
    assert not any(str(tmp_path) in o.reason for o in outcomes)  # where a link points is never told a sender
    assert not (fresh.ws.inbox / "JONV").exists() and not (fresh.ws.inbox / "received").exists()  # the links only


def test_a_link_or_hard_link_to_the_signing_key_leaves_no_copy(fresh, tmp_path):
    key = fresh.ws.config / "signing.key"
    secret = key.read_bytes().strip()
    (fresh.ws.inbox / "JONV").mkdir()
    (fresh.ws.inbox / "JONV" / "plan.xlsx").symlink_to(key)
    os.link(key, fresh.ws.inbox / "hard.xlsx")
    outcomes, ledger = run_inbox(fresh.ws)
    by_name = {o.name: o for o in outcomes}
    assert {n: o.status for n, o in by_name.items()} == {"plan.xlsx": "quarantined", "hard.xlsx": "quarantined"}
    assert "symbolic link" in by_name["plan.xlsx"].reason and "hard link" in by_name["hard.xlsx"].reason
    assert by_name["plan.xlsx"].group == "JONV"  # answered to the group whose folder it came in
    row = ledger.get(by_name["plan.xlsx"].row_id)
    assert row.email_path.startswith("outbox/unassigned/JONV/") and not row.archive_path
    _no_copy_of(secret, fresh.ws)
    assert key.read_bytes().strip() == secret and os.stat(key).st_nlink == 1


def test_a_named_pipe_is_refused_without_being_opened(fresh, tmp_path):
    fifo = fresh.ws.inbox / "plan.xlsx"
    os.mkfifo(fifo)
    result = {}
    thread = threading.Thread(target=lambda: result.update(out=run_inbox(fresh.ws)), daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "opening the pipe would block for ever"
    [o], ledger = result["out"]
    assert o.status == "quarantined" and "named pipe" in o.reason and not fifo.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device needs root")
def test_a_device_is_refused_without_being_opened(fresh):
    os.mknod(fresh.ws.inbox / "zero.xlsx", 0o600 | 0o020000, os.makedev(1, 5))  # /dev/zero's numbers
    [o], _ = run_inbox(fresh.ws)
    assert o.status == "quarantined" and "a device" in o.reason


def test_a_folder_naming_no_group_is_reported_not_taken_as_a_claim(fresh, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    folder = fresh.ws.inbox / "returns 30-11"
    folder.mkdir()
    fresh.valid("JONV", folder / "jonv.xlsx")
    nested = fresh.ws.inbox / "jonv" / "old"  # a group folder (any case) holding a folder
    nested.mkdir(parents=True)
    fresh.valid("JONV", nested / "older.xlsx", variant=1)
    fresh.valid("JONV", fresh.ws.inbox / "jonv" / "new.xlsx", variant=2)
    assert main(["watch", "--once", "--quiet", "0", "-w", str(fresh.ws.root)]) == 0
    out = capsys.readouterr()
    assert "accepted new.xlsx (JONV, S8)" in out.out  # the group folder, in lower case, is the group's
    assert (folder / "jonv.xlsx").is_file() and (nested / "older.xlsx").is_file()  # left where they are
    said = " ".join(out.err.split())
    assert "inbox/returns 30-11/: this folder names no supplier group (nor outturn): its 1 files were not taken" in said
    assert "inbox/jonv/old/: a folder inside a group folder: its 1 files were not taken" in said
    assert not list((fresh.ws.outbox).rglob("*rejected*"))  # nobody was told their plan is another group's


def test_status_lists_quarantined_unknown_senders_and_what_is_left(fresh, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    (fresh.ws.inbox / "notes.csv").write_bytes(b"ldso,week,plan\nEELC,2026-12-07,100\n")  # nobody's
    (fresh.ws.inbox / "link.xlsx").symlink_to(fresh.ws.config / "ldsos.csv")
    (fresh.ws.inbox / "returns 30-11").mkdir()
    fresh.valid("AAUC", fresh.ws.inbox / "returns 30-11" / "aauc.xlsx")
    fresh.valid("JONV", fresh.ws.inbox / "jonv.xlsx")
    run_inbox(fresh.ws)
    processing = fresh.ws.inbox / PROCESSING
    shutil.copyfile(fresh.valid("XDNO", tmp_path / "x.xlsx"), processing / "0123456789ab")  # claimed, unanswered
    (processing / "0123456789ab.json").write_text('{"name": "xdno.xlsx", "name_hex": "78646e6f2e786c7378", '
                                                  '"folder": "XDNO"}')
    assert main(["status", "-w", str(fresh.ws.root)]) == 0
    assert "Quarantined, unassigned or left in the inbox (4)" in capsys.readouterr().out
    from tests.inbox_helpers import context
    from toolkit.services.status import unplaced

    ctx = context(fresh.ws)
    found = [(u.what.split(" ")[-1], u.status, u.group, u.reason.split(":")[0].split(";")[0])
             for u in unplaced(ctx, ctx.sprint())]
    assert sorted(found[:2]) == [
        ("link.xlsx", "quarantined", "", "this is a symbolic link, not a file"),
        ("notes.csv", "quarantined", "", "this file is text (a CSV or a renamed file?)")]
    assert found[2:] == [
        ("30-11/", "left in the inbox", "", "this folder names no supplier group (nor outturn)"),
        ("xdno.xlsx", "claimed", "XDNO", "in inbox/.processing/0123456789ab, not answered yet")]
