"""Findings: what the validation of a returned plan says, one small value per problem (METHOD 7).

Every rule id is defined once here, in ``RULES``, with its title, what it checks, its source and its default
severity; the feedback workbook's legend, the JSON of ``mcc validate`` and docs/inbox.md come from this
catalogue. A verdict is derived from the findings, never set.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum

from toolkit.domain.status import Status


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    checks: str
    source: str
    severity: Severity = Severity.ERROR


RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("identity.template", "Issued template",
         "The file is a template the MCC issued for this group and planning cycle, with unaltered metadata and "
         "signature, and not superseded by a later version.", "C3.2.1 a; METHOD 7"),
    Rule("structure.layout", "Layout as issued",
         "Sheets, input areas, date and LDSO headers are where the template put them.", "METHOD 7"),
    Rule("value.integer", "Whole numbers",
         "Plan cells are blank or whole numbers of 0 or more; a formula without a saved value counts as wrong.",
         "METHOD 7"),
    Rule("calendar.non-migration-day", "Migration days only",
         "No migrations on weekends, bank holidays, excluded days, before the migration start or after M15.",
         "C4; F5.2.5"),
    Rule("completeness.portfolio", "Whole portfolio planned",
         "The weekly plan of each LDSO adds up to the portfolio to migrate there (secondary MPANs included).",
         "C3.2.1; F5.5"),
    Rule("envelope.daily", "Within the daily envelope", "Each day's plan is within the daily envelope.",
         "F5.2.5; P SSLCE"),
    Rule("envelope.weekly", "Within the weekly envelope", "Each week's plan is within the weekly envelope.",
         "F5.2.5; F5.3"),
    Rule("ramp-up.range", "Ramp-up range",
         "The plan over the first SRUW migration days from the migration start is between RURPmin and RURPmax of "
         "the portfolio.", "F5.2.7; P RURPmin, RURPmax"),
    Rule("core-window.completion", "Core window completion",
         "By the end of the core window the plan reaches CMWCP of the portfolio.", "P CMWCP",
         Severity.WARNING),
    Rule("de-minimis.daily-cap", "De minimis daily cap",
         "No day above DSP of the LDSO threshold, unless the MCC recorded an exemption for that day.",
         "F5.2.7; P DSP"),
    Rule("de-minimis.spread", "De minimis spread",
         "After ramp-up the rest of the portfolio is spread over at least DDPRU migration days.",
         "F5.2.7; P DDPRU"),
    Rule("daily.required", "Daily plan present",
         "Groups migrating in or qualifying for the sprint, or opted in, give a daily plan for its execution.",
         "C3.2.1 b5; P DOF"),
    Rule("daily.matches-weekly", "Daily plan matches weekly",
         "The days of each week of the sprint add up to that week's weekly plan.", "F5.3; F5.4"),
    Rule("fast-feedback.limits", "Fast feedback limits",
         "Fast-feedback initiations fall within the window from the ramp-up start, total at most the allowance, "
         "with an activation offset between MAOmin and MAOmax working days.", "F5.2.11; P FF, MAO"),
    Rule("uca.eligible", "Eligible days and LDSOs",
         "UCA requests only on the sprint's migration days with unused capacity, in LDSOs where the group has an "
         "envelope.", "C3.2.2; METHOD 8"),
    Rule("uca.available", "Within the unused capacity",
         "No request above the unused capacity of its LDSO and day.", "C3.2.2; METHOD 8"),
    Rule("agents.forecast", "Agent forecasts",
         "Each role's service-provider forecasts add up to the week's plan.", "F5.2.10; C3.2.1 b3",
         Severity.WARNING),
)}


@dataclass(frozen=True)
class Finding:
    """One problem, located as precisely as the rule allows, in the supplier's words with the figures."""

    rule: str
    severity: Severity
    message: str
    sheet: str = ""
    cell: str = ""
    ldso: str = ""
    date: date | None = None
    value: str = ""
    hint: str = ""

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["severity"] = self.severity.value
        out["date"] = self.date.isoformat() if self.date else None
        return out


def finding(rule: str, message: str, severity: Severity | None = None, **where) -> Finding:
    """A finding of a catalogued rule, with the rule's default severity unless told otherwise."""
    if rule not in RULES:
        raise KeyError(f"{rule!r} is not in the rule catalogue")
    return Finding(rule=rule, severity=severity or RULES[rule].severity, message=message, **where)


def verdict(findings: list[Finding], readable: bool = True) -> Status:
    if not readable:
        return Status.UNREADABLE
    return Status.REJECTED if any(f.severity == Severity.ERROR for f in findings) else Status.ACCEPTED


def by_rule(findings: list[Finding]) -> list[tuple[str, int, int]]:
    """(rule, errors, warnings) in catalogue order, for summaries."""
    out = []
    for rule in RULES:
        errors = sum(1 for f in findings if f.rule == rule and f.severity == Severity.ERROR)
        warnings = sum(1 for f in findings if f.rule == rule and f.severity == Severity.WARNING)
        if errors or warnings:
            out.append((rule, errors, warnings))
    return out
