"""Lost Migration Days (Foundations 6.6): one incident extends a group's core window once; the claim workbook of
6.6.1 judged by the inbox; the MCC's evaluation and decision of 6.6.2 with MCAG ratification; the 2 and 10 working
day deadlines; a central outage applied to every active migrating group with envelopes."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import make_workspace
from tests.inbox_helpers import context
from toolkit.cli import main
from toolkit.config import load_config
from toolkit.domain.envelopes import Category
from toolkit.domain.lost_days import ClaimState
from toolkit.errors import ConfigError, UsageError
from toolkit.excel.filler import fill_cells
from toolkit.inbox.watcher import Stability, run_once
from toolkit.services.context import envelopes, load
from toolkit.services.inbox import make_inbox
from toolkit.services.lost_days import (
    LOSTDAYS_FOLDER,
    apply_outage,
    decide,
    evaluate,
    issue_claim_form,
    open_claims,
    ratify,
    records,
)
from toolkit.services.monitor import record_lost_days
from toolkit.store.ledger import Ledger


def _with_envelope(config) -> tuple[str, int]:
    env = envelopes(config)
    i = next(i for i, ph in enumerate(env.phases)
             if ph.core_end and date(2026, 1, 1) < ph.core_end < date(2026, 11, 1)
             and (env.category[i] == Category.ENVELOPE).any())
    return env.groups[i], i


def test_one_incident_extends_a_groups_core_window_once(tmp_path):
    """F6.6: "Any validated Lost Migration Days will result in an extension of the Supplier Core Migration Window"
    - the days lost to one incident (6.6.1 "2. Related Incident Number"), once: recording the same claim again
    must not extend the window a second time."""
    ws = make_workspace(tmp_path / "ws")
    config = load(ws)
    group, i = _with_envelope(config)
    before, after = record_lost_days(context(ws, config), group, 3, "DIP outage", "INC0042", date(2026, 6, 1))
    assert after > before
    with pytest.raises(UsageError, match="INC0042 is already recorded for " + group):
        record_lost_days(context(ws, load(ws)), group, 3, "DIP outage", "inc0042 ", date(2026, 6, 2))
    assert envelopes(load(ws)).phases[i].core_end == after
    assert len((ws.config / "lost_days.csv").read_text().splitlines()) == 2
    # typed in twice by hand: the loader says so, naming both rows, rather than counting it twice
    path = ws.config / "lost_days.csv"
    path.write_text(path.read_text() + f"{group},3,DIP outage,inc0042,2026-06-02\n")
    with pytest.raises(ConfigError) as caught:
        load_config(ws.root)
    assert [str(p) for p in caught.value.problems] == [
        f"config/lost_days.csv: row 3, column incident: incident inc0042 is already recorded for {group} (row 2): "
        "one incident extends a group's core window once (F6.6)"]


# -- the claim of 6.6.1 through the inbox ------------------------------------------------------------------------

RECEIVED = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)  # a Wednesday, before M14 (30 Nov 2026)


def _claimant(config) -> tuple[str, list[str], list[date]]:
    """A group with envelopes migrating in early June 2026: its envelope LDSOs and its migration days of 1-5 June."""
    env = envelopes(config)
    for i, ph in enumerate(env.phases):
        g = config.industry.group_by_mpid[env.groups[i]]
        if (env.category[i] == Category.ENVELOPE).any() and g.migration_start <= date(2026, 6, 1) \
                and ph.core_end and ph.core_end > date(2026, 7, 1):
            ldsos = sorted(env.ldsos[j] for j in range(len(env.ldsos)) if env.category[i, j] == Category.ENVELOPE)
            days = [d for d in config.calendar.migration_days(date(2026, 6, 1), date(2026, 6, 5))]
            return env.groups[i], ldsos, days
    raise AssertionError("no group migrating in June 2026 with envelopes")


FIELDS_AT = {"impact": "B6", "days_lost": "B7", "incident": "B8", "responsible_party": "B9", "issue_owner": "B10",
             "resolution": "B11", "supporting": "B12"}


def _filled(form: Path, out: Path, days: list[date], ldso: str, **fields) -> Path:
    values = {"impact": "No initiations could be sent for two days", "days_lost": 2, "incident": "INC0042",
              "responsible_party": "DIP service provider", "issue_owner": "A. Person, migration lead",
              "resolution": "Initiations re-sent after the DIP fix", "supporting": "DIP status page, 2 June",
              **fields}
    edits = {("Claim", FIELDS_AT[k]): v for k, v in values.items() if v is not None}
    for r, day in enumerate(days, start=16):
        edits[("Claim", f"A{r}")] = day
        edits[("Claim", f"B{r}")] = ldso
        edits[("Claim", f"C{r}")] = 1200
    return fill_cells(form, out, edits)


def _process(ws, path: Path, at: datetime = RECEIVED):
    folder = ws.inbox / "lostdays"
    folder.mkdir(exist_ok=True)
    shutil.copyfile(path, folder / path.name)
    (outcome,) = run_once(make_inbox(context(ws, at=at, today=at.date())), Stability(quiet_seconds=0),
                          max_wait=0)[0]
    return outcome


@pytest.fixture(scope="module")
def claimed(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("claims") / "ws")
    config = load(ws)
    group, ldsos, days = _claimant(config)
    form = issue_claim_form(context(ws, config, at=datetime(2026, 6, 3, 9, 0, tzinfo=UTC), today=date(2026, 6, 3)),
                            group)
    return ws, config, group, ldsos, days, form


def test_a_claim_form_has_the_fields_of_6_6_1(claimed):
    """F6.6.1 "Apply for the Lost Migration Day update citing: Impact to Suppliers Migration Plan; Impacted Supplier
    Plan Dates; Impacted number of Migrations; Number of Migration Days lost due to issue; and Specific LDSO(s)",
    "2. Related Incident Number", "3. Responsible Party", "4. Supplier Issue Owner", "5. Resolution / Fix /
    Mitigations", "6. Supporting Information"."""
    ws, config, group, ldsos, days, form = claimed
    assert form.name == f"MCC-lost-days_{group}_v01.xlsx"
    sheet = openpyxl.load_workbook(form)["Claim"]
    assert [sheet[f"A{r}"].value for r in range(6, 13)] == [
        "1. Impact to your migration plan", "1. Number of migration days lost due to the issue",
        "2. Related incident number (MHHS Service Management)",
        "3. Responsible party (the party or parties causing the issue)",
        "4. Supplier issue owner (accountable person managing the resolution)", "5. Resolution / fix / mitigations",
        "6. Supporting information (emails, logs, plans, reports you can share)"]
    assert [sheet[f"{c}15"].value for c in "ABC"] == ["Impacted plan date", "LDSO (MPID)", "Impacted migrations"]
    assert sheet.protection.sheet and not sheet["B6"].protection.locked and not sheet["A16"].protection.locked


