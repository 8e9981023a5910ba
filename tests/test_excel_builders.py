"""The workbook builders on their own: each computes its workbook's figures into a plain value, with no file
written; the expected figures are worked by hand from the small inputs here."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import numpy as np
import openpyxl
import pytest

from tests.conftest import make_workspace
from toolkit.domain.envelopes import Category
from toolkit.domain.findings import Finding, Severity, Status
from toolkit.domain.monitoring import Actuals, monitor
from toolkit.domain.parameters import Parameters
from toolkit.domain.schedule import Breach, Schedule
from toolkit.domain.submission import Area, Grid, Submission
from toolkit.excel.writers.envelopes import build_envelopes
from toolkit.excel.writers.feedback import Mark, build_feedback
from toolkit.excel.writers.monitoring import build_monitoring, write_monitoring
from toolkit.excel.writers.schedule import build_schedule
from toolkit.excel.writers.uca import build_allocation
from toolkit.services.context import envelopes, load

DAYS = [date(2027, 1, 4) + timedelta(days=k) for k in range(3)]


def _monitoring_report():
    """Two groups, two LDSOs, three days: G1 runs 10% then 20% over in L1 and migrates 5 unplanned in L2 on the
    second day; G2 migrates none of the 50 it planned in L2 on the last day."""
    plan = np.zeros((2, 2, 3), np.int64)
    actual = np.zeros((2, 2, 3), np.int64)
    plan[0, 0] = [100, 100, 100]
    actual[0, 0] = [100, 110, 120]
    actual[0, 1, 1] = 5
    plan[1, 1, 2] = 50
    mon = monitor(plan, Actuals(actual, actual, actual, np.zeros(plan.shape, bool)), ["G1", "G2"], ["L1", "L2"],
                  DAYS, Parameters().tolerance)
    return SimpleNamespace(sprint=SimpleNamespace(sprint=8, cycle="S8"), as_of=DAYS[-1], monitoring=mon,
                           national_plan=plan.sum(axis=(0, 1)), national_actual=actual.sum(axis=(0, 1)),
                           csmt=np.array([1000.0, 100.0, 1000.0]), offsets=[], spikes=[], progress=[],
                           shortfalls=[], lost_days=[], load_limit=np.array([1020.0, 102.0, 1020.0]),
                           ldso_over_load=[("L1", DAYS[1], 115, 102.0)], rolling=None, reduced={},
                           persistent=[], outages=[], tranches=[], exceptions=[])


def test_the_monitoring_builder_computes_deviations_and_cumulative_sums_without_writing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    value = build_monitoring(_monitoring_report(), {"G1": "Group one"}, Parameters(), "2027-01-06T18:00:00+00:00")
    assert list(tmp_path.iterdir()) == []
    summary = dict(value.summary)
    assert summary["Generated"] == "2027-01-06T18:00:00+00:00"
    assert summary["Group x LDSO cells on 06 Jan: level 2 / level 3"] == "0 / 2"
    assert summary["Sprint to date: level 2 / level 3"] == "1 / 2"  # G1 in L1 330 of 300 (+10%); L2 unplanned, G2
    assert summary["Days the nation went over CSMT"] == "1"  # 115 against 100 on the second day
    # and over its load limit (CSMT and the reserve of RCFC): 115 against 102 that day
    assert summary["Days the nation went over its load limit (CSMT and the reserve of RCFC)"] == "1"
    assert summary["LDSO-days over the LDSO's load limit (planned limit + LRC)"] == "L1 05 Jan: 115 > 102"
    to_date, last_day = value.heat_maps
    assert [(group, name) for group, name, _ in to_date.rows] == [("G1", "Group one"), ("G2", "")]
    assert to_date.rows[0][2] == ((2, pytest.approx(0.1)), (3, None))  # +10%; unplanned
    assert last_day.rows[0][2] == ((3, pytest.approx(0.2)), (0, None))
    assert last_day.rows[1][2] == ((0, None), (3, pytest.approx(-1.0)))
    assert value.trend.level2.tolist() == [0, 1, 0] and value.trend.level3.tolist() == [0, 1, 2]
    d = value.deviations
    rows = [(d.groups[g], d.ldsos[x], d.days[k], int(p), int(a), int(cp), int(ca))
            for g, x, k, p, a, cp, ca in zip(d.group, d.ldso, d.day, d.plan, d.actual, d.cumulative_plan,
                                             d.cumulative_actual, strict=True)]
    assert rows == [("G1", "L1", DAYS[0], 100, 100, 100, 100), ("G1", "L1", DAYS[1], 100, 110, 200, 210),
                    ("G1", "L1", DAYS[2], 100, 120, 300, 330), ("G1", "L2", DAYS[1], 0, 5, 0, 5),
                    ("G2", "L2", DAYS[2], 50, 0, 50, 0)]
    assert np.isnan(d.deviation[3]) and d.deviation[4] == pytest.approx(-1.0)
    assert [(e[0], e[2], e[3], e[7]) for e in value.escalations] == [
        ("G1", "L1", "day", pytest.approx(0.2)), ("G1", "L2", "day", None), ("G2", "L2", "day", pytest.approx(-1.0)),
        ("G1", "L2", "sprint to date", None), ("G2", "L2", "sprint to date", pytest.approx(-1.0))]


def test_the_monitoring_writer_writes_the_built_value(tmp_path):
    value = build_monitoring(_monitoring_report(), {}, Parameters(), "now")
    path = write_monitoring(tmp_path / "monitoring.xlsx", value)
    deviations = openpyxl.load_workbook(path)["Deviations"]
    assert [c.value for c in deviations[5]][:5] == ["G1", "L2", deviations["C5"].value, 0, 5]
    assert deviations["C5"].value.date() == DAYS[1]
    assert deviations["F5"].value == "no plan" and deviations["J4"].value == 330


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo configuration and its envelopes."""
    config = load(make_workspace(tmp_path_factory.mktemp("builders") / "ws"))
    return config, envelopes(config)


