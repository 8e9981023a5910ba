"""The input areas of the returned workbooks, by the defined names the templates give them, and the sheets that
hold them (the contract ``toolkit.excel.contract`` writes; the rules name sheets in their findings)."""

from __future__ import annotations

PLAN_WEEKLY, PLAN_DAILY, AGENT_FORECAST, FAST_FEEDBACK = "PlanWeekly", "PlanDaily", "AgentForecast", "FastFeedback"
SHEETS = {PLAN_WEEKLY: "Weekly plan", PLAN_DAILY: "Daily plan", AGENT_FORECAST: "Agents",
          FAST_FEEDBACK: "Fast feedback"}
UCA_REQUEST = "UcaRequest"
SITE_PLAN, SITES_SHEET = "SitePlan", "Sites"  # only in the templates of groups with complex sites (F5.7)
