"""agents.forecast (METHOD 7; F5.2.10): each role's service-provider forecasts add up to the week's plan, with the
providers and their roles named. A warning while agents are unknown, as METHOD 7 says; forecast cells that are
not whole numbers are reported under this rule too (value.integer is for plan cells)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from toolkit.domain.findings import Finding, RuleId, finding
from toolkit.domain.industry import AGENT_ROLES
from toolkit.domain.rules.case import PlanCase
from toolkit.domain.rules.registry import family
from toolkit.domain.rules.sheets import AGENT_FORECAST
from toolkit.domain.rules.values import DAY, read_numbers
from toolkit.domain.submission import Grid, a1
from toolkit.domain.template import TemplateContent


@family("agent forecasts", emits=(RuleId.AGENTS_FORECAST,),
        when=lambda case: case.grids_ok.get(AGENT_FORECAST) and case.weekly is not None)
def agent_forecasts(case: PlanCase) -> list[Finding]:
    return _agents(case.content, case.sub.grids[AGENT_FORECAST], case.weekly)


@family("agents ready", emits=(RuleId.AGENTS_READY,),
        when=lambda case: case.grids_ok.get(AGENT_FORECAST) and case.content is not None)
def agents_ready(case: PlanCase) -> list[Finding]:
    """F5.2.10: "during migration they will need to ensure they only migrate MPANs with Agents that are 'migration
    ready'". A week is before an agent's ``ready_from`` when its last day (Sunday) is; a forecast there is an
    error, one finding per agent at its first such week."""
    content, grid = case.content, case.sub.grids[AGENT_FORECAST]
    ready = {a.mpid: a.ready_from for a in content.agents if a.ready_from is not None}
    forecast, _ = read_numbers(grid, "agent forecast")
    out: list[Finding] = []
    for c, key in enumerate(grid.keys):
        since = ready.get(str(key or "").strip().upper())
        if since is None:
            continue
        early = [r for r, week in enumerate(content.weeks[:len(forecast)])
                 if week + timedelta(days=6) < since and forecast[r, c] > 0]
        if early:
            r = early[0]
            total = int(sum(forecast[k, c] for k in early))
            out.append(finding(RuleId.AGENTS_READY,
                               f"{key} is migration ready from {since:{DAY}}, but {total:,} migrations are forecast "
                               f"for it before then ({len(early)} week{'s' if len(early) > 1 else ''}, first the "
                               f"week of {content.weeks[r]:{DAY}}).", sheet=grid.area.sheet, cell=grid.cell(r, c),
                               date=content.weeks[r], value=int(forecast[r, c]),
                               hint=f"move these migrations to a provider that is ready, or to {since:{DAY}} or "
                                    "later"))
    return out


def _agents(content: TemplateContent, grid: Grid, weekly: np.ndarray) -> list[Finding]:
    out: list[Finding] = []
    forecast, bad = read_numbers(grid, "agent forecast")
    out += [finding(RuleId.AGENTS_FORECAST, f.message, sheet=f.sheet, cell=f.cell, value=f.value, hint=f.hint)
            for f in bad]
    named = [(c, k, (grid.roles[c] if c < len(grid.roles) else "").upper()) for c, k in enumerate(grid.keys) if k]
    if not named:
        return out + [finding(RuleId.AGENTS_FORECAST, "no service providers are listed: name your data service and "
                              "metering service providers and forecast their weekly volumes.",
                              sheet=grid.area.sheet)]
    for c, key, role in named:
        if role not in AGENT_ROLES:
            out.append(finding(RuleId.AGENTS_FORECAST, f"provider {key} has role {role or '(blank)'!r}; the roles are "
                               f"{', '.join(AGENT_ROLES)}.", sheet=grid.area.sheet,
                               cell=_above(grid, c)))
    totals = weekly.sum(axis=1)
    for role, title in AGENT_ROLES.items():
        cols = [c for c, _, r in named if r == role]
        if not cols:
            out.append(finding(RuleId.AGENTS_FORECAST, f"no {title.lower()} ({role}) provider is listed.",
                               sheet=grid.area.sheet))
            continue
        sums = forecast[:, cols].sum(axis=1)
        wrong = [r for r in range(len(totals)) if r < len(sums) and sums[r] != totals[r]]
        if wrong:
            r = wrong[0]
            out.append(finding(RuleId.AGENTS_FORECAST,
                               f"{title} ({role}) forecasts do not add up to the week's plan in "
                               f"{len(wrong)} week{'s' if len(wrong) > 1 else ''}, first the week of "
                               f"{content.weeks[r]:{DAY}}: {int(sums[r]):,} forecast, {int(totals[r]):,} planned.",
                               sheet=grid.area.sheet, cell=grid.cell(r, cols[0]), date=content.weeks[r]))
    return out


def _above(grid: Grid, c: int) -> str:
    return a1(grid.area.top - 2, grid.area.left + c)
