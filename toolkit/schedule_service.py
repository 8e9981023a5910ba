"""From the ledger's accepted plans to the consolidated schedule (issue 6): which plans count, read from the
archived original bytes (never from the inbox), on the axes of ``toolkit.domain.schedule``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from toolkit.config import Config
from toolkit.domain.envelopes import Envelopes
from toolkit.domain.rules import AGENT_FORECAST, PLAN_DAILY, PLAN_WEEKLY, read_numbers
from toolkit.domain.schedule import GroupPlan, Schedule, breaches, consolidate
from toolkit.domain.sprints import Sprint
from toolkit.inbox.ledger import Ledger
from toolkit.inbox.pipeline import LEDGER
from toolkit.workspace import Workspace


@dataclass(frozen=True)
class AcceptedPlan:
    group: str
    submission_id: int
    version: int | None
    received_at: str
    archive: Path
    plan: GroupPlan
    agents: list[tuple[str, str, np.ndarray]]  # (provider MPID, role, weekly forecast over the plan's weeks)


def accepted_plans(workspace: Workspace, config: Config, cycle: str) -> list[AcceptedPlan]:
    """The current plan (latest accepted submission) of every group that has one for the cycle."""
    from toolkit.excel.reader import read_template

    ledger = Ledger(workspace.workbooks / LEDGER)
    out = []
    for g in config.industry.groups:
        row = ledger.current_plan(cycle, g.mpid)
        if row is None or not row.archive_path:
            continue
        archive = workspace.root / row.archive_path
        sub = read_template(archive, row.original_name)
        weekly, _ = read_numbers(sub.grids[PLAN_WEEKLY], "weekly plan")
        daily = read_numbers(sub.grids[PLAN_DAILY], "daily plan")[0] if PLAN_DAILY in sub.grids else None
        plan = GroupPlan(g.mpid, list(sub.grids[PLAN_WEEKLY].keys), weekly, daily)
        agents = []
        if AGENT_FORECAST in sub.grids:
            grid = sub.grids[AGENT_FORECAST]
            forecast, _ = read_numbers(grid, "agent forecast")
            for c, mpid in enumerate(grid.keys):
                role = grid.roles[c].upper() if c < len(grid.roles) else ""
                if mpid and forecast[:, c].any():
                    agents.append((mpid.strip().upper(), role, forecast[:, c].copy()))
        out.append(AcceptedPlan(g.mpid, row.id, row.version, row.received_at, archive, plan, agents))
    return out


@dataclass
class Consolidation:
    sprint: Sprint
    schedule: Schedule
    plans: list[AcceptedPlan]
    breaches: list
    missing: list[str]  # groups without an accepted plan


def consolidation(workspace: Workspace, config: Config, env: Envelopes, sprint: Sprint) -> Consolidation:
    plans = accepted_plans(workspace, config, sprint.cycle)
    schedule = consolidate(env, sprint, [p.plan for p in plans])
    have = {p.group for p in plans}
    return Consolidation(sprint, schedule, plans, breaches(schedule),
                         [g.mpid for g in config.industry.groups if g.mpid not in have])
