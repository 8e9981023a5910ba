"""The programme's success criteria (``mcc monitor success``, Foundations 7) and the sprint review (``mcc review``,
Foundations 5.4): the agreed plan of every sprint executed so far (its schedule as it stands: accepted plans, UCA
grants, notified shortfalls) against the outturn the ledger holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from toolkit.clock import stamp
from toolkit.domain import monitoring as M
from toolkit.domain import review as R
from toolkit.domain import success as S
from toolkit.domain.schedule import Schedule
from toolkit.domain.sprints import Sprint
from toolkit.errors import UsageError
from toolkit.excel.writers.review import write_review_workbook
from toolkit.excel.writers.success import write_success_workbook
from toolkit.services.context import Context
from toolkit.services.issue import current_templates
from toolkit.services.monitor import stored_cohorts
from toolkit.services.status import submission_status
from toolkit.services.uca import current_schedule
from toolkit.store.versions import next_version, versioned


@dataclass
class Standing:
    """A sprint's schedule as it stands and the grants in it, on the sprint's days."""

    schedule: Schedule
    granted: np.ndarray  # (G, L, D)


@dataclass
class AgreedPlan:
    """The agreed plan of every day from M11 to ``days[-1]``: the schedule of the sprint executing that day."""

    days: list[date]
    groups: list[str]
    ldsos: list[str]
    planned: np.ndarray  # (G, L, D)
    sprints: list[Sprint]  # executed, in part at least, by days[-1]
    standing: dict[str, Standing] = field(default_factory=dict)


def standing_of(ctx: Context, sprint: Sprint, cache: dict[str, Standing] | None = None) -> Standing:
    """The sprint's schedule as it stands (from ``cache`` when it holds the cycle: a rehearsal keeps the schedules
    of the sprints it has finished)."""
    if cache is not None and sprint.cycle in cache:
        return cache[sprint.cycle]
    s, alloc, _ = current_schedule(ctx, sprint)
    granted = alloc.all_grants if alloc is not None else np.zeros_like(s.daily)
    out = Standing(s, granted)
    if cache is not None:
        cache[sprint.cycle] = out
    return out


def agreed_plan(ctx: Context, last: date, cache: dict[str, Standing] | None = None) -> AgreedPlan:
    config, env = ctx.config, ctx.envelopes()
    m11 = config.calendar.m11
    days = [m11 + timedelta(days=k) for k in range((last - m11).days + 1)]
    planned = np.zeros((len(env.groups), len(env.ldsos), len(days)), dtype=np.int64)
    done = [s for s in config.calendar.sprints if s.execution_start <= last]
    out = AgreedPlan(days, list(env.groups), list(env.ldsos), planned, done)
    for sprint in done:
        st = standing_of(ctx, sprint, cache)
        out.standing[sprint.cycle] = st
        first = (st.schedule.days[0] - m11).days
        n = min(len(st.schedule.days), len(days) - first)
        planned[:, :, first:first + n] = st.schedule.daily[:, :, :n]
    return out


# -- success criteria --------------------------------------------------------------------------------------------

@dataclass
class SuccessReport:
    success: S.Success
    names: dict[str, str]
    path: Path | None = None


def success_report(ctx: Context, as_of: date | None = None, write: bool = True,
                   cache: dict[str, Standing] | None = None) -> SuccessReport:
    """The success criteria as of ``as_of`` (default today, never after M15); writes
    ``workbooks/success/success_<as_of>_vNN.xlsx``."""
    config, env = ctx.config, ctx.envelopes()
    cal, params = config.calendar, config.parameters.success
    as_of = min(as_of or ctx.clock.today(), cal.m15)
    if as_of < cal.m11:
        raise UsageError(f"migration starts at M11 ({cal.m11}); nothing to measure on {as_of}")
    plan = agreed_plan(ctx, as_of, cache)
    cohorts = stored_cohorts(ctx.workspace)
    migrated = M.actuals(cohorts, config.industry, plan.groups, plan.ldsos, plan.days).migrated
    by_group, nat_plan = plan.planned.sum(axis=1), plan.planned.sum(axis=(0, 1))
    nat_act = migrated.sum(axis=(0, 1))
    core_end = [ph.core_end or cal.m15 for ph in env.phases]
    groups = S.group_success(plan.groups, plan.days, by_group, migrated.sum(axis=1), core_end,
                             [ph.lost_days for ph in env.phases], as_of, params.participant)
    periods = [S.period(s.cycle, plan.days, nat_plan, nat_act, s.execution_start, min(s.execution_end, as_of),
                        params.aggregate) for s in plan.sprints]
    aggregate = S.period("to date", plan.days, nat_plan, nat_act, cal.m11, as_of, params.aggregate)
    covered = np.zeros(len(plan.days), dtype=bool)
    for c in cohorts:
        k = (c.initiated - cal.m11).days
        if 0 <= k < len(covered):
            covered[k] = True
    migration_day = np.array([cal.is_migration_day(d) for d in plan.days], dtype=bool)
    future = cal.migration_days(as_of + timedelta(days=1), cal.m15)
    fc = S.forecast(int(sum(config.industry.group_portfolio.values())), plan.days, nat_act, migration_day, covered,
                    future, _planned_after(plan, as_of), params.forecast_days, cal.m15)
    report = SuccessReport(S.Success(as_of, groups, aggregate, periods, fc), ctx.group_names)
    if write:
        folder = ctx.workspace.success_dir
        stem = f"success_{as_of.isoformat()}"
        report.path = write_success_workbook(folder / versioned(stem, next_version(folder, stem)), report.success,
                                             report.names, config.parameters, stamp(ctx.clock.now()))
    return report


def _planned_after(plan: AgreedPlan, as_of: date) -> int:
    """The latest sprint's weekly plan for the weeks after ``as_of`` (the Migration Schedule to M15)."""
    if not plan.sprints:
        return 0
    s = plan.standing[plan.sprints[-1].cycle].schedule
    after = np.array([w > as_of for w in s.weeks], dtype=bool)
    return int(s.weekly[:, :, after].sum()) if len(s.weeks) else 0


