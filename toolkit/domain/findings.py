"""Findings: what the validation of a returned plan, UCA request or outturn file says, one small value per problem
(METHOD 7, 8, 9).

Every rule id is defined once here, in ``RULES``, with its title, what it checks, its source and its default
severity; the feedback workbook's legend, the JSON of ``mcc validate`` and the rule tables of docs/inbox.md and
docs/monitoring.md (``render_rule_table``) come from this catalogue. A verdict is derived from the findings, never
set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum

from toolkit.domain.status import Status


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class RuleId(StrEnum):
    """Every rule id, once (METHOD 7 for plans, METHOD 8 for UCA requests, METHOD 9 for outturn); never reused."""

    IDENTITY_TEMPLATE = "identity.template"
    TIMELINESS_LATE = "timeliness.late"
    STRUCTURE_LAYOUT = "structure.layout"
    VALUE_INTEGER = "value.integer"
    CALENDAR_NON_MIGRATION_DAY = "calendar.non-migration-day"
    COMPLETENESS_PORTFOLIO = "completeness.portfolio"
    ENVELOPE_DAILY = "envelope.daily"
    ENVELOPE_WEEKLY = "envelope.weekly"
    RAMP_UP_RANGE = "ramp-up.range"
    CORE_WINDOW_COMPLETION = "core-window.completion"
    DE_MINIMIS_DAILY_CAP = "de-minimis.daily-cap"
    DE_MINIMIS_SPREAD = "de-minimis.spread"
    DAILY_REQUIRED = "daily.required"
    DAILY_MATCHES_WEEKLY = "daily.matches-weekly"
    FAST_FEEDBACK_LIMITS = "fast-feedback.limits"
    UCA_ELIGIBLE = "uca.eligible"
    UCA_AVAILABLE = "uca.available"
    UCA_WINDOW = "uca.window"
    AGENTS_FORECAST = "agents.forecast"
    AGENTS_READY = "agents.ready"
    SITES_DATE = "sites.date"
    SITES_IN_PLAN = "sites.in-plan"
    CLAIM_FORM = "claim.form"
    CLAIM_FIELDS = "claim.fields"
    CLAIM_IMPACT = "claim.impact"
    CLAIM_ELIGIBLE = "claim.eligible"
    BULK_COA_FORM = "bulk-coa.form"
    BULK_COA_PLAN = "bulk-coa.plan"
    BULK_COA_NOTICE = "bulk-coa.notice"
    OUTTURN_FILE = "outturn.file"
    OUTTURN_PARTY = "outturn.party"
    OUTTURN_DATE = "outturn.date"
    OUTTURN_COUNT = "outturn.count"
    OUTTURN_DUPLICATE = "outturn.duplicate"


@dataclass(frozen=True)
class Rule:
    id: RuleId
    title: str
    checks: str
    source: str
    severity: Severity = Severity.ERROR


RULES: dict[RuleId, Rule] = {r.id: r for r in (
    Rule(RuleId.IDENTITY_TEMPLATE, "Issued template",
         "The file is a template the MCC issued for this group and planning cycle, with unaltered metadata and "
         "signature, its locked content (group details, LDSO headers, dates, limits) as issued with that metadata, "
         "and not superseded by a later version.", "C3.2.1 a; METHOD 7"),
    Rule(RuleId.TIMELINESS_LATE, "Returned by the deadline",
         "The plan is received by the end of the sprint's supplier plan submission deadline; one received later is "
         "marked late ([submission] late_severity: a warning, or an error that refuses it).", "C3.6; C4.4; F6.5",
         Severity.WARNING),
    Rule(RuleId.STRUCTURE_LAYOUT, "Layout as issued",
         "Sheets, input areas, date and LDSO headers are where the template put them.", "METHOD 7"),
    Rule(RuleId.VALUE_INTEGER, "Whole numbers",
         "Plan cells are blank or whole numbers of 0 or more; a formula without a saved value counts as wrong.",
         "METHOD 7"),
    Rule(RuleId.CALENDAR_NON_MIGRATION_DAY, "Migration days only",
         "No migrations on weekends, bank holidays, excluded days, before the migration start or after M15.",
         "C4; F5.2.5"),
    Rule(RuleId.COMPLETENESS_PORTFOLIO, "Whole portfolio planned",
         "The weekly plan of each LDSO adds up to the portfolio left to migrate there on the sprint's execution "
         "start (secondary MPANs included); where the limits to M15 cannot hold it, a plan of all that fits is "
         "reported with the severity [submission] completeness_beyond_capacity.",
         "C3.2.1; F5.5"),
    Rule(RuleId.ENVELOPE_DAILY, "Within the daily envelope", "Each day's plan is within the daily envelope.",
         "F5.2.5; P SSLCE"),
    Rule(RuleId.ENVELOPE_WEEKLY, "Within the weekly envelope", "Each week's plan is within the weekly envelope.",
         "F5.2.5; F5.3"),
    Rule(RuleId.RAMP_UP_RANGE, "Ramp-up range",
         "The plan over the first SRUW migration days from the migration start is between RURPmin and RURPmax of "
         "the portfolio.", "F5.2.7; P RURPmin, RURPmax"),
    Rule(RuleId.CORE_WINDOW_COMPLETION, "Core window completion",
         "By the end of the core window the plan reaches CMWCP of the portfolio.", "P CMWCP",
         Severity.WARNING),
    Rule(RuleId.DE_MINIMIS_DAILY_CAP, "De minimis daily cap",
         "No day above DSP of the LDSO threshold, unless the MCC recorded an exemption for that day.",
         "F5.2.7; P DSP"),
    Rule(RuleId.DE_MINIMIS_SPREAD, "De minimis spread",
         "After ramp-up the rest of the portfolio is spread over at least DDPRU migration days.",
         "F5.2.7; P DDPRU"),
    Rule(RuleId.DAILY_REQUIRED, "Daily plan present",
         "Groups migrating in or qualifying for the sprint, or opted in, give a daily plan for its execution where "
         "their weekly plan has migrations in the sprint's weeks.",
         "C3.2.1 b5; P DOF"),
    Rule(RuleId.DAILY_MATCHES_WEEKLY, "Daily plan matches weekly",
         "The days of each week of the sprint add up to that week's weekly plan.", "F5.3; F5.4"),
    Rule(RuleId.FAST_FEEDBACK_LIMITS, "Fast feedback limits",
         "Fast-feedback initiations fall within the window from the ramp-up start, total at most the allowance, "
         "with an activation offset between MAOmin and MAOmax working days.", "F5.2.11; P FF, MAO"),
    Rule(RuleId.UCA_ELIGIBLE, "Eligible days and LDSOs",
         "UCA requests only on the sprint's migration days with unused capacity, in LDSOs where the group has an "
         "envelope; judged only where the form shows the figure (a suppressed one is settled by the allocation).",
         "C3.2.2; METHOD 8"),
    Rule(RuleId.UCA_AVAILABLE, "Within the unused capacity",
         "No request above the unused capacity the form shows for its LDSO and day; where that figure is "
         "suppressed, none above the group's own envelope that day (the hidden figure is never judged against: the "
         "allocation grants no more than there is).", "C3.2.2; METHOD 8"),
    Rule(RuleId.UCA_WINDOW, "Within the UCA window",
         "A request is received by the end of its round's window (the sprint's UCA end for the planning round, its "
         "execution end for an ad hoc round) and asks only for days after the day it is received.",
         "C3.2.2; C3.6; C4.4"),
    Rule(RuleId.AGENTS_FORECAST, "Agent forecasts",
         "Each role's service-provider forecasts add up to the week's plan.", "F5.2.10; C3.2.1 b3",
         Severity.WARNING),
    Rule(RuleId.AGENTS_READY, "Agents migration ready",
         "No migrations are forecast for a service provider in a week that ends before the day it is \"migration "
         "ready\" (config/agents.csv ready_from).", "F5.2.10"),
    Rule(RuleId.SITES_DATE, "Complex site dates",
         "Each complex site on the Sites sheet has one migration date, a migration day open to the group from M14 "
         "on (a site without a date yet is a warning).", "F5.7"),
    Rule(RuleId.SITES_IN_PLAN, "Complex sites inside the plan",
         "The MPANs of the sites of an LDSO on a day fit in the group's plan there: that day's daily plan in the "
         "sprint, the week's weekly plan after it.", "F5.7"),
    Rule(RuleId.CLAIM_FORM, "Issued claim form",
         "The file is a Lost Migration Day claim form the MCC issued to this group, with unaltered metadata and "
         "signature, and its fields where the form put them.", "F6.6.1"),
    Rule(RuleId.CLAIM_FIELDS, "Claim fields given",
         "The impact, the migration days lost (a whole number of 1 or more), the incident number, the responsible "
         "party, the supplier issue owner and the resolution are given as plain text; supporting information is "
         "optional.", "F6.6.1 1-6"),
    Rule(RuleId.CLAIM_IMPACT, "Impacted plan dates and numbers",
         "Each impacted line gives a migration day of the group on or before the day the claim is received, an "
         "LDSO and a whole number of migrations; no more days are claimed than dates are listed.", "F6.6.1 1"),
    Rule(RuleId.CLAIM_ELIGIBLE, "Claim eligible",
         "The group has envelopes in the LDSOs claimed, the claim and its dates are before M14, and the incident "
         "is not already claimed or applied for the group.", "F6.6"),
    Rule(RuleId.BULK_COA_FORM, "Issued bulk change of agent plan",
         "The file is a bulk change of agent plan the MCC issued to this group, with unaltered metadata and "
         "signature, and its fields where the form put them.", "F5.6"),
    Rule(RuleId.BULK_COA_PLAN, "Daily volumes and impacted parties",
         "The reference, reason and owner are given as plain text; each line gives a working day between M11 and "
         "M15, an LDSO where the group has MPANs, a whole number of MPANs and the old and new agents' MPIDs.",
         "F5.6 step 2"),
    Rule(RuleId.BULK_COA_NOTICE, "Three months' notice",
         "The plan is received at least three months before its first day.", "F5.6 step 2", Severity.WARNING),
    Rule(RuleId.OUTTURN_FILE, "Outturn table as specified",
         "The file has a header row naming the columns supplier_mpid, ldso_mpid, initiation_date, effective_date and "
         "initiations (completions may be left out), and no more rows than the toolkit reads.", "F6.1; METHOD 9"),
    Rule(RuleId.OUTTURN_PARTY, "Known supplier and LDSO",
         "Each row's supplier MPID and LDSO are in the configuration.", "F6.1; METHOD 9"),
    Rule(RuleId.OUTTURN_DATE, "Initiation and effective dates",
         "Dates are dates (YYYY-MM-DD); initiations fall between M11 and M15 and not after the day of the report; "
         "effective dates fall within the migration calendar and not before their initiation.",
         "C4; F6.1; METHOD 9"),
    Rule(RuleId.OUTTURN_COUNT, "Whole counts",
         "Initiations and completions are whole numbers of 0 or more; completions may be blank until they are in; "
         "the optional exceptions are a whole number of 0 or more, no more than the initiations.",
         "F5.5; F6.1; METHOD 9"),
    Rule(RuleId.OUTTURN_DUPLICATE, "Each cohort once",
         "A cohort (supplier MPID, LDSO, initiation date and effective date) is given once in a file.",
         "F6.1; METHOD 9"),
)}

# the rules of a returned plan or UCA request (docs/inbox.md), and those of an outturn file (docs/monitoring.md)
SUBMISSION_RULES = tuple(r for r in RuleId if not r.startswith(("outturn.", "claim.", "bulk-coa.")))
PROCESS_RULES = tuple(r for r in RuleId if r.startswith(("claim.", "bulk-coa.")))  # docs/processes.md
OUTTURN_RULES = tuple(r for r in RuleId if r.startswith("outturn."))


def render_rule_table(rules: Iterable[RuleId]) -> str:
    """The catalogue entries of ``rules`` as a markdown table, in the order given: the docs hold exactly this
    (``tests/test_rule_docs.py``)."""
    lines = ["| rule | severity | title | what it checks | source |", "|---|---|---|---|---|"]
    for rule in rules:
        r = RULES[rule]
        cells = (r.id, r.severity, r.title, r.checks, r.source)
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Finding:
    """One problem, located as precisely as the rule allows, in the supplier's words with the figures."""

    rule: RuleId
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


