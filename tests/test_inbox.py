"""The watched inbox: every file that arrives ends up accepted, rejected with a report, quarantined or recorded
as a duplicate, with its original bytes kept; answers land in the outbox; the ledger is a real SQLite file."""

from __future__ import annotations

import email
import hashlib
import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import REPO, fresh_small
from tests.inbox_helpers import TODAY, Returns, context, distinct_copies
from tests.libreoffice import recalculate
from toolkit.cli import main
from toolkit.inbox.intake import PROCESSING
from toolkit.inbox.watcher import Stability, run_once, watch
from toolkit.services.inbox import make_inbox
from toolkit.services.status import submission_status
from toolkit.store.ledger import Ledger
from toolkit.store.workspace import LEDGER


def process(r: Returns, *files: Path, names: list[str] | None = None, group: str | None = None):
    target = r.ws.inbox / group if group else r.ws.inbox
    target.mkdir(exist_ok=True)
    for k, f in enumerate(files):
        shutil.copyfile(f, target / (names[k] if names else f.name))
    inbox = make_inbox(context(r.ws))
    outcomes, waiting = run_once(inbox, Stability(quiet_seconds=0.05, settle_seconds=0.2), max_wait=5)
    assert waiting == []
    return outcomes, inbox.ledger


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the happy path ------------------------------------------------------------------------------------------

def test_valid_return_is_accepted_archived_answered_and_recorded(fresh, tmp_path):
    f = fresh.valid("JONV", tmp_path / "JONV plan.xlsx")
    [o], ledger = process(fresh, f)
    assert o.status == "accepted" and o.group == "JONV" and o.cycle == "S8"
    row = ledger.get(o.row_id)
    assert (row.status, row.supplier_group, row.cycle, row.version, row.original_name) == (
        "accepted", "JONV", "S8", 1, "JONV plan.xlsx")
    archived = fresh.ws.root / row.archive_path
    assert archived.read_bytes() == f.read_bytes() and archived.name == f"{sha(f)}.xlsx"
    assert archived.parent == fresh.ws.workbooks / "S8" / "received"
    assert list(fresh.ws.inbox.iterdir()) == [fresh.ws.inbox / PROCESSING] or not any(fresh.ws.inbox.iterdir())
    feedback = fresh.ws.root / row.feedback_path
    wb = openpyxl.load_workbook(feedback)
    assert wb.sheetnames[:2] == ["Summary", "Findings"]
    assert any(c.value == "ACCEPTED" for r in wb["Summary"].iter_rows() for c in r)
    msg = email.message_from_bytes((fresh.ws.root / row.email_path).read_bytes())
    group = fresh.config.industry.group_by_mpid["JONV"]
    assert msg["To"] == ", ".join(group.contacts) and msg["From"] == fresh.config.parameters.contact.email
    assert "accepted" in msg["Subject"]
    attachments = [p.get_filename() for p in msg.walk() if p.get_filename()]
    assert attachments == [feedback.name]
    assert ledger.current_plan("S8", "JONV").id == o.row_id
    # a real SQLite file
    with sqlite3.connect(fresh.ws.workbooks / LEDGER) as db:
        assert db.execute("SELECT count(*) FROM submissions").fetchone() == (1,)


def test_a_later_accepted_version_supersedes_and_the_ledger_keeps_both(fresh, tmp_path):
    first = fresh.valid("AAUC", tmp_path / "a.xlsx")
    second = fresh.valid("AAUC", tmp_path / "b.xlsx", variant=3)
    (o1,), ledger = process(fresh, first)
    (o2,), ledger = process(fresh, second)
    assert (o1.status, o2.status) == ("accepted", "accepted")
    assert ledger.current_plan("S8", "AAUC").id == o2.row_id
    assert [r.status for r in ledger.rows("S8")] == ["accepted", "accepted"]


