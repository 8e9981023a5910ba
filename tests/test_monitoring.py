"""Sprint execution monitoring end to end on the demo industry: outturn files through the inbox (every error
located, nothing stored from a bad file, bytes kept), cohorts updated by later files, activation offsets and
secondary MPAN spikes, lost migration days moving the core window and the envelopes, notified shortfalls ceding
capacity to an ad hoc UCA round, and the monitoring workbook."""

from __future__ import annotations

import csv
import hashlib
import shutil
from datetime import UTC, date, datetime, timedelta

import numpy as np
import openpyxl
import pytest

from tests.conftest import make_workspace
from tests.inbox_helpers import Returns, context
from tests.test_uca_publication import _drop_and_process, _plannable
from toolkit.cli import main
from toolkit.demo.simulate import simulate_outturn
from toolkit.domain.envelopes import Category
from toolkit.domain.monitoring import OUTTURN_COLUMNS, Cohort, check_offsets, secondary_spikes
from toolkit.errors import UsageError
from toolkit.excel.filler import fill_plan
from toolkit.inbox.watcher import Stability, run_once
from toolkit.services.context import envelopes, load, resolve_cycle
from toolkit.services.inbox import make_inbox
from toolkit.services.monitor import monitoring_report, notify_shortfall, record_lost_days, stored_cohorts
from toolkit.services.uca import current_allocation, current_schedule, rounds, snapshot, uca_allocate, uca_report
from toolkit.store.ledger import Ledger
from toolkit.store.registers import latest_issued

STAMP = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
AS_OF = date(2026, 12, 11)  # S8 executes from Wednesday 2 December 2026


