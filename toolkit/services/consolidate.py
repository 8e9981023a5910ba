"""From the ledger's accepted plans to the consolidated schedule (issue 6): which plans count, read from the
archived original bytes (never from the inbox), on the axes of ``toolkit.domain.schedule``; and the MCC's draft
schedule workbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from toolkit.clock import stamp
from toolkit.domain.rules import AGENT_FORECAST, PLAN_DAILY, PLAN_WEEKLY, UCA_REQUEST, read_numbers
from toolkit.domain.rules.values import as_date
from toolkit.domain.schedule import Breach, GroupPlan, Schedule, breaches, consolidate
from toolkit.domain.sprints import Sprint
from toolkit.domain.status import Kind
from toolkit.domain.submission import Submission
from toolkit.excel.reader import read_template
from toolkit.excel.writers.schedule import write_schedule_workbook
from toolkit.services.context import Context
from toolkit.store.ledger import PlanFigures, Row
from toolkit.store.registers import read_register
from toolkit.store.versions import next_version, versioned


@dataclass(frozen=True)
class AcceptedPlan:
    group: str
    submission_id: int
    version: int | None
    received_at: datetime
    archive: Path | None  # None: a plan recorded by its figures only (a rehearsal's)
    plan: GroupPlan
    agents: list[tuple[str, str, np.ndarray]]  # (provider MPID, role, weekly forecast over the plan's weeks)


def plan_figures(sub: Submission) -> PlanFigures:
    """The figures of a returned plan workbook (bad cells as 0): weekly, daily and the agent forecasts."""
    wgrid = sub.grids[PLAN_WEEKLY]
    weekly, _ = read_numbers(wgrid, "weekly plan")
    daily, days_from = None, None
    if PLAN_DAILY in sub.grids:
        daily = read_numbers(sub.grids[PLAN_DAILY], "daily plan")[0]
        days_from = as_date(sub.grids[PLAN_DAILY].dates[0]) if sub.grids[PLAN_DAILY].dates else None
    agents = []
    if AGENT_FORECAST in sub.grids:
        grid = sub.grids[AGENT_FORECAST]
        forecast, _ = read_numbers(grid, "agent forecast")
        for c, mpid in enumerate(grid.keys):
            role = grid.roles[c].upper() if c < len(grid.roles) else ""
            if mpid and forecast[:, c].any():
                agents.append((mpid.strip().upper(), role, forecast[:, c].copy()))
    weeks_from = as_date(wgrid.dates[0]) if wgrid.dates else None
    return PlanFigures(tuple(wgrid.keys), weeks_from, weekly, days_from, daily, tuple(agents))


# figures of accepted submissions by (ledger, submission id): a submission never changes once judged
_FIGURES: dict[tuple[str, int], PlanFigures] = {}


def figures_of(ctx: Context, row: Row) -> PlanFigures:
    """The figures of an accepted submission: kept in the ledger when it was judged; read from its archived bytes
    (and kept) for one judged before the ledger kept figures."""
    key = (str(ctx.workspace.ledger), row.id)
    if key not in _FIGURES:
        ledger = ctx.ledger
        found = ledger.figures(row.id)
        if found is None:
            sub = read_template(ctx.workspace.root / row.archive_path, row.original_name)
            found = plan_figures(sub) if row.kind == Kind.PLAN else request_figures(sub)
            ledger.store_figures(row.id, found)
        if len(_FIGURES) > 20_000:
            _FIGURES.clear()
        _FIGURES[key] = found
    return _FIGURES[key]


def request_figures(sub: Submission) -> PlanFigures:
    """The figures of a returned UCA request workbook: its grid, by LDSO, from its first day."""
    grid = sub.grids[UCA_REQUEST]
    values, _ = read_numbers(grid, "UCA request")
    return PlanFigures(tuple(grid.keys), None, None, as_date(grid.dates[0]) if grid.dates else None, values)


def accepted_plans(ctx: Context, cycle: str) -> list[AcceptedPlan]:
    """The current plan (latest accepted submission) of every group that has one for the cycle."""
    ledger = ctx.ledger
    out = []
    for g in ctx.config.industry.groups:
        row = ledger.current_plan(cycle, g.mpid)
        if row is None or (not row.archive_path and ledger.figures(row.id) is None):
            continue
        figures = figures_of(ctx, row)
        plan = GroupPlan(g.mpid, list(figures.ldsos), figures.weekly, figures.daily)
        out.append(AcceptedPlan(g.mpid, row.id, row.version, row.received_at,
                                ctx.workspace.root / row.archive_path if row.archive_path else None, plan,
                                [(m, role, w.copy()) for m, role, w in figures.agents]))
    return out


@dataclass
class Consolidation:
    sprint: Sprint
    schedule: Schedule
    plans: list[AcceptedPlan]
    breaches: list[Breach]
    missing: list[str]  # groups without an accepted plan


def missing_inputs(ctx: Context, sprint: Sprint, step: str) -> str | None:
    """Why ``step`` (consolidation, the UCA report, the draft publication) makes no sense for the sprint yet, with
    the way forward; None when it has what it needs: templates issued and at least one plan accepted."""
    issued = {t.group for t in read_register(ctx.workspace.templates_dir(sprint.cycle))}
    if not issued:
        return (f"no templates issued for {sprint.cycle}: nothing to {step}. Issue them (mcc templates --cycle "
                f"{sprint.cycle}), collect the returns (mcc watch), then {step}")
    accepted = [] if not ctx.workspace.ledger.exists() else [
        g for g in sorted(issued) if ctx.ledger.current_plan(sprint.cycle, g) is not None]
    if not accepted:
        return (f"no plan accepted for {sprint.cycle} yet (templates issued to {len(issued)} group"
                f"{'s' if len(issued) != 1 else ''}, none returned and accepted): nothing to {step}. Take in the "
                f"returns (mcc watch --once) and check them (mcc status --cycle {sprint.cycle}) first")
    return None


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