def test_a_claim_is_judged_recorded_evaluated_decided_and_ratified(claimed, tmp_path, capsys):
    """F6.6: "Affected Suppliers will be made aware within 2 working days and the outcome will be notified within 10
    working days." F6.6.2: "MCC takes decision to MCAG for ratification: If Approved: Lost Migration Days are
    recorded, Suppliers Core Migration Window will be extended accordingly." Received Wed 10 Jun 2026: aware by Fri
    12 Jun, outcome by Wed 24 Jun (ten working days, no bank holiday between)."""
    src, config, group, ldsos, days, form = claimed
    ws = make_workspace(tmp_path / "ws")
    shutil.copytree(src.workbooks / "lost_days", ws.workbooks / "lost_days")
    shutil.copyfile(src.config / "signing.key", ws.config / "signing.key")
    o = _process(ws, _filled(form, tmp_path / "claim.xlsx", days[:2], ldsos[0]))
    assert (o.status, o.group, o.errors) == ("accepted", group, 0)
    report = next((ws.outbox / "lost_days" / group).glob("*.txt")).read_text()
    assert f"Your claim is LD-{o.row_id:05d}: 2 migration days lost to incident INC0042, 2,400 migrations" in report
    assert "outcome by Wed 24 Jun 2026" in report
    assert next((ws.outbox / "lost_days" / group).glob("*.eml")).is_file()
    claim = f"LD-{o.row_id:05d}"
    (rec,) = records(ws, config).values()
    assert (rec.claim_id, rec.state, rec.aware_by, rec.outcome_by) == (
        claim, ClaimState.RECEIVED, date(2026, 6, 12), date(2026, 6, 24))
    # shown in mcc status, overdue once the tenth working day has passed
    assert main(["status", "-w", str(ws.root), "--today", "2026-06-25"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert f"{claim} {group} incident INC0042, 2 days: received; aware by 2026-06-12, outcome by 2026-06-24 " \
           "OVERDUE" in said
    day = context(ws, today=date(2026, 6, 15))
    with pytest.raises(UsageError, match="is received: this step is for a claim that is evaluated"):
        decide(day, claim, True)
    evaluate(day, claim, {"incident_covers": True, "evidence": True, "material": True, "integration": True})
    assert decide(day, claim, True, days=1).state == ClaimState.AWAITING_MCAG
    before = envelopes(load(ws)).phases[envelopes(config).groups.index(group)].core_end
    assert not (ws.config / "lost_days.csv").exists()  # nothing applied before MCAG ratifies
    rec, after = ratify(context(ws, today=date(2026, 6, 18)), claim, True)
    assert rec.state == ClaimState.APPROVED and rec.outcome_on == date(2026, 6, 18)
    assert (ws.config / "lost_days.csv").read_text().splitlines()[1] == \
        f"{group},1,Lost Migration Day claim {claim},INC0042,2026-06-18"
    assert after == config.calendar.nth_migration_day(before + timedelta(days=1), 1)
    assert open_claims(context(ws)) == []
    # the same incident claimed again by the group: refused, the window not extended twice
    o2 = _process(ws, _filled(form, tmp_path / "again.xlsx", days[:2], ldsos[0], impact="The same again"),
                  RECEIVED + timedelta(days=9))
    assert o2.status == "rejected"
    text = next(p for p in (ws.outbox / "lost_days" / group).glob(f"{o2.row_id:05d}_*.txt")).read_text()
    assert "Claim!B8: incident INC0042 is already recorded in config/lost_days.csv" in text


def _flat(verdict) -> list[tuple[str, str, str]]:
    return [(f.rule, f.sheet, f.cell) for f in verdict.findings]


def test_a_bad_claim_is_refused_naming_each_cell(claimed, tmp_path):
    """Bad input: every problem of the form is named by sheet and cell, nothing is recorded (F6.6, F6.6.1)."""
    ws, config, group, ldsos, days, form = claimed
    judge = make_inbox(context(ws, today=RECEIVED.date())).judges[LOSTDAYS_FOLDER]
    others = sorted(set(config.industry.ldso_by_mpid) - set(ldsos))
    bad = _filled(form, tmp_path / "bad.xlsx", [], "", impact="", days_lost="two", responsible_party=None)
    bad = fill_cells(bad, tmp_path / "bad2.xlsx", {
        ("Claim", "A16"): "2 June", ("Claim", "B16"): ldsos[0], ("Claim", "C16"): 10,
        ("Claim", "A17"): date(2026, 6, 6), ("Claim", "B17"): ldsos[0], ("Claim", "C17"): 10,  # a Saturday
        ("Claim", "A18"): days[0], ("Claim", "B18"): "NOPE", ("Claim", "C18"): 1.5,
        ("Claim", "A19"): days[1], ("Claim", "B19"): others[0] if others else "NOPE", ("Claim", "C19"): 5,
        ("Claim", "A20"): date(2026, 6, 12), ("Claim", "B20"): ldsos[0], ("Claim", "C20"): 5})  # after receipt
    v = judge.judge(bad, bad.name, RECEIVED.date())
    assert v.status == "rejected"
    found = _flat(v)
    assert found[:3] == [("claim.fields", "Claim", "B6"), ("claim.fields", "Claim", "B7"),
                         ("claim.fields", "Claim", "B9")]
    assert ("claim.impact", "Claim", "A16") in found and ("claim.impact", "Claim", "A17") in found
    assert ("claim.impact", "Claim", "B18") in found and ("claim.impact", "Claim", "C18") in found
    assert ("claim.impact", "Claim", "B20") in found
    if others and others[0] in config.industry.ldso_by_mpid:
        assert ("claim.eligible", "Claim", "B19") in found
    # a label moved, the group in the metadata changed, a file that is no workbook
    moved = fill_cells(form, tmp_path / "moved.xlsx", {("Claim", "A9"): "Responsible"})
    assert _flat(judge.judge(moved, moved.name, RECEIVED.date())) == [("claim.form", "Claim", "A9")]
    other = next(g.mpid for g in config.industry.groups if g.mpid != group)
    forged = fill_cells(_filled(form, tmp_path / "ok.xlsx", days[:1], ldsos[0], days_lost=1), tmp_path / "f.xlsx",
                        {("_mcc", "B3"): other})
    assert _flat(judge.judge(forged, forged.name, RECEIVED.date())) == [("claim.form", "_mcc", "")]
    junk = tmp_path / "claim.xlsx"
    junk.write_bytes(b"not a workbook\n")
    o = _process(ws, junk)
    assert o.status == "quarantined" and o.reason
    row = Ledger(ws.ledger).get(o.row_id)
    assert (ws.root / row.archive_path).read_bytes() == b"not a workbook\n"
    assert records(ws, config) == {}


def test_claims_only_for_groups_with_envelopes_and_only_before_m14(claimed, tmp_path):
    """F6.6: "A Lost Migration Days process will be available until the M14 Milestone for Suppliers with envelopes
    that are not De minimis or below the Small Supplier LDSO Portfolio Threshold (SSLPT)." """
    ws, config, group, ldsos, days, form = claimed
    env = envelopes(config)
    without = next(g for i, g in enumerate(env.groups) if not (env.category[i] == Category.ENVELOPE).any())
    with pytest.raises(UsageError, match="has no LDSO with an envelope"):
        issue_claim_form(context(ws, config, today=date(2026, 6, 3)), without)
    with pytest.raises(UsageError, match=r"open until M14 \(2026-11-30\)"):
        issue_claim_form(context(ws, config, today=date(2026, 11, 30)), group)
    judge = make_inbox(context(ws, today=date(2026, 11, 30))).judges[LOSTDAYS_FOLDER]
    late = _filled(form, tmp_path / "late.xlsx", days[:1], ldsos[0], days_lost=1)
    assert ("claim.eligible", "Claim", "") in _flat(judge.judge(late, late.name, date(2026, 11, 30)))


def test_a_central_outage_is_applied_to_every_active_migrating_group_with_envelopes_once(tmp_path):
    """F6.6: "Where deemed appropriate all active Migrating Suppliers will automatically be provided with one or
    more additional Migration days following the end of their Core Migration Window." One incident, once per
    group: applying it again changes nothing."""
    ws = make_workspace(tmp_path / "ws")
    config = load(ws)
    day = date(2026, 6, 3)
    applied, skipped = apply_outage(context(ws, config, today=date(2026, 6, 4)), "INC0777", day, 1, "DIP outage")
    env = envelopes(config)
    by_group = {a.group: a for a in applied}
    assert applied and skipped == []
    for i, g in enumerate(env.groups):
        group = config.industry.group_by_mpid[g]
        has_env = bool((env.category[i] == Category.ENVELOPE).any())
        if group.migration_start > day or not has_env:
            assert g not in by_group, g  # not migrating yet, or de minimis / small only
        elif env.phases[i].core_end >= day:
            assert by_group[g].after == config.calendar.nth_migration_day(by_group[g].before + timedelta(days=1), 1)
    rows = (ws.config / "lost_days.csv").read_text().splitlines()[1:]
    assert sorted(r.split(",")[0] for r in rows) == sorted(by_group)
    assert all(r.endswith(",1,DIP outage,INC0777,2026-06-04") for r in rows)
    again, skipped = apply_outage(context(ws, load(ws), today=date(2026, 6, 5)), "inc0777", day, 1, "DIP outage")
    assert again == [] and sorted(skipped) == sorted(by_group)
    assert (ws.config / "lost_days.csv").read_text().splitlines()[1:] == rows
    recs = records(ws, load(ws))
    assert {r.group for r in recs.values()} == set(by_group)
    assert {(r.state, r.aware_by, r.outcome_by) for r in recs.values()} == {
        (ClaimState.APPROVED, date(2026, 6, 5), date(2026, 6, 17))}
    with pytest.raises(UsageError, match="not before M14"):
        apply_outage(context(ws, load(ws)), "INC0778", date(2026, 11, 30), 1, "DIP outage")


def _bad_inputs():
    from tests.test_inbox import _encrypted, _entity_attack, _zip_bomb

    def write(name: str, data: bytes):
        def make(form: Path, t: Path) -> Path:
            (t / name).write_bytes(data)
            return t / name
        return make

    return {
        "csv": (write("claim.csv", b"incident,days\nINC1,2\n"), "text"),
        "pdf": (write("claim.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"), "PDF"),
        "0 bytes": (write("claim.xlsx", b""), "empty"),
        "truncated form": (lambda form, t: write("cut.xlsx", form.read_bytes()[:3000])(form, t), "corrupt"),
        "encrypted form": (lambda form, t: _encrypted(form, t / "locked.xlsx"), "password"),
        "zip bomb": (lambda form, t: _zip_bomb(t / "bomb.xlsx"), "zip bomb"),
        "XML entities": (lambda form, t: _entity_attack(form, t / "lol.xlsx"), "entit"),
    }


@pytest.mark.parametrize("kind", list(_bad_inputs()))
def test_bad_input_in_the_claims_folder_is_quarantined_with_a_reason_and_its_bytes_kept(claimed, tmp_path, kind):
    """The bad-input suite of the inbox (tests/test_inbox.py), for the new kind: nothing lost, a reason given."""
    src, config, group, ldsos, days, form = claimed
    ws = make_workspace(tmp_path / "ws")
    shutil.copyfile(src.config / "signing.key", ws.config / "signing.key")
    make, words = _bad_inputs()[kind]
    f = make(form, tmp_path)
    original = f.read_bytes()
    o = _process(ws, f)
    assert o.status == "quarantined", (kind, o)
    assert words.lower() in o.reason.lower(), (kind, o.reason)
    row = Ledger(ws.ledger).get(o.row_id)
    assert (ws.root / row.archive_path).read_bytes() == original
    assert not any(p.is_file() for p in ws.inbox.rglob("*"))
    assert records(ws, config) == {}


def test_a_line_break_never_carries_a_control_character_into_a_claim(claimed, tmp_path):
    """Red-team of issue 19: a line break in a field switched the control-character check off, so an incident of
    "INC0042\\n<ESC>[2J" was accepted and later stuck the ratification (and reached the terminal). The long answers
    may run over lines; the incident and the parties are one line; nothing holds another control character."""
    ws, config, group, ldsos, days, form = claimed
    judge = make_inbox(context(ws, today=RECEIVED.date())).judges[LOSTDAYS_FOLDER]
    sneaky = _filled(form, tmp_path / "sneaky.xlsx", days[:2], ldsos[0], incident="INC0042\n\x1b[2J",
                     resolution="Re-sent.\nChecked the next day.\x07")
    found = _flat(judge.judge(sneaky, sneaky.name, RECEIVED.date()))
    assert ("claim.fields", "Claim", FIELDS_AT["incident"]) in found
    assert ("claim.fields", "Claim", FIELDS_AT["resolution"]) in found
    fine = _filled(form, tmp_path / "fine.xlsx", days[:2], ldsos[0], resolution="Re-sent.\nChecked the next day.")
    assert not [f for f in _flat(judge.judge(fine, fine.name, RECEIVED.date())) if f[0] == "claim.fields"]


def test_an_incident_written_with_its_formula_guard_is_the_same_incident():
    """Red-team of issue 19: an incident starting with '-' was written to config/lost_days.csv as "'-INC7" (so no
    spreadsheet reads it as a formula), and the once-per-incident check no longer matched it: a central outage then
    failed part-way. F6.6: one incident applied once per group."""
    from toolkit.domain.lost_days import incident_key
    from toolkit.store.files import csv_line

    for incident in ("-INC7", "=1+1", "+44", "@SUM"):
        written = next(csv.reader([csv_line([incident])]))[0]
        assert written != incident and incident_key(written) == incident_key(incident)
    assert incident_key("inc0042 ") == incident_key("INC0042") and incident_key("'INC") == "'INC"
