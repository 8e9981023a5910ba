"""Bulk Change of Agent (Foundations 5.6): "BSCP 708 Places an obligation on parties to consult with the MCC prior to
undertaking any 'bulk change of agent' activity. The MCC must therefore ensure that Bulk COA does not adversely
impact migration." The seven steps: an intention registered early (1); a detailed plan of daily volumes and impacted
parties three months before (2); the MCC examines the aggregate with the migration schedule at LDSO and national
level (3); consults the impacted parties (4); asks for a re-profile where the aggregate exceeds the exceptional
thresholds (5); considers representations (6); approves (7). Pure: the plan's cells are read, the schedule and the
thresholds given, by the caller."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from toolkit.domain.lost_days import Cell

FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("reference", "Reference and description of the bulk change of agent", True),
    ("reason", "Why the agents change (e.g. contract end, agent exit)", True),
    ("owner", "Accountable person at the supplier (name, email)", True),
)
COLUMNS = ("Date", "LDSO (MPID)", "MPANs changing agent", "Old agent (MPID)", "New agent (MPID)")


def three_months_before(day: date) -> date:
    """The same day three calendar months earlier (the last day of the month where it has none): step 2's notice."""
    y, m = (day.year, day.month - 3) if day.month > 3 else (day.year - 1, day.month + 9)
    for d in (day.day, 30, 29, 28):
        try:
            return date(y, m, d)
        except ValueError:
            continue
    raise ValueError(day)


@dataclass(frozen=True)
class PlanRow:
    day: Cell
    ldso: Cell
    volume: Cell
    old_agent: Cell
    new_agent: Cell


@dataclass(frozen=True)
class BulkForm:
    sheet: str
    fields: dict[str, Cell]
    rows: tuple[PlanRow, ...]


@dataclass(frozen=True)
class BulkFacts:
    group: str
    m11: date
    m15: date
    known_ldsos: frozenset[str]
    is_working_day: Callable[[date], bool]
    received_on: date | None = None
    portfolio: dict[str, int] | None = None  # the group's MPANs per LDSO (None: not checked)


@dataclass(frozen=True)
class BulkPlan:
    group: str
    reference: str
    reason: str
    owner: str
    lines: tuple[tuple[date, str, int, str, str], ...]  # day, LDSO, MPANs, old agent, new agent

    @property
    def days(self) -> list[date]:
        return sorted({d for d, *_ in self.lines})

    @property
    def ldsos(self) -> list[str]:
        return sorted({x for _, x, *_ in self.lines})

    @property
    def agents(self) -> list[str]:
        return sorted({a for *_, o, n in self.lines for a in (o, n) if a})


# -- step 3 and 5: the aggregate against the exceptional thresholds ----------------------------------------------

@dataclass(frozen=True)
class Breach:
    day: date
    ldso: str  # "" for the national total
    scheduled: int
    bulk: int
    threshold: int


def aggregate_breaches(plan: BulkPlan, scheduled: Callable[[date, str], int], national: Callable[[date], int],
                       ldso_threshold: Callable[[str], int], national_threshold: int) -> list[Breach]:
    """Step 3: the migration schedule plus the bulk change, per LDSO and day and nationally per day; step 5: where
    that exceeds the exceptional thresholds the supplier is asked to re-profile."""
    per_ldso: dict[tuple[date, str], int] = {}
    for d, ldso, n, _, _ in plan.lines:
        per_ldso[(d, ldso)] = per_ldso.get((d, ldso), 0) + n
    out = []
    for (d, ldso), n in sorted(per_ldso.items()):
        s = scheduled(d, ldso)
        if s + n > ldso_threshold(ldso):
            out.append(Breach(d, ldso, s, n, ldso_threshold(ldso)))
    for d in plan.days:
        n = sum(v for (day, _), v in per_ldso.items() if day == d)
        s = national(d)
        if s + n > national_threshold:
            out.append(Breach(d, "", s, n, national_threshold))
    return out


class BulkState(StrEnum):
    INTENDED = "intention registered"  # step 1
    RECEIVED = "plan received"  # step 2
    REPROFILE = "re-profile requested"  # step 5
    CHECKED = "checked, consulting"  # steps 3, 4 and 6
    APPROVED = "approved"  # step 7


def fold(events: Iterable[dict]) -> dict[str, dict]:
    """Each bulk change's latest state and facts, from the register's events in order."""
    out: dict[str, dict] = {}
    for e in events:
        rec = out.setdefault(e["id"], {"id": e["id"], "group": e.get("group", "")})
        rec.update({k: v for k, v in e.items() if k not in ("event",)})
        rec["state"] = {"intention": BulkState.INTENDED, "plan": BulkState.RECEIVED, "checked":
                        BulkState.REPROFILE if e.get("breaches") else BulkState.CHECKED,
                        "approved": BulkState.APPROVED}[e["event"]]
    return out
