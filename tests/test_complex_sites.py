"""Complex sites, SVA shared metering arrangements and private networks (Foundations 5.7): an optional
config/complex_sites.csv; a Sites sheet in the templates of groups with sites; each site migrates on one day, none
before M14, inside the group's plan for its LDSO that day."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import openpyxl
import pytest

from tests.conftest import make_workspace
from tests.inbox_helpers import Returns, context
from toolkit.cli import main
from toolkit.config import load_config
from toolkit.domain.findings import Severity, Status
from toolkit.domain.monitoring import Cohort
from toolkit.domain.sample_plan import sample_plan
from toolkit.errors import ConfigError
from toolkit.excel.filler import fill_cells, fill_plan
from toolkit.inbox.watcher import Stability, run_once
from toolkit.services.inbox import make_inbox
from toolkit.services.sites import site_tracker
from toolkit.store.ledger import Ledger

GROUP = "XDNO"  # plans daily in S8 with envelopes


def _pick(config) -> tuple[str, int]:
    """An LDSO where GROUP holds more than 1,000 MPANs (first in its template's order), and the portfolio there."""
    held = {ldso: n for (g, ldso), n in config.industry.group_portfolio.items() if g == GROUP and n > 1000}
    ldso = next(ldso for ldso in config.industry.ldsos_of_group(GROUP) if ldso in held)
    return ldso, held[ldso]


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("sites") / "ws")
    ldso, _ = _pick(load_config(ws.root))
    (ws.config / "complex_sites.csv").write_text(
        "site,supplier_group,ldso_mpid,mpan_count,agents\n"
        f"Hospital campus,{GROUP},{ldso},40,\n"
        f"Private network B,{GROUP},{ldso},30,\n")
    r = Returns(ws, [GROUP, "JONV"])
    return r, ldso


def _plan(r):
    content = r.judge.content(GROUP, r.sprint)
    return content, sample_plan(content, r.config.parameters)


def _with_sites(r, tmp, dates, weekly=None, daily=None):
    content, plan = _plan(r)
    path = fill_plan(r.template(GROUP), tmp / "plan.xlsx", weekly=plan.weekly if weekly is None else weekly,
                     daily=plan.daily if daily is None else daily, agents=plan.agents)
    return fill_cells(path, tmp / "sites.xlsx", {("Sites", f"E{6 + k}"): d for k, d in enumerate(dates)
                                                  if d is not None})


def _sites(judged):
    return [f for f in judged.findings if f.rule.startswith("sites.")]


def test_groups_with_sites_get_a_sites_sheet(issued):
    r, ldso = issued
    book = openpyxl.load_workbook(r.template(GROUP))
    ws = book["Sites"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=7, max_col=4)] == [
        ["Site", "LDSO", "MPANs", "Agents"], ["Hospital campus", ldso, 40, None], ["Private network B", ldso, 30, None]]
    assert not ws["E6"].protection.locked and ws["A6"].protection.locked
    assert "Sites" not in openpyxl.load_workbook(r.template("JONV")).sheetnames


def test_a_site_migrates_on_one_day_from_m14_inside_the_plan(issued, tmp_path):
    """F5.7: "The Migration of all MPANs within a Complex Site arrangement must be undertaken at the same time; and
    No migration of Complex Sites may be undertaken prior to M14." S8 executes from Wed 2 Dec 2026, after M14 (Mon
    30 Nov 2026)."""
    r, ldso = issued
    content, plan = _plan(r)
    c = content.ldso_mpids.index(ldso)
    day = next(d for k, d in enumerate(content.days) if plan.daily[k, c] >= 70)
    # both sites on a day whose daily plan holds 70 or more: accepted, no finding
    judged = r.judge.judge(_with_sites(r, tmp_path, [day, day]), "plan.xlsx")
    assert judged.status == Status.ACCEPTED and _sites(judged) == []
    # the day's plan lowered to 69 (and the week kept equal by moving one to another open day): both sites flagged
    daily = plan.daily.copy()
    k = content.days.index(day)
    other = next(j for j, d in enumerate(content.days) if d != day and d - timedelta(d.weekday()) ==
                 day - timedelta(day.weekday()) and content.day_open[j])
    move = int(daily[k, c]) - 69
    daily[k, c] -= move
    daily[other, c] += move
    judged = r.judge.judge(_with_sites(r, tmp_path, [day, day], daily=daily), "plan.xlsx")
    assert [(f.rule, f.sheet, f.cell) for f in _sites(judged)] == [("sites.in-plan", "Sites", "E6")]
    assert "Hospital campus, Private network B need 70 MPANs migrated" in _sites(judged)[0].message
    # a day before M14, a Saturday, a non-date, and a blank
    judged = r.judge.judge(_with_sites(r, tmp_path, [date(2026, 11, 27), date(2026, 12, 5)]), "plan.xlsx")
    assert [(f.rule, f.cell, f.severity) for f in _sites(judged)] == [
        ("sites.date", "E6", Severity.ERROR), ("sites.date", "E7", Severity.ERROR)]
    assert "before M14" in _sites(judged)[0].message and judged.status == Status.REJECTED
    judged = r.judge.judge(_with_sites(r, tmp_path, ["next week", None]), "plan.xlsx")
    assert [(f.rule, f.cell, f.severity) for f in _sites(judged)] == [
        ("sites.date", "E6", Severity.ERROR), ("sites.date", "E7", Severity.WARNING)]
    # a site in a week after the sprint is checked against the weekly plan: that week's plan moved to another week
    w = next(k for k, wk in enumerate(content.weeks) if wk > content.days[-1] and plan.weekly[k, c] > 0)
    weekly = plan.weekly.copy()
    weekly[w + 1, c] += weekly[w, c]
    weekly[w, c] = 0
    monday = content.weeks[w]
    later = next(monday + timedelta(days=j) for j in range(5) if r.config.calendar.is_migration_day(
        monday + timedelta(days=j)))
    judged = r.judge.judge(_with_sites(r, tmp_path, [day, later], weekly=weekly), "plan.xlsx")
    assert [(f.rule, f.cell) for f in judged.findings if f.rule.startswith("sites.")] == [("sites.in-plan", "E7")]
    assert "in the week of" in next(f.message for f in judged.findings if f.rule == "sites.in-plan")


