"""The rules of a returned UCA request workbook (issue 6; Choreography 3.2.2; METHOD 8): its identity as for a
plan, its layout (structure.layout), whole numbers (value.integer), and requests only where there is unused
capacity (uca.eligible) and no more than there is (uca.available), judged against the snapshot of unused capacity
the form was issued with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from toolkit.domain.findings import Finding, RuleId, finding
from toolkit.domain.rules.case import Identity, Judgement
from toolkit.domain.rules.identity import template_identity
from toolkit.domain.rules.layout import signed_layout
from toolkit.domain.rules.registry import Registry, family
from toolkit.domain.rules.sheets import UCA_REQUEST
from toolkit.domain.rules.values import DAY, as_date, read_numbers
from toolkit.domain.submission import Submission


@dataclass(frozen=True)
class RequestForm:
    """What a group's UCA request workbook was issued with: its eligible LDSOs, the sprint's days, and the unused
    capacity snapshot it is judged against (``disclosed`` False where the figure was suppressed)."""

    group: str
    ldsos: list[str]
    days: list[date]
    unused: np.ndarray  # (D, L) whole numbers
    disclosed: np.ndarray  # (D, L) bool
    closes: date | None = None  # the last day requests are taken (uca.window); None: not judged on time
    # (D, L) the group's own daily envelope: the most it may ask where the unused capacity is not disclosed (issue
    # 17: a figure the group knows, so a request judged against it tells nothing hidden); None: no such cap
    entitlement: np.ndarray | None = None


@dataclass
class RequestCase:
    """A returned request workbook and the form it was issued with (None when the group or the round is unknown:
    then only its identity can be judged). The layout family records whether the grid held, the numbers family the
    requests it read."""

    sub: Submission
    facts: Identity
    form: RequestForm | None
    received_on: date | None = None  # the day the inbox received it (None: judged by hand, not on time)
    grid_ok: bool = False
    requests: np.ndarray | None = None  # (D, L) as read, bad cells as 0

    @property
    def judgeable(self) -> bool:
        return self.form is not None and bool(self.sub.meta.get("template_id"))


@family("UCA request layout", emits=(RuleId.STRUCTURE_LAYOUT,), when=lambda case: case.judgeable)
def request_layout(case: RequestCase) -> list[Finding]:
    sub, form = case.sub, case.form
    grid = sub.grids.get(UCA_REQUEST)
    layout = signed_layout(sub)
    if grid is None:
        return [finding(RuleId.STRUCTURE_LAYOUT, "the UCA request area is missing (its sheet was renamed or "
                        "deleted).", sheet="UCA request")]
    if layout.get(UCA_REQUEST) and layout[UCA_REQUEST] != grid.area.qualified:
        return [finding(RuleId.STRUCTURE_LAYOUT, "the UCA request area moved: rows or columns were inserted or "
                        "deleted.", sheet=grid.area.sheet, cell=grid.area.ref)]
    if grid.keys != form.ldsos or [as_date(d) for d in grid.dates] != form.days:
        return [finding(RuleId.STRUCTURE_LAYOUT, "the LDSO headers or dates of the UCA request are not as "
                        "issued.", sheet=grid.area.sheet, cell=grid.area.ref)]
    case.grid_ok = True
    return []


@family("UCA request numbers", emits=(RuleId.VALUE_INTEGER,), when=lambda case: case.grid_ok)
def request_numbers(case: RequestCase) -> list[Finding]:
    case.requests, bad = read_numbers(case.sub.grids[UCA_REQUEST], "UCA request")
    return bad


@family("unused capacity", emits=(RuleId.UCA_ELIGIBLE, RuleId.UCA_AVAILABLE),
        when=lambda case: case.requests is not None)
def unused_capacity(case: RequestCase) -> list[Finding]:
    form, requests, grid = case.form, case.requests, case.sub.grids[UCA_REQUEST]
    findings: list[Finding] = []
    for r, day in enumerate(form.days):
        for c, ldso in enumerate(form.ldsos):
            v = int(requests[r, c])
            if not v:
                continue
            where = {"sheet": grid.area.sheet, "cell": grid.cell(r, c), "ldso": ldso, "date": day, "value": str(v)}
            if not form.disclosed[r, c]:
                # judged only against what the group was shown (issue 17): a finding on the hidden figure would
                # tell it; its own envelope caps the request, and the allocation never grants more than there is
                own = None if form.entitlement is None else int(form.entitlement[r, c])
                if own is not None and v > own:
                    findings.append(finding(RuleId.UCA_AVAILABLE,
                                            f"{v:,} requested in LDSO {ldso} on {day:{DAY}}, where the unused "
                                            f"capacity is not disclosed: at most your own envelope of {own:,} "
                                            "that day may be asked there.",
                                            hint=f"request at most {own:,}", **where))
                continue
            cap = int(form.unused[r, c])
            if cap <= 0:
                findings.append(finding(RuleId.UCA_ELIGIBLE,
                                        f"{v:,} requested in LDSO {ldso} on {day:{DAY}}, which has no "
                                        "unused capacity to allocate.", **where))
            elif v > cap:
                findings.append(finding(RuleId.UCA_AVAILABLE,
                                        f"{v:,} requested in LDSO {ldso} on {day:{DAY}}, more than "
                                        f"the {cap:,} unused.", hint="request at most the unused capacity", **where))
    return findings


def _judged_on_time(case: RequestCase) -> bool:
    return case.judgeable and case.received_on is not None and case.form.closes is not None


@family("UCA window", emits=(RuleId.UCA_WINDOW,), when=_judged_on_time)
def request_window(case: RequestCase) -> list[Finding]:
    """A request received after its round closed is refused whole; one received in time may still not ask for a
    day that has begun (its capacity can no longer be used)."""
    form, received = case.form, case.received_on
    if received > form.closes:
        late = (received - form.closes).days
        return [finding(RuleId.UCA_WINDOW, f"received on {received:{DAY}}, {late} day{'s' if late != 1 else ''} "
                        f"after the window for these requests closed ({form.closes:{DAY}}).", date=received,
                        hint="unused capacity is allocated once the window closes; ask in the next round")]
    if case.requests is None:
        return []
    grid = case.sub.grids[UCA_REQUEST]
    return [finding(RuleId.UCA_WINDOW, f"{int(case.requests[r, c]):,} requested in LDSO {ldso} on {day:{DAY}}, "
                    f"which is not after the day this request was received ({received:{DAY}}).",
                    sheet=grid.area.sheet, cell=grid.cell(r, c), ldso=ldso, date=day,
                    value=str(int(case.requests[r, c])), hint="ask only for days still to come")
            for r, day in enumerate(form.days) if day <= received
            for c, ldso in enumerate(form.ldsos) if case.requests[r, c]]


REQUEST = Registry("UCA request", (template_identity, request_layout, request_numbers, unused_capacity,
                                   request_window))


def validate_request(sub: Submission, facts: Identity, form: RequestForm | None,
                     received_on: date | None = None) -> Judgement:
    case = RequestCase(sub, facts, form, received_on)
    findings = REQUEST.run(case)
    return Judgement(findings, weekly=None, daily=case.requests)


def disclosure_counts(daily: np.ndarray) -> np.ndarray:
    """(L, D): how many groups an LDSO's daily aggregate is built from."""
    return (daily > 0).sum(axis=0)
