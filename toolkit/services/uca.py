"""Unused capacity allocation (issue 6; Choreography 3.2.2; METHOD 8): the report and the request workbooks, the
snapshot the requests are judged against, reading the accepted requests, allocating, the baseline schedule and the
grant notices.

Round 1 is the UCA phase of planning (files in ``workbooks/<cycle>/uca/``). During execution, capacity that groups
cede by notifying a shortfall (Foundations 6.2, 6.4) is handed out in ad hoc rounds 2, 3, ...
(``workbooks/<cycle>/uca/round_NN/``), each with its own snapshot (from the day after it was issued), request forms
and allocation. A round's requests are judged against its own snapshot, and only the latest round takes requests.
The allocation of a cycle is the pure replay of every round (``toolkit.domain.allocation.replay``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from toolkit.clock import stamp
from toolkit.domain.allocation import (
    Allocation,
    Round,
    Sharing,
    Snapshot,
    caps,
    eligible_groups,
    notice_grants,
    replay,
    snapshot_of,
    standing,
)
from toolkit.domain.disclosure import disclosure_rule
from toolkit.domain.envelopes import Envelopes
from toolkit.domain.schedule import Schedule
from toolkit.domain.sprints import Sprint
from toolkit.domain.status import Kind, Status
from toolkit.errors import UsageError
from toolkit.excel import contract as C
from toolkit.excel.writers.uca import write_allocation_workbook, write_uca_report, write_uca_request
from toolkit.mail.compose import compose, environment, write_eml
from toolkit.services.consolidate import Consolidation, consolidation, figures_of, write_schedule
from toolkit.services.context import Context
from toolkit.store.registers import (
    SNAPSHOT,
    IssuedTemplate,
    RoundInfo,
    append_register,
    issued_rounds,
    latest_issued,
    read_round,
    read_snapshot,
    round_of,
    write_round,
    write_snapshot,
)
from toolkit.store.versions import next_version, versioned
from toolkit.store.workspace import Workspace

DAY = "%A %d %B %Y"


def rounds(workspace: Workspace, cycle: str) -> list[int]:
    """The UCA rounds issued for the cycle (those with a snapshot), in order."""
    return issued_rounds(workspace.uca_dir(cycle))


def snapshot(workspace: Workspace, cycle: str, round: int | None = None) -> Snapshot | None:
    """The unused capacity snapshot of ``round`` (default: the latest round)."""
    if round is None:
        issued = rounds(workspace, cycle)
        if not issued:
            return None
        round = issued[-1]
    return read_snapshot(workspace.uca_dir(cycle, round) / SNAPSHOT)


@dataclass
class UcaReport:
    report: Path
    snapshot: Path
    requests: list[IssuedTemplate]
    eligible: list[str]
    round: int = 1


def report_stem(round: int) -> str:
    """The report's file name without its version: ``uca_report`` for the planning round, ``uca_report_rNN`` for
    an ad hoc round, so no two rounds' reports reach a group under the same name."""
    return "uca_report" if round == 1 else f"uca_report_r{round:02d}"


def issue_uca_report(ctx: Context, s: Schedule, sprint: Sprint, round: int = 1,
                     first_day: date | None = None, published: Schedule | None = None) -> UcaReport:
    """The report and request forms of a round, from the unused capacity of schedule ``s``; an ad hoc round
    covers the days from ``first_day`` (the capacity of earlier days is gone) and shows a figure only where it
    tells nothing beyond the draft schedule ``published`` (``snapshot_of``)."""
    config, env, ws = ctx.config, ctx.envelopes(), ctx.workspace
    minimum = config.parameters.capacity.disclosure_minimum
    snap = snapshot_of(s, disclosure_rule(config.parameters, config.industry), first_day, published)
    folder = ws.uca_dir(sprint.cycle, round)
    issued_at = ctx.clock.now()
    write_round(folder, RoundInfo(round, issued_at, first_day or sprint.execution_start))
    write_snapshot(folder / SNAPSHOT, snap)
    stem = report_stem(round)
    version = next_version(folder, stem)
    write_snapshot(folder / versioned("unused_capacity", version, ".csv"), snap)
    what = "Unused capacity report" if round == 1 else f"Ad hoc unused capacity report (round {round})"
    report = write_uca_report(folder / versioned(stem, version), snap.ldsos, snap.days, snap.unused,
                              snap.disclosed, f"{what}, sprint {sprint.sprint} ({sprint.cycle}), version {version}",
                              minimum)
    eligible = eligible_groups(env, sprint)
    requests = _issue_requests(ctx, sprint, snap, eligible, round, issued_at)
    return UcaReport(report, folder / SNAPSHOT, requests, eligible, round)


