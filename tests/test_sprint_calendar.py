"""The sprint calendar governs (issue 15, item 4): where a sprint stands on a day and its next deadline (a reviewed
answer file), templates issued after their return-by date only with --force, late returns marked late (a warning, an
error by parameter) and counted by ``mcc status``, and UCA requests outside their window refused."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime

import numpy as np
import pytest

from tests.conftest import REPO, make_workspace, read_answer_csv
from tests.inbox_helpers import Returns, context, small_workspace
from toolkit.cli import main
from toolkit.domain.sprints import sprint_phase
from toolkit.excel.filler import fill_plan
from toolkit.excel.reader import read_template
from toolkit.inbox.watcher import Stability, run_once
from toolkit.services.context import envelopes, load, resolve_cycle
from toolkit.services.inbox import make_inbox
from toolkit.services.issue import current_templates
from toolkit.services.uca import snapshot, uca_report
from toolkit.store.registers import latest_issued
from toolkit.store.workspace import Workspace


@pytest.mark.parametrize("row", read_answer_csv("sprint_phases_s8.csv"), ids=lambda r: r["day"])
def test_where_sprint_8_stands_on_a_day(row):
    s8 = resolve_cycle(load(Workspace(REPO)), "S8", date(2026, 11, 1))
    ph = sprint_phase(s8, date.fromisoformat(row["day"]))
    assert ph.phase == row["phase"]
    assert (ph.next_event or "", ph.next_date.isoformat() if ph.next_date else "",
            "" if ph.days_left is None else str(ph.days_left)) == (row["next_event"], row["next_date"],
                                                                    row["days_left"])


def test_a_template_after_its_return_by_date_needs_force_and_says_so(workspace, capsys):
    args = ["templates", "-g", "AAUC", "--cycle", "S8", "-w", str(workspace.root)]
    assert main([*args, "--today", "2026-11-16"]) == 2
    err = capsys.readouterr().err
    assert "returned by Fri 13 Nov 2026" in err and "needs --force" in err
    assert not (workspace.workbooks / "S8" / "templates").exists() or not list(
        (workspace.workbooks / "S8" / "templates").glob("*.xlsx"))
    assert main([*args, "--today", "2026-11-16", "--force"]) == 0
    assert "issuing after the return-by date of S8" in capsys.readouterr().err
    path = workspace.workbooks / "S8" / "templates" / current_templates(workspace, "S8")["AAUC"].file
    import openpyxl

    instructions = openpyxl.load_workbook(path)["Instructions"]
    text = " ".join(str(c.value) for row in instructions.iter_rows() for c in row if c.value)
    assert "this template was issued after that date" in text


def _drop(ws, files, day: date, hour: int = 12):
    for f in files:
        shutil.copyfile(f, ws.inbox / f.name)
    clock = context(ws, today=day, at=datetime(day.year, day.month, day.day, hour, tzinfo=UTC))
    return run_once(make_inbox(clock), Stability(quiet_seconds=0), max_wait=0)[0]


@pytest.fixture
def small_s8(tmp_path):
    ws = small_workspace(tmp_path / "ws")
    groups = [g.mpid for g in load(ws).industry.groups]
    return Returns(ws, groups)


def test_a_late_return_is_a_warning_counted_by_status(small_s8, tmp_path, capsys):
    r = small_s8
    group = r.config.industry.groups[0].mpid
    on_time = r.valid(group, tmp_path / "on_time.xlsx")
    late = r.valid(group, tmp_path / "late.xlsx", variant=1)
    assert [o.status for o in _drop(r.ws, [on_time], date(2026, 11, 12))] == ["accepted"]
    (outcome,) = _drop(r.ws, [late], date(2026, 11, 17))
    assert outcome.status == "accepted" and outcome.warnings >= 1
    judged = r.judge.judge(late, late.name, received_at=datetime(2026, 11, 17, 12, tzinfo=UTC))
    assert "timeliness.late" in {f.rule for f in judged.findings}
    assert main(["status", "--today", "2026-11-17", "-w", str(r.ws.root)]) == 0
    out = capsys.readouterr().out
    assert "Sprint 8 (S8) being planned on Tue 17 Nov 2026: phase Plan (plans being validated" in out
    assert "next: draft schedule and unused capacity report on Wed 18 Nov 2026, in 1 day" in out
    assert "1 return received after the deadline" in out


def test_late_returns_are_refused_when_the_mcc_says_so(tmp_path):
    ws = small_workspace(tmp_path / "ws")
    params = ws.config / "parameters.toml"
    params.write_text(params.read_text().replace('late_severity = "warning"', 'late_severity = "error"'))
    r = Returns(ws, [load(ws).industry.groups[0].mpid])
    group = r.config.industry.groups[0].mpid
    (outcome,) = _drop(ws, [r.valid(group, tmp_path / "late.xlsx")], date(2026, 11, 14))
    assert outcome.status == "rejected" and outcome.errors == 1


def test_a_uca_request_after_the_window_is_refused(tmp_path):
    """S8's UCA window closes on Monday 23 November: a request received on the 24th is refused whole."""
    ws = make_workspace(tmp_path / "ws")
    from tests.test_uca_publication import _plannable

    probe = Returns(ws, [])
    chosen = [g.mpid for g in probe.config.industry.groups if _plannable(probe, g.mpid)][:3]
    r = Returns(ws, chosen)
    assert [o.status for o in _drop(ws, [r.valid(g, tmp_path / f"{g}.xlsx") for g in chosen],
                                    date(2026, 11, 12))] == ["accepted"] * 3
    report = uca_report(context(ws, r.config, at=datetime(2026, 11, 18, 9, tzinfo=UTC)), r.sprint)
    if not report.eligible:
        pytest.skip("no eligible group in S8 before re-baselining")
    group = report.eligible[0]
    env = envelopes(r.config)
    form = snapshot(ws, "S8").form(env, group)
    asked = np.minimum(form.unused, 10)
    issued = latest_issued(ws.requests_dir("S8"))
    late = fill_plan(ws.requests_dir("S8") / issued[group].file, tmp_path / "late_uca.xlsx", uca=asked)
    (outcome,) = _drop(ws, [late], date(2026, 11, 24))
    assert outcome.status == "rejected"
    judged = r.judge.judge(late, late.name, received_at=datetime(2026, 11, 24, 9, tzinfo=UTC))
    assert [f.rule for f in judged.findings] == ["uca.window"]
    assert "after the window for these requests closed (Mon 23 Nov 2026)" in judged.findings[0].message
    assert read_template(late).meta["kind"] == "uca-request"
