"""The words of the feedback workbook that are not the findings' own: what to do about a finding of each rule when
the finding carries no hint of its own, and the receipt time as a person reads it."""

from __future__ import annotations

from datetime import datetime

from toolkit.domain.findings import RuleId

WHAT_TO_DO: dict[str, str] = {
    RuleId.IDENTITY_TEMPLATE: "return the latest template the MCC issued to your group for this cycle, filled in, "
                              "without copying its sheets into another workbook",
    RuleId.TIMELINESS_LATE: "return plans by the sprint's submission deadline; the MCC decides whether a late plan "
                            "is used",
    RuleId.STRUCTURE_LAYOUT: "type into the issued template as it is: no sheets renamed, no rows or columns "
                             "inserted or deleted, no headers changed",
    RuleId.VALUE_INTEGER: "type a whole number of 0 or more, or leave the cell blank for none",
    RuleId.CALENDAR_NON_MIGRATION_DAY: "move these migrations to an open (white) week or day and clear the grey cell",
    RuleId.COMPLETENESS_PORTFOLIO: "change the weekly figures of this LDSO until 'Left to plan' shows 0",
    RuleId.ENVELOPE_DAILY: "reduce the day's figure to its limit or less, moving the rest to another open day",
    RuleId.ENVELOPE_WEEKLY: "reduce the week's figure to its limit or less, moving the rest to another open week",
    RuleId.RAMP_UP_RANGE: "move migrations into or out of the weeks of your first migration days (the weeks with "
                          "ramp-up days) until their total for this LDSO is inside the range",
    RuleId.CORE_WINDOW_COMPLETION: "bring migrations forward into the weeks up to the end of your core window",
    RuleId.DE_MINIMIS_DAILY_CAP: "reduce the figure to the de minimis cap times the open days, or less",
    RuleId.DE_MINIMIS_SPREAD: "spread these migrations over more weeks, or ask the MCC for an exemption",
    RuleId.DAILY_REQUIRED: "fill in the daily sprint plan: a figure for every migration day of the sprint",
    RuleId.DAILY_MATCHES_WEEKLY: "make the weekly figure the sum of that week's days",
    RuleId.FAST_FEEDBACK_LIMITS: "keep fast-feedback initiations inside your fast-feedback window and limits",
    RuleId.AGENTS_FORECAST: "on the Agents sheet, make each role's providers add up to the week's planned total, "
                            "and name each provider by its MPID and role (DS or MS)",
    RuleId.UCA_ELIGIBLE: "request unused capacity only in LDSOs where your group has an envelope",
    RuleId.UCA_AVAILABLE: "reduce the request to the unused capacity available on that day or less",
    RuleId.UCA_WINDOW: "return requests within the UCA window, for days of the sprint not yet past",
    RuleId.OUTTURN_FILE: "send the outturn as the CSV or workbook the MCC describes, with its header row",
    RuleId.OUTTURN_PARTY: "use the MPIDs of your own suppliers and of real LDSOs",
    RuleId.OUTTURN_DATE: "give dates as YYYY-MM-DD, on migration days of the sprint",
    RuleId.OUTTURN_COUNT: "give whole numbers of 0 or more",
    RuleId.OUTTURN_DUPLICATE: "give each supplier, LDSO and date once",
    RuleId.AGENTS_READY: "move this provider's forecast to weeks from the day it is migration ready, or name a "
                         "provider that is ready",
    RuleId.SITES_DATE: "give each site one migration day, an open day from M14 on",
    RuleId.SITES_IN_PLAN: "plan at least the site's MPANs in that LDSO on its day (or week after the sprint), or "
                          "move the site to a day that holds them",
    RuleId.CLAIM_FORM: "return the claim form the MCC issued to your group, filled in where it asks",
    RuleId.CLAIM_FIELDS: "fill in every field the form marks as required, as plain text; days lost as a whole "
                         "number of 1 or more",
    RuleId.CLAIM_IMPACT: "list each impacted migration day, its LDSO and the number of migrations, with at least "
                         "as many dates as days claimed",
    RuleId.CLAIM_ELIGIBLE: "claim only for LDSOs where your group has envelopes, before M14, and an incident once",
    RuleId.BULK_COA_FORM: "return the bulk change of agent plan the MCC issued to your group, filled in where it "
                          "asks",
    RuleId.BULK_COA_PLAN: "give the reference, reason and owner, and on each line a working day, an LDSO, a whole "
                          "number of MPANs and the old and new agents' MPIDs",
    RuleId.BULK_COA_NOTICE: "send the plan at least three months before its first day, or move its days later",
}


def friendly_time(stamp: str) -> str:
    """An ISO 8601 time as a person reads it ("Mon 04 Jan 2027 10:00 UTC"); text that is not one, unchanged."""
    try:
        at = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp
    offset = at.utcoffset()
    zone = "" if offset is None else " UTC" if not offset else f" (UTC{at:%z})"
    return f"{at:%a %d %b %Y %H:%M}{zone}"
