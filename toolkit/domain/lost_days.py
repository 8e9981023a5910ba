"""Lost Migration Days (Foundations 6.6): the claim of 6.6.1, its rules, the MCC's evaluation and decision of 6.6.2
with MCAG ratification, and the deadlines ("Affected Suppliers will be made aware within 2 working days and the
outcome will be notified within 10 working days"). Pure: the form's cells are read, and the facts about the group
established, by the caller."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from toolkit.domain.findings import Finding, RuleId, Severity, finding
from toolkit.domain.text import plain_text_problem

AWARE_WORKING_DAYS = 2  # F6.6: "made aware within 2 working days"
OUTCOME_WORKING_DAYS = 10  # F6.6: "the outcome will be notified within 10 working days"
MAX_TEXT = 2000  # characters of one answer on the form

# the fields of F6.6.1, in the order of the form: key, label, required
FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("impact", "1. Impact to your migration plan", True),
    ("days_lost", "1. Number of migration days lost due to the issue", True),
    ("incident", "2. Related incident number (MHHS Service Management)", True),
    ("responsible_party", "3. Responsible party (the party or parties causing the issue)", True),
    ("issue_owner", "4. Supplier issue owner (accountable person managing the resolution)", True),
    ("resolution", "5. Resolution / fix / mitigations", True),
    ("supporting", "6. Supporting information (emails, logs, plans, reports you can share)", False),
)
EVALUATION = (  # F6.6.2 1. Evaluation
    ("incident_covers", "an existing incident covers the issue (if Central Party-related)"),
    ("evidence", "sufficient evidence supports the claim (for non-visible issues)"),
    ("material", "the impact is material enough to justify Lost Migration Days"),
    ("integration", "the integration of the overall migration schedule can be maintained"),
)


def incident_key(incident: str) -> str:
    """An incident number as compared (6.6.1 "2. Related Incident Number"): ``inc0042 `` and ``INC0042`` are the
    same incident, and one incident extends a group's core window once."""
    return incident.strip().upper()


@dataclass(frozen=True)
class Cell:
    ref: str  # A1
    value: object


@dataclass(frozen=True)
class ImpactRow:
    """One line of "Impacted Supplier Plan Dates / Impacted number of Migrations / Specific LDSO(s)"."""

    day: Cell
    ldso: Cell
    migrations: Cell


@dataclass(frozen=True)
class ClaimForm:
    """What was read from a returned claim workbook: each field's cell, and the impacted lines typed in."""

    sheet: str
    fields: dict[str, Cell]
    impacted: tuple[ImpactRow, ...]


@dataclass(frozen=True)
class ClaimFacts:
    """What the claim is judged against, from the configuration (never from the file)."""

    group: str
    migration_start: date
    m14: date
    envelope_ldsos: frozenset[str]  # F6.6: only "Suppliers with envelopes that are not De minimis or below SSLPT"
    known_ldsos: frozenset[str]
    is_migration_day: Callable[[date], bool]
    claimed_incidents: dict[str, str] = field(default_factory=dict)  # incident key -> where it is already
    received_on: date | None = None


@dataclass(frozen=True)
class Claim:
    group: str
    impact: str
    days_lost: int
    incident: str
    responsible_party: str
    issue_owner: str
    resolution: str
    supporting: str
    impacted: tuple[tuple[date, str, int], ...]  # day, LDSO, migrations

    @property
    def migrations(self) -> int:
        return sum(n for _, _, n in self.impacted)

    @property
    def plan_dates(self) -> list[date]:
        return sorted({d for d, _, _ in self.impacted})

    @property
    def ldsos(self) -> list[str]:
        return sorted({x for _, x, _ in self.impacted})


def _text(cell: Cell) -> str:
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _whole(v: object) -> int | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and v.strip().isdigit():
        return int(v.strip())
    return None


def check_claim(form: ClaimForm, facts: ClaimFacts) -> tuple[Claim | None, list[Finding]]:
    """Every rule of a claim (``claim.*``); the claim itself only when nothing is an error."""
    out: list[Finding] = []
    text = {key: _text(form.fields[key]) for key, _, _ in FIELDS}
    out += _fields(form, text)
    days_lost = _whole(form.fields["days_lost"].value)
    impacted, lines = _impacted(form, facts)
    out += lines
    if impacted and days_lost is not None and days_lost > len({d for d, _, _ in impacted}):
        out.append(finding(RuleId.CLAIM_IMPACT, f"{days_lost} migration days are claimed as lost, but the impacted "
                           f"plan dates name {len({d for d, _, _ in impacted})}.", sheet=form.sheet,
                           cell=form.fields["days_lost"].ref, value=str(days_lost),
                           hint="claim no more days than the impacted plan dates you list"))
    out += _eligible(form, facts, text["incident"])
    if any(f.severity == Severity.ERROR for f in out):
        return None, out
    return Claim(facts.group, text["impact"], int(days_lost or 0), text["incident"], text["responsible_party"],
                 text["issue_owner"], text["resolution"], text["supporting"], tuple(impacted)), out