def test_complex_sites_csv_is_checked_naming_row_and_column(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    ldso, held = _pick(load_config(ws.root))
    (ws.config / "complex_sites.csv").write_text(
        "site,supplier_group,ldso_mpid,mpan_count,agents\n"
        f"A,{GROUP},{ldso},10,\n"
        f"A,{GROUP},{ldso},10,\n"
        f"B,NOPE,{ldso},10,\n"
        f"C,{GROUP},{ldso},{held + 1},\n"
        f"D,{GROUP},{ldso},0,\n"
        f"E,{GROUP},{ldso},5,ZZZZ\n"
        f"F,{GROUP},{ldso},5,not-an-mpid\n")
    with pytest.raises(ConfigError) as caught:
        load_config(ws.root)
    lines = [str(p) for p in caught.value.problems]
    assert lines[0] == "config/complex_sites.csv: row 6, column mpan_count: 0 must be more than 0"
    assert lines[1].startswith("config/complex_sites.csv: row 8, column agents: 'NOT-AN-MPID' is not an MPID")
    assert lines[2:] == [
        "config/complex_sites.csv: row 3, column site: site A is listed twice (also row 2)",
        "config/complex_sites.csv: row 4, column supplier_group: group NOPE is not in config/suppliers.csv",
        f"config/complex_sites.csv: row 5, column mpan_count: the sites of {GROUP} in {ldso} add up to "
        f"{held + 11:,} MPANs, more than its portfolio there ({held:,}, config/portfolio.csv)",
        f"config/complex_sites.csv: row 7, column agents: agent ZZZZ is not an agent of {GROUP} in config/agents.csv"]


def test_the_site_tracker_takes_dates_from_the_accepted_plan_and_confirms_them_from_outturn(issued, tmp_path,
                                                                                          capsys):
    """F5.7: migrations "included in the Suppliers' migration plan and recorded in a tracker"; "Programme in
    collaboration with Suppliers to confirm successful migration of each site"."""
    r, ldso = issued
    content, plan = _plan(r)
    c = content.ldso_mpids.index(ldso)
    day = next(d for k, d in enumerate(content.days) if plan.daily[k, c] >= 70)
    shutil.copyfile(_with_sites(r, tmp_path, [day, None]), r.ws.inbox / "XDNO_plan.xlsx")
    (o,), _ = run_once(make_inbox(context(r.ws)), Stability(quiet_seconds=0), max_wait=0)
    assert o.status == "accepted"
    ctx = context(r.ws, today=day)
    path, rows = site_tracker(ctx, day - timedelta(days=1))
    assert [(x.site, x.planned, x.status) for x in rows] == [
        ("Hospital campus", day, "planned"), ("Private network B", None, "no date")]
    supplier = next(s for s in r.config.industry.group_by_mpid[GROUP].suppliers)
    led = Ledger(r.ws.ledger)
    led.store_outturn([Cohort(supplier, ldso, day, day + timedelta(days=7), 39, None)], o.row_id)
    assert [x.status for x in site_tracker(ctx, day)[1]] == ["not confirmed", "no date"]
    led.store_outturn([Cohort(supplier, ldso, day, day + timedelta(days=7), 40, None)], o.row_id)
    path, rows = site_tracker(ctx, day)
    assert [(x.status, x.migrated, x.plan_file) for x in rows] == [("confirmed", 40, "XDNO_plan.xlsx"),
                                                                   ("no date", 0, "")]
    book = openpyxl.load_workbook(path)
    assert [c.value for c in book["Sites"][4]][:4] == ["Hospital campus", GROUP, ldso, 40]
    assert main(["sites", "tracker", "--as-of", day.isoformat(), "-w", str(r.ws.root)]) == 0
    assert "2 sites, 1 confirmed, 0 not confirmed, 0 planned, 1 no date" in " ".join(capsys.readouterr().out.split())
