"""The submission rules of METHOD 7 applied to a returned plan: the families in the order they run. Pure: the
figures to judge against (``TemplateContent``) are recalculated from the configuration by the caller, never read
from the returned file; the facts about the file's identity (signature, register) are established by the caller
too. Every family yields findings; ``validate`` collects them all."""

from __future__ import annotations

from datetime import date

from toolkit.domain.parameters import Parameters
from toolkit.domain.rules.agents import agent_forecasts, agents_ready
from toolkit.domain.rules.case import Identity, Judgement, PlanCase
from toolkit.domain.rules.daily import daily_matches_weekly, daily_plan, daily_required
from toolkit.domain.rules.de_minimis import de_minimis_spread
from toolkit.domain.rules.fast_feedback import fast_feedback_limits
from toolkit.domain.rules.identity import template_identity
from toolkit.domain.rules.layout import plan_layout
from toolkit.domain.rules.registry import Registry
from toolkit.domain.rules.sites import complex_sites
from toolkit.domain.rules.timeliness import timeliness
from toolkit.domain.rules.values import plan_numbers
from toolkit.domain.rules.weekly import weekly_plan
from toolkit.domain.submission import Submission
from toolkit.domain.template import TemplateContent

PLAN = Registry("plan", (template_identity, timeliness, plan_layout, plan_numbers, weekly_plan, daily_plan,
                         daily_required, daily_matches_weekly, de_minimis_spread, fast_feedback_limits,
                         agent_forecasts, agents_ready, complex_sites))


def validate(sub: Submission, facts: Identity, content: TemplateContent | None, parameters: Parameters,
             exemptions: frozenset[tuple[str, date]] = frozenset(), received_on: date | None = None) -> Judgement:
    """Every rule of METHOD 7. ``content`` is None when the file's group or cycle is unknown (then only the
    identity findings can be given); ``received_on``: the day the inbox received it (None: not judged on time)."""
    case = PlanCase(sub, facts, content, parameters, exemptions, received_on)
    findings = PLAN.run(case)
    return Judgement(findings, case.weekly, case.daily, case.grids_ok)
