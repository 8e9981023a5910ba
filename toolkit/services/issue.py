"""Issue supplier templates: one workbook per group and cycle, versioned, recorded in the cycle's register.

Files go to ``workbooks/<cycle>/templates/`` named ``MCC-plan_<cycle>_<group>_v<NN>.xlsx``. Re-issuing a group's
template for the same cycle writes the next version; earlier versions stay on disk and in the register
(``register.csv``), and the inbox treats every version but the latest as superseded.

Guarded issue (``mcc templates``): a group whose envelope digest would not change keeps its template (unless
``every``); superseding a group's template (its plan accepted or still outstanding) needs a reason, recorded with
what it supersedes in ``reissues.csv`` beside the register.
"""

from __future__ import annotations

import csv
import hashlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

from toolkit.config.model import Config
from toolkit.domain.programme import GroupBasis, PortfolioBasis, carry_over
from toolkit.domain.sprints import Sprint
from toolkit.domain.template import TemplateContent, template_content
from toolkit.domain.text import neutral
from toolkit.errors import UsageError
from toolkit.excel import contract as C
from toolkit.excel.writers.template import TemplateMeta, write_template
from toolkit.services.context import Context
from toolkit.services.programme import latest_accepted, portfolio_basis
from toolkit.store.registers import (
    IssuedTemplate,
    append_register,
    latest_issued,
    read_basis,
    read_register,
    write_basis,
)
from toolkit.store.workspace import Workspace


def current_templates(workspace: Workspace, cycle: str) -> dict[str, IssuedTemplate]:
    """The latest issued template of every group for the cycle."""
    return latest_issued(workspace.templates_dir(cycle))


def issued_templates(workspace: Workspace, cycle: str) -> list[IssuedTemplate]:
    """Every template issued for the cycle, oldest first."""
    return read_register(workspace.templates_dir(cycle))


# State of a pool of writers: set before the pool forks, read in the children.
_JOB: dict = {}


def _write_one(group: str, version: int) -> IssuedTemplate:
    config: Config = _JOB["config"]
    sprint: Sprint = _JOB["sprint"]
    folder, issued_at, key = _JOB["folder"], _JOB["issued_at"], _JOB["key"]
    content: TemplateContent = _JOB["contents"][group]
    name = C.template_file_name(sprint.cycle, group, version)
    tid = C.template_id(sprint.cycle, group, version)
    part = folder / (name + ".part")
    meta = write_template(part, content, config.parameters, TemplateMeta(tid, version, issued_at.isoformat(
        timespec="seconds")), key)
    digest = hashlib.sha256(part.read_bytes()).hexdigest()
    part.replace(folder / name)
    return IssuedTemplate(tid, group, sprint.cycle, version, issued_at, meta["envelope_digest"], name, digest)


def _next_versions(workspace: Workspace, cycle: str, groups: list[str]) -> list[tuple[str, int]]:
    """The version each group's next template takes: one more than any registered, or on disk unregistered."""
    latest = {g: t.version for g, t in current_templates(workspace, cycle).items()}
    for path in workspace.templates_dir(cycle).glob(f"MCC-plan_{cycle}_*_v*.xlsx"):  # issued, never registered
        parts = path.stem.split("_")
        if len(parts) == 4 and parts[3][1:].isdigit():
            latest[parts[2]] = max(latest.get(parts[2], 0), int(parts[3][1:]))
    return [(g, latest.get(g, 0) + 1) for g in groups]


def issued_late(ctx: Context, sprint: Sprint) -> bool:
    """Whether a template issued now (the time its register row and metadata record) would be issued after its
    return-by date (the sprint's submission deadline, Choreography 3.6)."""
    return ctx.clock.now().date() > sprint.submission_deadline


@dataclass(frozen=True)
class Shortage:
    """A group and LDSO where the limits from the sprint's execution start to M15 cannot hold what is left."""

    group: str
    ldso: str
    remaining: int
    fits: int

    @property
    def beyond(self) -> int:
        return self.remaining - self.fits


@dataclass
class Issue:
    templates: list[IssuedTemplate]
    shortages: list[Shortage]  # the infeasible pairs of the groups issued
    basis: PortfolioBasis  # the remaining portfolio the templates were issued on
    unchanged: list[str] = field(default_factory=list)  # groups left alone: their envelope digest is the same
    superseded: list[Superseded] = field(default_factory=list)  # the templates the issue superseded


