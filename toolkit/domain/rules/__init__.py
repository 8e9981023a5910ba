"""The rules a returned file is judged by, one module per family of rules (METHOD 7 for plans, METHOD 8 for UCA
requests, METHOD 9 for outturn), and the registry that knows which rule ids each family emits and runs them in a
fixed order (``registry``). The catalogue of rule ids is ``toolkit.domain.findings``.

Modules: ``identity`` (identity.template), ``layout`` (structure.layout), ``values`` (value.integer, and how a cell
is read), ``weekly`` (the weekly plan's limits, completeness, ramp-up and core window), ``daily`` (the daily plan's
limits, daily.required, daily.matches-weekly), ``de_minimis`` (de-minimis.spread), ``fast_feedback``, ``agents``,
``uca`` (UCA requests), ``outturn`` (outturn files); ``plan`` runs the plan families, ``case`` holds what a plan or
request is judged on.
"""

from toolkit.domain.rules.bulk_coa import BULK_COA, check_bulk_plan
from toolkit.domain.rules.case import Identity, Judgement, PlanCase
from toolkit.domain.rules.claim import CLAIM, check_claim
from toolkit.domain.rules.identity import check_identity, group_in_doubt
from toolkit.domain.rules.layout import check_structure
from toolkit.domain.rules.outturn import OUTTURN, check_cohorts, check_outturn
from toolkit.domain.rules.plan import PLAN, validate
from toolkit.domain.rules.registry import Family, Registry, UndeclaredRule, family
from toolkit.domain.rules.sheets import AGENT_FORECAST, FAST_FEEDBACK, PLAN_DAILY, PLAN_WEEKLY, SHEETS, UCA_REQUEST
from toolkit.domain.rules.uca import REQUEST, RequestCase, RequestForm, disclosure_counts, validate_request
from toolkit.domain.rules.values import DAY, read_numbers

REGISTRIES = (PLAN, REQUEST, OUTTURN, CLAIM, BULK_COA)

__all__ = ["AGENT_FORECAST", "BULK_COA", "CLAIM", "DAY", "FAST_FEEDBACK", "OUTTURN", "PLAN", "PLAN_DAILY",
           "PLAN_WEEKLY", "REGISTRIES", "REQUEST", "SHEETS", "UCA_REQUEST", "Family", "Identity", "Judgement",
           "PlanCase", "Registry", "RequestCase", "RequestForm", "UndeclaredRule", "check_bulk_plan", "check_claim",
           "check_cohorts", "check_identity", "check_outturn", "check_structure", "disclosure_counts", "family",
           "group_in_doubt", "read_numbers", "validate", "validate_request"]
