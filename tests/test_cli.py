"""The mcc command: every command listed, exit codes, messages instead of tracebacks."""

from __future__ import annotations

import csv

from toolkit.cli import main


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("init", "generate-industry", "check", "calendar", "sprints", "demo"):
        assert command in out


def test_calendar_csv_has_one_row_per_date(workspace, tmp_path):
    out = tmp_path / "cal.csv"
    assert main(["calendar", "--csv", str(out), "--workspace", str(workspace.root)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["date", "weekday", "working_day", "migration_day", "reason", "csmt"]
    assert rows[0]["date"] == "2025-10-01" and rows[-1]["date"] == "2027-05-28"
    easter = next(r for r in rows if r["date"] == "2026-04-06")
    assert easter == {"date": "2026-04-06", "weekday": "Mon", "working_day": "false", "migration_day": "false",
                      "reason": "Easter Monday", "csmt": "0"}


def test_calendar_ics_is_valid_icalendar(workspace, tmp_path):
    out = tmp_path / "cal.ics"
    assert main(["calendar", "--ics", str(out), "-w", str(workspace.root)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert raw.count(b"BEGIN:VEVENT") == raw.count(b"END:VEVENT") > 50
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"SUMMARY:M15: last migration day" in raw


def test_sprints_csv(workspace, tmp_path):
    out = tmp_path / "sprints.csv"
    assert main(["sprints", "--csv", str(out), "-w", str(workspace.root)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 9 and rows[0]["execution_start"] == "2025-10-01"


def test_init_creates_a_workspace_with_the_demo_configuration(tmp_path, capsys):
    target = tmp_path / "new"
    assert main(["init", str(target)]) == 0
    assert {p.name for p in target.iterdir()} == {"config", "inbox", "outbox", "workbooks", "templates"}
    assert main(["check", "-w", str(target)]) == 0
    assert main(["init", str(target)]) == 2
    assert "--force" in capsys.readouterr().err


def test_configuration_error_exits_2_with_a_located_message(workspace, capsys):
    path = workspace.config / "ldsos.csv"
    path.write_text(path.read_text() + "EELC,dup,5\n")
    assert main(["check", "-w", str(workspace.root)]) == 2
    err = capsys.readouterr().err
    assert "config/ldsos.csv: row 28, column ldso_mpid: EELC is listed twice" in err
    assert "Traceback" not in err


def test_usage_errors_exit_2(capsys):
    assert main(["calendar", "--no-such-option"]) == 2
    assert main(["no-such-command"]) == 2
    assert main(["check", "-w", "/definitely/not/here"]) == 2
    assert "not a workspace" in capsys.readouterr().err


def test_demo_runs_on_a_workspace(workspace, monkeypatch):
    monkeypatch.setenv("MCC_TODAY", "2026-11-23")
    assert main(["demo", "-w", str(workspace.root)]) == 0
    assert (workspace.workbooks / "calendar.csv").is_file()
    assert (workspace.workbooks / "migration_calendar.ics").is_file()
    templates = sorted((workspace.workbooks / "S8" / "templates").glob("MCC-plan_S8_*_v01.xlsx"))
    assert len(templates) == 70
    # the sprints before S8 were played from simulated outturn first: S8 starts from what remains, with S7's plans
    # carried over (issue 15)
    from toolkit.store.registers import read_basis

    basis = read_basis(workspace.templates_dir("S8"))
    assert sum(p.outturn for b in basis.values() for p in b.pairs.values()) > 0
    assert all(p.remaining >= 0 and p.missing == 0 for b in basis.values() for p in b.pairs.values())
    # the simulated returns were judged: some accepted, some rejected, the CSV quarantined, nothing left behind
    from toolkit.store.ledger import Ledger

    rows = Ledger(workspace.workbooks / "ledger.sqlite").rows("S8")
    assert {"accepted", "rejected"} <= {r.status for r in rows}
    assert not any(p.is_file() for p in workspace.inbox.rglob("*"))
    feedback = [p for p in (workspace.outbox / "S8").rglob("*.eml") if p.name[:5].isdigit() and "mail" not in p.parts]
    assert len(feedback) == len([r for r in rows if r.status != "duplicate"])
    # then consolidation, UCA (simulated requests through the same inbox), allocation and both publications
    assert {r.kind for r in rows} == {"plan", "uca-request"}
    assert sorted(p.name for p in (workspace.workbooks / "S8" / "schedule").glob("*.xlsx")) == [
        "baseline_schedule_v01.xlsx", "draft_schedule_v01.xlsx"]
    assert (workspace.workbooks / "S8" / "uca" / "allocation_v01.xlsx").is_file()
    assert list((workspace.outbox / "S8").rglob("uca_grant_v01.eml"))
    for stage in ("draft", "baseline"):
        assert (workspace.workbooks / "S8" / "publication" / f"{stage}_v01" / "industry_schedule.xlsx").is_file()
    # every kind of email composed, none sent; and the Excel control workbook
    mail = workspace.outbox / "S8" / "mail"
    assert sorted(p.name for p in mail.iterdir()) == sorted(
        ["templates", "feedback", "reminders", "uca", "grants", "publication"])
    assert len(list((mail / "templates").glob("*.eml"))) == 70
    assert {m.status for m in Ledger(workspace.workbooks / "ledger.sqlite").mail_rows("S8")} == {"composed"}
    assert (workspace.workbooks / "mcc_control.xlsm").is_file() and (workspace.workbooks / "mcc_control.py").is_file()
    # execution: simulated outturn accepted through the inbox, a shortfall handed out in an ad hoc round, the report
    ledger = Ledger(workspace.workbooks / "ledger.sqlite")
    assert [r.status for r in ledger.rows() if r.kind == "outturn" and r.archive_path] == ["accepted"]
    assert ledger.outturn()
    assert len(ledger.shortfalls("S8")) == 1
    assert (workspace.workbooks / "S8" / "uca" / "round_02" / "unused_capacity.csv").is_file()
    assert [p.name for p in (workspace.workbooks / "S8" / "monitoring").glob("*.xlsx")] == [
        "monitoring_2026-12-11_v01.xlsx"]


def test_generate_industry_other_size(tmp_path):
    out = tmp_path / "cfg"
    assert main(["generate-industry", "--out", str(out), "--groups", "100", "--ldsos", "30"]) == 0
    assert len((out / "ldsos.csv").read_text().splitlines()) == 31


def test_messages_naming_a_parameter_section_keep_its_brackets(workspace, capsys):
    path = workspace.config / "ldsos.csv"
    path.write_text(path.read_text().replace("EELC,Eastern (demo),3700000", "EELC,Eastern (demo),9700000"))
    assert main(["check", "-w", str(workspace.root)]) == 2
    assert "the tolerance is 5.0%, [checks] portfolio_tolerance)" in capsys.readouterr().err