def test_the_envelope_builder_computes_the_national_headroom_and_the_ldso_table(demo, tmp_path, monkeypatch):
    config, env = demo
    monkeypatch.chdir(tmp_path)
    value = build_envelopes(env, config.parameters, {"JONV": "Jon's Volts"}, "Envelopes")
    assert list(tmp_path.iterdir()) == []
    n = value.national
    k = n.dates.index(date(2026, 5, 12))  # a Tuesday, a migration day
    assert n.migration[k] and n.csmt[k] == 280_000
    assert n.envelope_sum[k] == env.envelope[:, :, k].sum()
    assert n.headroom_csmt[k] == 280_000 - env.envelope[:, :, k].sum()
    assert not n.migration[n.dates.index(date(2026, 4, 6))]  # Easter Monday
    assert len(value.ldsos) == len(env.ldsos)
    first = value.ldsos[0]
    assert first[0] == env.ldsos[0]
    assert first[-3:] == tuple(int((env.category[:, 0] == c).sum())
                               for c in (Category.ENVELOPE, Category.DE_MINIMIS, Category.SMALL))
    jonv = next(g for g in value.groups if g.group == "JONV")
    assert jonv.name == "Jon's Volts"
    assert len(jonv.categories) == int((env.category[env.groups.index("JONV")] != Category.NONE).sum())
    assert {row[1]: row[3] for row in value.parameters}["cmwcp"] == 0.9
    assert [row[1] for row in value.derived] == ["dlfc", "share_basis"]


def test_the_schedule_builder_computes_loads_headroom_and_the_plan_list():
    weeks, days = [date(2027, 1, 4), date(2027, 1, 11)], DAYS[:2]
    weekly = np.array([[[30, 0]], [[12, 5]]])  # (G, L, W): G1 and G2 in L1
    daily = np.array([[[10, 0]], [[4, 9]]])
    s = Schedule(["G1", "G2"], ["L1"], weeks, days, weekly, daily, np.array([True, True]),
                 daily_limit=np.array([[12.7, 8.2]]), national_limit=np.array([100.0, 8.5]),
                 weekly_limit=np.array([[40.0, 40.0]]), national_weekly_limit=np.array([500.0, 500.0]),
                 de_minimis_ldso=np.array([False]))
    breach = Breach("L1", days[1], "day", 9, 8.2, [("G2", 9)])
    value = build_schedule(s, [breach], ["G3"], {"G1": "Group one"}, "Draft schedule", "2027-01-04T09:00:00+00:00")
    summary = dict(value.summary)
    assert summary["Groups with an accepted plan"] == "2 of 2"
    assert summary["Groups without one"] == "G3"
    assert summary["Breaches (LDSO days / LDSO weeks / national days / national weeks)"] == "1 / 0 / 0 / 0"
    national_daily, national_weekly = value.national
    assert national_daily.planned.tolist() == [14, 9]
    assert national_daily.headroom.tolist() == pytest.approx([86.0, -0.5])
    assert national_weekly.planned.tolist() == [42, 5]
    ldso_daily, _ = value.ldso
    assert ldso_daily.limit.tolist() == [[12.0, 8.0]]  # whole migrations: rounded down
    assert value.breaches == (("L1", "day", days[1], 9, 8.2, pytest.approx(0.8), "G2 9"),)
    weekly_plans, daily_plans = value.plans
    assert [(weekly_plans.groups[g], weekly_plans.names[g], weekly_plans.axis[k], int(v)) for g, k, v in
            zip(weekly_plans.group, weekly_plans.period, weekly_plans.planned, strict=True)] == [
        ("G1", "Group one", weeks[0], 30), ("G2", "", weeks[0], 12), ("G2", "", weeks[1], 5)]
    assert len(daily_plans.group) == 3
    assert value.without_plan == (("G3", ""),)


