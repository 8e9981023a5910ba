"""The publication set of a cycle, draft (accepted plans) or baseline (plans and UCA grants), versioned under
``workbooks/<cycle>/publication/<stage>_vNN/`` (Choreography 3.2.3; METHOD 8)."""

from __future__ import annotations

import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from toolkit.domain.disclosure import agent_figures, disclosure_rule, publication_masks
from toolkit.domain.sprints import Sprint
from toolkit.errors import UsageError
from toolkit.excel.writers.publication import write_agent, write_group, write_industry, write_ldso
from toolkit.services.consolidate import consolidation
from toolkit.services.context import Context
from toolkit.services.uca import current_schedule, snapshot
from toolkit.store.versions import next_version, versioned

STAGES = ("draft", "baseline")


@dataclass
class Publication:
    stage: str
    version: int
    folder: Path
    files: list[Path] = field(default_factory=list)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name)[:40] or "x"


def _write(job: tuple) -> Path:
    writer, args = job
    return writer(*args)


def write_all(jobs: list[tuple], workers: int | None = None) -> list[Path]:
    """Run the writers, in a pool of processes (forked: the arguments are small arrays) when there are many."""
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    if workers > 1 and len(jobs) >= 8 and "fork" in multiprocessing.get_all_start_methods():
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_write, jobs, chunksize=4))
    return [_write(job) for job in jobs]


def publish(ctx: Context, sprint: Sprint, stage: str, workers: int | None = None) -> Publication:
    if stage not in STAGES:
        raise UsageError(f"--stage must be one of {', '.join(STAGES)}, not {stage!r}")
    if stage == "baseline":
        if snapshot(ctx.workspace, sprint.cycle) is None:
            raise UsageError(f"no unused capacity report for {sprint.cycle}: run mcc uca report and mcc uca allocate "
                             "before publishing the baseline")
        s, alloc, result = current_schedule(ctx, sprint)
        draft, grants = result.schedule, alloc.all_grants
    else:
        result = consolidation(ctx, sprint)
        s = draft = result.schedule
        grants = np.zeros_like(s.daily)
    config = ctx.config
    minimum = config.parameters.capacity.disclosure_minimum
    base = ctx.workspace.publication_dir(sprint.cycle)
    base.mkdir(parents=True, exist_ok=True)
    version = next_version(base, stage, "")
    folder = base / versioned(stage, version, "")
    pub = Publication(stage, version, folder)
    title = f"{'Baseline' if stage == 'baseline' else 'Draft'} migration schedule, sprint {sprint.sprint} " \
            f"({sprint.cycle}), version {version}"
    pub.files = write_all(_jobs(config, s, draft if stage == "baseline" else None, grants, result.plans, folder,
                                title, minimum), workers)
    return pub


def _jobs(config, s, draft, grants: np.ndarray, plans, folder: Path, title: str, minimum: int) -> list[tuple]:
    """The writers of the publication set and their arguments: industry, per LDSO, per group, per agent."""
    ldso_weekly, ldso_daily = s.ldso_weekly, s.ldso_daily  # (L, W), (L, D)
    jobs: list[tuple] = []  # (writer, arguments): written together at the end, in a pool
    rule = disclosure_rule(config.parameters, config.industry)
    hidden = publication_masks(s, rule, draft=draft)
    jobs.append((write_industry, (
        folder / "industry_schedule.xlsx", title, s.weeks, s.days, s.ldsos, ldso_weekly, hidden["ldso_weekly"],
        ldso_daily, hidden["ldso_daily"], s.national_weekly, hidden["national_weekly"], s.national_daily,
        hidden["national_daily"], minimum)))
    for j, ldso in enumerate(s.ldsos):
        jobs.append((write_ldso, (
            folder / "ldso" / f"{_safe(ldso)}.xlsx", title, ldso, s.weeks, s.days, ldso_weekly[j],
            hidden["ldso_weekly"][j], ldso_daily[j], hidden["ldso_daily"][j], minimum)))
    for i, group in enumerate(s.groups):
        if not s.planned[i] and not grants[i].any():
            continue
        cols = [j for j in range(len(s.ldsos)) if s.weekly[i, j].any() or s.daily[i, j].any()
                or config.industry.group_portfolio.get((group, s.ldsos[j]))]
        jobs.append((write_group, (
            folder / "group" / f"{_safe(group)}.xlsx", title, group, [s.ldsos[j] for j in cols], s.weeks, s.days,
            s.weekly[i][cols], s.daily[i][cols], grants[i][cols], ldso_weekly[cols], hidden["ldso_weekly"][cols],
            ldso_daily[cols], hidden["ldso_daily"][cols], minimum)))
    # agents: every group's forecasts for the provider, summed per week, counted by distinct group
    names = {a.mpid: a.name for a in config.industry.agents}
    forecasts = [(plan.group, mpid, role, weekly) for plan in plans for mpid, role, weekly in plan.agents]
    for (mpid, role), (total, hidden_weeks) in agent_figures(forecasts, len(s.weeks), minimum,
                                                                   dict(rule.owner_of)).items():
        jobs.append((write_agent, (
            folder / "agent" / f"{_safe(mpid)}_{_safe(role)}.xlsx", title, mpid,
            names.get(mpid, "(named by a supplier)"), role, s.weeks, total, hidden_weeks, minimum)))
    return jobs
