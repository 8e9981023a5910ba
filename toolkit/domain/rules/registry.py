"""Families of rules, the rule ids each may emit, and the fixed order a validation runs them in.

A family is a function from a case (what is being judged, and what the families before it established) to
findings, declared with the ids of the catalogue it may emit::

    @family("weekly plan", emits=(RuleId.ENVELOPE_WEEKLY, ...), when=lambda case: case.weekly is not None)
    def weekly_plan(case: PlanCase) -> list[Finding]: ...

A ``Registry`` holds families in the order it is given them: that order is the order of the findings, so of the
feedback workbook and of ``mcc validate --json``, and it is written once, where the registry is made.

A family that emits an id it did not declare is a fault of the code, and the family raises ``UndeclaredRule`` on
the spot, in the inbox as in the tests. Raising, rather than leaving it to a test that asserts over the broken
workbooks: the check is one set lookup per finding; the error names the family and the id where the mistake is
made; and every test that reaches the family trips it, including tests of rules not written yet, where an
assertion in one test only sees the workbooks that test is given. ``UndeclaredRule`` is deliberately not a
``toolkit.errors.ToolkitError`` (the domain imports nothing outside itself either): the inbox reads a
``ToolkitError`` as broken configuration and leaves the file claimed until the MCC fixes it, whereas any other
exception is a fault of ours, which the inbox answers by quarantining the file with the reason, so the supplier
hears and the MCC looks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from toolkit.domain.findings import RULES, Finding, RuleId


class UndeclaredRule(Exception):
    """A family emitted a rule id it did not declare, or declared one the catalogue does not have."""

    def __init__(self, family: str, rules: Iterable[str]):
        self.family, self.rules = family, tuple(rules)
        super().__init__(f"rule family {family!r} emitted {', '.join(self.rules)}, which it does not declare")


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
        raise UndeclaredRule(title, unknown)

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
