"""The rule registry (``toolkit.domain.rules.registry``): every id of the catalogue is declared by a family and
every declared id is in the catalogue; driven by the workbooks of ``tests/test_rules.py`` (each made to break one
rule), by in-memory UCA requests and by outturn tables, each family emits only ids it declares and between them
they emit every id they declare; and a family that emits an id it did not declare is caught."""

from __future__ import annotations

import inspect
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

import tests.test_rules as rule_tests
from tests.test_rules import Case
from toolkit.domain.envelopes import Category
from toolkit.domain.findings import RULES, Finding, RuleId, finding
from toolkit.domain.monitoring import OUTTURN_COLUMNS
from toolkit.domain.rules import (
    OUTTURN,
    PLAN,
    REGISTRIES,
    REQUEST,
    UCA_REQUEST,
    Family,
    Identity,
    Registry,
    RequestForm,
    UndeclaredRule,
    check_outturn,
    family,
    validate_request,
)
from toolkit.domain.submission import Area, Grid, Submission

setup = rule_tests.setup  # the rule tests' workspace, templates issued for XDNO and AFCF (a fixture)
DECLARED = {rule for registry in REGISTRIES for f in registry.families for rule in f.emits}


def test_every_catalogue_id_is_declared_by_a_family():
    assert sorted(set(RULES) - DECLARED) == []


def test_every_declared_id_is_in_the_catalogue():
    assert sorted(DECLARED - set(RULES)) == []
    assert all(isinstance(rule, RuleId) for rule in DECLARED)


def test_the_catalogue_has_one_entry_per_rule_id():
    assert list(RULES) == list(RuleId) and all(RULES[rule].id is rule for rule in RuleId)


# -- what the families emit --------------------------------------------------------------------------------------

@pytest.fixture
def emitted(monkeypatch) -> dict[str, set[str]]:
    """Every id each family emits while the test runs, by family title."""
    seen: dict[str, set[str]] = defaultdict(set)
    checked = Family.__call__

    def recording(self: Family, case) -> list[Finding]:
        found = checked(self, case)  # raises UndeclaredRule on an undeclared id
        seen[self.title] |= {f.rule for f in found}
        return found

    monkeypatch.setattr(Family, "__call__", recording)
    return seen


def _assert_tight(registry: Registry, emitted: dict[str, set[str]]) -> None:
    """Each family of ``registry`` emitted only what it declares, and all of it."""
    assert {f.title: sorted(emitted.get(f.title, set())) for f in registry.families} == {
        f.title: sorted(f.emits) for f in registry.families}


def _rule_workbook_tests():
    for name, test in inspect.getmembers(rule_tests, inspect.isfunction):
        if name.startswith("test_") and set(inspect.signature(test).parameters) <= {"setup", "xdno", "afcf",
                                                                                     "tmp_path"}:
            yield name, test


def test_plan_families_emit_what_they_declare_on_the_rule_workbooks(setup, tmp_path_factory, emitted):
    ran = []
    for name, test in _rule_workbook_tests():
        tmp = tmp_path_factory.mktemp(name[:40])
        fixtures = {"setup": setup, "tmp_path": tmp, "xdno": Case(setup, "XDNO", tmp), "afcf": Case(setup, "AFCF", tmp)}
        try:
            test(**{p: fixtures[p] for p in inspect.signature(test).parameters})
        except pytest.skip.Exception:
            continue
        ran.append(name)
    _de_minimis_week_over_the_cap(Case(setup, "AFCF", tmp_path_factory.mktemp("de_minimis_week")))
    assert len(ran) >= 20
    _assert_tight(PLAN, emitted)


def _de_minimis_week_over_the_cap(case: Case) -> None:
    """A de minimis week above the daily cap times its migration days, judged without a daily plan (AFCF): the
    weekly family's de-minimis.daily-cap, which no rule test breaks."""
    c = case.col(Category.DE_MINIMIS)
    w = int(np.flatnonzero(case.content.week_open_days > 0)[-1])
    case.weekly[w, c] = case.content.weekly_limit[w, c] + 1
    assert RuleId.DE_MINIMIS_DAILY_CAP in {f.rule for f in case.judged().findings}


