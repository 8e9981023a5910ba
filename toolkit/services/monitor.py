"""Sprint execution monitoring (issue 8): outturn in, levels and escalations out; shortfall notices that cede
capacity to ad hoc UCA rounds; approved Lost Migration Day claims that extend core windows.

Outturn files come through ``mcc monitor ingest FILE`` or the ``inbox/outturn/`` folder; both go through the inbox
and its outturn judge (``toolkit.services.outturn``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from toolkit.clock import stamp
from toolkit.domain import criteria as C
from toolkit.domain import monitoring as M
from toolkit.domain.sprints import Sprint
from toolkit.domain.stability import TrancheCheck, stability
from toolkit.domain.text import display_name
from toolkit.errors import UsageError
from toolkit.excel.writers.monitoring import write_monitoring_workbook
from toolkit.inbox.intake import Outcome, copy_into_inbox
from toolkit.services.context import Context
from toolkit.services.inbox import make_inbox
from toolkit.services.lost_days import record_lost_days  # noqa: F401 - mcc monitor lost-days records by hand
from toolkit.services.outturn import OUTTURN_FOLDER
from toolkit.services.uca import current_schedule
from toolkit.store.ledger import Ledger, Shortfall
from toolkit.store.lock import LockHeld
from toolkit.store.versions import next_version, versioned
from toolkit.store.workspace import Workspace


def ingest(ctx: Context, source: Path) -> Outcome:
    """Put an outturn file through the inbox (the same path as a file dropped into ``inbox/outturn/``): returns
    the inbox's outcome. The source file is copied, never moved."""
    if not source.is_file():
        raise UsageError(f"no file {source}")
    inbox = make_inbox(ctx)
    folder = OUTTURN_FOLDER.lower()
    (ctx.workspace.inbox / folder).mkdir(parents=True, exist_ok=True)
    dropped = copy_into_inbox(ctx.workspace, source, f"{folder}/{source.name}")
    try:
        outcomes = inbox.run_once(ready=lambda p: p == dropped, command="mcc monitor ingest")
    except LockHeld as exc:
        raise LockHeld(f"{exc}. {source.name} was put in inbox/{folder}/, where that process takes it") from None
    return next(o for o in reversed(outcomes) if o.name == display_name(source.name))


def stored_cohorts(workspace: Workspace) -> list[M.Cohort]:
    """Every cohort of outturn the ledger holds."""
    return Ledger(workspace.ledger).outturn()


# -- notices: shortfalls and lost days ------------------------------------------------------------------------

def notify_shortfall(ctx: Context, sprint: Sprint, group: str, ldso: str, days: list[date], count: int,
                     reason: str) -> list[int]:
    """Record that ``group`` will migrate ``count`` fewer in ``ldso`` on each of ``days`` (F6.2, F6.4): that much of
    its plan is ceded, for an ad hoc UCA round to hand out. Never more than it still has planned."""
    config = ctx.config
    group, ldso = group.upper(), ldso.upper()
    if group not in config.industry.group_by_mpid:
        raise UsageError(f"no supplier group {group!r} in config/suppliers.csv")
    if ldso not in config.industry.ldso_by_mpid:
        raise UsageError(f"no LDSO {ldso!r} in config/ldsos.csv")
    if count <= 0:
        raise UsageError("--count must be a positive number of migrations")
    today = ctx.clock.today()
    past = sorted(d for d in days if d < today)
    if past:
        raise UsageError(f"{past[0]} is in the past (today is {today}): a shortfall can be notified for today or later "
                         "only; what was not migrated on a past day shows in its outturn")
    if not reason.strip():
        raise UsageError("give the reason the group gave (--reason)")
    s, _, _ = current_schedule(ctx, sprint)
    i, j = s.groups.index(group), s.ldsos.index(ldso)
    for day in days:
        if day not in s.days:
            raise UsageError(f"{day} is not a day of sprint {sprint.cycle}'s execution ({sprint.execution_start} to "
                             f"{sprint.execution_end})")
        planned = int(s.daily[i, j, s.days.index(day)])
        if count > planned:
            raise UsageError(f"{group} has {planned:,} planned in {ldso} on {day} (after earlier notices): it cannot "
                             f"cede {count:,}")
    ledger, at = ctx.ledger, ctx.clock.now()
    return [ledger.add_shortfall(sprint.cycle, group, ldso, d, count, reason.strip(), at) for d in days]


# -- the report -----------------------------------------------------------------------------------------------

@dataclass
class Report:
    sprint: Sprint
    as_of: date
    monitoring: M.Monitoring
    national_plan: np.ndarray  # (D,)
    national_actual: np.ndarray
    csmt: np.ndarray
    offsets: list[M.OffsetFinding]
    spikes: list[M.Spike]
    progress: list[M.Progress]
    shortfalls: list[Shortfall]
    lost_days: list
    path: Path | None = None
    load_limit: np.ndarray | None = None  # (D,) national: planned CSMT + the reserve of RCFC (F5.2.9)
    ldso_over_load: list[tuple[str, date, int, float]] = field(default_factory=list)  # LDSO, day, actual, limit
    rolling: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # level, actual, plan over the rolling period
    reduced: dict[str, tuple[int, int]] = field(default_factory=dict)  # group -> (cohorts, initiations) (F5.2.11)
    persistent: list[C.Persistent] = field(default_factory=list)  # F6.3
    outages: list[C.Outage] = field(default_factory=list)
    tranches: list[str] = field(default_factory=list)  # the stability test of each tranche (F5.2.9)
    exceptions: list[tuple[str, str, int, int]] = field(default_factory=list)  # over the engagement rate (F6.1)


