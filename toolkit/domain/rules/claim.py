"""The rules of a Lost Migration Day claim (Foundations 6.6, 6.6.1): the form as issued (``claim.form``), its
fields (``claim.fields``), the impacted plan dates, LDSOs and numbers (``claim.impact``) and whether the group may
claim (``claim.eligible``), as families of the ``CLAIM`` registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from toolkit.domain.findings import Finding, RuleId, Severity, finding
from toolkit.domain.lost_days import (
    FIELDS,
    MAX_TEXT,
    Claim,
    ClaimFacts,
    ClaimForm,
    cell_text,
    incident_key,
    whole_number,
)
from toolkit.domain.rules.registry import Registry, family
from toolkit.domain.text import plain_text_problem


@dataclass
class ClaimCase:
    """A returned claim form and what it is judged against; the families fill in what they read."""

    form: ClaimForm | None
    facts: ClaimFacts | None
    signed: bool  # the metadata and signature are as the MCC issued them, for a known group
    sheet: str = ""
    text: dict[str, str] = field(default_factory=dict)
    impacted: list[tuple[date, str, int]] = field(default_factory=list)


@family("claim form", emits=(RuleId.CLAIM_FORM,))
def claim_form(case: ClaimCase) -> list[Finding]:
    if case.signed and case.form is not None and case.facts is not None:
        return []
    return [finding(RuleId.CLAIM_FORM, "the form's metadata or signature is not as the MCC issued it: ask the MCC "
                    "for a claim form (mcc lost-days form GROUP) and fill that in.", sheet=case.sheet)]


@family("claim fields", emits=(RuleId.CLAIM_FIELDS,), when=lambda case: case.signed and case.form is not None)
def claim_fields(case: ClaimCase) -> list[Finding]:
    case.text = {key: cell_text(case.form.fields[key]) for key, _, _ in FIELDS}
    return _fields(case.form, case.text)


@family("claim impact", emits=(RuleId.CLAIM_IMPACT, RuleId.CLAIM_ELIGIBLE),
        when=lambda case: case.signed and case.form is not None and case.facts is not None)
def claim_impact(case: ClaimCase) -> list[Finding]:
    form = case.form
    days_lost = whole_number(form.fields["days_lost"].value)
    case.impacted, out = _impacted(form, case.facts)
    dates = len({d for d, _, _ in case.impacted})
    if case.impacted and days_lost is not None and days_lost > dates:
        out.append(finding(RuleId.CLAIM_IMPACT, f"{days_lost} migration days are claimed as lost, but the impacted "
                           f"plan dates name {dates}.", sheet=form.sheet, cell=form.fields["days_lost"].ref,
                           value=str(days_lost), hint="claim no more days than the impacted plan dates you list"))
    return out


@family("claim eligible", emits=(RuleId.CLAIM_ELIGIBLE,),
        when=lambda case: case.signed and case.form is not None and case.facts is not None)
def claim_eligible(case: ClaimCase) -> list[Finding]:
    return _eligible(case.form, case.facts, case.text.get("incident", ""))


CLAIM = Registry("claim", (claim_form, claim_fields, claim_impact, claim_eligible))


def check_claim(form: ClaimForm | None, facts: ClaimFacts | None, signed: bool = True,
                sheet: str = "") -> tuple[Claim | None, list[Finding]]:
    """Every rule of a claim (``claim.*``, F6.6 and 6.6.1); the claim itself only when nothing is an error."""
    case = ClaimCase(form, facts, signed, sheet)
    out = CLAIM.run(case)
    if any(f.severity == Severity.ERROR for f in out) or form is None or facts is None:
        return None, out
    t = case.text
    return Claim(facts.group, t["impact"], int(whole_number(form.fields["days_lost"].value) or 0), t["incident"],
                 t["responsible_party"], t["issue_owner"], t["resolution"], t["supporting"],
                 tuple(case.impacted)), out


MULTI_LINE = frozenset({"impact", "resolution", "supporting"})


def _fields(form: ClaimForm, text: dict[str, str]) -> list[Finding]:
    out = []
    for key, label, required in FIELDS:
        cell = form.fields[key]
        if key == "days_lost":
            n = whole_number(cell.value)
            if n is None or n < 1:
                out.append(finding(RuleId.CLAIM_FIELDS, f"{label.split('. ', 1)[1]}: {text[key] or '(blank)'} is not a "
                                   "whole number of 1 or more.", sheet=form.sheet, cell=cell.ref, value=text[key],
                                   hint="type the number of migration days lost"))
            continue
        # the long answers may run over several lines; nothing else may hold a control character, and the one-line
        # fields (incident, parties) no line break either: they reach config/lost_days.csv and the terminal
        value = text[key].replace("\r\n", "\n").replace("\n", " ") if key in MULTI_LINE else text[key]
        problem = plain_text_problem(value)
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
        day, ldso, n = row.day.value, cell_text(row.ldso).upper(), whole_number(row.migrations.value)
        bad = len(out)
        if not isinstance(day, date):
            out.append(finding(RuleId.CLAIM_IMPACT, f"{cell_text(row.day) or '(blank)'} is not a date.", sheet=sheet,
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
            out.append(finding(RuleId.CLAIM_IMPACT, f"impacted migrations {cell_text(row.migrations) or '(blank)'} is "
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