def test_rejected_return_marks_the_cell_red_with_a_comment(fresh, tmp_path):
    f, cell = fresh.over_limit("XDNO", tmp_path / "over.xlsx")
    [o], ledger = process(fresh, f)
    assert o.status == "rejected" and o.errors >= 1
    row = ledger.get(o.row_id)
    wb = openpyxl.load_workbook(fresh.ws.root / row.feedback_path)
    sheet = wb["Weekly plan"]
    assert sheet[cell].fill.fgColor.rgb.endswith("FFC7CE")
    assert "envelope.weekly" in sheet[cell].comment.text or "de-minimis.daily-cap" in sheet[cell].comment.text
    summary = [c.value for r in wb["Summary"].iter_rows() for c in r]
    assert "REJECTED" in summary
    assert ledger.current_plan("S8", "XDNO") is None


def test_supplier_text_is_written_back_as_text_never_a_formula(fresh, tmp_path):
    from toolkit.excel.filler import fill_cells

    f = fresh.valid("JONV", tmp_path / "v.xlsx")
    evil = fill_cells(f, tmp_path / "formula-text.xlsx", {("Weekly plan", "B20"): "=HYPERLINK(\"http://x\",1)"})
    [o], ledger = process(fresh, evil)
    assert o.status == "rejected"
    wb = openpyxl.load_workbook(fresh.ws.root / ledger.get(o.row_id).feedback_path)
    assert wb["Weekly plan"]["B20"].data_type == "s"
    assert wb["Weekly plan"]["B20"].value.startswith("=HYPERLINK")


# -- bad input: each kind quarantined or rejected with a reason, original bytes kept ------------------------

def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as handle:
            block = b"0" * 2**20
            for _ in range(300):
                handle.write(block)
    return path


def _entity_attack(src: Path, path: Path) -> Path:
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
           '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.decode().replace('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', lol, 1)
                data = data.replace("<workbook ", "<workbook a=\"&lol3;\" ", 1).encode()
            zout.writestr(info, data)
    return path