def tranche_stability(ctx: Context, as_of: date, cohorts: list[M.Cohort] | None = None) -> list[TrancheCheck]:
    """The stability test (F5.2.9) of every configured tranche of exceptional capacity, from the outturn the ledger
    holds up to ``as_of`` (none without a ledger). ``cohorts``: every cohort the ledger holds, when the caller has
    just read them (not read again)."""
    migrated: dict[date, int] = {}
    if cohorts is not None:
        for c in cohorts:  # as Ledger.migrations: completions where reported, else initiations
            if c.initiated <= as_of:
                migrated[c.initiated] = migrated.get(c.initiated, 0) + (
                    c.initiations if c.completions is None else c.completions)
    elif ctx.workspace.ledger.is_file():
        for _, _, day, n in ctx.ledger.migrations(before=as_of + timedelta(days=1)):
            migrated[day] = migrated.get(day, 0) + n
    cap = ctx.config.parameters.capacity
    return stability(ctx.config.calendar, migrated, cap.csmt_operational, cap.stability_share, cap.stability_days,
                     as_of)


def _criteria(ctx: Context, report: Report, plan: np.ndarray, act: M.Actuals, days: list[date],
              cohorts: list[M.Cohort]) -> None:
    """The rolling period (P EMT/SMT), reduced deltas (F5.2.11) and persistent deviation (F6.3)."""
    config, p = ctx.config, ctx.config.parameters
    migration = np.array([config.calendar.is_migration_day(d) for d in days], bool)
    level, _, ra, rp = C.rolling_levels(act.migrated, plan, migration, p.tolerance.rolling_days, p.tolerance)
    report.rolling = (level, ra, rp)
    report.reduced = C.reduced_offsets(cohorts, config.industry, config.calendar, p.activation.mao_default,
                                       report.sprint.execution_start, days[-1])
    report.outages = [o for o in config.outages if days[0] <= o.day <= days[-1]]
    report.exceptions = C.exception_rates(cohorts, config.industry, report.sprint.execution_start, days[-1],
                                          p.monitoring.exception_rate)
    share = p.capacity.stability_share
    report.tranches = [t.describe(share) for t in tranche_stability(ctx, days[-1], cohorts)]
    report.persistent = C.persistent_deviations(
        act.migrated, plan, report.monitoring.groups, report.monitoring.ldsos, days, migration, report.outages,
        p.tolerance, p.monitoring.persistent_days, p.monitoring.persistent_window)


def monitoring_report(ctx: Context, sprint: Sprint, as_of: date, write: bool = True,
                      cohorts: list[M.Cohort] | None = None) -> Report:
    """Actual against the current schedule (plans, grants, notified shortfalls) for the sprint's days up to
    ``as_of``; writes ``workbooks/<cycle>/monitoring/monitoring_<as_of>_vNN.xlsx``. ``cohorts``: every cohort the
    ledger holds, when the caller has just read them (``stored_cohorts``)."""
    config = ctx.config
    if as_of < sprint.execution_start:
        raise UsageError(f"sprint {sprint.cycle} executes from {sprint.execution_start}; nothing to monitor on {as_of}")
    s, _, _ = current_schedule(ctx, sprint)
    upto = min(as_of, sprint.execution_end, s.days[-1])
    n = (upto - s.days[0]).days + 1
    days = s.days[:n]
    cohorts = cohorts if cohorts is not None else stored_cohorts(ctx.workspace)
    act = M.actuals(cohorts, config.industry, s.groups, s.ldsos, days)
    plan = s.daily[:, :, :n]
    mon = M.monitor(plan, act, s.groups, s.ldsos, days, config.parameters.tolerance)
    env = ctx.envelopes()
    window = [c for c in cohorts if days[0] <= c.initiated <= days[-1]]
    share = config.parameters.monitoring.secondary_spike
    report = Report(
        sprint, upto, mon, plan.sum(axis=(0, 1)), act.migrated.sum(axis=(0, 1)), s.national_limit[:n],
        M.check_offsets(window, config.industry, config.calendar, env, config.parameters),
        M.secondary_spikes([c for c in cohorts if days[0] <= c.effective <= days[-1]], config.industry, share),
        M.progress(cohorts, config.industry, env, config.calendar, config.parameters, upto),
        ctx.ledger.shortfalls(sprint.cycle), list(config.lost_day_claims))
    k0 = (days[0] - env.dates[0]).days
    report.load_limit = env.load_limit[k0:k0 + n]
    report.ldso_over_load = M.ldso_over_load(act.migrated.sum(axis=0), s.daily_limit[:, :n], env.lrc, s.ldsos, days)
    _criteria(ctx, report, plan, act, days, cohorts)
    if write:
        folder = ctx.workspace.monitoring_dir(sprint.cycle)
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"monitoring_{upto.isoformat()}"
        report.path = write_monitoring_workbook(folder / versioned(stem, next_version(folder, stem)), report,
                                                ctx.group_names, config.parameters, stamp(ctx.clock.now()))
    return report
