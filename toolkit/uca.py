"""Unused capacity allocation (issue 6; Choreography 3.2.2; METHOD 8): the report and request workbooks, the
snapshot the requests are judged against, reading accepted requests, allocating, and the baseline schedule.

Allocation runs in rounds. Round 1 is the UCA phase of sprint planning (files in ``workbooks/<cycle>/uca/``).
During execution, capacity that groups cede by notifying a shortfall (Foundations 6.2, 6.4) is handed out in ad
hoc rounds 2, 3, ... (``workbooks/<cycle>/uca/round_NN/``), each with its own unused capacity snapshot (from the
day after it was issued), request forms and allocation. A round's requests are judged against its own snapshot,
and only the latest round takes requests. The allocation of a cycle replays every round in order: round r
allocates its accepted requests on the schedule left by the rounds before it, minus the shortfalls notified
before round r was issued, so no capacity is handed out twice.
"""

from __future__ import annotations

import csv
import hashlib
import json
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


ROUND_FILE = "round.json"


def uca_dir(workspace: Workspace, cycle: str, round: int = 1) -> Path:
    base = workspace.cycle_dir(cycle) / "uca"
    return base if round == 1 else base / f"round_{round:02d}"


def requests_dir(workspace: Workspace, cycle: str, round: int = 1) -> Path:
    return uca_dir(workspace, cycle, round) / "requests"


def rounds(workspace: Workspace, cycle: str) -> list[int]:
    """The UCA rounds issued for the cycle (those with a snapshot), in order."""
    base = uca_dir(workspace, cycle)
    found = [1] if (base / SNAPSHOT).is_file() else []
    found += sorted(int(p.name[6:]) for p in base.glob("round_*") if p.name[6:].isdigit() and (p / SNAPSHOT).is_file())
    return found


def round_info(workspace: Workspace, cycle: str, round: int) -> dict:
    """When a round was issued and the first day it covers (``issued_at`` "" for a round 1 of an older
    workspace, which is before everything)."""
    path = uca_dir(workspace, cycle, round) / ROUND_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"round": round, "issued_at": "",
                                                                                "first_day": ""}


def round_of(template_id: str | None) -> int:
    """The round a request form was issued in, from its template id (``S8-JONV-uca-v01`` is round 1,
    ``S8-JONV-uca03-v01`` round 3)."""
    part = (template_id or "").rsplit("-", 2)
    if len(part) == 3 and part[1].startswith("uca") and part[1][3:].isdigit():
        return int(part[1][3:])
    return 1


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


def read_snapshot(workspace: Workspace, cycle: str, round: int | None = None) -> Snapshot | None:
    """The unused capacity snapshot of ``round`` (default: the latest round)."""
    if round is None:
        issued = rounds(workspace, cycle)
        if not issued:
            return None
        round = issued[-1]
    path = uca_dir(workspace, cycle, round) / SNAPSHOT
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
    round: int = 1


def issue_uca_report(workspace: Workspace, config: Config, env: Envelopes, s: Schedule, sprint: Sprint,
                     issued_at: datetime, key: bytes, round: int = 1, first_day: date | None = None) -> UcaReport:
    """The report and request forms of a round, from the unused capacity of schedule ``s``; an ad hoc round
    covers the days from ``first_day`` (the capacity of earlier days is gone)."""
    from toolkit.excel.writers.uca import write_uca_report, write_uca_request
    from toolkit.services import next_version

    minimum = config.parameters.capacity.disclosure_minimum
    snap = snapshot_of(s, minimum)
    if first_day is not None:
        snap.unused[:, [k for k, d in enumerate(snap.days) if d < first_day]] = 0
    folder = uca_dir(workspace, sprint.cycle, round)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = issued_at.isoformat(timespec="seconds")
    (folder / ROUND_FILE).write_text(json.dumps({"round": round, "issued_at": stamp, "first_day": (
        first_day or sprint.execution_start).isoformat()}), encoding="utf-8")
    write_snapshot(folder / SNAPSHOT, snap)
    version = next_version(folder, "uca_report")
    write_snapshot(folder / f"unused_capacity_v{version:02d}.csv", snap)
    what = "Unused capacity report" if round == 1 else f"Ad hoc unused capacity report (round {round})"
    report = write_uca_report(folder / f"uca_report_v{version:02d}.xlsx", snap.ldsos, snap.days, snap.unused,
                              snap.disclosed, f"{what}, sprint {sprint.sprint} ({sprint.cycle}), version {version}",
                              minimum)
    eligible = eligible_groups(env, sprint)
    req_folder = requests_dir(workspace, sprint.cycle, round)
    req_folder.mkdir(parents=True, exist_ok=True)
    latest = latest_in(req_folder)
    issued = []
    tag = "uca" if round == 1 else f"uca{round:02d}"
    for group in eligible:
        form = snap.form(env, group)
        v = latest[group].version + 1 if group in latest else 1
        name = f"MCC-{tag}_{sprint.cycle}_{group}_v{v:02d}.xlsx"
        tid = f"{sprint.cycle}-{group}-{tag}-v{v:02d}"
        meta = {"format": C.FORMAT_VERSION, "template_id": tid, "group": group, "cycle": sprint.cycle,
                "version": str(v), "issued_at": stamp, "envelope_digest": snap.digest(), "round": str(round)}
        g = config.industry.group_by_mpid[group]
        write_uca_request(req_folder / name, group, g.name, form.ldsos, form.days, form.unused, form.disclosed, meta,
                          key, sprint.uca_end, config.parameters.contact.email,
                          SHARING[config.parameters.capacity.uca_rule])
        digest = hashlib.sha256((req_folder / name).read_bytes()).hexdigest()
        issued.append(IssuedTemplate(tid, group, sprint.cycle, v, stamp, snap.digest(), name, digest))
    append_register_in(req_folder, issued)
    return UcaReport(report, folder / SNAPSHOT, issued, eligible, round)