def _fields(form: ClaimForm, text: dict[str, str]) -> list[Finding]:
    out = []
    for key, label, required in FIELDS:
        cell = form.fields[key]
        if key == "days_lost":
            n = _whole(cell.value)
            if n is None or n < 1:
                out.append(finding(RuleId.CLAIM_FIELDS, f"{label.split('. ', 1)[1]}: {text[key] or '(blank)'} is not a "
                                   "whole number of 1 or more.", sheet=form.sheet, cell=cell.ref, value=text[key],
                                   hint="type the number of migration days lost"))
            continue
        problem = plain_text_problem(text[key]) if "\n" not in text[key] else None
        if required and not text[key]:
            out.append(finding(RuleId.CLAIM_FIELDS, f"{label.split('. ', 1)[1]} is required (F6.6.1).",
                               sheet=form.sheet, cell=cell.ref, hint="fill it in"))
        elif problem or len(text[key]) > MAX_TEXT:
            out.append(finding(RuleId.CLAIM_FIELDS, f"{label.split('. ', 1)[1]}: the text "
                               f"{problem or f'is longer than {MAX_TEXT:,} characters'}.", sheet=form.sheet,
                               cell=cell.ref, hint="type plain text"))
    return out


def _impacted(form: ClaimForm, facts: ClaimFacts) -> tuple[list[tuple[date, str, int]], list[Finding]]:
    out: list[Finding] = []
    lines: list[tuple[date, str, int]] = []
    sheet = form.sheet
    for row in form.impacted:
        if all(c.value in (None, "") for c in (row.day, row.ldso, row.migrations)):
            continue
        day, ldso, n = row.day.value, _text(row.ldso).upper(), _whole(row.migrations.value)
        bad = len(out)
        if not isinstance(day, date):
            out.append(finding(RuleId.CLAIM_IMPACT, f"{_text(row.day) or '(blank)'} is not a date.", sheet=sheet,
                               cell=row.day.ref, hint="type the impacted plan date as a date"))
        elif not facts.is_migration_day(day) or day < facts.migration_start:
            out.append(finding(RuleId.CLAIM_IMPACT, f"{day:%a %d %b %Y} is not a migration day of yours (your "
                               f"migration starts {facts.migration_start:%d %b %Y}).", sheet=sheet, cell=row.day.ref,
                               date=day))
        elif day >= facts.m14:
            out.append(finding(RuleId.CLAIM_ELIGIBLE, f"{day:%a %d %b %Y} is not before M14 ({facts.m14:%d %b %Y}): "
                               "lost days between M14 and M15 are made up with unused capacity (F6.6).", sheet=sheet,
                               cell=row.day.ref, date=day))
        elif facts.received_on is not None and day > facts.received_on:
            out.append(finding(RuleId.CLAIM_IMPACT, f"{day:%a %d %b %Y} is after the day the claim was received "
                               f"({facts.received_on:%d %b %Y}): only days already lost can be claimed.",
                               sheet=sheet, cell=row.ldso.ref, date=day))
        if ldso not in facts.known_ldsos:
            out.append(finding(RuleId.CLAIM_IMPACT, f"{ldso or '(blank)'} is not an LDSO MPID.", sheet=sheet,
                               cell=row.ldso.ref, hint="type the LDSO's four-character MPID"))
        elif ldso not in facts.envelope_ldsos:
            out.append(finding(RuleId.CLAIM_ELIGIBLE, f"you have no capacity envelope in {ldso} (de minimis or a "
                               "small portfolio there): the Lost Migration Days process is for envelopes (F6.6).",
                               sheet=sheet, cell=row.ldso.ref, ldso=ldso))
        if n is None or n < 1:
            out.append(finding(RuleId.CLAIM_IMPACT, f"impacted migrations {_text(row.migrations) or '(blank)'} is "
                               "not a whole number of 1 or more.", sheet=sheet, cell=row.migrations.ref))
        if len(out) == bad:
            lines.append((day, ldso, n))
    if not lines and not out:
        first = form.impacted[0].day.ref if form.impacted else ""
        out.append(finding(RuleId.CLAIM_IMPACT, "no impacted plan date is given: list each date, LDSO and the "
                           "migrations planned that could not be made.", sheet=sheet, cell=first))
    return lines, out


