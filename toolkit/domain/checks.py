"""What the template's Checks sheet shows for a plan, in the inbox's terms (issue 18): per LDSO the rule ids the
inbox would report as errors and as warnings there, and the same for the whole workbook. The sheet's formulas
compute these as the supplier types; the writer takes its cached results (the template as issued) from the inbox's
own findings through ``verdicts``, and the tests compare LibreOffice's recalculated sheet with ``verdicts`` of the
inbox's findings on the same file. Pure.

Which rules the sheet computes and which it leaves to the return:

- per LDSO (``LDSO_RULES``): whole numbers, migration days only, the weekly and daily envelopes, the de minimis cap
  and spread, completeness, ramp-up range, core-window completion, daily matches weekly;
- for the whole workbook (``GROUP_RULES``): the daily plan where required, fast-feedback limits, agent forecasts;
- only on return (``RETURN_ONLY``): the template's identity (signature, register, version, envelopes as issued,
  locked content), its layout (rows or columns inserted or deleted), the time of receipt, the de minimis exemptions
  the MCC records, and plan cells holding a formula with no saved value. A formula cannot see these.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.domain.findings import Finding, RuleId, Severity

LDSO_RULES = (RuleId.VALUE_INTEGER, RuleId.CALENDAR_NON_MIGRATION_DAY, RuleId.ENVELOPE_WEEKLY, RuleId.ENVELOPE_DAILY,
              RuleId.DE_MINIMIS_DAILY_CAP, RuleId.COMPLETENESS_PORTFOLIO, RuleId.RAMP_UP_RANGE,
              RuleId.CORE_WINDOW_COMPLETION, RuleId.DE_MINIMIS_SPREAD, RuleId.DAILY_MATCHES_WEEKLY)
GROUP_RULES = (RuleId.DAILY_REQUIRED, RuleId.FAST_FEEDBACK_LIMITS, RuleId.AGENTS_FORECAST)
RETURN_ONLY = {
    RuleId.IDENTITY_TEMPLATE: "the template is the one the MCC issued to you for this sprint, unaltered and the "
                              "latest version (signature, register, envelopes as issued)",
    RuleId.STRUCTURE_LAYOUT: "sheets, input areas, dates and LDSO headers where the template put them (no rows or "
                             "columns inserted or deleted)",
    RuleId.TIMELINESS_LATE: "received by the submission deadline",
}
RETURN_ONLY_PARTS = ("de minimis days the MCC exempted (very large customers) are allowed over the cap on return; "
                     "the sheet counts every day over it",
                     "a plan cell holding a formula the file keeps no value for is refused (value.integer)")
OK, NOT_OK = "OK", "Not OK"


@dataclass(frozen=True)
class Verdict:
    """The rule ids reported as errors and as warnings, in the sheet's order, and the status."""

    errors: tuple[RuleId, ...]
    warnings: tuple[RuleId, ...]

    @property
    def status(self) -> str:
        return NOT_OK if self.errors else OK

    @property
    def error_text(self) -> str:
        return ", ".join(self.errors)

    @property
    def warning_text(self) -> str:
        return ", ".join(self.warnings)


def _verdict(findings: list[Finding], order: tuple[RuleId, ...]) -> Verdict:
    def ids(severity: Severity) -> tuple[RuleId, ...]:
        found = {f.rule for f in findings if f.severity == severity}
        return tuple(r for r in order if r in found)
    return Verdict(ids(Severity.ERROR), ids(Severity.WARNING))


def verdicts(findings: list[Finding], ldsos: list[str]) -> tuple[dict[str, Verdict], Verdict]:
    """Per LDSO, the verdict on the findings located in it; and the whole workbook's, on the findings a formula can
    judge (those of ``RETURN_ONLY`` left out). The whole workbook's errors are the group-level rules' and, where any
    LDSO has an error, the LDSO rules'."""
    judged = [f for f in findings if f.rule in LDSO_RULES or f.rule in GROUP_RULES]
    per = {m: _verdict([f for f in judged if f.ldso == m and f.rule in LDSO_RULES], LDSO_RULES) for m in ldsos}
    return per, _verdict(judged, LDSO_RULES + GROUP_RULES)