def _clock(ws, day: date):
    return context(ws, today=day, at=datetime(day.year, day.month, day.day, 18, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def executing(tmp_path_factory):
    """S8 with four accepted plans, round 1 of UCA allocated (nothing requested): the baseline to monitor."""
    ws = make_workspace(tmp_path_factory.mktemp("mon") / "ws")
    probe = Returns(ws, [])
    chosen = [g.mpid for g in probe.config.industry.groups if _plannable(probe, g.mpid)][:4]
    r = Returns(ws, chosen)
    tmp = tmp_path_factory.mktemp("files")
    assert [o.status for o in _drop_and_process(r, [r.valid(g, tmp / f"{g}.xlsx") for g in chosen])] == \
        ["accepted"] * 4
    uca_report(context(ws, r.config, at=STAMP), r.sprint)
    uca_allocate(context(ws, r.config, at=STAMP), r.sprint)
    return r, chosen, tmp


def _write_csv(path, rows, header=OUTTURN_COLUMNS):
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def _planned_pair(r):
    """A supplier MPID of a group with a plan on the sprint's first days, its LDSO and the days."""
    s, _, _ = current_schedule(context(r.ws, r.config), r.sprint)
    i, j = (int(x) for x in np.argwhere(s.daily[:, :, :5].sum(axis=2) > 0)[0])
    group, ldso = s.groups[i], s.ldsos[j]
    supplier = next(x for x in r.config.industry.group_by_mpid[group].suppliers
                    if r.config.industry.portfolio.get((x, ldso)))
    return s, i, j, supplier


@pytest.fixture(autouse=True)
def _rehearsal_day(monkeypatch):
    monkeypatch.setenv("MCC_TODAY", AS_OF.isoformat())  # the CLI's today: S8 is executing


def test_an_outturn_csv_with_mistakes_is_refused_whole_with_every_problem_located(executing, tmp_path, capsys):
    r, _, _ = executing
    s, _, _, supplier = _planned_pair(r)
    ldso = "EELC"
    rows = [[supplier, ldso, "2026-12-02", "2026-12-09", 10, 11],
            ["ZZZZ", ldso, "2026-12-02", "2026-12-09", 5, 5],  # unknown supplier
            [supplier, "XXXX", "2026-12-02", "2026-12-09", 5, 5],  # unknown LDSO
            [supplier, ldso, "2024-12-02", "2024-12-09", 5, 5],  # before M11
            [supplier, ldso, "2026-12-03", "2026-12-01", 5, 5],  # effective before initiation
            [supplier, ldso, "02/12/2026", "2026-12-09", 5, 5],  # not ISO
            [supplier, ldso, "2026-12-04", "2026-12-11", -3, ""],  # negative
            [supplier, ldso, "2026-12-07", "2026-12-14", "12.5", ""],  # not whole
            [supplier, ldso, "2026-12-02", "2026-12-09", 10, 11]]  # the first row again
    path = _write_csv(tmp_path / "outturn bad.csv", rows)
    assert main(["monitor", "ingest", str(path), "-w", str(r.ws.root)]) == 1
    err = capsys.readouterr().err
    expected = [
        "outturn bad.csv: row 3, column supplier_mpid: ZZZZ is not a supplier MPID in config/suppliers.csv",
        "outturn bad.csv: row 4, column ldso_mpid: XXXX is not an LDSO in config/ldsos.csv",
        "outturn bad.csv: row 5, column initiation_date: 2024-12-02 is outside the migration window (M11 "
        "2025-10-01 to M15 2027-05-28)",
        "outturn bad.csv: row 5, column effective_date: 2024-12-09 is before M11 (2025-10-01)",
        "outturn bad.csv: row 6, column effective_date: 2026-12-01 is before the initiation date 2026-12-03",
        "outturn bad.csv: row 7, column initiation_date: '02/12/2026' is not a date (YYYY-MM-DD)",
        "outturn bad.csv: row 8, column initiations: -3 is negative",
        "outturn bad.csv: row 9, column initiations: '12.5' is not a whole number",
        f"outturn bad.csv: row 10, column initiation_date: {supplier} EELC initiated on 2026-12-02 effective "
        "2026-12-09 is given twice (also row 2)"]
    assert [ln[2:] for ln in err.splitlines() if ln.startswith("- ")] == expected
    ledger = Ledger(r.ws.workbooks / "ledger.sqlite")
    assert ledger.outturn() == []  # nothing from a bad file
    row = [x for x in ledger.rows() if x.kind == "outturn"][-1]
    assert (row.status, row.errors) == ("rejected", 9)
    archived = r.ws.root / row.archive_path
    assert archived.read_bytes() == path.read_bytes()
    assert archived.name == hashlib.sha256(path.read_bytes()).hexdigest() + ".csv"
    assert (r.ws.root / row.feedback_path).read_text().startswith("Outturn file outturn bad.csv")


def test_an_outturn_workbook_names_sheet_and_cell(executing, tmp_path, capsys):
    import xlsxwriter

    r, _, _ = executing
    path = tmp_path / "outturn.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Outturn")
    ws.write_row(0, 0, OUTTURN_COLUMNS)
    ws.write_row(1, 0, ["QQQQ", "EELC", "2026-12-02", "2026-12-09", 5, 6])
    ws.write_row(2, 0, ["QQQQ", "EELC", "2026-12-03", "2026-12-10", -1, 6])
    wb.close()
    assert main(["monitor", "ingest", str(path), "-w", str(r.ws.root)]) == 1
    err = [ln[2:] for ln in capsys.readouterr().err.splitlines() if ln.startswith("- ")]
    assert err == ["outturn.xlsx: sheet 'Outturn' cell A2: QQQQ is not a supplier MPID in config/suppliers.csv",
                   "outturn.xlsx: sheet 'Outturn' cell A3: QQQQ is not a supplier MPID in config/suppliers.csv",
                   "outturn.xlsx: sheet 'Outturn' cell E3: -1 is negative"]


def test_a_missing_column_and_a_file_that_is_not_a_table(executing, tmp_path, capsys):
    r, _, _ = executing
    path = _write_csv(tmp_path / "short.csv", [["X", "EELC", "2026-12-02", "2026-12-09"]],
                      header=("supplier_mpid", "ldso_mpid", "initiation_date", "effective_date"))
    assert main(["monitor", "ingest", str(path), "-w", str(r.ws.root)]) == 1
    assert "short.csv: row 1, column initiations: missing column initiations" in capsys.readouterr().err
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\xff\xfe binary \x00" * 50)
    assert main(["monitor", "ingest", str(junk), "-w", str(r.ws.root)]) == 2
    row = [x for x in Ledger(r.ws.workbooks / "ledger.sqlite").rows() if x.kind == "outturn"][-1]
    assert row.status == "quarantined" and "neither an .xlsx workbook nor UTF-8 text" in row.reason
    assert (r.ws.root / row.archive_path).read_bytes() == junk.read_bytes()


def test_outturn_dropped_in_the_inbox_folder_is_stored_and_updated_by_a_later_file(executing, tmp_path):
    r, _, _ = executing
    s, _, j, supplier = _planned_pair(r)
    ldso = s.ldsos[j]
    first = _write_csv(tmp_path / "day1.csv", [[supplier, ldso, "2026-12-02", "2026-12-09", 40, ""]])
    folder = r.ws.inbox / "outturn"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(first, folder / first.name)
    inbox = make_inbox(_clock(r.ws, date(2026, 12, 2)))
    (outcome,) = run_once(inbox, Stability(quiet_seconds=0, settle_seconds=0), max_wait=0)[0]
    assert outcome.status == "accepted"
    assert [c for c in stored_cohorts(r.ws) if c.supplier == supplier] == [
        Cohort(supplier, ldso, date(2026, 12, 2), date(2026, 12, 9), 40, None)]
    later = _write_csv(tmp_path / "day6.csv", [[supplier, ldso, "2026-12-02", "2026-12-09", 40, 43]])
    shutil.copyfile(later, folder / later.name)
    inbox = make_inbox(_clock(r.ws, date(2026, 12, 9)))
    (outcome,) = run_once(inbox, Stability(quiet_seconds=0, settle_seconds=0), max_wait=0)[0]
    assert outcome.status == "accepted"
    assert [c.completions for c in stored_cohorts(r.ws) if c.supplier == supplier] == [43]
    # an initiation dated after the day the file arrives cannot have happened
    future = _write_csv(tmp_path / "future.csv", [[supplier, ldso, "2026-12-20", "2026-12-31", 5, ""]])
    shutil.copyfile(future, folder / future.name)
    (outcome,) = run_once(inbox, Stability(quiet_seconds=0, settle_seconds=0), max_wait=0)[0]
    assert outcome.status == "rejected" and "is after the date of the report (2026-12-09)" in outcome.reason


def test_activation_offsets_against_mao_and_fast_feedback(executing):
    r, _, _ = executing
    config = r.config
    env = envelopes(config)
    # a group starting in the sprint: its fast-feedback window is open on its first days
    i = next(i for i, ph in enumerate(env.phases) if ph.migration_start >= date(2026, 12, 2))
    group, start = env.groups[i], env.phases[i].migration_start
    supplier = config.industry.group_by_mpid[group].suppliers[0]
    old = next(g for g in config.industry.groups if g.migration_start < date(2026, 1, 1)).suppliers[0]
    add = config.calendar.add_working_days
    cohorts = [
        Cohort(old, "EELC", date(2026, 12, 2), add(date(2026, 12, 2), 5), 100, None),  # MAO 5: fine
        Cohort(old, "EELC", date(2026, 12, 3), add(date(2026, 12, 3), 3), 100, None),  # 3 outside fast feedback
        Cohort(supplier, "EELC", start, add(start, 3), 300, None),  # 3 inside: fine
        Cohort(supplier, "EELC", start, add(start, 1), 10, None),  # 1: too short even in fast feedback
        Cohort(supplier, "SOUT", start, add(start, 2), 250, None),  # beyond the first 500 of fast feedback
    ]
    found = check_offsets(cohorts, config.industry, config.calendar, env, config.parameters)
    assert sorted((f.group, f.ldso, f.initiated, f.offset, f.allowed) for f in found) == sorted([
        (group, "EELC", start, 1, "2-4 (fast feedback)"), (group, "SOUT", start, 2, "2-4 (fast feedback)"),
        (config.industry.group_of_supplier[old], "EELC", date(2026, 12, 3), 3, "5")])
    assert next(f for f in found if f.offset == 2).why.startswith("fast-feedback initiations beyond the first 500")


def test_secondary_mpan_spikes_at_the_share(executing):
    r, _, _ = executing
    ind = r.config.industry
    supplier = ind.groups[0].suppliers[0]
    day = date(2026, 12, 9)
    cohorts = [Cohort(supplier, "EELC", date(2026, 12, 2), day, 100, 125),  # 25% secondary: at the share
               Cohort(supplier, "SOUT", date(2026, 12, 2), day, 100, 126),  # 26%: a spike
               Cohort(supplier, "LOND", date(2026, 12, 2), day, 100, None)]  # not reported: nothing to say
    (spike,) = secondary_spikes(cohorts, ind, 0.25)
    assert (spike.ldso, spike.secondary) == ("SOUT", 26)


def test_lost_days_move_the_core_window_end_and_the_envelopes(tmp_path, capsys):
    ws = make_workspace(tmp_path / "ws")
    config = load(ws)
    env = envelopes(config)
    i = next(i for i, ph in enumerate(env.phases)
             if ph.core_end and date(2026, 1, 1) < ph.core_end < date(2026, 11, 1) and
             (env.category[i] == Category.ENVELOPE).any())
    group, before = env.groups[i], env.phases[i].core_end
    assert main(["monitor", "lost-days", group, "3", "--reason", "DIP outage", "--incident", "INC0042",
                 "--approved", "2026-06-01", "-w", str(ws.root)]) == 0
    said = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert (ws.config / "lost_days.csv").read_text().splitlines() == [
        "supplier_group,days,reason,incident,approved_on", f"{group},3,DIP outage,INC0042,2026-06-01"]
    after_config = load(ws)
    after = envelopes(after_config)
    ph = after.phases[i]
    assert ph.lost_days == env.phases[i].lost_days + 3
    assert ph.core_end == config.calendar.nth_migration_day(before + timedelta(days=1), 3)
    assert f"its core window now ends {ph.core_end} (was {before})" in said
    # the three extra days are core days now: envelopes at the core factor, ten times the ramp-down's
    for day in config.calendar.migration_days(before + timedelta(days=1), ph.core_end):
        k = (day - env.dates[0]).days
        j = int(np.argmax(env.envelope[i, :, k]))
        assert env.slsf[i, k] == pytest.approx(0.1) and after.slsf[i, k] == pytest.approx(1.0)
        assert after.envelope[i, j, k] > env.envelope[i, j, k]
    # and the next templates show it
    sprint = resolve_cycle(after_config, "S9", date(2027, 1, 1))
    from toolkit.domain.template import describe_phase_dates, template_content

    content = template_content(after_config.industry, after_config.calendar, after_config.parameters, after, group,
                               sprint)
    assert content.core_end == ph.core_end
    assert dict(describe_phase_dates(content))["Core migration window"].endswith(f"{ph.core_end:%a %d %b %Y}")


def test_lost_days_are_refused_after_m14_and_for_groups_without_envelopes(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    config = load(ws)
    env = envelopes(config)
    with_envelope = next(g for i, g in enumerate(env.groups) if (env.category[i] == Category.ENVELOPE).any())
    without = next(g for i, g in enumerate(env.groups) if not (env.category[i] == Category.ENVELOPE).any())
    with pytest.raises(UsageError, match="until M14 \\(2026-11-30\\)"):
        record_lost_days(context(ws, config), with_envelope, 2, "outage", "INC1", date(2026, 11, 30))
    with pytest.raises(UsageError, match="has no LDSO with an envelope"):
        record_lost_days(context(ws, config), without, 2, "outage", "INC1", date(2026, 6, 1))
    assert not (ws.config / "lost_days.csv").exists()
    # a claim typed into the file by hand is checked by the loader like every other file
    (ws.config / "lost_days.csv").write_text("supplier_group,days,reason,incident,approved_on\n"
                                             f"{with_envelope},2,outage,INC1,2026-12-01\nNOPE,0,,INC2,2026-06-01\n")
    from toolkit.config import load_config
    from toolkit.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        load_config(ws.root)
    assert sorted(str(p) for p in caught.value.problems) == [
        "config/lost_days.csv: row 2, column approved_on: 2026-12-01 is not before M14 (2026-11-30): after M14 lost "
        "days are made up with unused capacity instead (F6.6)",
        "config/lost_days.csv: row 3, column days: 0 must be more than 0",
        "config/lost_days.csv: row 3, column reason: must not be empty"]


def test_a_notified_shortfall_is_handed_out_in_an_ad_hoc_round(executing, tmp_path):
    r, chosen, tmp = executing
    config = r.config
    env = envelopes(config)
    today = date(2026, 12, 8)
    s, _, _ = current_schedule(context(r.ws, config), r.sprint)
    from toolkit.domain.allocation import eligible_groups

    eligible = eligible_groups(env, r.sprint)
    # a planned day after today in an LDSO where another eligible group has an envelope to take it up
    i, j, k = next((int(i), int(j), int(k)) for i, j, k in np.argwhere(s.daily >= 2)
                   if s.days[k] > today and any(g != s.groups[i] and env.category[env.groups.index(g), j] ==
                                                Category.ENVELOPE for g in eligible))
    day, ceded = s.days[k], int(s.daily[i, j, k]) // 2
    with pytest.raises(UsageError, match="it cannot cede"):
        notify_shortfall(context(r.ws, config, at=datetime(2026, 12, 8, 9, tzinfo=UTC)), r.sprint, s.groups[i],
                         s.ldsos[j], [day], int(s.daily[i, j, k]) + 1, "x")
    round1 = snapshot(r.ws, "S8", 1)
    granted_before = current_allocation(context(r.ws, config), r.sprint)[0].all_grants.copy()
    notify_shortfall(context(r.ws, config, at=datetime(2026, 12, 8, 9, tzinfo=UTC)), r.sprint, s.groups[i],
                     s.ldsos[j], [day], ceded, "DS provider fault")
    report = uca_report(context(r.ws, config, today=today, at=datetime(2026, 12, 8, 10, tzinfo=UTC)), r.sprint,
                        adhoc=True)
    assert report.round == 2 and rounds(r.ws, "S8") == [1, 2]
    # its report has a name of its own, and its email quotes the round's deadline (the execution end), not the
    # planning round's UCA end (issue 17, red-team)
    assert report.report.name == "uca_report_r02_v01.xlsx"
    from toolkit.services.distribute import prepare
    mails = prepare(context(r.ws, config, today=today), r.sprint, "uca").messages
    assert mails and all(m.attachments[0] == "uca_report_r02_v01.xlsx" for m in mails)
    assert all(f"{r.sprint.execution_end:%a %d %b %Y}" in m.subject and
               f"{r.sprint.uca_end:%a %d %b %Y}" not in m.subject for m in mails)
    snap = snapshot(r.ws, "S8")
    assert (snap.unused[:, [n for n, d in enumerate(snap.days) if d <= today]] == 0).all()  # gone days: nothing
    assert snap.unused[j, k] >= min(ceded, round1.unused[j, k] + ceded)  # the ceded capacity is in it
    # issue 17: the draft and the round-1 report are out (their sum is the limit), so a figure of this report that
    # differs from round 1's would give away a grant or a shortfall of one group: it shows only unchanged figures
    later = [n for n, d in enumerate(snap.days) if d > today]
    shown = snap.disclosed[:, later]
    assert shown.any() and (snap.unused[:, later][shown] == round1.unused[:, later][shown]).all()
    assert not snap.disclosed[j, k]
    # another eligible group with an envelope there asks for it, in the round-2 form
    def may_ask(g: str) -> bool:  # the cell is on its form, and shown or within its own envelope (issue 17)
        f = snap.form(env, g)
        if s.ldsos[j] not in f.ldsos:
            return False
        at = (f.days.index(day), f.ldsos.index(s.ldsos[j]))
        return bool(f.disclosed[at] or f.entitlement[at] >= ceded)

    other = next(g for g in report.eligible if g != s.groups[i] and may_ask(g))
    form = snap.form(env, other)
    asked = np.zeros_like(form.unused)
    asked[form.days.index(day), form.ldsos.index(s.ldsos[j])] = ceded
    issued2 = latest_issued(r.ws.requests_dir("S8", 2))
    request = fill_plan(r.ws.requests_dir("S8", 2) / issued2[other].file, tmp_path / "adhoc.xlsx", uca=asked)
    # a round-1 form returned now is superseded
    issued1 = latest_issued(r.ws.requests_dir("S8", 1))
    stale = fill_plan(r.ws.requests_dir("S8", 1) / issued1[other].file, tmp_path / "stale.xlsx",
                      uca=np.zeros_like(snapshot(r.ws, "S8", 1).form(env, other).unused))
    outcomes = _drop_and_process(r, [request, stale])
    assert [o.status for o in outcomes] == ["accepted", "rejected"]
    alloc, _, _, notices = uca_allocate(context(r.ws, config, at=datetime(2026, 12, 9, tzinfo=UTC)), r.sprint)
    assert alloc.round == 2 and int(alloc.grants.sum()) == ceded
    o = s.groups.index(other)
    assert alloc.grants[o, j, k] == ceded
    assert (alloc.all_grants - alloc.grants == granted_before).all()  # round 1 is not handed out again
    assert alloc.breaches == []
    base = alloc.baseline
    assert base.daily[i, j, k] == s.daily[i, j, k] - ceded and base.daily[o, j, k] == s.daily[o, j, k] + ceded
    assert (base.ldso_daily <= base.daily_limit + 1e-9).all()
    assert [n.name for n in notices] == ["uca02_grant_v01.eml"]
    assert (r.ws.workbooks / "S8" / "uca" / "round_02" / "allocation_v01.xlsx").is_file()


def test_an_ad_hoc_report_never_shows_a_figure_changed_since_the_draft(executing):
    """Found by a red-team of issue 17: the ad hoc round's report was masked on the schedule as it stands alone.
    The draft and the first round's report are out, and their sum is the limit, so a figure of the new report minus
    the limit gave away the grants and shortfalls of its day: 329 LDSO-days of the demo, many one group's grant.
    Now a figure is shown only where the draft showed that day's plans and nothing changed since."""
    from dataclasses import replace

    from toolkit.domain.allocation import snapshot_of
    from toolkit.domain.disclosure import disclosure_rule

    r, _, _ = executing
    rule = disclosure_rule(r.config.parameters, r.config.industry)
    s, _, result = current_schedule(context(r.ws, r.config), r.sprint)
    alone = snapshot_of(s, rule)
    j, k = map(int, np.argwhere(alone.disclosed & (s.ldso_daily > 0))[0])
    i = int(np.argmax(s.daily[:, j, k]))
    draft = replace(s, daily=s.daily.copy())
    draft.daily[i, j, k] -= 1  # one group was granted 1 more there after the draft was published
    snap = snapshot_of(s, rule, published=draft)
    assert alone.disclosed[j, k] and not snap.disclosed[j, k]
    assert (snap.disclosed <= alone.disclosed).all()
    same = np.asarray(draft.ldso_daily) == np.asarray(s.ldso_daily)
    assert not (snap.disclosed & ~same).any()
    # wired into the ad hoc round: published is the draft schedule
    assert (snapshot_of(s, rule, published=result.schedule).disclosed
            <= (np.asarray(result.schedule.ldso_daily) == np.asarray(s.ldso_daily))).all()


def test_the_monitoring_workbook(executing, tmp_path, capsys):
    r, _, _ = executing
    s, _, _ = current_schedule(context(r.ws, r.config), r.sprint)
    days = s.days[:(AS_OF - s.days[0]).days + 1]
    path = tmp_path / "outturn_sim.csv"
    planted = simulate_outturn(r.config, s, days, AS_OF, path)
    assert main(["monitor", "ingest", str(path), "-w", str(r.ws.root)]) == 0
    report = monitoring_report(context(r.ws, r.config, at=datetime(2026, 12, 11, 18, tzinfo=UTC)), r.sprint, AS_OF)
    mon = report.monitoring
    assert mon.days[0] == date(2026, 12, 2) and mon.days[-1] == AS_OF
    escalated = {(e.group, e.ldso) for e in mon.escalations}
    if "excess" in planted:
        assert tuple(planted["excess"].split()) in escalated
    if "unplanned" in planted:
        g, x, d = planted["unplanned"].split()
        assert any((e.group, e.ldso, e.day.isoformat(), e.unplanned) == (g, x, d, True) for e in mon.escalations)
    wb = openpyxl.load_workbook(report.path)
    assert wb.sheetnames == ["Summary", "Heat map sprint to date", "Heat map last day", "Heat map rolling", "Trend",
                             "Escalations",
                             "Deviations", "Activation offsets", "Secondary spikes", "CMWCP progress", "Notices"]
    rows = list(wb["Escalations"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[2], row[3]) for row in rows] == [(e.group, e.ldso, e.scope) for e in mon.escalations]
    # a level-3 cell of the heat map is red, a level-1 cell green
    heat = wb["Heat map sprint to date"]
    fills = {}
    ldsos = [c.value for c in heat[3][2:]]
    for row in heat.iter_rows(min_row=4):
        g = row[0].value
        for cell, x in zip(row[2:], ldsos, strict=False):
            i, j = s.groups.index(g), s.ldsos.index(x)
            fills.setdefault(int(mon.cumulative_level[i, j, -1]), set()).add(cell.fill.fgColor.rgb)
    assert fills[3] == {"FFFFC7CE"} and fills[1] == {"FFC6EFCE"}
    trend = list(wb["Trend"].iter_rows(min_row=2, max_col=3, values_only=True))
    assert [int(t[2]) for t in trend] == [int(v) for v in report.national_actual]
    assert report.path.name == "monitoring_2026-12-11_v01.xlsx"
    assert main(["monitor", "report", "--as-of", "2026-12-11", "-w", str(r.ws.root)]) == 0
    assert "level-3 escalations" in capsys.readouterr().out
    assert (r.ws.workbooks / "S8" / "monitoring" / "monitoring_2026-12-11_v02.xlsx").is_file()
    assert main(["monitor", "report", "--as-of", "2026-11-01", "--cycle", "S8", "-w", str(r.ws.root)]) == 2