def _encrypted(src: Path, path: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with src.open("rb") as handle:
        OOXMLFile(handle).encrypt("secret", out)
    path.write_bytes(out.getvalue())
    return path


def _legacy_xls(src: Path, tmp: Path) -> Path:
    from tests.libreoffice import soffice

    binary = soffice()
    profile = tmp / "lo-profile"
    subprocess.run([binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "xls",
                    "--outdir", str(tmp / "xls"), str(src)], capture_output=True, timeout=300, check=True)
    return next((tmp / "xls").glob("*.xls"))


BAD = {
    "csv": (lambda r, t: _write(t / "plan.csv", b"ldso,week,plan\nEELC,2026-12-07,100\n"), "text"),
    "pdf": (lambda r, t: _write(t / "plan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"), "PDF"),
    "text renamed .xlsx": (lambda r, t: _write(t / "plan.xlsx", b"just some notes\n"), "text"),
    "0 bytes": (lambda r, t: _write(t / "empty.xlsx", b""), "empty"),
    "truncated zip": (lambda r, t: _write(t / "cut.xlsx", r.valid("JONV", t / "v.xlsx").read_bytes()[:20000]),
                      "corrupt"),
    "encrypted": (lambda r, t: _encrypted(r.valid("JONV", t / "v.xlsx"), t / "locked.xlsx"), "password"),
    "zip bomb": (lambda r, t: _zip_bomb(t / "bomb.xlsx"), "zip bomb"),
    "XML entities": (lambda r, t: _entity_attack(r.valid("JONV", t / "v.xlsx"), t / "lol.xlsx"), "entit"),
    "legacy xls": (lambda r, t: _legacy_xls(r.valid("JONV", t / "v.xlsx"), t), "97-2003"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_input_is_quarantined_with_a_reason_and_its_bytes_kept(fresh, tmp_path, kind):
    make, words = BAD[kind]
    f = make(fresh, tmp_path)
    original = f.read_bytes()
    [o], ledger = process(fresh, f)
    assert o.status == "quarantined", (kind, o)
    assert words.lower() in o.reason.lower(), (kind, o.reason)
    row = ledger.get(o.row_id)
    assert (fresh.ws.root / row.archive_path).read_bytes() == original
    assert (fresh.ws.root / row.email_path).is_file()
    assert not any(p.is_file() for p in fresh.ws.inbox.rglob("*"))


def test_macro_enabled_workbook_is_read_never_run_and_warned(fresh, tmp_path):
    f = fresh.valid("JONV", tmp_path / "v.xlsx")
    xlsm = tmp_path / "plan.xlsm"
    with zipfile.ZipFile(f) as zin, zipfile.ZipFile(xlsm, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
            zout.writestr(info, data)
        zout.writestr("xl/vbaProject.bin", b"\x00" * 64)
    [o], ledger = process(fresh, xlsm)
    assert o.status == "accepted" and o.warnings == 1
    assert ledger.get(o.row_id).archive_path.endswith(".xlsm")


def test_altered_signature_and_another_groups_delivery_are_rejected(fresh, tmp_path):
    from toolkit.excel.filler import fill_cells

    f = fresh.valid("JONV", tmp_path / "v.xlsx")
    altered = fill_cells(f, tmp_path / "altered.xlsx", {("_mcc", "B6"): "9"})
    (o1,), _ = process(fresh, altered)
    assert o1.status == "rejected"
    (o2,), _ = process(fresh, fresh.valid("AAUC", tmp_path / "aauc.xlsx"), group="JONV")
    assert o2.status == "rejected" and o2.group == "AAUC"


def test_path_tricks_and_non_ascii_names_stay_inside_the_outbox(fresh, tmp_path):
    f = fresh.valid("JONV", tmp_path / "v.xlsx")
    names = ["..\\..\\evil.xlsx", "plan – café №1 ✓.xlsx", "$(rm -rf ~).xlsx"]
    copies = [fresh.valid("JONV", tmp_path / f"v{k}.xlsx", variant=k + 1) for k in range(3)]
    outcomes, ledger = process(fresh, *copies, names=names)
    assert sorted(o.name for o in outcomes) == sorted(names)
    assert {ledger.get(o.row_id).original_name for o in outcomes} == set(names)
    for o in outcomes:
        for p in o.outputs:
            assert p.resolve().is_relative_to((fresh.ws.outbox / "S8" / "JONV").resolve())
            assert p.name.isascii()
    assert not (fresh.ws.root.parent / "evil.xlsx").exists()
    assert f.is_file()


def test_the_same_file_twice_is_a_duplicate_not_counted_twice(fresh, tmp_path):
    f = fresh.valid("JONV", tmp_path / "v.xlsx")
    (o1,), _ = process(fresh, f)
    (o2,), ledger = process(fresh, f, names=["copy of v.xlsx"])
    assert (o1.status, o2.status, o2.duplicate_of) == ("accepted", "duplicate", o1.row_id)
    assert len(list((fresh.ws.outbox / "S8" / "JONV").glob("*.eml"))) == 1
    rows = submission_status(context(fresh.ws, fresh.config), "S8")
    jonv = next(r for r in rows if r.group == "JONV")
    assert (jonv.submitted, jonv.accepted) == (1, 1)


def test_a_file_finished_before_a_crash_is_only_cleaned_up(fresh, tmp_path):
    f = fresh.valid("JONV", tmp_path / "v.xlsx")
    (o,), ledger = process(fresh, f)
    claim = ledger.get(o.row_id).claim
    (fresh.ws.inbox / PROCESSING / claim).write_bytes(f.read_bytes())  # the unlink never happened
    outcomes, ledger = process(fresh)
    assert [(x.row_id, x.status) for x in outcomes] == [(o.row_id, "accepted")]
    assert len(ledger.rows()) == 1 and not any((fresh.ws.inbox / PROCESSING).iterdir())


def test_lock_and_temporary_files_are_left_alone(fresh, tmp_path):
    for name in ("~$plan.xlsx", ".~lock.plan.xlsx#", "plan.tmp", "upload.part"):
        (fresh.ws.inbox / name).write_bytes(b"partial")
    outcomes, _ = process(fresh)
    assert outcomes == []
    assert sorted(p.name for p in fresh.ws.inbox.iterdir() if p.is_file()) == sorted(
        ["~$plan.xlsx", ".~lock.plan.xlsx#", "plan.tmp", "upload.part"])


def test_a_file_still_being_written_waits(fresh, tmp_path):
    data = fresh.valid("JONV", tmp_path / "v.xlsx").read_bytes()
    target = fresh.ws.inbox / "slow.xlsx"
    stop = threading.Event()

    def write_slowly():
        with target.open("wb") as handle:
            for k in range(0, len(data), 4096):
                if stop.is_set():
                    return
                handle.write(data[k:k + 4096])
                handle.flush()
                time.sleep(0.05)

    writer = threading.Thread(target=write_slowly)
    writer.start()
    inbox = make_inbox(context(fresh.ws))
    outcomes, waiting = run_once(inbox, Stability(quiet_seconds=0.5, settle_seconds=1.0), max_wait=0.6)
    assert outcomes == [] and waiting == [target]
    writer.join()
    outcomes, waiting = run_once(inbox, Stability(quiet_seconds=0.2, settle_seconds=0.5), max_wait=5)
    assert [o.status for o in outcomes] == ["accepted"] and waiting == []


# -- the CLI ----------------------------------------------------------------------------------------------

def test_mcc_validate_exit_codes_and_json(fresh, tmp_path, capsys, monkeypatch):
    import json

    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    good = fresh.valid("JONV", tmp_path / "good.xlsx")
    bad, cell = fresh.over_limit("XDNO", tmp_path / "bad.xlsx")
    junk = _write(tmp_path / "junk.xlsx", b"not a workbook")
    w = ["-w", str(fresh.ws.root)]
    assert main(["validate", str(good), "--json", *w]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["status"], out["group"], out["cycle"], out["findings"]) == ("accepted", "JONV", "S8", [])
    assert main(["validate", str(bad), "--json", *w]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "rejected"
    finding = next(f for f in out["findings"] if f["cell"] == cell)
    assert set(finding) >= {"rule", "severity", "sheet", "cell", "ldso", "date", "message"}
    assert main(["validate", str(junk), *w]) == 2
    assert main(["validate", str(tmp_path / "missing.xlsx"), *w]) == 2
    assert not any(fresh.ws.outbox.iterdir()) and not (fresh.ws.workbooks / LEDGER).exists()


def test_mcc_watch_once_and_status(fresh, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    shutil.copyfile(fresh.valid("JONV", tmp_path / "v.xlsx"), fresh.ws.inbox / "jonv.xlsx")
    w = ["-w", str(fresh.ws.root)]
    assert main(["watch", "--once", "--quiet", "0.1", *w]) == 0
    assert "accepted jonv.xlsx" in capsys.readouterr().out
    assert main(["status", *w]) == 0
    out = capsys.readouterr().out
    assert "1 of 70 groups have a valid plan" in out and "Without one (69)" in out


# -- at scale, under watchdog, after a crash ------------------------------------------------------------------

def test_two_hundred_files_dropped_at_once(small, tmp_path):
    r = fresh_small(small, tmp_path)
    group = small[1]
    files = distinct_copies(r.valid(group, tmp_path / "v.xlsx"), tmp_path / "many", 200)
    for f in files:
        shutil.copyfile(f, r.ws.inbox / f.name)
    inbox = make_inbox(context(r.ws))
    outcomes, waiting = run_once(inbox, Stability(quiet_seconds=0.05, settle_seconds=0.2), max_wait=10)
    assert waiting == [] and len(outcomes) == 200
    rows = inbox.ledger.rows()
    assert len(rows) == 200 and {row.status for row in rows} == {"accepted"}
    assert len({row.sha256 for row in rows}) == 200
    assert len(list((r.ws.workbooks / "S8" / "received").iterdir())) == 200
    assert not any(p.is_file() for p in r.ws.inbox.rglob("*"))


def test_crash_mid_batch_then_restart_accounts_for_every_file_once(small, tmp_path):
    r = fresh_small(small, tmp_path)
    group = small[1]
    files = distinct_copies(r.valid(group, tmp_path / "v.xlsx"), tmp_path / "many", 30)
    for f in files:
        shutil.copyfile(f, r.ws.inbox / f.name)
    env = {**os.environ, "MCC_TODAY": TODAY.isoformat(), "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "toolkit", "watch", "--once", "--quiet", "0.05", "-w", str(r.ws.root)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    ledger_path = r.ws.workbooks / LEDGER
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if ledger_path.exists():
            with sqlite3.connect(ledger_path) as db:
                # files are admitted (a row each) in landing order, then judged by the workers: kill once some
                # are judged and others are not (the file exists a moment before its tables do)
                try:
                    if db.execute("SELECT count(*) FROM submissions WHERE status = 'accepted'").fetchone()[0] >= 8:
                        break
                except sqlite3.OperationalError:
                    pass
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len([x for x in Ledger(ledger_path).rows() if x.status == "accepted"])
    assert 0 < done_before < 30, "the kill must land mid-batch"
    assert subprocess.run(cmd, env=env, capture_output=True, timeout=300).returncode == 0
    rows = Ledger(ledger_path).rows()
    assert len(rows) == 30 and {x.status for x in rows} == {"accepted"}
    assert sorted(x.sha256 for x in rows) == sorted(sha(f) for f in files)
    assert not any(p.is_file() for p in r.ws.inbox.rglob("*"))
    assert len(list((r.ws.outbox / "S8" / group).glob("*.eml"))) == 30


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_the_watcher_picks_up_copies_and_excel_style_saves(small, tmp_path, polling):
    r = fresh_small(small, tmp_path)
    group = small[1]
    a, b = distinct_copies(r.valid(group, tmp_path / "v.xlsx"), tmp_path / "two", 2)
    inbox = make_inbox(context(r.ws))
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(inbox, Stability(quiet_seconds=0.2, settle_seconds=0.5)),
                              kwargs={"polling": polling, "poll_seconds": 0.2, "stop": stop, "log": lambda m: None})
    thread.start()
    try:
        shutil.copyfile(a, r.ws.inbox / "copied.xlsx")  # a plain copy
        tmp = r.ws.inbox / "~$saved.xlsx"  # Excel writes a lock/temporary file, then renames
        shutil.copyfile(b, r.ws.inbox / "A1B2C3D4.tmp")
        tmp.write_bytes(b"lock")
        os.replace(r.ws.inbox / "A1B2C3D4.tmp", r.ws.inbox / "saved.xlsx")
        tmp.unlink()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len([x for x in inbox.ledger.rows() if x.finished_at]) < 2:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(10)
    rows = inbox.ledger.rows()
    assert sorted(x.original_name for x in rows) == ["copied.xlsx", "saved.xlsx"]
    assert {x.status for x in rows} == {"accepted"}


def test_round_trip_through_libreoffice_is_accepted(fresh, tmp_path):
    f = fresh.valid("JONV", tmp_path / "jonv.xlsx")
    [saved] = recalculate([f], tmp_path / "lo", tmp_path, processes=1)
    assert saved.read_bytes() != f.read_bytes()
    judged = fresh.judge.judge(saved, saved.name)
    assert judged.status.value == "accepted", judged.findings
