"""Unused capacity allocation (issue 6; Choreography 3.2.2; METHOD 8): the report and request workbooks, the
snapshot the requests are judged against, reading accepted requests, allocating, and the baseline schedule."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np

from toolkit.config import Config
from toolkit.domain.disclosure import publication_masks
from toolkit.domain.envelopes import Category, Envelopes
from toolkit.domain.parameters import AllocationRule
from toolkit.domain.rules import RequestForm, disclosure_counts, read_numbers
from toolkit.domain.schedule import (
    Grant,
    Schedule,
    allocate,
    baseline,
    breaches,
    eligible_groups,
    explain_grants,
    unused_capacity,
)
from toolkit.domain.sprints import Sprint
from toolkit.errors import UsageError
from toolkit.excel import contract as C
from toolkit.inbox.ledger import Ledger
from toolkit.templates import IssuedTemplate, append_register_in, latest_in
from toolkit.workspace import Workspace

SNAPSHOT = "unused_capacity.csv"
SHARING = {AllocationRule.PRO_RATA: "pro rata to the amounts the groups asking requested",
           AllocationRule.EQUAL_SHARE: "shared equally between the groups asking (up to what each requested)"}


def uca_dir(workspace: Workspace, cycle: str) -> Path:
    return workspace.cycle_dir(cycle) / "uca"


def requests_dir(workspace: Workspace, cycle: str) -> Path:
    return uca_dir(workspace, cycle) / "requests"


@dataclass(frozen=True)
class Snapshot:
    ldsos: list[str]
    days: list[date]
    unused: np.ndarray  # (L, D)
    groups: np.ndarray  # (L, D) groups the figure is built from
    disclosed: np.ndarray  # (L, D)

    def digest(self) -> str:
        return hashlib.sha256(self.unused.astype(np.int64).tobytes() + "|".join(self.ldsos).encode()).hexdigest()

    def form(self, env: Envelopes, group: str) -> RequestForm:
        """The request form of a group: its envelope LDSOs only."""
        i = env.groups.index(group)
        cols = [j for j, x in enumerate(self.ldsos) if env.category[i, env.ldsos.index(x)] == Category.ENVELOPE]
        return RequestForm(group, [self.ldsos[j] for j in cols], self.days, self.unused[cols].T.copy(),
                           self.disclosed[cols].T.copy())


def snapshot_of(s: Schedule, minimum: int) -> Snapshot:
    """Unused capacity is the limit minus the LDSO's plans, so it is shown only where the draft publication shows
    the plans (the same masks: primary and complementary suppression)."""
    uc = unused_capacity(s)
    counts = disclosure_counts(s.daily)
    disclosed = ~publication_masks(s, minimum)["ldso_daily"]
    return Snapshot(list(s.ldsos), list(s.days), uc, counts, disclosed)


def write_snapshot(path: Path, snap: Snapshot) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle, lineterminator="\n")
        w.writerow(["ldso", "date", "unused", "groups", "disclosed"])
        for j, x in enumerate(snap.ldsos):
            for k, d in enumerate(snap.days):
                w.writerow([x, d.isoformat(), int(snap.unused[j, k]), int(snap.groups[j, k]),
                            "true" if snap.disclosed[j, k] else "false"])


def read_snapshot(workspace: Workspace, cycle: str) -> Snapshot | None:
    path = uca_dir(workspace, cycle) / SNAPSHOT
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    ldsos = list(dict.fromkeys(r["ldso"] for r in rows))
    days = sorted({date.fromisoformat(r["date"]) for r in rows})
    shape = (len(ldsos), len(days))
    unused, groups, disclosed = np.zeros(shape, np.int64), np.zeros(shape, np.int64), np.zeros(shape, bool)
    li = {x: j for j, x in enumerate(ldsos)}
    di = {d: k for k, d in enumerate(days)}
    for r in rows:
        j, k = li[r["ldso"]], di[date.fromisoformat(r["date"])]
        unused[j, k], groups[j, k], disclosed[j, k] = int(r["unused"]), int(r["groups"]), r["disclosed"] == "true"
    return Snapshot(ldsos, days, unused, groups, disclosed)


@dataclass
class UcaReport:
    report: Path
    snapshot: Path
    requests: list[IssuedTemplate]
    eligible: list[str]


def issue_uca_report(workspace: Workspace, config: Config, env: Envelopes, s: Schedule, sprint: Sprint,
                     issued_at: datetime, key: bytes) -> UcaReport:
    from toolkit.excel.uca_workbook import write_uca_report, write_uca_request
    from toolkit.services import next_version

    minimum = config.parameters.capacity.disclosure_minimum
    snap = snapshot_of(s, minimum)
    folder = uca_dir(workspace, sprint.cycle)
    write_snapshot(folder / SNAPSHOT, snap)
    version = next_version(folder, "uca_report")
    write_snapshot(folder / f"unused_capacity_v{version:02d}.csv", snap)
    report = write_uca_report(folder / f"uca_report_v{version:02d}.xlsx", snap.ldsos, snap.days, snap.unused,
                              snap.disclosed, f"Unused capacity report, sprint {sprint.sprint} ({sprint.cycle}), "
                              f"version {version}", minimum)
    eligible = eligible_groups(env, sprint)
    req_folder = requests_dir(workspace, sprint.cycle)
    req_folder.mkdir(parents=True, exist_ok=True)
    latest = latest_in(req_folder)
    issued = []
    stamp = issued_at.isoformat(timespec="seconds")
    for group in eligible:
        form = snap.form(env, group)
        v = latest[group].version + 1 if group in latest else 1
        name = f"MCC-uca_{sprint.cycle}_{group}_v{v:02d}.xlsx"
        tid = f"{sprint.cycle}-{group}-uca-v{v:02d}"
        meta = {"format": C.FORMAT_VERSION, "template_id": tid, "group": group, "cycle": sprint.cycle,
                "version": str(v), "issued_at": stamp, "envelope_digest": snap.digest()}
        g = config.industry.group_by_mpid[group]
        write_uca_request(req_folder / name, group, g.name, form.ldsos, form.days, form.unused, form.disclosed, meta,
                          key, sprint.uca_end, config.parameters.contact.email,
                          SHARING[config.parameters.capacity.uca_rule])
        digest = hashlib.sha256((req_folder / name).read_bytes()).hexdigest()
        issued.append(IssuedTemplate(tid, group, sprint.cycle, v, stamp, snap.digest(), name, digest))
    append_register_in(req_folder, issued)
    return UcaReport(report, folder / SNAPSHOT, issued, eligible)


def accepted_requests(workspace: Workspace, env: Envelopes, cycle: str, snap: Snapshot) -> np.ndarray:
    """(G, L, D) the latest accepted UCA request of every group, on the snapshot's days."""
    from toolkit.excel.reader import read_template
    from toolkit.inbox.pipeline import LEDGER

    ledger = Ledger(workspace.workbooks / LEDGER)
    out = np.zeros((len(env.groups), len(env.ldsos), len(snap.days)), dtype=np.int64)
    for i, group in enumerate(env.groups):
        row = ledger.current_plan(cycle, group, kind=C.KIND_UCA)
        if row is None:
            continue
        sub = read_template(workspace.root / row.archive_path, row.original_name)
        grid = sub.grids[C.UCA_REQUEST]
        values, _ = read_numbers(grid, "UCA request")
        for c, x in enumerate(grid.keys):
            out[i, env.ldsos.index(x), :] = values[:, c]
    return out


