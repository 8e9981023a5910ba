"""Issue 20: the commands of the schedule, run through the real CLI on a small workspace (30 groups, 3 LDSOs) with two
accepted plans: watch, consolidate, uca report, uca allocate, publish (draft and baseline), distribute, monitor
shortfall, uca report --adhoc and monitor report, each with its first line and, where it has one, its --json."""

from __future__ import annotations

import json
import shutil
from datetime import date

import numpy as np
import pytest

from tests.inbox_helpers import Returns, context, small_workspace
from tests.test_uca_publication import _plannable
from toolkit.cli import main


@pytest.fixture(scope="module")
def returned(tmp_path_factory):
    """Two groups' valid S8 returns waiting in the inbox."""
    ws = small_workspace(tmp_path_factory.mktemp("cycle") / "ws")
    probe = Returns(ws, [])
    chosen = [g.mpid for g in probe.config.industry.groups if _plannable(probe, g.mpid)][:2]
    r = Returns(ws, chosen)
    files = tmp_path_factory.mktemp("files")
    for g in chosen:
        shutil.copyfile(r.valid(g, files / f"{g}.xlsx"), ws.inbox / f"{g}.xlsx")
    return r, chosen


def _run(capsys, *argv: str) -> tuple[str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, (argv, err)
    return out, err


def test_the_schedule_commands_through_the_cli(returned, monkeypatch, capsys):
    r, chosen = returned
    monkeypatch.setenv("MCC_WORKSPACE", str(r.ws.root))
    _run(capsys, "watch", "--once", "--quiet", "0", "--workers", "1", "--today", "2026-11-12")
    out, err = _run(capsys, "consolidate", "--today", "2026-11-18")
    assert err.startswith(f"workspace {r.ws.root}; sprint S8")
    assert "2 accepted plans, 28 groups without one" in out
    assert list((r.ws.workbooks / "S8" / "schedule").glob("draft_schedule_v01.xlsx"))
    out, err = _run(capsys, "uca", "report", "--json", "--today", "2026-11-18")
    report = json.loads(out)
    assert report["sprint"] == "S8" and report["round"] == 1 and report["report"].endswith(".xlsx")
    assert {q["group"] for q in report["requests"]} <= set(report["eligible"])
    out, _ = _run(capsys, "publish", "--today", "2026-11-18")
    assert "Published the draft schedule of S8, version 1" in out
    out, _ = _run(capsys, "uca", "allocate", "--today", "2026-11-23")
    assert "granted" in out and "grant notices" in out
    out, _ = _run(capsys, "publish", "--stage", "baseline", "--today", "2026-11-26")
    assert "Published the baseline schedule of S8" in out
    out, _ = _run(capsys, "distribute", "--what", "publication", "--json", "--today", "2026-11-26")
    mail = json.loads(out)
    assert mail["what"] == "publication" and mail["messages"]
    assert all(set(m) >= {"to", "recipients", "subject", "attachments", "record"} for m in mail["messages"])

    # execution: a notified shortfall, an ad hoc round, the monitoring report
    from toolkit.services.uca import current_schedule

    s, _, _ = current_schedule(context(r.ws, r.config), r.sprint)
    k = s.days.index(date(2026, 12, 4))
    i, j = (int(x) for x in np.argwhere(s.daily[:, :, k] > 0)[0])
    out, err = _run(capsys, "monitor", "shortfall", s.groups[i], s.ldsos[j], "--day", "2026-12-04", "--count", "1",
                    "--reason", "a supplier system outage", "--today", "2026-12-03")
    assert err.startswith(f"workspace {r.ws.root}; sprint S8") and "executing" in err.splitlines()[0]
    assert f"{s.groups[i]} cedes 1 a day in {s.ldsos[j]}" in out
    out, _ = _run(capsys, "uca", "report", "--adhoc", "--today", "2026-12-03")
    assert "the ad hoc report of round 2" in out
    out, _ = _run(capsys, "monitor", "report", "--json", "--as-of", "2026-12-03", "--today", "2026-12-03")
    mon = json.loads(out)
    assert mon["sprint"] == "S8" and mon["workbook"].endswith(".xlsx")
    assert set(mon) >= {"first_day", "last_day", "migrated", "planned", "escalations"}