def _issue_requests(ctx: Context, sprint: Sprint, snap: Snapshot, eligible: list[str], round: int,
                    issued_at: datetime) -> list[IssuedTemplate]:
    """A signed request form for every eligible group, recorded in the round's register."""
    config, env = ctx.config, ctx.envelopes()
    folder = ctx.workspace.requests_dir(sprint.cycle, round)
    folder.mkdir(parents=True, exist_ok=True)
    latest = latest_issued(folder)
    issued = []
    tag = "uca" if round == 1 else f"uca{round:02d}"
    for group in eligible:
        form = snap.form(env, group)
        v = latest[group].version + 1 if group in latest else 1
        name = f"MCC-{tag}_{sprint.cycle}_{group}_v{v:02d}.xlsx"
        tid = f"{sprint.cycle}-{group}-{tag}-v{v:02d}"
        meta = {"format": C.FORMAT_VERSION, "template_id": tid, "group": group, "cycle": sprint.cycle,
                "version": str(v), "issued_at": stamp(issued_at), "envelope_digest": snap.digest(),
                "round": str(round)}
        g = config.industry.group_by_mpid[group]
        write_uca_request(folder / name, group, g.name, form.ldsos, form.days, form.unused, form.disclosed, meta,
                          ctx.key, sprint.request_deadline(round), config.parameters.contact.email,
                          Sharing.of(config.parameters.capacity).describe())
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        issued.append(IssuedTemplate(tid, group, sprint.cycle, v, issued_at.replace(microsecond=0), snap.digest(),
                                     name, digest))
    append_register(folder, issued)
    return issued


def uca_report(ctx: Context, sprint: Sprint, adhoc: bool = False) -> UcaReport:
    """The Unused Capacity report (aggregated) and a request workbook per eligible group. Round 1 (the UCA phase of
    planning) starts from the accepted plans; an ad hoc round (``adhoc``, during execution) from the schedule as it
    stands, with the capacity groups ceded, for the days after today. Never without the signing key (the request
    forms are signed): ``MissingKey`` before anything is written."""
    ctx.key  # noqa: B018 - raises MissingKey, never makes a key
    if not adhoc:
        return issue_uca_report(ctx, consolidation(ctx, sprint).schedule, sprint)
    issued = rounds(ctx.workspace, sprint.cycle)
    if not issued:
        raise UsageError(f"no unused capacity allocation for {sprint.cycle} yet: the first round is mcc uca report "
                         "(without --adhoc)")
    first = ctx.clock.today() + timedelta(days=1)
    if first > sprint.execution_end:
        raise UsageError(f"sprint {sprint.cycle} executes until {sprint.execution_end}: no days left to hand out")
    s, _, result = current_schedule(ctx, sprint)
    return issue_uca_report(ctx, s, sprint, round=issued[-1] + 1, first_day=max(first, sprint.execution_start),
                            published=result.schedule)


# -- allocation ------------------------------------------------------------------------------------------------

def accepted_requests(ctx: Context, env: Envelopes, cycle: str, snap: Snapshot, round: int = 1) -> np.ndarray:
    """(G, L, D) the latest accepted UCA request of every group in ``round``, on the snapshot's days."""
    latest: dict[str, object] = {}
    for row in ctx.ledger.rows(cycle):
        if row.kind == Kind.UCA_REQUEST and row.status == Status.ACCEPTED and round_of(row.template_id) == round:
            latest[row.supplier_group] = row  # rows come in id order: the last one wins
    out = np.zeros((len(env.groups), len(env.ldsos), len(snap.days)), dtype=np.int64)
    for i, group in enumerate(env.groups):
        row = latest.get(group)
        if row is None:
            continue
        figures = figures_of(ctx, row)
        for c, x in enumerate(figures.ldsos):
            out[i, env.ldsos.index(x), :] = figures.daily[:, c]
    return out


def ceded_capacity(ctx: Context, s: Schedule, cycle: str, before: datetime | None = None) -> np.ndarray:
    """(G, L, D) the shortfalls groups notified for the cycle (recorded before ``before``, when given): capacity
    they give back."""
    out = np.zeros_like(s.daily)
    gi, li, di = ({g: i for i, g in enumerate(s.groups)}, {x: j for j, x in enumerate(s.ldsos)},
                  {d: k for k, d in enumerate(s.days)})
    for n in ctx.ledger.shortfalls(cycle):
        if (before is None or n.recorded_at < before) and n.supplier_group in gi and n.ldso in li and n.day in di:
            out[gi[n.supplier_group], li[n.ldso], di[n.day]] += n.count
    return out