@dataclass(frozen=True)
class Superseded:
    """A group's template superseded by a new issue, and whether a plan was accepted on it."""

    template: IssuedTemplate
    plan_version: int | None  # the version of its accepted plan; None: outstanding (no plan accepted)

    def __str__(self) -> str:
        t = self.template
        plan = (f"plan v{self.plan_version:02d} accepted" if self.plan_version is not None else "no plan accepted yet")
        return f"{t.group} v{t.version:02d} ({plan})"


REISSUES = "reissues.csv"
REISSUE_COLUMNS = ("issued_at", "group", "superseded_version", "new_version", "plan_accepted", "reason")


def template_contents(ctx: Context, sprint: Sprint, groups: list[str], basis: PortfolioBasis | None = None,
                      carry: bool = True) -> dict[str, TemplateContent]:
    """What each group's template holds: built on the portfolio left for the sprint (worked out now unless given),
    with the group's latest accepted weekly plan carried into the weeks after the sprint ([submission]
    carry_over; not with ``carry=False``, for a plan made without the template)."""
    config = ctx.config
    basis = basis if basis is not None else portfolio_basis(ctx, sprint)
    out = {}
    for group in groups:
        content = _content(ctx, group, sprint, basis.of(group))
        out[group] = _carried(ctx, content, sprint) if carry and config.parameters.submission.carry_over else content
    return out


def _content(ctx: Context, group: str, sprint: Sprint, basis: GroupBasis | None) -> TemplateContent:
    """The group's template content on ``basis`` (without a carried-over plan), worked out once per basis and
    configuration: kept in the context, whose judges share it (``make_judge``)."""
    key = (group, sprint.cycle)
    held = ctx.contents.get(key)
    if held is None or held[0] != basis:
        config = ctx.config
        held = ctx.contents[key] = (basis, template_content(config.industry, config.calendar, config.parameters,
                                                            ctx.envelopes(), group, sprint, basis))
        ctx.digests.pop(key, None)
    return held[1]


def issued_content(ctx: Context, group: str, sprint: Sprint) -> TemplateContent:
    """What the group's latest template of the sprint holds, on the portfolio it was issued on (as its return is
    judged), without the figures it carried over."""
    return _content(ctx, group, sprint, read_basis(ctx.workspace.templates_dir(sprint.cycle)).get(group))


def _carried(ctx: Context, content: TemplateContent, sprint: Sprint) -> TemplateContent:
    """The content with the group's latest accepted weekly plan (and its agent forecasts) in the weeks after the
    sprint."""
    found = latest_accepted(ctx, content.group.mpid, sprint)
    if found is None or found[1].weekly is None or found[1].weeks_from is None:
        return content
    _, figures, what = found
    prefill = carry_over(figures.weeks_from, list(figures.ldsos), figures.weekly, content.weeks, content.ldso_mpids,
                         sprint.execution_end)
    if not (prefill > 0).any():
        return content
    agents = np.full((len(content.weeks), len(content.agents)), -1, dtype=np.int64)
    series = {(m, role): w for m, role, w in figures.agents}
    for k, a in enumerate(content.agents):
        if (a.mpid, a.role) in series:
            agents[:, k] = carry_over(figures.weeks_from, ["x"], series[(a.mpid, a.role)][:, None], content.weeks,
                                      ["x"], sprint.execution_end)[:, 0]
    return replace(content, prefill=prefill, prefill_agents=agents, carried_from=what)


def issue_templates(ctx: Context, sprint: Sprint, groups: list[str] | None = None, workers: int | None = None,
                    progress: Callable[[IssuedTemplate], None] | None = None,
                    force: bool = False) -> list[IssuedTemplate]:
    """Write the templates of ``groups`` (default: every group) for the sprint and record them (``issue``)."""
    return issue(ctx, sprint, groups, workers, progress, force).templates


def _guard(ctx: Context, sprint: Sprint, wanted: list[str], contents: dict[str, TemplateContent], named: bool,
           every: bool, reason: str | None) -> tuple[list[str], list[Superseded]]:
    """Which groups are left alone (an unchanged envelope digest, not named with -g, not ``every``) and which
    templates the issue supersedes; without a reason, superseding any is refused, naming them."""
    current = current_templates(ctx.workspace, sprint.cycle)
    unchanged = [g for g in wanted if g in current and not (named or every)
                 and current[g].envelope_digest == contents[g].digest()]
    ledger = ctx.ledger if current else None
    superseded = []
    for g in wanted:
        if g in current and g not in unchanged:
            row = ledger.current_plan(sprint.cycle, g)
            superseded.append(Superseded(current[g], row.version if row is not None else None))
    if superseded and not (reason and reason.strip()):
        shown = "; ".join(str(x) for x in superseded[:10]) + (f"; and {len(superseded) - 10} more"
                                                                if len(superseded) > 10 else "")
        raise UsageError(f"issuing again supersedes {len(superseded)} template{'s' if len(superseded) != 1 else ''} "
                         f"of {sprint.cycle}: {shown}. A return on a superseded version is rejected. Give --reason "
                         "TEXT to go ahead (it is recorded), or leave those groups out")
    return unchanged, superseded


