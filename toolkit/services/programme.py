"""The programme over time (issue 15; Foundations 5.4, 6.5; Choreography 3): the portfolio left for a sprint, worked
out from the outturn the ledger holds and the plans of the sprints before it; the basis a cycle's templates were
issued on; and a group's plan carried over into its next template."""

from __future__ import annotations

from datetime import date

import numpy as np

from toolkit.domain.programme import GroupBasis, History, PortfolioBasis, history_days, remaining_portfolio
from toolkit.domain.sprints import Sprint
from toolkit.domain.status import Kind, Status
from toolkit.services.consolidate import figures_of
from toolkit.services.context import Context
from toolkit.services.uca import current_schedule
from toolkit.store.ledger import PlanFigures
from toolkit.store.registers import read_basis


def history(ctx: Context, sprint: Sprint) -> History:
    """What the ledger holds of the days before the sprint's execution start: outturn by group, LDSO and day, the
    days it covers, and for the days it does not, the schedule of the sprint of that day as it stands."""
    config, env = ctx.config, ctx.envelopes()
    industry = config.industry
    days = history_days(config.calendar.m11, sprint.execution_start)
    index = {d: k for k, d in enumerate(days)}
    shape = (len(env.groups), len(env.ldsos), len(days))
    gi = {g: i for i, g in enumerate(env.groups)}
    li = {x: j for j, x in enumerate(env.ldsos)}
    outturn = np.zeros(shape, dtype=np.int64)
    covered = np.zeros(len(days), dtype=bool)
    if days:
        rows = [(gi[industry.group_of_supplier[s]], li[x], index[d], n)
                for s, x, d, n in ctx.ledger.migrations(before=sprint.execution_start, since=days[0])]
        if rows:
            i, j, k, n = (np.array(a, dtype=np.int64) for a in zip(*rows, strict=True))
            np.add.at(outturn, (i, j, k), n)
            covered[k] = True
    migration_day = np.array([config.calendar.is_migration_day(d) for d in days], dtype=bool)
    planned = np.zeros(shape, dtype=np.int64)
    has_plan = np.zeros((len(env.groups), len(days)), dtype=bool)
    need = {d for d, c, m in zip(days, covered, migration_day, strict=True) if m and not c}
    for earlier in config.calendar.sprints:
        if earlier.execution_start >= sprint.execution_start or not any(
                earlier.execution_start <= d <= earlier.execution_end for d in need):
            continue
        s, _, _ = current_schedule(ctx, earlier)
        for k, d in enumerate(s.days):
            if d in index:
                planned[:, :, index[d]] = s.daily[:, :, k]
                has_plan[:, index[d]] = s.planned
    return History(days, outturn, covered, planned, has_plan, migration_day)


def portfolio_basis(ctx: Context, sprint: Sprint, as_of: date | None = None) -> PortfolioBasis:
    """The portfolio left for the sprint, worked out today (or ``as_of``)."""
    config, env = ctx.config, ctx.envelopes()
    starts = {ph.group: ph.migration_start for ph in env.phases}
    return remaining_portfolio(config.industry, sprint.cycle, sprint.execution_start, as_of or ctx.clock.today(),
                               history(ctx, sprint), config.churn, starts)


def issued_basis(ctx: Context, cycle: str) -> dict[str, GroupBasis]:
    """The portfolio each group's latest template of the cycle was issued on."""
    return read_basis(ctx.workspace.templates_dir(cycle))


def latest_accepted(ctx: Context, group: str, sprint: Sprint) -> tuple[str, PlanFigures, str] | None:
    """The group's latest accepted plan of a sprint before ``sprint``: (cycle, its figures, what it was)."""
    ledger = ctx.ledger
    for earlier in sorted(ctx.config.calendar.sprints, key=lambda s: -s.sprint):
        if earlier.sprint >= sprint.sprint:
            continue
        row = ledger.current_plan(earlier.cycle, group)
        if row is not None and row.status == Status.ACCEPTED and row.kind == Kind.PLAN and (
                row.archive_path or ledger.figures(row.id) is not None):
            what = f"your accepted {earlier.cycle} plan" + (f" (version {row.version})" if row.version else "")
            return earlier.cycle, figures_of(ctx, row), what
    return None