def test_the_feedback_builder_marks_the_cells_the_findings_point_at():
    grid = Grid("UcaRequest", Area("UCA request", 4, 1, 5, 2), keys=["L1", "L2"], roles=[],
                dates=[DAYS[0], "not a date"], values=[[5, None], ["ten", 3]])
    sub = Submission("g1 uca.xlsx", {"template_id": "T1", "group": "G1", "cycle": "S8"}, ["UCA request"], {},
                     {"UcaRequest": grid})
    findings = [Finding("uca.available", Severity.ERROR, "5 asked, 4 unused.", sheet="UCA request", cell="B5",
                        hint="reduce B5 to 4"),
                Finding("value.integer", Severity.ERROR, "Not a number.", sheet="UCA request", cell="B6"),
                Finding("uca.available", Severity.WARNING, "Close to the limit.", sheet="UCA request", cell="C6"),
                Finding("identity.template", Severity.ERROR, "Not issued by the MCC.")]
    value = build_feedback(sub, None, findings, Status.REJECTED, "2027-01-04T10:00:00+00:00", "Feedback")
    assert value.about == (("File", "g1 uca.xlsx"), ("Received", "Mon 04 Jan 2027 10:00 UTC"), ("Template", "T1"),
                           ("Group", "G1"), ("Planning cycle", "S8"))
    assert (value.status, value.accepted) == ("REJECTED", False)
    assert [(rule, errors, warnings) for rule, _, errors, warnings, _, _ in value.rules] == [
        ("identity.template", 1, 0), ("value.integer", 1, 0), ("uca.available", 1, 1)]
    (copy,) = value.copies
    assert (copy.sheet, copy.top, copy.left, copy.keys, copy.dates) == ("UCA request", 4, 1, ("L1", "L2"),
                                                                         (DAYS[0],))
    # each comment ends with what to do: the finding's hint, else the rule's
    assert copy.marks == {(4, 1): Mark(True, "uca.available (error): 5 asked, 4 unused. reduce B5 to 4."),
                          (5, 1): Mark(True, "value.integer (error): Not a number. type a whole number of 0 or "
                                                    "more, or leave the cell blank for none."),
                          (5, 2): Mark(False, "uca.available (warning): Close to the limit. reduce the request to "
                                                     "the unused capacity available on that day or less.")}


def test_the_allocation_builder_totals_the_grants():
    grant = SimpleNamespace
    grants = [grant(group="G1", ldso="L1", day=DAYS[0], requested=10, available=30, requested_total=40, granted=7,
                    why="pro rata"),
              grant(group="G2", ldso="L1", day=DAYS[0], requested=30, available=30, requested_total=40, granted=23,
                    why="pro rata"),
              grant(group="G2", ldso="L2", day=DAYS[1], requested=5, available=9, requested_total=5, granted=5,
                    why="in full")]
    value = build_allocation(grants, "Allocation", "no limit exceeded")
    assert value.summary == (("Requests", 3), ("Migrations requested", 45), ("Migrations granted", 35),
                             ("Granted in full", 1), ("Limits after allocation", "no limit exceeded"))
    assert value.grants[2] == ("G2", "L2", DAYS[1], 5, 9, 5, 5, "in full")