def _record_reissues(folder, issued: list[IssuedTemplate], superseded: list[Superseded], reason: str) -> None:
    path = folder / REISSUES
    new = path.exists()
    by_group = {t.group: t for t in issued}
    with path.open("a", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        if not new:
            out.writerow(REISSUE_COLUMNS)
        for s in superseded:
            if s.template.group in by_group:
                t = by_group[s.template.group]
                out.writerow([t.issued_at.isoformat(), t.group,
                              s.template.version, t.version, "" if s.plan_version is None else s.plan_version,
                              neutral(reason.strip())])


def issue(ctx: Context, sprint: Sprint, groups: list[str] | None = None, workers: int | None = None,
          progress: Callable[[IssuedTemplate], None] | None = None, force: bool = False, guard: bool = False,
          every: bool = False, reason: str | None = None,
          meanwhile: Callable[[PortfolioBasis], None] | None = None) -> Issue:
    """Write the templates of ``groups`` (default: every group) for the sprint, on the portfolio left for it, and
    record them with that portfolio. After the sprint's return-by date only with ``force``: the supplier has no time
    left to plan, and its return will be late. Never without the workspace's signing key (``MissingKey`` before
    anything is written). With ``guard`` (``mcc templates``): groups whose envelope digest is unchanged are left
    alone unless named or ``every``, and superseding a template needs ``reason`` (``_guard``). ``meanwhile``: the
    caller's own work on the portfolio left, done in this process while the worker processes write the templates
    (a rehearsal records the other groups' plans by their figures), so both cores are busy."""
    key = ctx.key
    config = ctx.config
    known = [g.mpid for g in config.industry.groups]
    wanted = known if not groups else [g.upper() for g in groups]
    unknown = [g for g in wanted if g not in known]
    if unknown:
        raise UsageError(f"no supplier group {', '.join(unknown)} in config/suppliers.csv")
    if issued_late(ctx, sprint) and not force:
        raise UsageError(f"sprint {sprint.sprint} ({sprint.cycle}) templates were to be returned by "
                         f"{sprint.submission_deadline:%a %d %b %Y}; today is {ctx.clock.now():%a %d %b %Y}. Issuing "
                         "one after its return-by date needs --force (its return will be marked late)")
    folder = ctx.workspace.templates_dir(sprint.cycle)
    issued_at: datetime = ctx.clock.now().replace(microsecond=0)
    basis = portfolio_basis(ctx, sprint, issued_at.date())
    contents = template_contents(ctx, sprint, wanted, basis)
    unchanged, superseded = _guard(ctx, sprint, wanted, contents, bool(groups), every, reason) if guard else ([], [])
    wanted = [g for g in wanted if g not in unchanged]
    folder.mkdir(parents=True, exist_ok=True)
    jobs = _next_versions(ctx.workspace, sprint.cycle, wanted) if wanted else []
    shortages = [Shortage(g, c.mpid, c.portfolio, c.fits) for g in wanted for c in contents[g].infeasible]
    _JOB.update(config=config, contents=contents, sprint=sprint, folder=folder, key=key, issued_at=issued_at)
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    issued: list[IssuedTemplate] = []
    try:
        if workers > 1 and len(jobs) >= 8 and "fork" in multiprocessing.get_all_start_methods():
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                written = pool.map(_write_one, *zip(*jobs, strict=True), chunksize=2)  # every job handed out now
                if meanwhile is not None:
                    meanwhile(basis)
                for t in written:
                    issued.append(t)
                    if progress:
                        progress(t)
        else:
            if meanwhile is not None:
                meanwhile(basis)
            for g, v in jobs:
                issued.append(_write_one(g, v))
                if progress:
                    progress(issued[-1])
    finally:
        _JOB.clear()
        if issued:  # the portfolio each issued template was built on: its return is judged on the same
            write_basis(folder, [basis.of(t.group) for t in issued])
            append_register(folder, issued)
            if superseded:
                _record_reissues(folder, issued, superseded, reason or "")
    return Issue(issued, shortages, basis, unchanged, superseded)
