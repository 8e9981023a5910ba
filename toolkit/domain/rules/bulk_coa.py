"""The rules of a bulk change of agent plan (Foundations 5.6 step 2), as families of the ``BULK_COA`` registry:
the form as issued (``bulk-coa.form``), its fields and daily volumes (``bulk-coa.plan``), three months' notice
(``bulk-coa.notice``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from toolkit.domain.bulk_coa import FIELDS, BulkFacts, BulkForm, BulkPlan, three_months_before
from toolkit.domain.findings import Finding, RuleId, Severity, finding
from toolkit.domain.lost_days import cell_text, whole_number
from toolkit.domain.rules.registry import Registry, family
from toolkit.domain.text import plain_text_problem

MAX_TEXT = 2_000  # characters in a text field


@dataclass
class BulkCase:
    form: BulkForm | None
    facts: BulkFacts | None
    signed: bool
    sheet: str = ""
    text: dict[str, str] = field(default_factory=dict)
    lines: list[tuple[date, str, int, str, str]] = field(default_factory=list)


@family("bulk coa form", emits=(RuleId.BULK_COA_FORM,))
def bulk_form(case: BulkCase) -> list[Finding]:
    if case.signed and case.form is not None and case.facts is not None:
        return []
    return [finding(RuleId.BULK_COA_FORM, "the form's metadata or signature is not as the MCC issued it: ask the MCC "
                    "for a bulk change of agent plan (mcc bulk-coa form GROUP) and fill that in.", sheet=case.sheet)]


def _ok(case: BulkCase) -> bool:
    return case.signed and case.form is not None and case.facts is not None


@family("bulk coa plan", emits=(RuleId.BULK_COA_PLAN,), when=_ok)
def bulk_plan(case: BulkCase) -> list[Finding]:
    form, facts, out = case.form, case.facts, []
    case.text = {k: cell_text(form.fields[k]) for k, _, _ in FIELDS}
    for k, label, required in FIELDS:
        problem = plain_text_problem(case.text[k]) or (f"is longer than {MAX_TEXT:,} characters"
                                                       if len(case.text[k]) > MAX_TEXT else None)
        if required and not case.text[k]:
            out.append(finding(RuleId.BULK_COA_PLAN, f"{label} is required (F5.6 step 2).", sheet=form.sheet,
                               cell=form.fields[k].ref))
        elif problem:
            out.append(finding(RuleId.BULK_COA_PLAN, f"{label}: the text {problem}.", sheet=form.sheet,
                               cell=form.fields[k].ref, hint="type plain text on one line"))
    for row in form.rows:
        cells = (row.day, row.ldso, row.volume, row.old_agent, row.new_agent)
        if all(c.value in (None, "") for c in cells):
            continue
        bad = len(out)
        day, ldso, n = row.day.value, cell_text(row.ldso).upper(), whole_number(row.volume.value)
        old, new = cell_text(row.old_agent).upper(), cell_text(row.new_agent).upper()
        if not isinstance(day, date):
            out.append(finding(RuleId.BULK_COA_PLAN, f"{cell_text(row.day) or '(blank)'} is not a date.",
                               sheet=form.sheet, cell=row.day.ref))
        elif not facts.m11 <= day <= facts.m15 or not facts.is_working_day(day):
            out.append(finding(RuleId.BULK_COA_PLAN, f"{day:%a %d %b %Y} is not a working day between M11 and M15 "
                               "(the process covers M11 to M15, F5.6).", sheet=form.sheet, cell=row.day.ref, date=day))
        if ldso not in facts.known_ldsos:
            out.append(finding(RuleId.BULK_COA_PLAN, f"{ldso or '(blank)'} is not an LDSO MPID.", sheet=form.sheet,
                               cell=row.ldso.ref))
        elif facts.portfolio is not None and ldso not in facts.portfolio:
            out.append(finding(RuleId.BULK_COA_PLAN, f"your group has no MPANs in LDSO {ldso}: a change of agent "
                               "covers your own MPANs.", sheet=form.sheet, cell=row.ldso.ref))

        if n is None or n < 1:
            out.append(finding(RuleId.BULK_COA_PLAN, f"{cell_text(row.volume) or '(blank)'} is not a whole number of "
                               "1 or more.", sheet=form.sheet, cell=row.volume.ref))
        for cell, mpid in ((row.old_agent, old), (row.new_agent, new)):
            if len(mpid) != 4 or not mpid.isalnum():
                out.append(finding(RuleId.BULK_COA_PLAN, f"{mpid or '(blank)'} is not an agent MPID (four letters "
                                   "or digits).", sheet=form.sheet, cell=cell.ref))
        if len(out) == bad:
            case.lines.append((day, ldso, n, old, new))
    if not case.lines and not out:
        out.append(finding(RuleId.BULK_COA_PLAN, "no daily volumes are given (F5.6 step 2: daily volumes and impacted "
                           "parties).", sheet=form.sheet, cell=form.rows[0].day.ref if form.rows else ""))
    return out


@family("bulk coa notice", emits=(RuleId.BULK_COA_NOTICE,), when=_ok)
def bulk_notice(case: BulkCase) -> list[Finding]:
    received = case.facts.received_on
    if received is None or not case.lines:
        return []
    first = min(d for d, *_ in case.lines)
    if received <= three_months_before(first):
        return []
    return [finding(RuleId.BULK_COA_NOTICE, f"the first day of the bulk change, {first:%a %d %b %Y}, is less than "
                    f"three months after this plan was received ({received:%d %b %Y}): the MCC may not be able to "
                    "consult in time.", sheet=case.form.sheet, date=first)]


BULK_COA = Registry("bulk coa", (bulk_form, bulk_plan, bulk_notice))


def check_bulk_plan(form: BulkForm | None, facts: BulkFacts | None, signed: bool = True,
                    sheet: str = "") -> tuple[BulkPlan | None, list[Finding]]:
    case = BulkCase(form, facts, signed, sheet)
    out = BULK_COA.run(case)
    if any(f.severity == Severity.ERROR for f in out) or facts is None:
        return None, out
    t = case.text
    return BulkPlan(facts.group, t["reference"], t["reason"], t["owner"], tuple(sorted(case.lines))), out


