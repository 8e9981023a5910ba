"""Lost Migration Days (Foundations 6.6): the claim of 6.6.1, its rules, the MCC's evaluation and decision of 6.6.2
with MCAG ratification, and the deadlines ("Affected Suppliers will be made aware within 2 working days and the
outcome will be notified within 10 working days"). Pure: the form's cells are read, and the facts about the group
established, by the caller."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

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
    same incident, and one incident extends a group's core window once. An incident written to a CSV with the
    apostrophe that keeps a spreadsheet from reading it as a formula (``'-INC7``) is the incident it stands for."""
    key = incident.strip()
    if len(key) > 1 and key[0] == "'" and key[1] in "=+-@":
        key = key[1:]
    return key.upper()


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


def cell_text(cell: Cell) -> str:
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def whole_number(v: object) -> int | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and v.strip().isdigit():
        return int(v.strip())
    return None


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
