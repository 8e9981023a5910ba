"""Agents "migration ready" (Foundations 5.2.10): an optional ``ready_from`` per agent in config/agents.csv; a
plan forecasting migrations with an agent before it is ready is refused under ``agents.ready``."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import make_workspace
from tests.inbox_helpers import context
from toolkit.config import load_config
from toolkit.domain.findings import Severity, Status
from toolkit.domain.sample_plan import sample_plan
from toolkit.domain.submission import a1
from toolkit.errors import ConfigError
from toolkit.excel import contract as C
from toolkit.excel.filler import fill_plan
from toolkit.excel.reader import defined_names
from toolkit.services.context import load, resolve_cycle
from toolkit.services.issue import current_templates, issue_templates
from toolkit.services.judge import make_judge

ISSUED = datetime(2025, 8, 29, 9, 0, tzinfo=UTC)
READY = date(2025, 11, 3)  # a Monday: the weeks of 29 Sep to 27 Oct 2025 end before it


def _set_ready(ws, agent: str, ready: str, only_first: bool = False) -> None:
    path = ws.config / "agents.csv"
    rows = list(csv.DictReader(path.read_text().splitlines()))
    done = False
    for row in rows:
        row["ready_from"] = ""
        if row["agent_mpid"] == agent and not (only_first and done):
            row["ready_from"], done = ready, True
    with path.open("w", newline="") as handle:
        w = csv.DictWriter(handle, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def test_forecasts_for_an_agent_before_it_is_ready_are_refused(tmp_path):
    """F5.2.10: "Where a Supplier has multiple Agents, then during migration they will need to ensure they only
    migrate MPANs with Agents that are 'migration ready'." XDNO (migrating from 1 Oct 2025) forecasts its
    metering service on DNXL, which the MCC has ready from Mon 3 Nov 2025: the weeks of 29 Sep to 27 Oct end
    before it, the week of 3 Nov does not."""
    ws = make_workspace(tmp_path / "ws")
    _set_ready(ws, "DNXL", READY.isoformat())
    config = load(ws)
    assert {a.ready_from for a in config.industry.agents if a.mpid == "DNXL"} == {READY}
    s1 = resolve_cycle(config, "S1", date(2025, 9, 1))
    issue_templates(context(ws, config, at=ISSUED), s1, groups=["XDNO"])
    judge = make_judge(context(ws, config, today=date(2025, 9, 1)))
    content = judge.content("XDNO", s1)
    plan = sample_plan(content, config.parameters)
    agents = plan.agents.copy()
    agents[:] = 0
    totals = plan.weekly.sum(axis=1)
    col = {a.mpid: k for k, a in enumerate(content.agents)}
    agents[:, col["GAQQ"]] = totals  # data service: ready throughout
    agents[:, col["DNXL"]] = totals  # metering service: ready from 3 Nov
    template = ws.templates_dir("S1") / current_templates(ws, "S1")["XDNO"].file

    def judged(forecasts):
        path = fill_plan(template, tmp_path / "plan.xlsx", weekly=plan.weekly, daily=plan.daily, agents=forecasts)
        return judge.judge(path, path.name)

    result = judged(agents)
    early = [r for r, w in enumerate(content.weeks) if w + timedelta(days=6) < READY and totals[r] > 0]
    assert early and content.weeks[early[0]] == date(2025, 9, 29) and content.weeks[early[-1]] == date(2025, 10, 27)
    area = defined_names(template)[C.AGENT_FORECAST]
    assert [(f.rule, f.severity, f.sheet, f.cell) for f in result.findings] == [
        ("agents.ready", Severity.ERROR, area.sheet, a1(area.top + early[0], area.left + col["DNXL"]))]
    assert result.status == Status.REJECTED
    assert f"{int(totals[early].sum()):,} migrations are forecast" in result.findings[0].message
    # the same migrations on the other metering service (ready throughout) before 3 Nov: accepted
    for r in early:
        agents[r, col["XKIR"]], agents[r, col["DNXL"]] = agents[r, col["DNXL"]], 0
    assert judged(agents).findings == []


def test_ready_from_is_checked_like_every_other_column(tmp_path):
    """A bad date names its row and column; an agent's rows must agree on its readiness (it is the agent's, not
    the group's); a blank ``ready_from`` (or no column) means ready throughout."""
    ws = make_workspace(tmp_path / "ws")
    assert all(a.ready_from is None for a in load_config(ws.root).industry.agents)
    _set_ready(ws, "DNXL", "2025-11-03", only_first=True)
    with pytest.raises(ConfigError) as caught:
        load_config(ws.root)
    lines = [str(p) for p in caught.value.problems]
    assert lines[0] == ("config/agents.csv: row 22, column ready_from: agent DNXL is ready from 2025-11-03 on row "
                        "18: give the same date on every row of an agent")
    assert all("column ready_from" in line and "DNXL" in line for line in lines)
    _set_ready(ws, "DNXL", "3rd Nov")
    with pytest.raises(ConfigError) as caught:
        load_config(ws.root)
    assert str(caught.value.problems[0]).startswith("config/agents.csv: row 18, column ready_from: ")
