"""Consolidation: the schedule's totals are the sums of the accepted plans (the latest accepted version of each
group), breaches name the groups contributing, and the MCC's workbook shows them."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import numpy as np
import openpyxl
import pytest

from tests.conftest import make_workspace
from tests.inbox_helpers import Returns, context
from toolkit.domain.schedule import GroupPlan, breaches, consolidate
from toolkit.inbox.watcher import Stability, run_once
from toolkit.services.consolidate import consolidate_schedule
from toolkit.services.context import envelopes
from toolkit.services.inbox import make_inbox


@pytest.fixture(scope="module")
def returned(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("sched") / "ws")
    r = Returns(ws, ["JONV", "AAUC", "AFCF"])
    tmp = tmp_path_factory.mktemp("files")
    files = [r.valid("JONV", tmp / "jonv_v1.xlsx"), r.valid("AAUC", tmp / "aauc.xlsx"),
             r.over_limit("AFCF", tmp / "afcf_bad.xlsx")[0]]
    for f in files:
        shutil.copyfile(f, ws.inbox / f.name)
    inbox = make_inbox(context(ws))
    run_once(inbox, Stability(quiet_seconds=0), max_wait=0)
    # JONV sends a second, different plan: it supersedes the first
    second = r.valid("JONV", tmp / "jonv_v2.xlsx", variant=5)
    shutil.copyfile(second, ws.inbox / second.name)
    run_once(inbox, Stability(quiet_seconds=0), max_wait=0)
    return r


def test_totals_are_the_sums_of_the_accepted_plans(returned):
    from toolkit.domain.sample_plan import sample_plan

    r = returned
    result, path = consolidate_schedule(context(r.ws, r.config, at=datetime(2026, 11, 13, tzinfo=UTC)), r.sprint)
    assert sorted(p.group for p in result.plans) == ["AAUC", "JONV"]  # AFCF's return was rejected
    assert "AFCF" in result.missing and len(result.missing) == 68
    s = result.schedule
    expected_weekly = 0
    expected_daily = 0
    for group in ("AAUC", "JONV"):
        plan = sample_plan(r.judge.content(group, r.sprint), r.config.parameters)
        expected_weekly += int(plan.weekly.sum())
        expected_daily += int(plan.daily.sum())
        i = s.groups.index(group)
        assert int(s.weekly[i].sum()) == int(plan.weekly.sum())
    assert int(s.national_weekly.sum()) == expected_weekly
    assert int(s.national_daily.sum()) == expected_daily
    from toolkit.store.ledger import Ledger

    jonv_rows = [x for x in Ledger(r.ws.workbooks / "ledger.sqlite").rows("S8") if x.supplier_group == "JONV"]
    assert [x.status for x in jonv_rows] == ["accepted", "accepted"]
    jonv = next(p for p in result.plans if p.group == "JONV")
    assert jonv.submission_id == jonv_rows[-1].id  # the later accepted version supersedes the first
    wb = openpyxl.load_workbook(path)
    assert {"Summary", "National daily", "National weekly", "LDSO daily", "LDSO weekly", "Breaches",
            "Plans weekly", "Plans daily", "Without a plan"} <= set(wb.sheetnames)
    national = [row[1] for row in wb["National weekly"].iter_rows(min_row=2, values_only=True)]
    assert sum(national) == expected_weekly
    assert path.name == "draft_schedule_v01.xlsx"
    _, again = consolidate_schedule(context(r.ws, r.config, at=datetime(2026, 11, 13, tzinfo=UTC)), r.sprint)
    assert again.name == "draft_schedule_v02.xlsx"


def test_breaches_name_the_groups_contributing(returned):
    r = returned
    env = envelopes(r.config)
    j = env.ldsos.index("EELC")
    s0 = consolidate(env, r.sprint, [])
    k = int(np.flatnonzero(s0.daily_limit[j] > 0)[0])
    limit = s0.daily_limit[j, k]
    ldsos = ["EELC"]
    plans = []
    for g, share in (("JONV", 0.7), ("AAUC", 0.5)):
        daily = np.zeros((len(s0.days), 1), dtype=np.int64)
        daily[k, 0] = int(limit * share)
        weekly = np.zeros((len(s0.weeks), 1), dtype=np.int64)
        weekly[(s0.days[k] - s0.weeks[0]).days // 7, 0] = daily[k, 0]
        plans.append(GroupPlan(g, ldsos, weekly, daily))
    s = consolidate(env, r.sprint, plans)
    found = [b for b in breaches(s) if b.scope == "EELC" and b.granularity == "day"]
    assert len(found) == 1
    b = found[0]
    assert b.period == s.days[k] and b.planned == int(limit * 0.7) + int(limit * 0.5)
    assert [g for g, _ in b.contributors] == ["JONV", "AAUC"]


def test_schedule_workbook_charts_national_and_per_ldso_load_against_the_limits(returned):
    import zipfile

    r = returned
    result, path = consolidate_schedule(context(r.ws, r.config, at=datetime(2026, 11, 13, tzinfo=UTC)), r.sprint)
    s = result.schedule
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3  # national daily, national weekly, the chosen LDSO's daily load
    wb = openpyxl.load_workbook(path)
    ws = wb["LDSO chart"]
    assert ws["B1"].value == s.ldsos[0]
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list" and "B1" in str(validation.sqref)
    listed = [ws.cell(2 + k, 21).value for k in range(len(s.ldsos))]
    assert listed == s.ldsos
    # the chart's series follow the LDSO chosen in B1 (INDEX/MATCH into 'LDSO daily'), cached for the first LDSO
    assert ws.cell(4, 24).value.startswith("=INDEX('LDSO daily'!")
    cached = openpyxl.load_workbook(path, data_only=True)["LDSO chart"]
    assert [cached.cell(4 + k, 24).value for k in range(len(s.days))] == [int(v) for v in s.ldso_daily[0]]


def test_choosing_another_ldso_redraws_the_chart_in_a_real_spreadsheet(returned, tmp_path):
    from tests.libreoffice import recalculate

    r = returned
    result, path = consolidate_schedule(context(r.ws, r.config, at=datetime(2026, 11, 13, tzinfo=UTC)), r.sprint)
    s = result.schedule
    j = next(j for j in range(1, len(s.ldsos)) if s.ldso_daily[j].any())
    wb = openpyxl.load_workbook(path)
    wb["LDSO chart"]["B1"] = s.ldsos[j]
    chosen = tmp_path / "chosen.xlsx"
    wb.save(chosen)
    (out,) = recalculate([chosen], tmp_path / "out", tmp_path, processes=1)
    ws = openpyxl.load_workbook(out, data_only=True)["LDSO chart"]
    assert [ws.cell(4 + k, 24).value for k in range(len(s.days))] == [int(v) for v in s.ldso_daily[j]]
    assert [ws.cell(4 + k, 25).value for k in range(len(s.days))] == [int(v) for v in np.floor(s.daily_limit[j])]