def current_allocation(ctx: Context, sprint: Sprint) -> tuple[Allocation, Consolidation]:
    """Every round of the cycle replayed in order (deterministic: the same every time it is computed from the same
    ledger and configuration). Returns (the latest round's allocation, the consolidation it started from)."""
    ws = ctx.workspace
    issued = rounds(ws, sprint.cycle)
    if not issued:
        raise UsageError(f"no unused capacity report for {sprint.cycle} yet: run mcc uca report first")
    env = ctx.envelopes()
    result = consolidation(ctx, sprint)
    plays = []
    for r in issued:
        snap = snapshot(ws, sprint.cycle, r)
        cutoff = read_round(ws.uca_dir(sprint.cycle, r), r).issued_at if r > 1 else None
        ceded = ceded_capacity(ctx, result.schedule, sprint.cycle, cutoff) if r > 1 else None
        plays.append(Round(r, snap, accepted_requests(ctx, env, sprint.cycle, snap, r), ceded,
                           caps(env, snap, env.groups, env.ldsos)))
    return replay(result.schedule, plays, Sharing.of(ctx.config.parameters.capacity)), result


def current_schedule(ctx: Context, sprint: Sprint) -> tuple[Schedule, Allocation | None, Consolidation]:
    """The schedule as it stands: accepted plans, every round's grants, every notified shortfall taken off.
    Returns (schedule, allocation of the latest round or None, consolidation)."""
    if rounds(ctx.workspace, sprint.cycle):
        alloc, result = current_allocation(ctx, sprint)
        s = alloc.baseline
    else:
        alloc, result = None, consolidation(ctx, sprint)
        s = result.schedule
    return standing(s, ceded_capacity(ctx, s, sprint.cycle), alloc), alloc, result


def grant_context(ctx: Context, sprint: Sprint, group: str, grants) -> dict:
    """What a grant notice says: the group's own grants, asked and got, and the rule; the unused capacity and the
    other groups' requests only as far as the group may see them (issue 17)."""
    snap = snapshot(ctx.workspace, sprint.cycle)
    disclosed = {(snap.ldsos[j], snap.days[k]) for j, k in zip(*np.nonzero(snap.disclosed), strict=True)} \
        if snap is not None else set()
    capacity = ctx.config.parameters.capacity
    mine = notice_grants(grants, group, capacity.disclosure_minimum, disclosed, Sharing.of(capacity))
    return {"group_name": ctx.config.industry.group_by_mpid[group].name, "cycle": sprint.cycle, "grants": mine,
            "requested": sum(g.requested for g in mine), "granted": sum(g.granted for g in mine),
            "baseline_date": f"{sprint.baseline_publication:{DAY}}"}


def uca_allocate(ctx: Context, sprint: Sprint) -> tuple[Allocation, Path, Path, list[Path]]:
    """Allocate the accepted UCA requests; write the allocation workbook, the baseline schedule and grant notices.
    Returns (allocation, allocation workbook, baseline workbook, notices)."""
    alloc, result = current_allocation(ctx, sprint)
    folder = ctx.workspace.uca_dir(sprint.cycle, alloc.round)
    version = next_version(folder, "allocation")
    ok = "every LDSO and national limit holds" if not alloc.breaches else f"{len(alloc.breaches)} breaches (see the " \
        "baseline schedule)"
    what = "Unused capacity allocation" if alloc.round == 1 else f"Ad hoc unused capacity allocation (round " \
        f"{alloc.round})"
    book = write_allocation_workbook(folder / versioned("allocation", version), alloc.explained,
                                     f"{what}, sprint {sprint.sprint} ({sprint.cycle}), version {version}", ok)
    base = write_schedule(ctx, sprint, "baseline_schedule", alloc.baseline, alloc.breaches, result.missing,
                          "Baseline migration schedule (plans and UCA grants)")
    return alloc, book, base, _grant_notices(ctx, sprint, alloc, version)


def _grant_notices(ctx: Context, sprint: Sprint, alloc: Allocation, version: int) -> list[Path]:
    notices = []
    params = ctx.config.parameters
    jinja = environment(ctx.workspace.templates)
    for group in sorted({g.group for g in alloc.explained}):
        grp = ctx.config.industry.group_by_mpid[group]
        msg = compose(jinja, "grant", {**grant_context(ctx, sprint, group, alloc.explained),
                                       "mcc_name": params.contact.name, "mcc_email": params.contact.email},
                      params.contact.email, list(grp.contacts), f"[MCC] Unused capacity granted ({sprint.cycle}, "
                      f"{group})", ctx.clock.now())
        name = f"uca_grant_v{version:02d}.eml" if alloc.round == 1 else f"uca{alloc.round:02d}_grant_v{version:02d}.eml"
        notices.append(write_eml(msg, ctx.workspace.outbox / sprint.cycle / group / name))
    return notices
