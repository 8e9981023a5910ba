"""Sprints played without workbooks (issue 15): plans recorded by their figures and outturn by its cohorts, so the
demo can start where the programme is and a rehearsal can run every sprint quickly. The same services as the
commands decide what each sprint plans: the portfolio left (``services.programme``), the template content with its
carried-over plan (``services.issue``), the schedule as it stands (``services.uca.current_schedule``).

- ``sample_plans``: each group's plan for a sprint as a careful supplier would return it (``domain.sample_plan``);
- ``record_plans``: accepted plans by their figures, as the inbox would have accepted them;
- ``record_migrations``: outturn by group, LDSO and day, split over the group's supplier MPIDs by portfolio;
- ``play_sprints``: every sprint before a given one, in order: outturn up to each sprint's envelope issue day, then
  its plans; finally the outturn up to the given sprint's envelope issue day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from toolkit.clock import Clock
from toolkit.domain.monitoring import Cohort
from toolkit.domain.programme import PortfolioBasis
from toolkit.domain.sample_plan import sample_plan
from toolkit.domain.schedule import Schedule
from toolkit.domain.sprints import Sprint
from toolkit.services.context import Context
from toolkit.services.issue import template_contents
from toolkit.services.programme import portfolio_basis
from toolkit.services.uca import current_schedule
from toolkit.store.ledger import PlanFigures

# outturn of a sprint's days: (planned (G, L, D), the days) -> migrated (G, L, D)
Deviate = Callable[[np.ndarray, list[date]], np.ndarray]


@dataclass(frozen=True)
class PlayedSprint:
    """What playing one sprint recorded."""

    sprint: Sprint
    plans: int  # groups with a plan recorded
    planned: int  # MPANs planned in the sprint's execution
    remaining: int  # the portfolio left on its execution start, as worked out on its envelope issue day
    infeasible_pairs: int  # group and LDSO pairs whose limits to M15 could not hold what was left
    migrated: int = 0  # outturn recorded for its days (those before the next envelope issue)


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def sample_plans(ctx: Context, sprint: Sprint, as_of: date | None = None, groups: list[str] | None = None,
                 basis: PortfolioBasis | None = None) -> tuple[dict[str, PlanFigures], int, int]:
    """Each group's sample plan for the sprint, on the content its template would hold on ``as_of`` (default: the
    sprint's envelope issue day): {group: figures}, the portfolio left and the infeasible pairs. ``basis``: the
    portfolio left as already worked out on ``as_of`` (the templates issued that day), not worked out again."""
    as_of = as_of or sprint.envelope_issue
    at = ctx.on(Clock.at(_noon(as_of), as_of))
    basis = basis if basis is not None else portfolio_basis(at, sprint, as_of)
    wanted = groups or [g.mpid for g in ctx.config.industry.groups]
    contents = template_contents(at, sprint, wanted, basis, carry=False)  # a sample plan is made afresh
    out = {}
    for group, content in contents.items():
        plan = sample_plan(content, ctx.config.parameters)
        out[group] = PlanFigures(
            tuple(content.ldso_mpids), content.weeks[0] if content.weeks else None, plan.weekly,
            content.days[0] if plan.daily is not None and content.days else None, plan.daily,
            tuple((a.mpid, a.role, plan.agents[:, k].copy()) for k, a in enumerate(content.agents)))
    infeasible = sum(len(c.infeasible) for c in contents.values())
    return out, int(sum(int(basis.remaining[basis.groups.index(g)].sum()) for g in wanted)), infeasible


def record_plans(ctx: Context, sprint: Sprint, plans: dict[str, PlanFigures], at: datetime) -> list[int]:
    """Record each plan as the group's accepted plan for the sprint (by its figures, without a workbook)."""
    return ctx.ledger.record_plans(sprint.cycle, plans, f"{{group}} plan {sprint.cycle} (figures)", at)