@dataclass
class Allocation:
    requests: np.ndarray
    grants: np.ndarray
    available: np.ndarray
    explained: list[Grant]
    baseline: Schedule
    breaches: list


def allocate_cycle(s: Schedule, requests: np.ndarray, snap: Snapshot,
                   rule: AllocationRule = AllocationRule.PRO_RATA) -> Allocation:
    """Grants within the smaller of the published snapshot and the unused capacity now (plans accepted since the
    report may have used some), then the baseline with every limit checked again."""
    available = np.minimum(snap.unused, unused_capacity(s))
    grants = allocate(requests, available, s.groups, rule)
    base = baseline(s, grants)
    return Allocation(requests, grants, available, explain_grants(requests, grants, available, s, rule), base,
                      breaches(base))


def current_allocation(workspace: Workspace, config: Config, sprint: Sprint):
    """The allocation of the cycle's accepted requests against the published snapshot and the current plans
    (deterministic: the same every time it is computed from the same ledger and configuration), with the
    consolidation it was made on. Returns (allocation, consolidation)."""
    from toolkit.schedule_service import consolidation
    from toolkit.services import envelopes

    snap = read_snapshot(workspace, sprint.cycle)
    if snap is None:
        raise UsageError(f"no unused capacity report for {sprint.cycle} yet: run mcc uca report first")
    env = envelopes(config)
    result = consolidation(workspace, config, env, sprint)
    return allocate_cycle(result.schedule, accepted_requests(workspace, env, sprint.cycle, snap), snap,
                          config.parameters.capacity.uca_rule), result