def _eligible(form: ClaimForm, facts: ClaimFacts, incident: str) -> list[Finding]:
    out = []
    if not facts.envelope_ldsos:
        out.append(finding(RuleId.CLAIM_ELIGIBLE, f"{facts.group} has no capacity envelope (only de minimis or small "
                           "portfolios): the Lost Migration Days process does not apply (F6.6).", sheet=form.sheet))
    if facts.received_on is not None and facts.received_on >= facts.m14:
        out.append(finding(RuleId.CLAIM_ELIGIBLE, f"the process is open until M14 ({facts.m14:%d %b %Y}); after it "
                           "lost days are made up with unused capacity (F6.6).", sheet=form.sheet))
    where = facts.claimed_incidents.get(incident_key(incident)) if incident else None
    if where:
        out.append(finding(RuleId.CLAIM_ELIGIBLE, f"incident {incident_key(incident)} is already {where}: one "
                           "incident extends a group's core window once.", sheet=form.sheet,
                           cell=form.fields["incident"].ref, value=incident))
    return out


# -- the MCC's evaluation and decision (F6.6.2) and the deadlines ---------------------------------------------

class ClaimState(StrEnum):
    RECEIVED = "received"  # accepted by the inbox, awaiting the MCC's evaluation
    EVALUATED = "evaluated"  # 6.6.2 1 answered, awaiting the MCC's decision
    AWAITING_MCAG = "awaiting MCAG"  # 6.6.2 2: "MCC takes decision to MCAG for ratification"
    APPROVED = "approved"  # ratified; the days are recorded in config/lost_days.csv
    REJECTED = "rejected"  # the supplier receives feedback


OPEN = (ClaimState.RECEIVED, ClaimState.EVALUATED, ClaimState.AWAITING_MCAG)


@dataclass
class ClaimRecord:
    """A claim (or a central outage the MCC applies itself) as the register's events made it."""

    claim_id: str
    group: str
    incident: str
    days: int
    received_on: date  # the claim's receipt, or the outage's day
    aware_by: date
    outcome_by: date
    state: ClaimState = ClaimState.RECEIVED
    evaluation: dict[str, bool] = field(default_factory=dict)
    mcc_decision: str = ""  # "approve" or "reject"
    note: str = ""
    outcome_on: date | None = None
    source: str = "claim"  # "claim" or "outage"

    def overdue(self, today: date) -> bool:
        return self.state in OPEN and today > self.outcome_by


def deadlines(received_on: date, add_working_days: Callable[[date, int], date]) -> tuple[date, date]:
    """(aware by, outcome by): 2 and 10 working days from the claim's receipt or the outage (F6.6)."""
    return (add_working_days(received_on, AWARE_WORKING_DAYS), add_working_days(received_on, OUTCOME_WORKING_DAYS))


def fold(events: Iterable[dict], add_working_days: Callable[[date, int], date]) -> dict[str, ClaimRecord]:
    """The claims as the register's events (in order) leave them."""
    out: dict[str, ClaimRecord] = {}
    for e in events:
        kind, cid = e["event"], e["claim"]
        if kind in ("claimed", "outage"):
            received = date.fromisoformat(e["received_on"])
            aware, outcome = deadlines(received, add_working_days)
            out[cid] = ClaimRecord(cid, e["group"], e["incident"], int(e["days"]), received, aware, outcome,
                                   source="outage" if kind == "outage" else "claim")
            if kind == "outage":  # applied by the MCC itself: the outcome is the application
                out[cid].state, out[cid].outcome_on = ClaimState.APPROVED, date.fromisoformat(e["on"])
            continue
        rec = out.get(cid)
        if rec is None:
            continue
        if kind == "evaluated":
            rec.evaluation, rec.state = {k: bool(v) for k, v in e["evaluation"].items()}, ClaimState.EVALUATED
        elif kind == "decided":
            rec.mcc_decision, rec.note, rec.state = e["decision"], e.get("note", ""), ClaimState.AWAITING_MCAG
            rec.days = int(e.get("days", rec.days))
        elif kind == "ratified":
            ok = bool(e["ratified"]) and rec.mcc_decision == "approve"
            rec.state = ClaimState.APPROVED if ok else ClaimState.REJECTED
            rec.outcome_on = date.fromisoformat(e["on"])
            rec.note = e.get("note", "") or rec.note
    return out