@dataclass(frozen=True)
class RowFinding(Finding):
    """A finding in a table (an outturn file), located by row (1 = the header) and column name. The location is
    added by subclass, so ``Finding`` and its ``as_dict`` keep their fields (frictionless's row errors)."""

    row: int = 0
    column: str = ""


def finding(rule: RuleId, message: str, severity: Severity | None = None, **where) -> Finding:
    """A finding of a catalogued rule, with the rule's default severity unless told otherwise."""
    return _catalogued(Finding, rule, message, severity, where)


def row_finding(rule: RuleId, row: int, column: str, message: str, severity: Severity | None = None,
                **where) -> RowFinding:
    """A finding of a catalogued rule about one row and column of a table."""
    return _catalogued(RowFinding, rule, message, severity, {"row": row, "column": column, **where})


def _catalogued(kind: type[Finding], rule: RuleId, message: str, severity: Severity | None, where: dict):
    if rule not in RULES:
        raise KeyError(f"{rule!r} is not in the rule catalogue")
    return kind(rule=RuleId(rule), severity=severity or RULES[rule].severity, message=message, **where)


def verdict(findings: list[Finding], readable: bool = True) -> Status:
    if not readable:
        return Status.UNREADABLE
    return Status.REJECTED if any(f.severity == Severity.ERROR for f in findings) else Status.ACCEPTED


def by_rule(findings: list[Finding]) -> list[tuple[RuleId, int, int]]:
    """(rule, errors, warnings) in catalogue order, for summaries."""
    out = []
    for rule in RULES:
        errors = sum(1 for f in findings if f.rule == rule and f.severity == Severity.ERROR)
        warnings = sum(1 for f in findings if f.rule == rule and f.severity == Severity.WARNING)
        if errors or warnings:
            out.append((rule, errors, warnings))
    return out