# -- sprint review -----------------------------------------------------------------------------------------------

@dataclass
class ReviewReport:
    review: R.Review
    partial: bool  # the sprint is still executing: its figures to date
    names: dict[str, str]
    path: Path | None = None


def submissions(ctx: Context, sprint: Sprint) -> R.Submissions:
    rows = submission_status(ctx, sprint.cycle)
    issued = current_templates(ctx.workspace, sprint.cycle)
    return R.Submissions(len(issued), sum(r.submitted for r in rows), sum(r.accepted for r in rows),
                         sum(r.rejected for r in rows), sum(r.late for r in rows),
                         sum(r.group in issued and r.current_plan is None for r in rows))


def _review(ctx: Context, sprint: Sprint, cohorts: M.CohortTable, upto: date,
            cache: dict[str, Standing] | None) -> R.Review:
    config = ctx.config
    st = standing_of(ctx, sprint, cache)
    s = st.schedule
    n = min(len(s.days), (upto - s.days[0]).days + 1)
    days = s.days[:n]
    act = M.actuals(cohorts, config.industry, s.groups, s.ldsos, days).migrated
    return R.review(sprint.cycle, days, s.groups, s.ldsos, s.daily[:, :, :n], st.granted[:, :, :n], act,
                    s.national_limit[:n], s.daily_limit[:, :n], config.parameters.tolerance, submissions(ctx, sprint))


def sprint_review(ctx: Context, sprint: Sprint, write: bool = True, cache: dict[str, Standing] | None = None,
                  cohorts: list[M.Cohort] | None = None) -> ReviewReport:
    """The review of ``sprint`` (its execution to today, all of it once it has ended) and the trend over every sprint
    executed before it; writes ``workbooks/<cycle>/review/review_vNN.xlsx``. ``cohorts``: every cohort the ledger
    holds, when the caller has just read them (``stored_cohorts``)."""
    today = ctx.clock.today()
    if today <= sprint.execution_start:
        raise UsageError(f"sprint {sprint.cycle} executes from {sprint.execution_start}: nothing to review on {today}")
    upto = min(today - timedelta(days=1), sprint.execution_end)
    table = M.cohort_table(cohorts if cohorts is not None else stored_cohorts(ctx.workspace))  # once for them all
    this = _review(ctx, sprint, table, upto, cache)
    earlier = [s for s in ctx.config.calendar.sprints if s.execution_end < sprint.execution_start]
    trend = [_review(ctx, s, table, s.execution_end, cache).figures for s in earlier]
    this.trend = [t for t in trend if t.planned or t.migrated or t.submissions.returned] + [this.figures]
    report = ReviewReport(this, upto < sprint.execution_end, ctx.group_names)
    if write:
        folder = ctx.workspace.review_dir(sprint.cycle)
        report.path = write_review_workbook(folder / versioned("review", next_version(folder, "review")), report,
                                            ctx.config.parameters, stamp(ctx.clock.now()))
    return report
