"""Bulk Change of Agent (Foundations 5.6): the intention (step 1), the detailed plan of daily volumes and impacted
parties judged by the inbox (step 2), the aggregate with the migration schedule at LDSO and national level against
the exceptional thresholds (steps 3 and 5), the parties to consult (step 4), the approval (step 7)."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import make_workspace
from tests.inbox_helpers import Returns, context
from tests.test_uca_publication import _drop_and_process, _plannable
from toolkit.cli import main
from toolkit.domain.bulk_coa import Breach, BulkPlan, BulkState, aggregate_breaches, three_months_before
from toolkit.domain.envelopes import ldso_threshold
from toolkit.errors import UsageError
from toolkit.excel.filler import fill_cells
from toolkit.inbox.watcher import Stability, run_once
from toolkit.services.bulk_coa import (
    BULKCOA_FOLDER,
    approve,
    check_plan,
    issue_bulk_form,
    records,
    register_intention,
    scheduled_load,
)
from toolkit.services.inbox import make_inbox
from toolkit.store.ledger import Ledger

AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_the_aggregate_against_the_exceptional_thresholds_worked_by_hand():
    """F5.6 step 3 "MCC Will examine aggregated Migration Schedules at LDSO and National level", step 5 "Where
    aggregate load exceeds exceptional thresholds, Suppliers will be asked to re-profile activity". LDSO EELC (threshold
    40,000) schedules 39,000 on 2 Dec and 38,000 on 3 Dec; a bulk change of 1,500 a day breaks it on 2 Dec only
    (40,500 > 40,000). Nationally 299,000 are scheduled on 3 Dec: with 1,500 more, 300,500 > 300,000."""
    d1, d2 = date(2026, 12, 2), date(2026, 12, 3)
    plan = BulkPlan("G001", "ref", "contract end", "A. Person", ((d1, "EELC", 1500, "OLD1", "NEW1"),
                                                                 (d2, "EELC", 1000, "OLD1", "NEW1"),
                                                                 (d2, "EELC", 500, "OLD2", "NEW1")))
    sched = {(d1, "EELC"): 39_000, (d2, "EELC"): 38_000}
    found = aggregate_breaches(plan, lambda d, ldso: sched[(d, ldso)], {d1: 250_000, d2: 299_000}.get,
                               lambda ldso: 40_000, 300_000)
    assert found == [Breach(d1, "EELC", 39_000, 1500, 40_000), Breach(d2, "", 299_000, 1500, 300_000)]
    assert plan.agents == ["NEW1", "OLD1", "OLD2"]
    assert three_months_before(date(2027, 5, 31)) == date(2027, 2, 28)


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory):
    """S8 with two accepted plans: a schedule to check against."""
    ws = make_workspace(tmp_path_factory.mktemp("bulk") / "ws")
    probe = Returns(ws, [])
    chosen = [g.mpid for g in probe.config.industry.groups if _plannable(probe, g.mpid)][:2]
    r = Returns(ws, chosen)
    tmp = tmp_path_factory.mktemp("files")
    assert [o.status for o in _drop_and_process(r, [r.valid(g, tmp / f"{g}.xlsx") for g in chosen])] == \
        ["accepted"] * 2
    return r, chosen


def _fill(form: Path, out: Path, lines, **fields) -> Path:
    values = {"B6": "Meter operator exit, portfolio moving to a new MOP", "B7": "contract end",
              "B8": "A. Person, a.person@example.org", **fields}
    edits = {("Bulk COA", k): v for k, v in values.items() if v is not None}
    for r, line in enumerate(lines, start=12):
        for col, v in zip("ABCDE", line, strict=True):
            edits[("Bulk COA", f"{col}{r}")] = v
    return fill_cells(form, out, edits)


def _process(ws, path: Path):
    folder = ws.inbox / "bulkcoa"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(path, folder / path.name)
    (o,), _ = run_once(make_inbox(context(ws, at=AT, today=AT.date())), Stability(quiet_seconds=0), max_wait=0)
    return o


def test_a_plan_is_judged_checked_against_the_schedule_and_approved(scheduled, tmp_path, capsys):
    """F5.6 steps 1-7, the plan in the weeks of sprint 8 (executing from Wed 2 Dec 2026)."""
    r, chosen = scheduled
    ws, config = r.ws, r.config
    group = chosen[0]
    ctx = context(ws, config, at=AT, today=AT.date())
    assert register_intention(ctx, group, date(2026, 12, 2), date(2026, 12, 4), "MOP exit, about 20k MPANs") == \
        f"BC-{group}-001"
    form = issue_bulk_form(ctx, group)
    ldso = next(x for x in config.industry.ldsos if (group, x.mpid) in config.industry.group_portfolio)
    lt = ldso_threshold(ldso.mpan_count, config.parameters)
    per, national, unknown = scheduled_load(ctx, [date(2026, 12, 2), date(2026, 12, 3)])
    assert unknown == [] and national[date(2026, 12, 2)] > 0
    room = lt - per[(date(2026, 12, 2), ldso.mpid)]
    lines = [(date(2026, 12, 2), ldso.mpid, room, "OLDA", "NEWA"), (date(2026, 12, 3), ldso.mpid, 100, "OLDA", "NEWA")]
    o = _process(ws, _fill(form, tmp_path / "plan.xlsx", lines))
    assert (o.status, o.group, o.warnings) == ("accepted", group, 1)  # received 23 Nov: under three months' notice
    report = next((ws.outbox / "bulk_coa" / group).glob("*.txt")).read_text()
    assert "warning: Bulk COA: the first day of the bulk change, Wed 02 Dec 2026, is less than three months" in report
    ident = f"BC-{o.row_id:05d}"
    assert records(ws)[ident]["state"] == BulkState.RECEIVED
    with pytest.raises(UsageError, match="only a plan checked without a breach"):
        approve(ctx, ident, "")
    c = check_plan(ctx, ident)  # exactly at the LDSO threshold on 2 Dec: no breach
    assert c.breaches == [] and c.consult["LDSOs"] == [ldso.mpid] and c.consult["agents"] == ["NEWA", "OLDA"]
    # one more MPAN on 2 Dec: over the threshold, a re-profile asked (exit 1)
    lines[0] = (date(2026, 12, 2), ldso.mpid, room + 1, "OLDA", "NEWA")
    o2 = _process(ws, _fill(form, tmp_path / "plan2.xlsx", lines))
    ident2 = f"BC-{o2.row_id:05d}"
    assert main(["bulk-coa", "check", ident2, "-w", str(ws.root), "--today", "2026-11-23"]) == 1
    said = " ".join(capsys.readouterr().out.split())
    assert f"2026-12-02 {ldso.mpid}: schedule {lt - room:,} + bulk {room + 1:,} = {lt + 1:,} > {lt:,}" in said
    assert f"{ident2}: re-profile requested" in said
    assert records(ws)[ident2]["state"] == BulkState.REPROFILE
    assert approve(ctx, ident, "no representations")["state"] == BulkState.APPROVED


def test_a_bad_plan_is_refused_naming_each_cell_and_bad_files_are_quarantined(scheduled, tmp_path):
    """Bad input: every problem named by sheet and cell, nothing recorded; an unreadable file kept as it came."""
    r, chosen = scheduled
    ws = r.ws
    before = dict(records(ws))
    form = issue_bulk_form(context(ws, r.config, at=AT, today=AT.date()), chosen[1])
    judge = make_inbox(context(ws)).judges[BULKCOA_FOLDER]
    own = next(ldso for g, ldso in r.config.industry.group_portfolio if g == chosen[1])
    bad = _fill(form, tmp_path / "bad.xlsx", [("soon", own, 10, "OLDA", "NEWA"),
                                              (date(2026, 12, 5), "NOPE", 0, "X", "NEWA")], B6="")
    v = judge.judge(bad, bad.name, AT.date())
    assert [(f.rule, f.cell) for f in v.findings] == [
        ("bulk-coa.plan", "B6"), ("bulk-coa.plan", "A12"), ("bulk-coa.plan", "A13"), ("bulk-coa.plan", "B13"),
        ("bulk-coa.plan", "C13"), ("bulk-coa.plan", "D13")]
    forged = fill_cells(form, tmp_path / "forged.xlsx", {("_mcc", "B3"): chosen[0]})
    assert [(f.rule, f.sheet) for f in judge.judge(forged, forged.name, AT.date()).findings] == [
        ("bulk-coa.form", "_mcc")]
    moved = fill_cells(form, tmp_path / "moved.xlsx", {("Bulk COA", "A11"): "Day"})
    assert [(f.rule, f.cell) for f in judge.judge(moved, moved.name, AT.date()).findings] == [("bulk-coa.form", "A11")]
    junk = tmp_path / "plan.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    o = _process(ws, junk)
    assert o.status == "quarantined" and o.reason
    assert (ws.root / Ledger(ws.ledger).get(o.row_id).archive_path).read_bytes() == junk.read_bytes()
    assert records(ws) == before


@pytest.mark.parametrize("kind", ["csv", "pdf", "0 bytes", "truncated form", "encrypted form", "zip bomb",
                                  "XML entities"])
def test_bad_input_in_the_bulk_coa_folder_is_quarantined_with_a_reason_and_its_bytes_kept(scheduled, tmp_path,
                                                                                          kind):
    """The inbox's bad-input suite (tests/test_inbox.py) for the new kind: nothing lost, a reason given."""
    from tests.test_lost_days import _bad_inputs

    r, chosen = scheduled
    before = dict(records(r.ws))
    form = issue_bulk_form(context(r.ws, r.config, at=AT, today=AT.date()), chosen[1])
    make, words = _bad_inputs()[kind]
    f = make(form, tmp_path)
    original = f.read_bytes()
    o = _process(r.ws, f)
    assert o.status == "quarantined", (kind, o)
    assert words.lower() in o.reason.lower(), (kind, o.reason)
    assert (r.ws.root / Ledger(r.ws.ledger).get(o.row_id).archive_path).read_bytes() == original
    assert not any(p.is_file() for p in (r.ws.inbox / "bulkcoa").rglob("*"))
    assert records(r.ws) == before


def test_text_fields_and_ldsos_outside_the_groups_portfolio_are_refused(scheduled, tmp_path):
    """Red-team of issue 19: an owner of 40,005 characters starting with ESC, and 999,999,999 MPANs at an LDSO
    where the group has none, were accepted. A change of agent covers the group's own MPANs (F5.6 step 2)."""
    r, chosen = scheduled
    ws, config = r.ws, r.config
    form = issue_bulk_form(context(ws, config, at=AT, today=AT.date()), chosen[0])
    judge = make_inbox(context(ws)).judges[BULKCOA_FOLDER]
    other = next(x.mpid for x in config.industry.ldsos if (chosen[0], x.mpid) not in config.industry.group_portfolio)
    bad = _fill(form, tmp_path / "bad.xlsx", [(date(2027, 3, 3), other, 999_999_999, "OLDA", "NEWA")],
                B8="\x1b[2J" + "x" * 40_000)
    v = judge.judge(bad, bad.name, AT.date())
    assert [(f.rule, f.cell) for f in v.findings] == [("bulk-coa.plan", "B8"), ("bulk-coa.plan", "B12")]
