"""Monitoring criteria of issue 19 item 8, from the documents' own words, each figure worked by hand: the rolling
period of the tolerances, reduced activation offsets per sprint, persistent deviation with outage days left out,
the outages file, and shortfalls notified for today or later only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import numpy as np
import pytest

from tests.inbox_helpers import context
from tests.test_config_errors import problems
from tests.test_excel_builders import _monitoring_report as builder_report
from toolkit.cli import main
from toolkit.config import load_config
from toolkit.domain.criteria import Outage, persistent_deviations, reduced_offsets, rolling, rolling_levels
from toolkit.domain.monitoring import Cohort
from toolkit.domain.parameters import Parameters
from toolkit.errors import UsageError
from toolkit.excel.writers.monitoring import build_monitoring
from toolkit.services.context import resolve_cycle
from toolkit.services.monitor import notify_shortfall

TOL = Parameters().tolerance
MON = date(2026, 12, 7)
WEEK = [MON + timedelta(days=k) for k in range(14)]  # Mon 7 to Sun 20 Dec 2026
MIGRATION = np.array([d.weekday() < 5 for d in WEEK])


def test_the_rolling_period_sums_the_last_n_migration_days():
    """P EMT-L1 ... SMT-L3: "Per Day - Cumulative (Rolling period)". Over 3 migration days: on Mon 14 Dec the
    window is Thu 10, Fri 11, Mon 14 (the weekend is not a migration day, and carries Friday's window)."""
    values = np.arange(1, 15)  # 1 on Mon 7 ... 14 on Sun 20
    out = rolling(values, MIGRATION, 3)
    assert out[0] == 1 and out[2] == 1 + 2 + 3 and out[4] == 3 + 4 + 5
    assert out[5] == out[6] == 3 + 4 + 5  # Sat 12, Sun 13: Friday's window
    assert out[7] == 4 + 5 + 8  # Mon 14: Thu 10, Fri 11, Mon 14


def test_rolling_levels_judge_the_window_with_the_day_tolerances():
    """A plan of 100 a day migrated 100, 100, 100, 100, 80 (Mon-Fri): the day's level on Friday is 3 (-20%); over
    5 migration days 480 of 500 is -4%, level 1; over 3 days 280 of 300 is -6.7%, level 2."""
    plan = np.where(MIGRATION, 100, 0)[None, None, :]
    actual = plan.copy()
    actual[0, 0, 4] = 80
    level5, direction5, act5, plan5 = rolling_levels(actual, plan, MIGRATION, 5, TOL)
    assert (act5[0, 0, 4], plan5[0, 0, 4], level5[0, 0, 4]) == (480, 500, 1)
    level3, direction3, _, _ = rolling_levels(actual, plan, MIGRATION, 3, TOL)
    assert (level3[0, 0, 4], direction3[0, 0, 4]) == (2, -1)


def test_reduced_deltas_are_counted_per_group_for_the_sprint(workspace):
    """F5.2.11: "The MCC will be tracking the Migration Completions and will report on the number of reduced deltas
    for each sprint". Initiated Mon 7 Dec 2026: effective Mon 14 is 5 working days (MAO default, not reduced),
    Fri 11 is 4 and Wed 9 is 2 (reduced); a cohort initiated before the sprint is not counted."""
    config = load_config(workspace.root)
    supplier = next(iter(config.industry.group_of_supplier))
    group = config.industry.group_of_supplier[supplier]
    cohorts = [Cohort(supplier, "EELC", MON, date(2026, 12, 14), 100, None),
               Cohort(supplier, "EELC", MON, date(2026, 12, 11), 30, None),
               Cohort(supplier, "SWEB", MON, date(2026, 12, 9), 7, None),
               Cohort(supplier, "EELC", date(2026, 11, 30), date(2026, 12, 2), 50, None)]
    got = reduced_offsets(cohorts, config.industry, config.calendar, 5, date(2026, 12, 2), date(2026, 12, 11))
    assert got == {group: (2, 37)}


def persistent(actual, plan, outages=(), need=3, window=5):
    return persistent_deviations(actual, plan, ["GONE"], ["AAAA", "BBBB"], WEEK, MIGRATION, list(outages), TOL,
                                 need, window)


def test_persistent_deviation_is_a_trend_not_an_ad_hoc_day():
    """F6.3: "Participants with occasional deviations and acting in good faith won't typically lead to escalations.
    The MCC is more concerned about scenarios where participants continuously deviate from plan (i.e. trend versus
    ad-hoc)." The group plans 100 a day in each of two LDSOs (200). Short by 30 (-15%, level 3) on Mon 7, Wed 9 and
    Fri 11: three of its last five planned migration days (Mon 14 to Fri 18 are on plan, so over the whole fortnight
    the last five show nothing); looked at as of Fri 11, it is persistent. One bad day is not."""
    plan = np.zeros((1, 2, 14), np.int64)
    plan[0, :, MIGRATION] = 100
    actual = plan.copy()
    for k in (0, 2, 4):
        actual[0, 0, k] = 70
    to_friday = (actual[:, :, :5], plan[:, :, :5])
    found = persistent_deviations(*to_friday, ["GONE"], ["AAAA", "BBBB"], WEEK[:5], MIGRATION[:5], [], TOL, 3, 5)
    assert [(p.group, p.direction, p.days) for p in found] == [
        ("GONE", "shortfall", (date(2026, 12, 7), date(2026, 12, 9), date(2026, 12, 11)))]
    assert persistent(actual, plan) == []  # the last five planned days (14-18 Dec) are on plan
    once = plan.copy()
    once[0, 0, 0] = 70
    assert persistent_deviations(once[:, :, :5], plan[:, :, :5], ["GONE"], ["AAAA", "BBBB"], WEEK[:5], MIGRATION[:5],
                                 [], TOL, 3, 5) == []


def test_outage_days_do_not_inform_performance():
    """F6.3: "Central Parties and LDSOs may experience outages to core systems ... It is understood that events of
    these nature should not inform migrating parties' performance". The same three short days, but Wed 9 was an
    outage of AAAA's service: that LDSO's figures that day are left out (BBBB's 100 of 100 is on plan), leaving two
    short days, not persistent; a central outage on Fri 11 leaves the day out altogether."""
    plan = np.zeros((1, 2, 5), np.int64)
    plan[0, :, :] = 100
    actual = plan.copy()
    for k in (0, 2, 4):
        actual[0, 0, k] = 70
    args = (["GONE"], ["AAAA", "BBBB"], WEEK[:5], MIGRATION[:5])
    ldso_out = [Outage(date(2026, 12, 9), "AAAA", "registration service down")]
    assert persistent_deviations(actual, plan, *args, ldso_out, TOL, 3, 5) == []
    central = [Outage(date(2026, 12, 11), "", "DIP outage", "INC9")]
    assert persistent_deviations(actual, plan, *args, central, TOL, 3, 5) == []
    assert [p.excluded for p in persistent_deviations(actual, plan, *args, central, TOL, 2, 5)] == [
        (date(2026, 12, 11),)]


def test_the_outages_file_is_optional_and_checked(workspace):
    """Bad input: config/outages.csv names the row and column of each problem."""
    path = workspace.config / "outages.csv"
    path.write_text("date,ldso_mpid,reason,incident\n2026-12-09,EELC,registration service down,INC1\n"
                    "2026-12-11,,DIP outage,INC2\n")
    assert [(o.day, o.ldso) for o in load_config(workspace.root).outages] == [
        (date(2026, 12, 9), "EELC"), (date(2026, 12, 11), "")]
    path.write_text("date,ldso_mpid,reason,incident\n2026-13-01,EELC,x,\n2026-12-09,QQQQ,x,\n2026-12-09,EELC,,\n"
                    "2024-01-02,,x,\n")
    found = [p for p in problems(workspace) if p[0] == "config/outages.csv"]
    assert [p[1] for p in found] == ["row 2, column date", "row 4, column reason", "row 3, column ldso_mpid",
                                     "row 5, column date"]
    assert "is not a date" in found[0][2] and "QQQQ is not in config/ldsos.csv" in found[2][2]


def test_the_monitoring_summary_reports_the_criteria():
    """The monitoring workbook's summary: rolling levels at the last day, reduced deltas per group, persistent
    deviation and the outage days left out."""
    base = vars(builder_report()).copy()
    mon = base["monitoring"]
    level = np.zeros(mon.plan.shape, np.int8)
    level[0, 0, -1], level[1, 1, -1] = 2, 3
    base.update(rolling=(level, mon.actual.migrated, mon.plan), reduced={"G1": (2, 37)},
                persistent=[SimpleNamespace(group="G1", direction="excess", days=(date(2027, 1, 4), date(2027, 1, 6)))],
                outages=[Outage(date(2027, 1, 5), "", "DIP outage")], tranches=["250,000 from 2026-02-04: supported"],
                exceptions=[("G1", "L1", 1_000, 51)])
    summary = dict(build_monitoring(SimpleNamespace(**base), {}, Parameters(), "now").summary)
    assert summary["Rolling 5 migration days: level 2 / level 3"] == "1 / 1"
    assert summary["Reduced activation offsets this sprint (F5.2.11)"] == "37 initiations in 2 cohorts: G1 37"
    assert summary["Persistent deviation (F6.3: level 2+ on 3 of the last 5 planned days)"] == \
        "G1 excess on 04 Jan, 06 Jan"
    assert summary["Outage days left out of performance (config/outages.csv)"] == "05 Jan all LDSOs: DIP outage"
    assert summary["Exceptional capacity tranches (F5.2.9 stability test)"] == "250,000 from 2026-02-04: supported"
    assert summary["Exception rates above 5% of initiations this sprint (F6.1)"] == "G1 L1: 51 of 1,000 (5.1%)"


def test_a_shortfall_can_be_notified_for_today_or_later_only(workspace, capsys):
    """Issue 19: "A shortfall can be notified for today or later only". F6.4: "If Suppliers expect to not achieve
    their planned sprint migrations, then they must notify the MCC as soon as possible so that their capacity can be
    reallocated": capacity of a day gone cannot be reallocated; what was not migrated shows in the outturn."""
    config = load_config(workspace.root)
    today = date(2026, 12, 10)
    ctx = context(workspace, config, today=today, at=datetime(2026, 12, 10, 9, tzinfo=UTC))
    sprint = resolve_cycle(config, "S8", today)
    group = config.industry.groups[0].mpid
    with pytest.raises(UsageError, match=r"2026-12-09 is in the past \(today is 2026-12-10\): a shortfall can be "
                                         "notified for today or later only"):
        notify_shortfall(ctx, sprint, group, "EELC", [date(2026, 12, 9)], 10, "fault")
    # today itself passes the test of the day (and fails only for want of a plan to cede)
    with pytest.raises(UsageError, match="it cannot cede"):
        notify_shortfall(ctx, sprint, group, "EELC", [today], 10, "fault")
    code = main(["monitor", "shortfall", group, "EELC", "--day", "2026-12-09", "--count", "10", "--reason", "fault",
                 "--cycle", "S8", "-w", str(workspace.root), "--today", "2026-12-10"])
    assert code == 2 and "shortfall can be notified for today or later only" in " ".join(
        capsys.readouterr().err.split())


def with_fast_feedback_terms(workspace, group: str, values: str, other: str = ",") -> None:
    path = workspace.config / "suppliers.csv"
    lines = path.read_text().splitlines()
    lines[0] += ",ff_weeks,ff_initiations"
    lines[1:] = [ln + "," + (values if ln.split(",")[1] == group else other) for ln in lines[1:]]
    path.write_text("\n".join(lines) + "\n")


def test_fast_feedback_terms_can_be_agreed_per_group(workspace):
    """F5.2.11 NOTE: "For Suppliers that are part of Early-Life Support at the start of SIT a "Fast Feedback Period"
    will be permitted with duration and the limit for the number of initiations to be agreed"; P FF: "Suppliers can
    apply to the MCC for an extension to the Fast Feed Back Period". A SIT group given 4 weeks and 2,000 initiations
    from Wed 1 Oct 2025: its window ends Tue 28 Oct (1 Oct + 4 weeks - 1 day); a cohort initiated Mon 20 Oct (week 3)
    with offset 3 and 1,500 initiations is within its terms, which the defaults (2 weeks, 500) would refuse."""
    from toolkit.domain.envelopes import calculate
    from toolkit.domain.monitoring import check_offsets
    from toolkit.domain.template import template_content

    config = load_config(workspace.root)
    sit = next(g for g in config.industry.groups if g.sit and g.migration_start == date(2025, 10, 1))
    supplier = sit.suppliers[0]
    cohort = Cohort(supplier, "EELC", date(2025, 10, 20), date(2025, 10, 23), 1_500, None)
    env = calculate(config.industry, config.calendar, config.parameters)
    assert [f.why for f in check_offsets([cohort], config.industry, config.calendar, env, config.parameters)] == [
        "outside the fast-feedback window every migration uses MAO 5"]
    with_fast_feedback_terms(workspace, sit.mpid, "4,2000")
    config = load_config(workspace.root)
    g = config.industry.group_by_mpid[sit.mpid]
    assert (g.ff_weeks, g.ff_initiations) == (4, 2_000)
    assert check_offsets([cohort], config.industry, config.calendar, env, config.parameters) == []
    sprint = resolve_cycle(config, "S1", date(2025, 9, 1))
    content = template_content(config.industry, config.calendar, config.parameters, env, sit.mpid, sprint)
    assert (content.fast_feedback_end, content.fast_feedback_weeks, content.fast_feedback_initiations) == (
        date(2025, 10, 28), 4, 2_000)
    other = next(x for x in config.industry.groups if x.mpid != sit.mpid)
    assert (other.ff_weeks, other.ff_initiations) == (None, None)  # blank: the [fast_feedback] defaults


def test_bad_fast_feedback_terms_name_row_and_column(workspace):
    """Bad input: the optional ff_weeks and ff_initiations columns of config/suppliers.csv."""
    group = load_config(workspace.root).industry.groups[0].mpid
    with_fast_feedback_terms(workspace, group, "four,-1")
    found = [p for p in problems(workspace) if p[0] == "config/suppliers.csv"]
    assert any(p[1].endswith("column ff_weeks") and "'four' is not a whole number" in p[2] for p in found), found
    assert any(p[1].endswith("column ff_initiations") and "-1 must be 0 or more" in p[2] for p in found), found


def test_exception_rates_above_the_engagement_threshold(workspace):
    """F6.1: "we would also expect that exception rates be reasonable. The MCC will seek to engage if a high
    proportion of migrations result in exceptions." At [monitoring] exception_rate 5%: 50 exceptions of 1,000
    initiations is 5%, not above; 51 (5.1%) is; a cohort that reports no exceptions is not counted."""
    from toolkit.domain.criteria import exception_rates

    config = load_config(workspace.root)
    supplier = next(iter(config.industry.group_of_supplier))
    group = config.industry.group_of_supplier[supplier]
    cohorts = [Cohort(supplier, "EELC", MON, MON, 600, None, 30), Cohort(supplier, "EELC", WEEK[1], WEEK[1], 400,
                                                                         None, 20),
               Cohort(supplier, "SWEB", MON, MON, 1_000, None, 51), Cohort(supplier, "SWEB", WEEK[2], WEEK[2], 99,
                                                                           None, None)]
    assert exception_rates(cohorts, config.industry, MON, WEEK[4], 0.05) == [(group, "SWEB", 1_000, 51)]
    assert exception_rates(cohorts, config.industry, MON, WEEK[4], 0.04) == [(group, "EELC", 1_000, 50),
                                                                             (group, "SWEB", 1_000, 51)]


def test_the_optional_exceptions_column_of_outturn_is_checked_and_stored(workspace, tmp_path):
    """Bad input: exceptions must be a whole number of 0 or more and no more than the initiations, each finding at
    its row and column; a good column is stored with the cohort, and a ledger made before it gains the column."""
    import sqlite3

    from toolkit.domain.rules.outturn import check_outturn
    from toolkit.store import ledger as ledger_module
    from toolkit.store.ledger import Ledger

    config = load_config(workspace.root)
    supplier = next(iter(config.industry.group_of_supplier))
    header = ["supplier_mpid", "ldso_mpid", "initiation_date", "effective_date", "initiations", "completions",
              "exceptions"]
    rows = [[supplier, "EELC", f"2026-12-0{n + 3}", "2026-12-14", 10, "", x]
            for n, x in enumerate(("x", -1, 11, 3, ""))]
    cohorts, found = check_outturn([header, *rows], config.industry, config.calendar, date(2026, 12, 14), 1000)
    assert [(f.row, f.column) for f in found] == [(2, "exceptions"), (3, "exceptions"), (4, "exceptions")]
    assert "'x' is not a whole number" in found[0].message and "-1 is negative" in found[1].message
    assert found[2].message == "11 exceptions for 10 initiations: there cannot be more"
    cohorts, found = check_outturn([header, *rows[3:]], config.industry, config.calendar, date(2026, 12, 14), 1000)
    assert found == [] and [c.exceptions for c in cohorts] == [3, None]
    # a ledger made before the column: created with the old table, opened, given the column
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(ledger_module.SCHEMA.replace("    exceptions INTEGER CHECK (exceptions >= 0),\n", ""))
        assert "exceptions" not in {r[1] for r in db.execute("PRAGMA table_info(outturn)")}
    old = Ledger(path)
    old.record_outturn(cohorts, "history", datetime(2026, 12, 14, tzinfo=UTC))
    assert [c.exceptions for c in old.outturn()] == [3, None]