def accepted_requests(workspace: Workspace, env: Envelopes, cycle: str, snap: Snapshot, round: int = 1) -> np.ndarray:
    """(G, L, D) the latest accepted UCA request of every group in ``round``, on the snapshot's days."""
    from toolkit.excel.reader import read_template
    from toolkit.inbox.pipeline import LEDGER

    ledger = Ledger(workspace.workbooks / LEDGER)
    latest: dict[str, object] = {}
    for row in ledger.rows(cycle):
        if row.kind == C.KIND_UCA and row.status == "accepted" and round_of(row.template_id) == round:
            latest[row.supplier_group] = row  # rows come in id order: the last one wins
    out = np.zeros((len(env.groups), len(env.ldsos), len(snap.days)), dtype=np.int64)
    for i, group in enumerate(env.groups):
        row = latest.get(group)
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
    """One round's allocation; ``all_grants`` and ``baseline`` take in every round up to and including it, and the
    notified shortfalls (``ceded``) applied so far."""

    requests: np.ndarray
    grants: np.ndarray
    available: np.ndarray
    explained: list[Grant]
    baseline: Schedule
    breaches: list
    round: int = 1
    all_grants: np.ndarray | None = None
    ceded: np.ndarray | None = None

    def __post_init__(self):
        if self.all_grants is None:
            self.all_grants = self.grants
        if self.ceded is None:
            self.ceded = np.zeros_like(self.grants)


def allocate_cycle(s: Schedule, requests: np.ndarray, snap: Snapshot,
                   rule: AllocationRule = AllocationRule.PRO_RATA) -> Allocation:
    """Grants within the smaller of the published snapshot and the unused capacity now (plans accepted since the
    report may have used some), then the baseline with every limit checked again."""
    available = np.minimum(snap.unused, unused_capacity(s))
    grants = allocate(requests, available, s.groups, rule)
    base = baseline(s, grants)
    return Allocation(requests, grants, available, explain_grants(requests, grants, available, s, rule), base,
                      breaches(base))


def ceded_capacity(workspace: Workspace, s: Schedule, cycle: str, before: str | None = None) -> np.ndarray:
    """(G, L, D) the shortfalls groups notified for the cycle (recorded before ``before``, an ISO timestamp, when
    given): capacity they give back."""
    from toolkit.inbox.pipeline import LEDGER

    out = np.zeros_like(s.daily)
    gi, li, di = ({g: i for i, g in enumerate(s.groups)}, {x: j for j, x in enumerate(s.ldsos)},
                  {d.isoformat(): k for k, d in enumerate(s.days)})
    for _, group, ldso, day, count, _, at in Ledger(workspace.workbooks / LEDGER).shortfalls(cycle):
        if (before is None or at < before) and group in gi and ldso in li and day in di:
            out[gi[group], li[ldso], di[day]] += count
    return out


def _cede(s: Schedule, ceded: np.ndarray) -> Schedule:
    """The schedule with notified shortfalls taken off (never below nothing)."""
    return baseline(s, -np.minimum(ceded, s.daily))


def current_schedule(workspace: Workspace, config: Config, sprint: Sprint):
    """The schedule as it stands: accepted plans, every round's grants, every notified shortfall taken off.
    Returns (schedule, allocation of the latest round or None, consolidation)."""
    from toolkit.schedule_service import consolidation
    from toolkit.services import envelopes

    if rounds(workspace, sprint.cycle):
        alloc, result = current_allocation(workspace, config, sprint)
        s = alloc.baseline
    else:
        alloc, result = None, consolidation(workspace, config, envelopes(config), sprint)
        s = result.schedule
    already = alloc.ceded if alloc is not None else np.zeros_like(s.daily)
    later = np.maximum(ceded_capacity(workspace, s, sprint.cycle) - already, 0)
    return _cede(s, later), alloc, result


def current_allocation(workspace: Workspace, config: Config, sprint: Sprint):
    """Every round of the cycle replayed in order (deterministic: the same every time it is computed from the same
    ledger and configuration). Returns (the latest round's allocation, the consolidation it started from)."""
    from toolkit.schedule_service import consolidation
    from toolkit.services import envelopes

    issued = rounds(workspace, sprint.cycle)
    if not issued:
        raise UsageError(f"no unused capacity report for {sprint.cycle} yet: run mcc uca report first")
    env = envelopes(config)
    result = consolidation(workspace, config, env, sprint)
    s = result.schedule
    rule = config.parameters.capacity.uca_rule
    total = np.zeros_like(s.daily)
    applied = np.zeros_like(s.daily)
    alloc = None
    for r in issued:
        snap = read_snapshot(workspace, sprint.cycle, r)
        if r > 1:  # shortfalls notified before this round was issued make room in it
            cutoff = round_info(workspace, sprint.cycle, r)["issued_at"] or None
            new = np.maximum(ceded_capacity(workspace, s, sprint.cycle, cutoff) - applied, 0)
            s = _cede(s, new)
            applied = applied + new
        alloc = allocate_cycle(s, accepted_requests(workspace, env, sprint.cycle, snap, r), snap, rule)
        total = total + alloc.grants
        s = alloc.baseline
    alloc.round, alloc.all_grants, alloc.ceded = issued[-1], total, applied
    return alloc, result
