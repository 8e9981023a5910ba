"""Issue 16, case 8: a return rejected because it was dropped into another group's folder can be judged again:
``mcc rejudge SUBMISSION``, or the same bytes dropped again (into the right folder, or into ``inbox/`` itself). The
new decision is recorded on the same receipt, which keeps its place in the landing order; the earlier decision
stays in the ledger; the new answer is written beside the old one."""

from __future__ import annotations

import shutil

from tests.inbox_helpers import TODAY, run_inbox
from toolkit.cli import main


def _misfile(fresh, tmp_path, name: str = "aauc.xlsx", variant: int = 0):
    """AAUC's valid return, dropped into JONV's folder: rejected as another group's."""
    f = fresh.valid("AAUC", tmp_path / name, variant=variant)
    (fresh.ws.inbox / "JONV").mkdir(exist_ok=True)
    shutil.copyfile(f, fresh.ws.inbox / "JONV" / name)
    [o], ledger = run_inbox(fresh.ws)
    assert (o.status, o.group) == ("rejected", "AAUC")
    assert ledger.get(o.row_id).delivery_bound
    return f, o, ledger


def test_mcc_rejudge_judges_a_misfiled_return_again_on_the_same_receipt(fresh, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    _, first, ledger = _misfile(fresh, tmp_path)
    before = ledger.get(first.row_id)
    assert main(["rejudge", str(first.row_id), "--why", "misfiled by the MCC", "-w", str(fresh.ws.root)]) == 0
    assert f"#{first.row_id} accepted (decision 2) aauc.xlsx (AAUC, S8)" in capsys.readouterr().out
    row = ledger.get(first.row_id)
    assert (row.status, row.decision, row.received_at, row.supplier_group) == ("accepted", 2, before.received_at,
                                                                              "AAUC")
    assert ledger.current_plan("S8", "AAUC").id == first.row_id
    (earlier,) = ledger.decisions(first.row_id)
    assert (earlier.decision, earlier.status, earlier.why, earlier.email_path) == (1, "rejected",
                                                                                  "misfiled by the MCC",
                                                                                  before.email_path)
    assert row.email_path != before.email_path and (fresh.ws.root / before.email_path).is_file()
    assert (fresh.ws.root / row.email_path).name.startswith(f"{first.row_id:05d}-2_accepted_")
    assert len(ledger.rows()) == 1  # no new receipt


def test_the_same_bytes_dropped_again_in_the_right_folder_are_judged_again(fresh, tmp_path):
    f, first, ledger = _misfile(fresh, tmp_path)
    (fresh.ws.inbox / "AAUC").mkdir()
    shutil.copyfile(f, fresh.ws.inbox / "AAUC" / "again.xlsx")
    [o], ledger = run_inbox(fresh.ws)
    assert (o.row_id, o.status, o.decision) == (first.row_id, "accepted", 2)
    again = ledger.rows()[-1]
    assert (again.status, again.duplicate_of) == ("duplicate", first.row_id)
    assert ledger.get(first.row_id).folder == "AAUC" and ledger.current_plan("S8", "AAUC").id == first.row_id
    # and once decided for that delivery, the same bytes again are a plain duplicate
    shutil.copyfile(f, fresh.ws.inbox / "third.xlsx")
    [o], ledger = run_inbox(fresh.ws)
    assert (o.status, o.duplicate_of) == ("duplicate", first.row_id)
    assert ledger.get(first.row_id).decision == 2


def test_a_rejudged_receipt_keeps_its_place_behind_a_later_plan(fresh, tmp_path, monkeypatch):
    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    _, first, _ = _misfile(fresh, tmp_path)
    later = fresh.valid("AAUC", tmp_path / "later.xlsx", variant=5)
    shutil.copyfile(later, fresh.ws.inbox / "later.xlsx")
    [o2], ledger = run_inbox(fresh.ws)
    assert o2.status == "accepted"
    assert main(["rejudge", str(first.row_id), "-w", str(fresh.ws.root)]) == 0
    assert ledger.get(first.row_id).status == "accepted"
    assert ledger.current_plan("S8", "AAUC").id == o2.row_id  # the later plan stays the group's plan


def test_what_cannot_be_judged_again_is_refused_with_a_reason(fresh, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    (fresh.ws.inbox / "link.xlsx").symlink_to(fresh.ws.config / "ldsos.csv")
    shutil.copyfile(fresh.valid("JONV", tmp_path / "v.xlsx"), fresh.ws.inbox / "a.xlsx")
    shutil.copyfile(fresh.valid("JONV", tmp_path / "v.xlsx"), fresh.ws.inbox / "b.xlsx")
    outcomes, _ = run_inbox(fresh.ws)
    by_name = {o.name: o for o in outcomes}
    dup = next(o for o in outcomes if o.status == "duplicate")
    w = ["-w", str(fresh.ws.root)]
    assert main(["rejudge", str(by_name["link.xlsx"].row_id), *w]) == 2
    assert "has no kept copy to judge again" in capsys.readouterr().err
    assert main(["rejudge", str(dup.row_id), *w]) == 2
    assert f"is a duplicate of submission {dup.duplicate_of}" in capsys.readouterr().err
    assert main(["rejudge", "999", *w]) == 2
    assert "no submission 999" in capsys.readouterr().err


def test_rejudge_beside_a_running_intake_refuses_rather_than_answer_twice(fresh, tmp_path, capsys, monkeypatch):
    """Found by trying it: a rejudge while a watcher took in the same bytes redelivered answered twice (decisions
    2 and 3, both accepted, two emails). Rejudging holds the intake lock: beside a watcher it refuses, exit 2."""
    from tests.inbox_helpers import context
    from toolkit.services.inbox import make_inbox

    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    _, first, ledger = _misfile(fresh, tmp_path, name="held.xlsx", variant=7)
    with make_inbox(context(fresh.ws)).locked("mcc watch"):
        assert main(["rejudge", str(first.row_id), "-w", str(fresh.ws.root)]) == 2
    assert "only one intake process may run" in " ".join(capsys.readouterr().err.split())
    assert ledger.get(first.row_id).decision == 1 and ledger.decisions(first.row_id) == []
    assert main(["rejudge", str(first.row_id), "-w", str(fresh.ws.root)]) == 0  # once the watcher has stopped
    assert ledger.get(first.row_id).decision == 2
