"""Families of rules, the rule ids each may emit, and the fixed order a validation runs them in.

A family is a function from a case (what is being judged, and what the families before it established) to
findings, declared with the ids of the catalogue it may emit::

    @family("weekly plan", emits=(RuleId.ENVELOPE_WEEKLY, ...), when=lambda case: case.weekly is not None)
    def weekly_plan(case: PlanCase) -> list[Finding]: ...

A ``Registry`` holds families in the order it is given them: that order is the order of the findings, so of the
feedback workbook and of ``mcc validate --json``, and it is written once, where the registry is made.

A family that emits an id it did not declare is a fault of the code: the family raises ``UndeclaredRule`` on the
spot, in the inbox as in the tests (and ``family`` raises it at import for a declared id outside the catalogue).
Why raise rather than leave it to a test asserting over the broken workbooks: the check costs one set lookup per
finding; the error names the family and the id where the mistake is made; and any test that reaches the family
trips it, the rule tests of a rule added later included, whereas an assertion sees only the workbooks its own test
is given (``tests/test_rule_registry.py`` does assert over the rule tests' workbooks too, to show that each family
emits all it declares). Why not a ``toolkit.errors.ToolkitError`` (besides the domain importing nothing outside
itself): the inbox reads a ``ToolkitError`` as broken configuration and leaves the file claimed until the MCC
fixes it, so a fault of the code would hold the file, unanswered, until a release; any other exception the inbox
answers by quarantining the file with the reason, so the supplier is answered and the MCC looks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from toolkit.domain.findings import RULES, Finding, RuleId


class UndeclaredRule(Exception):
    """A family emitted a rule id it did not declare, or declared one the catalogue does not have."""

    def __init__(self, family: str, rules: Iterable[str], declared: bool = False):
        self.family, self.rules = family, tuple(rules)
        shown = ", ".join(self.rules)
        super().__init__(f"rule family {family!r} " + (f"declares {shown}, which the rule catalogue does not have"
                                                       if declared else f"emitted {shown}, which it does not declare"))


@dataclass(frozen=True)
class Family:
    """One family of rules: its title, the ids it may emit, when it applies, and its check."""

    title: str
    emits: frozenset[RuleId]
    check: Callable[[Any], list[Finding]]
    when: Callable[[Any], bool] | None = None

    def applies(self, case: Any) -> bool:
        return self.when is None or self.when(case)

    def __call__(self, case: Any) -> list[Finding]:
        found = self.check(case)
        stray = sorted({f.rule for f in found} - self.emits)
        if stray:
            raise UndeclaredRule(self.title, stray)
        return found


def family(title: str, emits: Iterable[RuleId], when: Callable[[Any], bool] | None = None):
    """Declare a function as a family of rules emitting ``emits`` (ids of the catalogue, checked here, at import)."""
    declared = frozenset(emits)
    unknown = sorted(str(r) for r in declared if not isinstance(r, RuleId) or r not in RULES)
    if unknown:
        raise UndeclaredRule(title, unknown, declared=True)

    def declare(check: Callable[[Any], list[Finding]]) -> Family:
        return Family(title, declared, check, when)

    return declare


class Registry:
    """The families a validation runs, in order."""

    def __init__(self, name: str, families: Iterable[Family]):
        self.name = name
        self.families = tuple(families)
        titles = [f.title for f in self.families]
        if len(set(titles)) != len(titles):
            raise ValueError(f"registry {name!r} names a family twice: {titles}")

    @property
    def declared(self) -> frozenset[RuleId]:
        return frozenset().union(*(f.emits for f in self.families))

    def run(self, case: Any) -> list[Finding]:
        """Every applicable family's findings, in the registry's order."""
        out: list[Finding] = []
        for f in self.families:
            if f.applies(case):
                out += f(case)
        return out
