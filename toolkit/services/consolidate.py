"""From the ledger's accepted plans to the consolidated schedule (issue 6): which plans count, read from the
archived original bytes (never from the inbox), on the axes of ``toolkit.domain.schedule``; and the MCC's draft
schedule workbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from toolkit.clock import stamp
from toolkit.domain.rules import AGENT_FORECAST, PLAN_DAILY, PLAN_WEEKLY, read_numbers
from toolkit.domain.schedule import Breach, GroupPlan, Schedule, breaches, consolidate
from toolkit.domain.sprints import Sprint
from toolkit.excel.reader import read_template
from toolkit.excel.writers.schedule import write_schedule_workbook
from toolkit.services.context import Context
from toolkit.store.versions import next_version, versioned


@dataclass(frozen=True)
class AcceptedPlan:
    group: str
    submission_id: int
    version: int | None
    received_at: datetime
    archive: Path
    plan: GroupPlan
    agents: list[tuple[str, str, np.ndarray]]  # (provider MPID, role, weekly forecast over the plan's weeks)


def accepted_plans(ctx: Context, cycle: str) -> list[AcceptedPlan]:
    """The current plan (latest accepted submission) of every group that has one for the cycle."""
    ledger = ctx.ledger
    out = []
    for g in ctx.config.industry.groups:
        row = ledger.current_plan(cycle, g.mpid)
        if row is None or not row.archive_path:
            continue
        archive = ctx.workspace.root / row.archive_path
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
    breaches: list[Breach]
    missing: list[str]  # groups without an accepted plan


def consolidation(ctx: Context, sprint: Sprint) -> Consolidation:
    plans = accepted_plans(ctx, sprint.cycle)
    schedule = consolidate(ctx.envelopes(), sprint, [p.plan for p in plans])
    have = {p.group for p in plans}
    return Consolidation(sprint, schedule, plans, breaches(schedule),
                         [g.mpid for g in ctx.config.industry.groups if g.mpid not in have])


def write_schedule(ctx: Context, sprint: Sprint, stem: str, s: Schedule, found: list[Breach], missing: list[str],
                   what: str) -> Path:
    """A versioned schedule workbook ``workbooks/<cycle>/schedule/<stem>_vNN.xlsx`` (internal to the MCC)."""
    folder = ctx.workspace.schedule_dir(sprint.cycle)
    folder.mkdir(parents=True, exist_ok=True)
    version = next_version(folder, stem)
    return write_schedule_workbook(folder / versioned(stem, version), s, found, missing, ctx.group_names,
                                   f"{what}, sprint {sprint.sprint} ({sprint.cycle}), version {version}",
                                   stamp(ctx.clock.now()))


def consolidate_schedule(ctx: Context, sprint: Sprint) -> tuple[Consolidation, Path]:
    """The draft schedule of the cycle from the accepted plans, and its versioned MCC workbook."""
    result = consolidation(ctx, sprint)
    path = write_schedule(ctx, sprint, "draft_schedule", result.schedule, result.breaches, result.missing,
                          "Draft migration schedule")
    return result, path