FACTS = Identity(signature_ok=True, known_group=True, known_cycle=True, registered=True, current_version=None,
                 current_digest=None)
FORM = RequestForm("XDNO", ["EELC", "LOND"], [date(2026, 3, 2), date(2026, 3, 3)],
                   unused=np.array([[10, 0], [5, 5]]), disclosed=np.array([[True, True], [True, False]]))


def _request(values: list[list[object]] | None, template_id: str = "S1-XDNO-uca-v01") -> Submission:
    sub = Submission("uca.xlsx", {"template_id": template_id} if template_id else {}, ["UCA request"], {})
    if values is not None:
        area = Area("UCA request", 5, 2, 6, 3)
        sub.grids[UCA_REQUEST] = Grid(UCA_REQUEST, area, list(FORM.ldsos), [], list(FORM.days), values)
    return sub


def test_request_families_emit_what_they_declare(emitted):
    judged = {
        "not a template": validate_request(_request(None, template_id=""), FACTS, FORM),
        "no request area": validate_request(_request(None), FACTS, FORM),
        "text, no capacity, too much": validate_request(_request([["x", 3], [20, 0]]), FACTS, FORM),
        "a day already begun": validate_request(_request([[1, 0], [0, 2]]), FACTS,
                                                replace(FORM, closes=date(2026, 3, 5)), date(2026, 3, 2)),
        "after the window": validate_request(_request([[1, 0], [0, 0]]), FACTS, replace(FORM, closes=date(2026, 3, 1)),
                                             date(2026, 3, 4)),
    }
    assert {k: [(f.rule, f.cell) for f in j.findings] for k, j in judged.items()} == {
        "not a template": [("identity.template", "")],
        "no request area": [("structure.layout", "")],
        "text, no capacity, too much": [("value.integer", "C6"), ("uca.eligible", "D6"), ("uca.available", "C7")],
        "a day already begun": [("uca.window", "C6")],
        "after the window": [("uca.window", "")]}
    _assert_tight(REQUEST, emitted)


def test_outturn_families_emit_what_they_declare(setup, emitted):
    config = setup[1]
    supplier, ldso = next(iter(config.industry.group_of_supplier)), next(iter(config.industry.ldso_by_mpid))
    day = config.calendar.m11
    row = [supplier, ldso, day.isoformat(), (day + timedelta(days=7)).isoformat(), 10, ""]
    table = [list(OUTTURN_COLUMNS), row, ["ZZZZ", *row[1:]], [*row[:2], "02/12/2026", *row[3:]], [*row[:4], -3, ""],
             row]
    _, found = check_outturn(table, config.industry, config.calendar, None, max_rows=100)
    assert [(f.rule, f.row, f.column) for f in found] == [
        ("outturn.party", 3, "supplier_mpid"), ("outturn.date", 4, "initiation_date"),
        ("outturn.count", 5, "initiations"), ("outturn.duplicate", 6, "initiation_date")]
    _, empty = check_outturn([], config.industry, config.calendar, None, max_rows=100)
    assert [(f.rule, type(f).__name__) for f in empty] == [("outturn.file", "Finding")]
    _assert_tight(OUTTURN, emitted)


# -- an undeclared id ----------------------------------------------------------------------------------------------

@family("rogue", emits=(RuleId.ENVELOPE_WEEKLY,))
def rogue(case) -> list[Finding]:
    return [finding(RuleId.ENVELOPE_DAILY, "a finding its family does not declare")]


def test_a_family_emitting_an_undeclared_id_is_caught_on_the_rule_workbooks(setup, tmp_path, monkeypatch):
    from toolkit.domain.rules import plan

    monkeypatch.setattr(plan, "PLAN", Registry("plan with a rogue family", (*PLAN.families, rogue)))
    with pytest.raises(UndeclaredRule) as caught:
        Case(setup, "XDNO", tmp_path).judged()
    assert (caught.value.family, caught.value.rules) == ("rogue", ("envelope.daily",))


def test_a_declaration_outside_the_catalogue_is_refused():
    with pytest.raises(UndeclaredRule, match="declares envelope.monthly, which the rule catalogue does not have"):
        family("rogue", emits=("envelope.monthly",))
