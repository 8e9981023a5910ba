"""Issue supplier templates: one workbook per group and cycle, versioned, recorded in the cycle's register.

Files go to ``workbooks/<cycle>/templates/`` named ``MCC-plan_<cycle>_<group>_v<NN>.xlsx``. Re-issuing a group's
template for the same cycle writes the next version; earlier versions stay on disk and in the register
(``register.csv``), and the inbox treats every version but the latest as superseded.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from toolkit.config import Config
from toolkit.domain.programme import GroupBasis, PortfolioBasis, carry_over
from toolkit.domain.sprints import Sprint
from toolkit.domain.template import TemplateContent, template_content
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


def issue(ctx: Context, sprint: Sprint, groups: list[str] | None = None, workers: int | None = None,
          progress: Callable[[IssuedTemplate], None] | None = None, force: bool = False) -> Issue:
    """Write the templates of ``groups`` (default: every group) for the sprint, on the portfolio left for it, and
    record them with that portfolio. After the sprint's return-by date only with ``force``: the supplier has no time
    left to plan, and its return will be late. Never without the workspace's signing key (``MissingKey`` before
    anything is written)."""
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
    folder.mkdir(parents=True, exist_ok=True)
    jobs = _next_versions(ctx.workspace, sprint.cycle, wanted)
    issued_at: datetime = ctx.clock.now().replace(microsecond=0)
    basis = portfolio_basis(ctx, sprint, issued_at.date())
    contents = template_contents(ctx, sprint, wanted, basis)
    shortages = [Shortage(g, c.mpid, c.portfolio, c.fits) for g in wanted for c in contents[g].infeasible]
    _JOB.update(config=config, contents=contents, sprint=sprint, folder=folder, key=key, issued_at=issued_at)
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    issued: list[IssuedTemplate] = []
    try:
        if workers > 1 and len(jobs) >= 8 and "fork" in multiprocessing.get_all_start_methods():
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                for t in pool.map(_write_one, *zip(*jobs, strict=True), chunksize=2):
                    issued.append(t)
                    if progress:
                        progress(t)
        else:
            for g, v in jobs:
                issued.append(_write_one(g, v))
                if progress:
                    progress(issued[-1])
    finally:
        _JOB.clear()
        if issued:  # the portfolio each issued template was built on: its return is judged on the same
            write_basis(folder, [basis.of(t.group) for t in issued])
            append_register(folder, issued)
    return Issue(issued, shortages, basis)