def record_migrations(ctx: Context, groups: list[str], ldsos: list[str], days: list[date], migrated: np.ndarray,
                      at: datetime, name: str) -> int:
    """Outturn of ``migrated`` (G, L, D) initiated on ``days``: each group's figure split over its supplier MPIDs by
    portfolio, effective after the default activation offset, completed in full. Returns the MPANs recorded."""
    config = ctx.config
    industry, calendar = config.industry, config.calendar
    mao = config.parameters.activation.mao_default
    effective = {d: calendar.add_working_days(d, mao) for d in days}
    cohorts = []
    for i, j in zip(*np.nonzero(migrated.sum(axis=2)), strict=True):
        members = industry.group_by_mpid[groups[i]].suppliers
        suppliers = [s for s in members if industry.portfolio.get((s, ldsos[j]))] or list(members)
        w = np.array([industry.portfolio.get((s, ldsos[j]), 0) for s in suppliers], dtype=np.float64)
        share = w / w.sum() if w.sum() else np.full(len(w), 1 / len(w))
        n = np.maximum(migrated[i, j], 0)
        split = np.floor(n[:, None] * share[None, :]).astype(np.int64)  # (D, suppliers)
        split[:, int(np.argmax(share))] += n - split.sum(axis=1)
        for k, c in zip(*np.nonzero(split), strict=True):
            m = int(split[k, c])
            cohorts.append(Cohort(suppliers[c], ldsos[j], days[k], effective[days[k]], m, m))
    if cohorts:
        ctx.ledger.record_outturn(cohorts, name, at)
    return int(sum(c.initiations for c in cohorts))


def as_planned(planned: np.ndarray, _days: list[date]) -> np.ndarray:
    """Outturn exactly as planned."""
    return planned


def play_sprints(ctx: Context, until: Sprint, deviate: Deviate = as_planned,
                 progress: Callable[[PlayedSprint], None] | None = None) -> list[PlayedSprint]:
    """Play every sprint whose execution starts before ``until``'s, in order, without workbooks: on each sprint's
    envelope issue day the outturn of the days before it (the schedules as they stand, through ``deviate``), then
    the sample plan on the portfolio left of every group migrating by its execution end (of every group for the
    last sprint before ``until``, whose plans carry over), accepted. Finally the outturn of the days before ``until``'s
    envelope issue day, so that its templates start from the remaining portfolios and carry the plans over."""
    sprints = sorted((s for s in ctx.config.calendar.sprints if s.execution_start < until.execution_start),
                     key=lambda s: s.execution_start)
    schedules: list[tuple[Sprint, Schedule]] = []
    held = ctx.config.calendar.m11  # outturn recorded for the days before this
    played: list[PlayedSprint] = []
    for s in [*sprints, until]:
        held, migrated = _outturn_until(ctx, schedules, held, s.envelope_issue, deviate)
        played = [_with_migrated(p, migrated) for p in played]
        if s is until:
            break
        plans, remaining, infeasible = sample_plans(ctx, s, groups=_planning(ctx, s, last=s is sprints[-1]))
        record_plans(ctx, s, plans, _noon(s.submission_deadline - timedelta(days=1)))
        schedule, _, _ = current_schedule(ctx, s)
        schedules.append((s, schedule))
        played.append(PlayedSprint(s, len(plans), int(schedule.daily.sum()), remaining, infeasible))
        if progress is not None:
            progress(played[-1])
    return played


def _planning(ctx: Context, sprint: Sprint, last: bool) -> list[str] | None:
    """The groups whose plans are played for a sprint: those migrating by its execution end (the others' plans
    would migrate nothing in it); every group for the last sprint played, whose plans carry over."""
    if last:
        return None
    return [ph.group for ph in ctx.envelopes().phases if ph.migration_start <= sprint.execution_end]


def _with_migrated(p: PlayedSprint, migrated: dict[str, int]) -> PlayedSprint:
    return PlayedSprint(p.sprint, p.plans, p.planned, p.remaining, p.infeasible_pairs,
                        p.migrated + migrated.get(p.sprint.cycle, 0))


def _outturn_until(ctx: Context, schedules: list[tuple[Sprint, Schedule]], since: date, until: date,
                   deviate: Deviate) -> tuple[date, dict[str, int]]:
    """Record the outturn of the days from ``since`` to the day before ``until`` from the schedules of the sprints
    they belong to; returns the new 'held until' day and the MPANs recorded per cycle."""
    out: dict[str, int] = {}
    if until <= since:
        return since, out
    for s, schedule in schedules:
        ks = [k for k, d in enumerate(schedule.days) if since <= d < until]
        if not ks:
            continue
        days = [schedule.days[k] for k in ks]
        migrated = np.asarray(deviate(schedule.daily[:, :, ks], days), dtype=np.int64)
        out[s.cycle] = out.get(s.cycle, 0) + record_migrations(
            ctx, schedule.groups, schedule.ldsos, days, migrated, _noon(until), f"outturn {s.cycle} {days[0]} to "
            f"{days[-1]} (played)")
    return until, out
