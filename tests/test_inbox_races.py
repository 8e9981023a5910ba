"""Issue 16, found by trying the inbox as an attacker after the first fixes: a group folder swapped for a link
between the look and the claim, a ``.processing`` that is a link or a file, a claimed file swapped for a link to
the signing key while it is judged, claim records that name a path or a reason, and a file the watcher may not
move. Nothing outside the inbox is moved, deleted or copied, no copy of the key is left, and ``--once`` ends with
exit 2 (a fault, nothing lost), never an internal error."""

from __future__ import annotations

import json
import os

import pytest

from tests.inbox_helpers import context, run_inbox
from toolkit.inbox import entries
from toolkit.inbox.faults import InboxFault
from toolkit.inbox.intake import PROCESSING
from toolkit.services.inbox import make_inbox


def _files(folder):
    return sorted((str(p.relative_to(folder)), p.read_bytes()) for p in folder.rglob("*") if p.is_file())


def test_a_group_folder_swapped_for_a_link_after_the_look_is_never_entered(fresh, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.xlsx").write_bytes(b"not the inbox's")
    before = _files(outside)
    fresh.valid("AAUC", fresh.ws.inbox / "AAUC" / "x.xlsx")
    inbox = make_inbox(context(fresh.ws))
    arrivals, _ = inbox.look()
    assert [a.path.name for a in arrivals] == ["x.xlsx"]
    (fresh.ws.inbox / "AAUC").rename(tmp_path / "moved")  # the swap, between the look and the claim
    (fresh.ws.inbox / "AAUC").symlink_to(outside, target_is_directory=True)
    with pytest.raises(FileNotFoundError):
        inbox.claim(arrivals[0])
    assert _files(outside) == before
    assert not [p for p in (fresh.ws.inbox / PROCESSING).iterdir()]  # nothing claimed, no record left
    outcomes, _ = run_inbox(fresh.ws)  # the next look refuses the link itself
    assert [(o.name, o.status) for o in outcomes] == [("AAUC", "quarantined")]
    assert _files(outside) == before


@pytest.mark.parametrize("kind", ["link", "file"])
def test_a_processing_folder_that_is_a_link_or_a_file_is_a_fault_not_a_crash(fresh, tmp_path, kind):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "0123456789ab").write_bytes(fresh.valid("AAUC", tmp_path / "v.xlsx").read_bytes())
    (outside / "precious.txt").write_text("keep me")
    before = _files(outside)
    processing = fresh.ws.inbox / PROCESSING
    if processing.exists():
        processing.rmdir()
    if kind == "link":
        processing.symlink_to(outside, target_is_directory=True)
    else:
        processing.write_text("")
    fresh.valid("AAUC", fresh.ws.inbox / "AAUC" / "plan.xlsx")
    with pytest.raises(InboxFault, match="not a folder"):
        run_inbox(fresh.ws)
    assert _files(outside) == before
    assert (fresh.ws.inbox / "AAUC" / "plan.xlsx").is_file()  # left where it was, answered once it is fixed


def test_a_claimed_file_swapped_for_a_link_to_the_key_leaves_no_copy(fresh, tmp_path, monkeypatch):
    key = fresh.ws.config / "signing.key"
    secret = key.read_bytes()
    fresh.valid("AAUC", fresh.ws.inbox / "AAUC" / "plan.xlsx")
    from toolkit.inbox import intake

    real = intake.Inbox._verdict

    def swap_then_judge(self, judge, a, receipt, refused):  # the swap, after the hash and before the copy
        a.claimed.unlink()
        a.claimed.symlink_to(key)
        return real(self, judge, a, receipt, refused)

    monkeypatch.setattr(intake.Inbox, "_verdict", swap_then_judge)
    outcomes, _ = run_inbox(fresh.ws)
    assert [o.status for o in outcomes] == ["quarantined"]
    assert "replaced while it was judged" in outcomes[0].reason
    for p in fresh.ws.root.rglob("*"):
        if p.is_file() and not p.is_symlink() and p != key:
            assert secret not in p.read_bytes(), p
    assert os.stat(key).st_nlink == 1


def test_a_claim_record_names_no_path_and_no_reason(fresh, tmp_path):
    processing = fresh.ws.inbox / PROCESSING
    processing.mkdir(exist_ok=True)
    (processing / "0123456789ab").write_text("plain text, not a workbook")
    (processing / "0123456789ab.json").write_text(json.dumps(
        {"name": "x.xlsx", "name_hex": b"x.xlsx".hex(), "folder": "../../../../tmp/pwn", "refused": "trust me"}))
    claim = entries.read_claim(processing / "0123456789ab")
    assert claim.folder is None and claim.refused == ""
    outcomes, _ = run_inbox(fresh.ws)
    assert [o.status for o in outcomes] == ["quarantined"]
    assert outcomes[0].group is None and "trust me" not in outcomes[0].reason
    assert not any("pwn" in str(p) for p in fresh.ws.root.rglob("*"))


def test_a_file_the_watcher_may_not_move_is_left_reported_and_the_rest_are_answered(fresh, monkeypatch):
    stuck = fresh.valid("AAUC", fresh.ws.inbox / "AAUC" / "stuck.xlsx", variant=1)
    fresh.valid("JONV", fresh.ws.inbox / "JONV" / "fine.xlsx", variant=2)
    real = os.rename

    def rename(src, dst, *args, **kwargs):
        if os.fsdecode(src) == "stuck.xlsx":
            raise PermissionError(1, "Operation not permitted", src)
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(entries.os, "rename", rename)
    with pytest.raises(InboxFault, match="stuck.xlsx cannot be moved out of inbox/AAUC/"):
        run_inbox(fresh.ws)
    assert stuck.is_file()
    from toolkit.store.ledger import Ledger

    rows = Ledger(fresh.ws.ledger).rows()
    assert [r.original_name for r in rows if r.original_name in ("fine.xlsx", "stuck.xlsx")] == ["fine.xlsx"]
    assert not [p for p in (fresh.ws.inbox / PROCESSING).iterdir()]


def test_temporary_and_lock_files_are_never_taken_but_are_reported(fresh, capsys):
    """Found by trying it: ``plan.tmp`` or ``~$plan.xlsx`` sat in the inbox unanswered and ``mcc status`` never
    named them (the files operating systems leave, like .DS_Store, stay unmentioned)."""
    from tests.inbox_helpers import TODAY
    from toolkit.cli import main

    (fresh.ws.inbox / "AAUC").mkdir(exist_ok=True)
    for name in ("plan.tmp", "~$plan.xlsx", ".DS_Store", "AAUC/half.xlsx.part"):
        (fresh.ws.inbox / name).write_bytes(b"x")
    outcomes, _ = run_inbox(fresh.ws)
    assert outcomes == []
    assert main(["status", "-w", str(fresh.ws.root), "--today", TODAY.isoformat()]) == 0
    assert "Quarantined, unassigned or left in the inbox" in capsys.readouterr().out
    from toolkit.services.status import unplaced

    ctx = context(fresh.ws)
    listed = {u.what: u.reason for u in unplaced(ctx, ctx.sprint())}
    assert {"inbox/plan.tmp", "inbox/~$plan.xlsx", "inbox/AAUC/half.xlsx.part"} <= set(listed)
    assert not any("DS_Store" in w for w in listed)
    assert "a temporary, partial or lock file" in listed["inbox/plan.tmp"]
    assert all((fresh.ws.inbox / n).exists() for n in ("plan.tmp", "~$plan.xlsx", ".DS_Store"))
