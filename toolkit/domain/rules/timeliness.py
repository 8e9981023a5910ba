"""timeliness.late (Choreography 3.6, 4.4; Foundations 6.5): a plan is due by the end of its sprint's supplier plan
submission deadline. One received later is marked late: a warning by default (the plan is still judged and may
count), an error that refuses it where the MCC sets ``[submission] late_severity = "error"``. A file judged with no
time of receipt (``mcc validate``) is not judged on time."""

from __future__ import annotations

from toolkit.domain.findings import Finding, RuleId, finding
from toolkit.domain.rules.case import PlanCase
from toolkit.domain.rules.registry import family
from toolkit.domain.rules.values import DAY


def _judged_on_time(case: PlanCase) -> bool:
    return case.judgeable and case.received_on is not None


@family("timeliness", emits=(RuleId.TIMELINESS_LATE,), when=_judged_on_time)
def timeliness(case: PlanCase) -> list[Finding]:
    deadline = case.content.sprint.submission_deadline
    received = case.received_on
    if received <= deadline:
        return []
    late = (received - deadline).days
    return [finding(RuleId.TIMELINESS_LATE,
                    f"received on {received:{DAY}}, {late} day{'s' if late != 1 else ''} after the submission deadline "
                    f"of sprint {case.content.sprint.sprint} ({deadline:{DAY}}).",
                    case.parameters.submission.late_severity, date=received,
                    hint="return plans by the deadline; a late plan may miss the draft schedule and the UCA report")]
