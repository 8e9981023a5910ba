"""A rehearsal of the whole programme (``mcc rehearse``): every sprint from the first to M15 on a copy of a
workspace's configuration, each step on the day of its phase, with simulated suppliers and central systems, through
the same services as the commands. The workspace rehearsed from is only read (its ``config/`` and ``templates/``);
its ledger, inbox and outbox are never touched.

A sprint is planned while the one before it executes (Choreography 3.5), so the rehearsal interleaves them: the
outturn of sprint k-1 up to sprint k's envelope issue day, then sprint k's planning (templates on the portfolio left,
returns, corrections and late returns, consolidation, unused capacity, baseline, publication), then the rest of
sprint k-1's execution (a notified shortfall, a lost migration days claim) and its review.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np

from toolkit.clock import Clock
from toolkit.demo.simulate import fill_many, simulate_returns
from toolkit.domain.envelopes import Category
from toolkit.domain.monitoring import OUTTURN_COLUMNS
from toolkit.domain.programme import PortfolioBasis, churn_before, group_arrays
from toolkit.domain.sample_plan import sample_plan
from toolkit.domain.sprints import Sprint, sprint_by_cycle
from toolkit.domain.status import Status
from toolkit.errors import UsageError
from toolkit.services.consolidate import consolidate_schedule, consolidation
from toolkit.services.context import Context
from toolkit.services.inbox import make_inbox, process
from toolkit.services.issue import current_templates, issue, issued_content
from toolkit.services.monitor import ingest, monitoring_report, notify_shortfall, record_lost_days, stored_cohorts
from toolkit.services.play import record_plans, sample_plans
from toolkit.services.publish import publish
from toolkit.services.success import Standing, sprint_review, submissions, success_report
from toolkit.services.uca import current_allocation, current_schedule, snapshot, uca_allocate, uca_report
from toolkit.store.keys import create_key
from toolkit.store.registers import latest_issued
from toolkit.store.workspace import Workspace, write_marker

WORKERS = min(os.cpu_count() or 1, 2)  # worker processes judging the returns (mcc watch --workers)
STEPS = ("templates", "returns", "corrections", "draft and UCA", "baseline", "outturn", "shortfall", "review")
Step = Callable[[Sprint, str], None]


def _corrected(group: str, sprint: Sprint) -> str:
    return f"{group} plan {sprint.cycle} corrected.xlsx"


def _drop(ws: Workspace, path: Path) -> None:
    """Into the inbox as an email client saves an attachment: written beside it, then renamed."""
    part = ws.inbox / f"{path.name}.part"
    shutil.copyfile(path, part)
    part.replace(ws.inbox / path.name)


@dataclass
class SprintRun:
    """One sprint of the rehearsal, as ``summary.json`` reports it."""

    sprint: str
    templates: int = 0
    accepted: int = 0  # groups with an accepted plan
    rejected: int = 0  # returns rejected
    late: int = 0  # returns after the submission deadline
    infeasible_pairs: int = 0
    baseline_breaches: int = 0  # LDSO or national limits exceeded in the baseline
    granted: int = 0
    planned: int = 0  # the schedule of its execution as it stood (grants in, shortfalls out)
    migrated: int = 0
    remaining: int = 0  # the portfolio left on its execution start, worked out on its envelope issue day
    negative_remaining: int = 0  # group x LDSO pairs with a remaining portfolio below 0 (must be 0)
    unbalanced_groups: int = 0  # groups whose remaining + migrated != initial + churn (must be 0)
    shortfall: str = ""
    lost_days: str = ""


@dataclass
class Rehearsal:
    folder: Path
    sprints: list[SprintRun]
    success: list[dict]
    aggregate: dict
    forecast: dict
    summary: Path | None = None
    workbooks: dict[str, list[str]] = field(default_factory=dict)


def prepare(source: Path, out: Path) -> Workspace:
    """``out`` holding a copy of ``source``'s configuration (and email texts); never its ledger, inbox or outbox,
    nor its signing key (the rehearsal makes its own)."""
    source, out = source.resolve(), out.resolve()
    if not (source / "config").is_dir():
        raise UsageError(f"{source} is not a workspace (no config/ folder)")
    if out == source or source in out.parents and out.parent == source:
        raise UsageError("--out must be a folder of its own, not the workspace rehearsed")
    if out.exists() and any(out.iterdir()):
        raise UsageError(f"{out} is not empty: give a new folder for the rehearsal")
    shutil.copytree(source / "config", out / "config", ignore=shutil.ignore_patterns("signing.key", "*.part"))
    if (source / "templates").is_dir():
        shutil.copytree(source / "templates", out / "templates")
    ws = Workspace(out)
    ws.ensure_folders()
    write_marker(out, "demo")  # simulated returns: never a live workspace
    create_key(ws.config, exist_ok=True)  # a key of its own: the workspace's key never leaves it
    return ws


def rehearse(source: Path, out: Path, seed: int = 1, until: str | None = None, step: Step | None = None,
             quick: bool = False, sample: int = 0) -> Rehearsal:
    """Every sprint from the first to ``until`` (default: the last, ending at M15); writes ``out/summary.json``.
    ``quick``: the same steps and figures without the MCC's internal workbooks (draft and baseline schedules, the
    allocation workbook and grant notices, the publication set, the monitoring workbook); the supplier exchange
    (templates, returns, feedback, UCA request forms), the reviews and the success workbook are still written.
    ``sample``: at most that many groups a sprint exchange workbooks (a different share of the groups each sprint,
    in turn); the others' plans are recorded by their figures, as careful suppliers would return them on the day
    the returns arrive (``services.play``). 0: every group, every sprint."""
    ws = prepare(source, out)
    run = _Run(Context(ws, Clock.from_env()), np.random.default_rng(seed), step or (lambda s, what: None),
               quick, sample)
    sprints = run.ctx.config.calendar.sprints
    if until:
        last = sprint_by_cycle(sprints, until)
        if last is None:
            raise UsageError(f"no sprint {until!r} in config/calendar.toml")
        sprints = [s for s in sprints if s.sprint <= last.sprint]
    previous = None
    for sprint in sprints:
        if previous is not None:
            run.execute(previous, previous.execution_start, sprint.envelope_issue - timedelta(days=1))
        run.plan(sprint)
        if previous is not None:
            run.finish(previous)
        previous = sprint
    run.finish(previous)
    return run.conclude(ws, sprints[-1])


class _Run:
    def __init__(self, ctx: Context, rng: np.random.Generator, step: Step, quick: bool, sample: int = 0):
        self.ctx, self.rng, self.step, self.quick, self.sample = ctx, rng, step, quick, sample
        ctx.envelopes()  # computed once: every context of a day shares them
        self.runs: dict[str, SprintRun] = {}
        self.cache: dict[str, Standing] = {}
        self.basis: dict[str, object] = {}  # the portfolio each sprint's templates were issued on
        industry = ctx.config.industry
        self.initial = group_arrays(industry, industry.portfolio)
        self.migrated = np.zeros_like(self.initial)  # by outturn, every sprint so far
        self.executed: dict[str, date] = {}  # the last day of each sprint whose outturn is in
        self.workbooks: dict[str, list[str]] = {}

    def on(self, day: date) -> Context:
        return self.ctx.on(Clock(day=day))

    def note(self, sprint: Sprint, label: str, path: Path | None) -> None:
        """Keep the workbook's place for summary.json."""
        if path is not None:
            self.workbooks.setdefault(sprint.cycle, []).append(str(path.relative_to(self.ctx.workspace.root)))

    # -- planning ------------------------------------------------------------------------------------------------

    def plan(self, sprint: Sprint) -> None:
        run = self.runs.setdefault(sprint.cycle, SprintRun(sprint.cycle))
        by_workbook, by_figures = self._exchanging(sprint)
        infeasible: list[int] = []

        def by_their_figures(basis: PortfolioBasis) -> None:
            """The others' plans, by their figures, on the day the returns arrive: worked out and recorded while the
            worker processes write the templates (on the same portfolio left)."""
            plans, _, pairs = sample_plans(self.ctx, sprint, sprint.envelope_issue, by_figures, basis)
            arrived = datetime.combine(sprint.submission_deadline - timedelta(days=2), time(12, 0), tzinfo=UTC)
            record_plans(self.ctx, sprint, plans, arrived)
            infeasible.append(pairs)

        issued = issue(self.on(sprint.envelope_issue), sprint, by_workbook,
                       meanwhile=by_their_figures if by_figures else None)
        basis = self.basis[sprint.cycle] = issued.basis
        run.templates, run.infeasible_pairs = len(issued.templates), len(issued.shortages) + sum(infeasible)
        run.remaining = int(basis.remaining.sum())
        run.negative_remaining = int((basis.remaining < 0).sum())
        run.unbalanced_groups = int(((basis.remaining + basis.migrated).sum(axis=1)
                                     != (basis.initial + basis.churn).sum(axis=1)).sum())
        self.step(sprint, "templates")
        self._returns(sprint)
        self.step(sprint, "returns")
        self._corrections(sprint)
        self.step(sprint, "corrections")
        self._uca(sprint, run)
        self.step(sprint, "draft and UCA")
        if not self.quick:
            self.note(sprint, "baseline publication", publish(self.on(sprint.baseline_publication), sprint,
                                                              "baseline").folder)
        sub = submissions(self.ctx, sprint)
        ledger = self.ctx.ledger  # every group with an accepted plan, by workbook or by figures
        run.accepted = sum(ledger.current_plan(sprint.cycle, g.mpid) is not None
                           for g in self.ctx.config.industry.groups)
        run.rejected, run.late = sub.rejected, sub.late
        self.step(sprint, "baseline")

    def _exchanging(self, sprint: Sprint) -> tuple[list[str] | None, list[str]]:
        """The groups exchanging workbooks in the sprint (None: every group) and those whose plans go by figures:
        with ``sample``, groups in turn from the sprint's number on, so each group exchanges in some sprints."""
        groups = [g.mpid for g in self.ctx.config.industry.groups]
        if not self.sample or self.sample >= len(groups):
            return None, []
        start = ((sprint.sprint - 1) * self.sample) % len(groups)
        chosen = {groups[(start + k) % len(groups)] for k in range(self.sample)}
        return [g for g in groups if g in chosen], [g for g in groups if g not in chosen]

    def _returns(self, sprint: Sprint) -> None:
        """Most groups return before the deadline, one in four of them with a typical mistake; a few do not."""
        at = self.on(sprint.submission_deadline - timedelta(days=2))
        simulate_returns(at, sprint, share=0.93, seed=int(self.rng.integers(1 << 31)), workers=WORKERS)
        process(make_inbox(at, sprint.cycle), quiet=0, max_wait=0, workers=WORKERS)

    def _corrections(self, sprint: Sprint) -> None:
        """The groups told of a mistake correct it on the deadline day; those that had not returned do so a day
        late (a warning, timeliness.late)."""
        ctx = self.ctx
        issued = current_templates(ctx.workspace, sprint.cycle)
        ledger = ctx.ledger
        returned = {r.supplier_group for r in ledger.rows(sprint.cycle)}
        for late in (False, True):
            day = sprint.submission_deadline + timedelta(days=1 if late else 0)
            at = self.on(day)
            todo = [g for g in issued if ledger.current_plan(sprint.cycle, g) is None and (g in returned) != late]
            fill_many([self._valid_return(at, sprint, group, issued[group].file) for group in todo], WORKERS)
            for group in todo:
                _drop(ctx.workspace, ctx.workspace.workbooks / sprint.cycle / "simulated" / _corrected(group, sprint))
            if todo:
                process(make_inbox(at, sprint.cycle), quiet=0, max_wait=0, workers=WORKERS)

    def _valid_return(self, ctx: Context, sprint: Sprint, group: str, template: str) -> tuple[Path, Path, dict]:
        """The fill of a careful plan into the group's template, saved on the day: a correction is never the same
        bytes as the wrong return before it (the inbox would take it for that file sent again)."""
        ws = ctx.workspace
        plan = sample_plan(issued_content(ctx, group, sprint), ctx.config.parameters)
        work = ws.workbooks / sprint.cycle / "simulated"
        work.mkdir(parents=True, exist_ok=True)
        return (ws.templates_dir(sprint.cycle) / template, work / _corrected(group, sprint),
                {"weekly": plan.weekly, "daily": plan.daily, "agents": plan.agents, "saved": ctx.clock.now()})

    def _uca(self, sprint: Sprint, run: SprintRun) -> None:
        drafting = self.on(sprint.draft_publication)
        if not self.quick:
            self.note(sprint, "draft schedule", consolidate_schedule(drafting, sprint)[1])
        report = uca_report(drafting, sprint)
        requesting = self.on(sprint.uca_start + timedelta(days=1))
        if self._uca_requests(requesting, sprint, report.eligible):
            process(make_inbox(requesting, sprint.cycle), quiet=0, max_wait=0, workers=WORKERS)
        if self.quick:
            alloc, _ = current_allocation(self.on(sprint.uca_end), sprint)
        else:
            alloc, _, base, _ = uca_allocate(self.on(sprint.uca_end), sprint)
            self.note(sprint, "baseline schedule", base)
        run.baseline_breaches = len(alloc.breaches)
        run.granted = int(alloc.grants.sum())

    def _uca_requests(self, ctx: Context, sprint: Sprint, eligible: list[str]) -> int:
        """Half the eligible groups ask for a share of the unused capacity on some days, a group asking only to bring
        forward what it planned after the sprint (never more than is left of its portfolio), at most 2% of what is
        left a day (the demo's requests ask on the initial portfolio, which is only right in the first sprint)."""
        ws, rng, env = ctx.workspace, self.rng, ctx.envelopes()
        snap = snapshot(ws, sprint.cycle)
        forms = latest_issued(ws.requests_dir(sprint.cycle))
        s = consolidation(ctx, sprint).schedule
        basis = self.basis[sprint.cycle]
        jobs: list[tuple[Path, Path, dict]] = []
        for group in [g for g in eligible if rng.random() < 0.5]:
            form = snap.form(env, group)
            if not form.ldsos:
                continue
            i, cols = s.groups.index(group), [s.ldsos.index(x) for x in form.ldsos]
            left = basis.remaining[basis.groups.index(group), [basis.ldsos.index(x) for x in form.ldsos]]
            later = np.maximum(left - s.daily[i][cols].sum(axis=1), 0)  # planned after the sprint
            share = rng.uniform(0.2, 0.6, form.unused.shape) * (rng.random(form.unused.shape) < 0.4)
            asked = np.floor(np.minimum(form.unused * share, 0.02 * left[None, :])).astype(np.int64)
            for c in range(asked.shape[1]):  # the latest days first trimmed to what could be brought forward
                over = np.cumsum(asked[:, c]) - later[c]
                asked[:, c] = np.maximum(asked[:, c] - np.clip(over, 0, None), 0)
            if not asked.any():
                continue
            path = ws.workbooks / sprint.cycle / "simulated" / f"{group} UCA request.xlsx"
            jobs.append((ws.requests_dir(sprint.cycle) / forms[group].file, path, {"uca": asked}))
        fill_many(jobs, WORKERS)
        for _, path, _ in jobs:
            _drop(ws, path)
        return len(jobs)

    # -- execution -----------------------------------------------------------------------------------------------

    def execute(self, sprint: Sprint, first: date, last: date) -> None:
        """Outturn of the sprint's days ``first`` to ``last``, reported the day after through the inbox."""
        if last < first:
            return
        ctx = self.on(last + timedelta(days=1))
        s, _, _ = current_schedule(ctx, sprint)
        k0, k1 = (first - s.days[0]).days, (last - s.days[0]).days + 1
        migrated = self._deviate(s.daily[:, :, k0:k1], sprint)
        path = ctx.workspace.workbooks / sprint.cycle / "simulated" / f"outturn_{first}_{last}.csv"
        self._write_outturn(path, s.groups, s.ldsos, s.days[k0:k1], migrated, last)
        outcome = ingest(ctx, path)
        if outcome.status != Status.ACCEPTED:
            raise RuntimeError(f"simulated outturn {path.name} was {outcome.status}: {outcome.outputs}")
        self.migrated += migrated.sum(axis=2)
        self.runs[sprint.cycle].migrated += int(migrated.sum())
        self.executed[sprint.cycle] = last

    def _deviate(self, plan: np.ndarray, sprint: Sprint) -> np.ndarray:
        """What the groups really migrate: each pair near its plan (a few percent either way), day-to-day noise, one
        pair well short and one over; never more than is left of a portfolio."""
        rng = self.rng
        g, n_l, n = plan.shape
        factor = np.clip(rng.normal(0.985, 0.035, (g, n_l, 1)), 0.85, 1.09) * np.clip(
            rng.normal(1.0, 0.03, (g, n_l, n)), 0.9, 1.1)
        active = np.argwhere(plan.sum(axis=2) > 100)
        if len(active) >= 2:
            (i, j), (i2, j2) = (active[int(k)] for k in rng.choice(len(active), 2, replace=False))
            factor[i, j, :] = 0.8  # a group well short in one LDSO (level 3)
            factor[i2, j2, :] = 1.08  # one ahead of its plan (level 2)
        wanted = np.floor(plan * factor + 0.5).astype(np.int64)
        room = self._portfolio(sprint) - self.migrated
        out = np.zeros_like(wanted)
        for k in range(n):
            out[:, :, k] = np.minimum(wanted[:, :, k], np.maximum(room, 0))
            room -= out[:, :, k]
        return out

    def _portfolio(self, sprint: Sprint) -> np.ndarray:
        """(G, L) the initial portfolio with the churn recorded before the sprint's end."""
        config = self.ctx.config
        return self.initial + churn_before(config.industry, config.churn, sprint.execution_end + timedelta(days=1))

    def _write_outturn(self, path: Path, groups: list[str], ldsos: list[str], days: list[date], migrated: np.ndarray,
                       as_of: date) -> None:
        """The outturn file as the central systems report it: by supplier MPID (the group's split by portfolio),
        initiated on the day, effective MAO working days later, completions for the appointments already
        effective."""
        config = self.ctx.config
        industry, calendar = config.industry, config.calendar
        mao = config.parameters.activation.mao_default
        rows = []
        dates = [(d.isoformat(), e.isoformat(), e <= as_of) for d, e in
                 ((d, min(calendar.add_working_days(d, mao), calendar.last)) for d in days)]
        shares: dict[tuple[int, int], tuple[list[str], np.ndarray, float, int]] = {}  # worked out once per pair
        for i, j, k in zip(*np.nonzero(migrated), strict=True):
            if (i, j) not in shares:
                group, ldso = groups[i], ldsos[j]
                suppliers = [s for s in industry.group_by_mpid[group].suppliers if industry.portfolio.get((s, ldso))]
                weights = np.array([industry.portfolio[(s, ldso)] for s in suppliers], dtype=np.float64)
                shares[(i, j)] = (suppliers, weights, weights.sum(), int(np.argmax(weights)))
            suppliers, weights, total, largest = shares[(i, j)]
            n = migrated[i, j, k]
            split = np.floor(n * weights / total).astype(np.int64)
            split[largest] += n - split.sum()
            initiated, effective, complete = dates[k]
            for supplier, mpans in zip(suppliers, split.tolist(), strict=True):
                if mpans > 0:
                    rows.append([supplier, ldsos[j], initiated, effective, mpans, mpans if complete else ""])
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(OUTTURN_COLUMNS)
            writer.writerows(rows)

    def finish(self, sprint: Sprint) -> None:
        """The rest of the sprint's execution: a group notifies a shortfall, a lost migration days claim is approved
        (before M14), the outturn comes in, the monitoring report; then the sprint review."""
        run = self.runs[sprint.cycle]
        first = self.executed.get(sprint.cycle, sprint.execution_start - timedelta(days=1)) + timedelta(days=1)
        self._shortfall(sprint, first, run)
        self.step(sprint, "outturn")
        self.execute(sprint, first, sprint.execution_end)
        mid = self.ctx.on(Clock(day=sprint.execution_end + timedelta(days=1)))
        cohorts = stored_cohorts(mid.workspace)  # read once for the monitoring report and the review
        self.note(sprint, "monitoring", monitoring_report(mid, sprint, sprint.execution_end, write=not self.quick,
                                                          cohorts=cohorts).path)
        self.step(sprint, "shortfall")
        review = sprint_review(self.on(sprint.retro_start), sprint, cache=self.cache, cohorts=cohorts)
        self.note(sprint, "review", review.path)
        run.planned = review.review.figures.planned
        run.granted = review.review.figures.granted
        self.step(sprint, "review")

    def _shortfall(self, sprint: Sprint, first: date, run: SprintRun) -> None:
        """The group with the most planned on the first migration day still to come cedes a quarter of it there;
        while before M14, it claims a lost migration day too (approved) if it has envelope LDSOs."""
        ctx = self.on(first)
        s, _, _ = current_schedule(ctx, sprint)
        k0 = (first - s.days[0]).days
        day = next((k for k in range(max(k0, 0), len(s.days)) if s.daily[:, :, k].any()), None)
        if day is None:
            return
        i, j = (int(x) for x in np.unravel_index(int(np.argmax(s.daily[:, :, day])), s.daily.shape[:2]))
        ceded = int(s.daily[i, j, day]) // 4
        if ceded <= 0:
            return
        group, ldso = s.groups[i], s.ldsos[j]
        notify_shortfall(ctx, sprint, group, ldso, [s.days[day]], ceded, "a fault at its data service provider "
                         "(rehearsal)")
        run.shortfall = f"{group} ceded {ceded:,} in {ldso} on {s.days[day]}"
        env = ctx.envelopes()
        if first < ctx.config.calendar.m14 and (env.category[i] == Category.ENVELOPE).any():
            before, after = record_lost_days(ctx, group, 1, "the data service provider's fault (rehearsal)",
                                             f"INC-{sprint.cycle}-{group}", first)
            run.lost_days = f"{group} 1 day: core window to {after} (was {before})"
            self.ctx = Context(ctx.workspace, self.ctx.clock)  # the configuration changed: load it again
            self.ctx.envelopes()
            self.cache.clear()

    # -- the end -------------------------------------------------------------------------------------------------

    def conclude(self, ws: Workspace, last: Sprint) -> Rehearsal:
        as_of = min(last.execution_end, self.ctx.config.calendar.m15)
        report = success_report(self.on(last.retro_start), as_of, cache=self.cache)
        s = report.success
        success = [{"group": g.group, "planned_by_core_end": g.planned_by_core_end,
                    "migrated_by_core_end": g.migrated_by_core_end, "ratio": round(g.ratio, 4), "met": g.met,
                    "core_end": g.core_end.isoformat(), "status": g.status} for g in s.groups]
        a, fc = s.aggregate, s.forecast
        aggregate = {"planned": a.planned, "migrated": a.migrated, "ratio": round(a.ratio, 4), "met": a.met}
        forecast = {"portfolio": fc.portfolio, "migrated": fc.migrated, "remaining": fc.remaining,
                    "completion": fc.completion.isoformat() if fc.completion else None, "on_target": fc.on_target}
        out = Rehearsal(ws.root, list(self.runs.values()), success, aggregate, forecast, workbooks=self.workbooks)
        self.workbooks.setdefault("programme", []).append(str(report.path.relative_to(ws.root)))
        out.summary = ws.root / "summary.json"
        out.summary.write_text(json.dumps({"as_of": as_of.isoformat(), "sprints": [asdict(r) for r in out.sprints],
                                           "success": success, "aggregate": aggregate, "forecast": forecast,
                                           "workbooks": self.workbooks}, indent=1) + "\n", encoding="utf-8")
        return out
