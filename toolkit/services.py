"""The operations the CLI, the watcher and the Excel macros share. They take a workspace and explicit
arguments (including "today" where it matters) and return what they made; they print nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from toolkit.config import Config, load_config
from toolkit.config.demo import DemoSpec, generate, write_config
from toolkit.domain import envelopes as env_domain
from toolkit.domain.calendar import CALENDAR_COLUMNS, calendar_table
from toolkit.domain.sprints import SPRINT_COLUMNS, Sprint, planning_sprint, sprint_by_cycle
from toolkit.errors import UsageError, WorkspaceError
from toolkit.exports import ics_calendar, write_csv
from toolkit.templates import IssuedTemplate, current_templates, issue_templates, templates_dir
from toolkit.workspace import FOLDERS, Workspace


def load(workspace: Workspace) -> Config:
    return load_config(workspace.root)


def init_workspace(target: Path, spec: DemoSpec | None = None, force: bool = False) -> Workspace:
    """Create a workspace holding the demo configuration."""
    ws = Workspace(target.expanduser().resolve())
    existing = [p.name for p in ws.config.glob("*")] if ws.config.is_dir() else []
    if existing and not force:
        raise WorkspaceError(f"{ws.config} already holds {', '.join(sorted(existing))}; "
                             "use --force to overwrite it with the demo configuration")
    for name in FOLDERS:
        (ws.root / name).mkdir(parents=True, exist_ok=True)
    write_config(generate(spec or DemoSpec()), ws.config)
    from toolkit.mail.compose import export_defaults

    export_defaults(ws.templates / "email")
    return ws


def generate_industry(out_dir: Path, spec: DemoSpec) -> list[Path]:
    """Write a generated industry's configuration files into ``out_dir``."""
    return write_config(generate(spec), out_dir)


def resolve_cycle(config: Config, cycle: str | None, today: date) -> Sprint:
    """The sprint named by ``cycle`` ("S3" or "3"), else the one being planned on ``today``."""
    sprints = config.calendar.sprints
    if cycle:
        found = sprint_by_cycle(sprints, cycle)
        if found is None:
            names = ", ".join(s.cycle for s in sprints)
            raise UsageError(f"no sprint {cycle!r} in config/calendar.toml (the sprints are {names})")
        return found
    found = planning_sprint(sprints, today)
    if found is None:
        raise UsageError("config/calendar.toml lists no sprint")
    return found


def export_calendar_csv(config: Config, path: Path) -> int:
    return write_csv(path, CALENDAR_COLUMNS, calendar_table(config.calendar))


def export_calendar_ics(config: Config, path: Path, stamp: datetime) -> int:
    events = config.calendar.events()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ics_calendar(events, stamp).encode("utf-8"))
    return len(events)


def export_sprints_csv(config: Config, path: Path) -> int:
    return write_csv(path, SPRINT_COLUMNS, (s.as_row() for s in config.calendar.sprints))


def envelopes(config: Config) -> env_domain.Envelopes:
    return env_domain.calculate(config.industry, config.calendar, config.parameters)


def export_envelopes_csv(env: env_domain.Envelopes, path: Path, weekly: bool = False) -> int:
    """Written ten groups at a time: the whole table of a large industry never sits in memory at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    rows = 0
    with part.open("w", encoding="utf-8", newline="") as handle:
        for start in range(0, max(len(env.groups), 1), 10):
            frame = env_domain.envelope_table(env, weekly=weekly, groups=slice(start, start + 10))
            frame.to_csv(handle, index=False, header=start == 0, lineterminator="\n")
            rows += len(frame)
    part.replace(path)
    return rows


def write_envelope_workbook(config: Config, workspace: Workspace, env: env_domain.Envelopes, sprint: Sprint) -> Path:
    from toolkit.excel.writers.envelopes import write_envelope_workbook as write

    names = {x.mpid: x.name for x in config.industry.ldsos} | {g.mpid: g.name for g in config.industry.groups}
    path = workspace.cycle_dir(sprint.cycle) / "envelopes.xlsx"
    return write(path, env, config.parameters, names,
                 title=f"Capacity envelopes for sprint {sprint.sprint} (issued {sprint.envelope_issue})")


def explain_envelope(config: Config, group: str, ldso: str, day: date) -> list[tuple[str, str]]:
    env = envelopes(config)
    if group not in env.groups:
        raise UsageError(f"no supplier group {group!r} in config/suppliers.csv")
    if ldso not in env.ldsos:
        raise UsageError(f"no LDSO {ldso!r} in config/ldsos.csv")
    if not env.dates[0] <= day <= env.dates[-1]:
        raise UsageError(f"{day} is outside the migration window {env.dates[0]} to {env.dates[-1]}")
    return env_domain.explain(env, config.parameters, group, ldso, day)


# -- the watched inbox ---------------------------------------------------------------------------------

def make_judge(workspace: Workspace, config: Config, today: date, cycle: str | None = None):
    """A judge of returned files for the cycle being planned on ``today`` (or ``cycle``)."""
    from toolkit.excel.contract import signing_key
    from toolkit.inbox.pipeline import Judge

    planning = resolve_cycle(config, cycle, today)
    return Judge(workspace, config, planning.cycle, signing_key(workspace.config))


def validate_file(workspace: Workspace, path: Path, today: date, cycle: str | None = None):
    """Judge one file without touching the inbox, the ledger or the outbox."""
    if not path.is_file():
        raise UsageError(f"no file {path}")
    config = load(workspace)
    return make_judge(workspace, config, today, cycle).judge(path, path.name)


def make_inbox(workspace: Workspace, today: date, clock, cycle: str | None = None, on_outcome=None):
    from toolkit.inbox.pipeline import Inbox

    workspace.ensure_folders()
    config = load(workspace)
    return Inbox(workspace, make_judge(workspace, config, today, cycle), clock, on_outcome)


@dataclass
class GroupStatus:
    group: str
    name: str
    submitted: int
    accepted: int
    rejected: int
    quarantined: int
    latest_version: int | None
    latest_at: str | None
    latest_status: str | None
    current_plan: str | None  # the accepted submission that is the group's plan: "#12 v2 at ..."


def submission_status(workspace: Workspace, config: Config, cycle: str) -> list[GroupStatus]:
    """Per group for the cycle: what was submitted and judged, and which accepted version is the current plan."""
    from toolkit.inbox.ledger import Ledger
    from toolkit.inbox.pipeline import LEDGER

    ledger = Ledger(workspace.workbooks / LEDGER)
    rows = [r for r in ledger.rows(cycle) if r.status != "duplicate" and r.kind == "plan"]
    out = []
    for g in config.industry.groups:
        mine = [r for r in rows if r.supplier_group == g.mpid]
        latest = mine[-1] if mine else None
        current = ledger.current_plan(cycle, g.mpid)
        out.append(GroupStatus(
            g.mpid, g.name, len(mine), sum(r.status == "accepted" for r in mine),
            sum(r.status == "rejected" for r in mine), sum(r.status == "quarantined" for r in mine),
            latest.version if latest else None, latest.received_at if latest else None,
            latest.status if latest else None,
            f"#{current.id} v{current.version} received {current.received_at}" if current else None))
    return out


# -- consolidation -------------------------------------------------------------------------------------

def next_version(folder: Path, stem: str) -> int:
    """The next version number of ``<stem>_vNN.xlsx`` files in ``folder``."""
    found = [int(p.stem.rsplit("_v", 1)[1]) for p in folder.glob(f"{stem}_v*.xlsx")
             if p.stem.rsplit("_v", 1)[1].isdigit()]
    return max(found, default=0) + 1


def consolidate_schedule(workspace: Workspace, config: Config, sprint: Sprint, stamp: datetime):
    """The draft schedule of the cycle from the accepted plans; writes the versioned MCC workbook
    ``workbooks/<cycle>/schedule/draft_schedule_vNN.xlsx``. Returns (consolidation, path)."""
    from toolkit.excel.writers.schedule import write_schedule_workbook
    from toolkit.schedule_service import consolidation

    result = consolidation(workspace, config, envelopes(config), sprint)
    folder = workspace.cycle_dir(sprint.cycle) / "schedule"
    folder.mkdir(parents=True, exist_ok=True)
    version = next_version(folder, "draft_schedule")
    names = {g.mpid: g.name for g in config.industry.groups}
    path = write_schedule_workbook(folder / f"draft_schedule_v{version:02d}.xlsx", result.schedule, result.breaches,
                                   result.missing, names,
                                   f"Draft migration schedule, sprint {sprint.sprint} ({sprint.cycle}), version "
                                   f"{version}", stamp.isoformat(timespec="seconds"))
    return result, path


# -- unused capacity -------------------------------------------------------------------------------------

def uca_report(workspace: Workspace, config: Config, sprint: Sprint, stamp: datetime, adhoc: bool = False,
               today: date | None = None):
    """The Unused Capacity report (aggregated) and a request workbook per eligible group. Round 1 (the UCA phase of
    planning) starts from the accepted plans; an ad hoc round (``adhoc``, during execution) from the schedule as it
    stands, with the capacity groups ceded, for the days after ``today``."""
    from toolkit.excel.contract import signing_key
    from toolkit.schedule_service import consolidation
    from toolkit.uca import current_schedule, issue_uca_report, rounds

    env = envelopes(config)
    key = signing_key(workspace.config)
    if not adhoc:
        result = consolidation(workspace, config, env, sprint)
        return issue_uca_report(workspace, config, env, result.schedule, sprint, stamp, key)
    issued = rounds(workspace, sprint.cycle)
    if not issued:
        raise UsageError(f"no unused capacity allocation for {sprint.cycle} yet: the first round is mcc uca report "
                         "(without --adhoc)")
    first = (today or stamp.date()) + timedelta(days=1)
    if first > sprint.execution_end:
        raise UsageError(f"sprint {sprint.cycle} executes until {sprint.execution_end}: no days left to hand out")
    s, _, _ = current_schedule(workspace, config, sprint)
    return issue_uca_report(workspace, config, env, s, sprint, stamp, key, round=issued[-1] + 1,
                            first_day=max(first, sprint.execution_start))


def uca_allocate(workspace: Workspace, config: Config, sprint: Sprint, stamp: datetime):
    """Allocate the accepted UCA requests; write the allocation workbook, the baseline schedule and grant notices.
    Returns (allocation, allocation workbook, baseline workbook, notices)."""
    from toolkit.distribute import grant_context
    from toolkit.excel.writers.schedule import write_schedule_workbook
    from toolkit.excel.writers.uca import write_allocation_workbook
    from toolkit.mail.compose import compose, environment, write_eml
    from toolkit.uca import current_allocation, uca_dir

    alloc, result = current_allocation(workspace, config, sprint)
    folder = uca_dir(workspace, sprint.cycle, alloc.round)
    version = next_version(folder, "allocation")
    ok = "every LDSO and national limit holds" if not alloc.breaches else f"{len(alloc.breaches)} breaches (see the " \
        "baseline schedule)"
    what = "Unused capacity allocation" if alloc.round == 1 else f"Ad hoc unused capacity allocation (round " \
        f"{alloc.round})"
    book = write_allocation_workbook(folder / f"allocation_v{version:02d}.xlsx", alloc.explained,
                                     f"{what}, sprint {sprint.sprint} ({sprint.cycle}), version {version}", ok)
    sched_folder = workspace.cycle_dir(sprint.cycle) / "schedule"
    sched_folder.mkdir(parents=True, exist_ok=True)
    bversion = next_version(sched_folder, "baseline_schedule")
    names = {g.mpid: g.name for g in config.industry.groups}
    base = write_schedule_workbook(sched_folder / f"baseline_schedule_v{bversion:02d}.xlsx", alloc.baseline,
                                   alloc.breaches, result.missing, names,
                                   f"Baseline migration schedule (plans and UCA grants), sprint {sprint.sprint} "
                                   f"({sprint.cycle}), version {bversion}", stamp.isoformat(timespec="seconds"))
    notices = []
    params = config.parameters
    jinja = environment(workspace.templates)
    for group in sorted({g.group for g in alloc.explained}):
        grp = config.industry.group_by_mpid[group]
        msg = compose(jinja, "grant", {**grant_context(config, sprint, group, alloc.explained),
                                       "mcc_name": params.contact.name, "mcc_email": params.contact.email},
                      params.contact.email, list(grp.contacts), f"[MCC] Unused capacity granted ({sprint.cycle}, "
                      f"{group})", stamp)
        name = f"uca_grant_v{version:02d}.eml" if alloc.round == 1 else f"uca{alloc.round:02d}_grant_v{version:02d}.eml"
        notices.append(write_eml(msg, workspace.outbox / sprint.cycle / group / name))
    return alloc, book, base, notices


@dataclass
class DemoResult:
    outputs: list[tuple[str, Path]]
    outcomes: list = None


def run_demo(workspace: Workspace, today: date, stamp: datetime, clock=None) -> DemoResult:
    """The main job on the demo workspace; grows as the toolkit grows."""
    workspace.ensure_folders()
    config = load(workspace)
    out = workspace.workbooks
    outputs = []
    export_calendar_csv(config, out / "calendar.csv")
    outputs.append(("migration calendar", out / "calendar.csv"))
    export_calendar_ics(config, out / "migration_calendar.ics", stamp)
    outputs.append(("key events for Outlook", out / "migration_calendar.ics"))
    export_sprints_csv(config, out / "sprints.csv")
    outputs.append(("sprint cycles", out / "sprints.csv"))
    env = envelopes(config)
    export_envelopes_csv(env, out / "envelopes_daily.csv")
    outputs.append(("daily envelopes", out / "envelopes_daily.csv"))
    export_envelopes_csv(env, out / "envelopes_weekly.csv", weekly=True)
    outputs.append(("weekly envelopes", out / "envelopes_weekly.csv"))
    sprint = resolve_cycle(config, None, today)
    outputs.append(("MCC envelope workbook", write_envelope_workbook(config, workspace, env, sprint)))
    issued = issue_templates(workspace, config, env, sprint, stamp)
    outputs.append((f"{len(issued)} supplier templates", templates_dir(workspace, sprint.cycle)))

    # suppliers return their templates (simulated), and the inbox judges and answers every file
    from toolkit.excel.contract import signing_key
    from toolkit.inbox.pipeline import LEDGER, Inbox, Judge
    from toolkit.inbox.simulate import simulate_returns
    from toolkit.inbox.watcher import Stability, run_once

    judge = Judge(workspace, config, sprint.cycle, signing_key(workspace.config))
    returned = simulate_returns(workspace, config, sprint, judge)
    inbox = Inbox(workspace, judge, clock or (lambda: stamp))
    outcomes, _ = run_once(inbox, Stability(quiet_seconds=0.0, settle_seconds=0.0), max_wait=0)
    counts = {k: sum(o.status == k for o in outcomes) for k in ("accepted", "rejected", "quarantined", "duplicate")}
    outputs.append((f"{len(returned)} simulated supplier returns judged: "
                    + ", ".join(f"{v} {k}" for k, v in counts.items()), workspace.outbox / sprint.cycle))
    outputs.append(("submission ledger (SQLite)", workspace.workbooks / LEDGER))

    # the MCC consolidates, reports unused capacity, eligible groups request some, it is allocated, and the draft
    # and baseline schedules are published
    from toolkit.inbox.simulate import simulate_uca_requests
    from toolkit.publish import publish

    now = (clock or (lambda: stamp))
    _, draft = consolidate_schedule(workspace, config, sprint, now())
    outputs.append(("draft schedule (MCC)", draft))
    report = uca_report(workspace, config, sprint, now())
    outputs.append((f"unused capacity report and {len(report.requests)} request workbooks", report.report))
    requested = simulate_uca_requests(workspace, config, env, sprint, report)
    more, _ = run_once(inbox, Stability(quiet_seconds=0.0, settle_seconds=0.0), max_wait=0)
    outcomes += more
    alloc, book, base, notices = uca_allocate(workspace, config, sprint, now())
    outputs.append((f"{len(requested)} UCA requests judged; {int(alloc.grants.sum()):,} of "
                    f"{int(alloc.requests.sum()):,} migrations granted", book))
    outputs.append(("baseline schedule (MCC)", base))
    for stage in ("draft", "baseline"):
        pub = publish(workspace, config, sprint, stage, now())
        outputs.append((f"{stage} publication: {len(pub.files)} aggregated workbooks", pub.folder))

    # every message of the cycle composed for Outlook (nothing is sent: that needs mcc distribute --send), and the
    # control workbook for MCC staff working in Excel
    from toolkit.distribute import WHATS, prepare
    from toolkit.excel.writers.control import write_control_workbook

    composed = {what: len(prepare(workspace, config, sprint, what, today, now()).messages) for what in WHATS}
    outputs.append(("emails composed, not sent: " + ", ".join(f"{n} {w}" for w, n in composed.items()),
                    workspace.outbox / sprint.cycle / "mail"))
    control = write_control_workbook(workspace.workbooks, workspace.root)
    outputs.append(("Excel control workbook (xlwings)", control.workbook))

    # execution, fast-forwarded to the sprint's tenth day: simulated outturn through the inbox, a group notifying
    # a shortfall, an ad hoc UCA round for the capacity it cedes, and the daily monitoring report
    outputs += _demo_execution(workspace, config, sprint)
    return DemoResult(outputs=outputs, outcomes=outcomes)


def _demo_execution(workspace: Workspace, config: Config, sprint: Sprint) -> list[tuple[str, Path]]:
    from datetime import UTC, time

    from toolkit.inbox.simulate import simulate_outturn
    from toolkit.monitor import ingest, monitoring_report, notify_shortfall
    from toolkit.uca import current_schedule

    as_of = sprint.execution_start + timedelta(days=9)
    when = datetime.combine(as_of, time(18, 0), tzinfo=UTC)
    s, _, _ = current_schedule(workspace, config, sprint)
    days = s.days[:(as_of - s.days[0]).days + 1]
    path = workspace.workbooks / sprint.cycle / "simulated" / f"outturn_{as_of.isoformat()}.csv"
    planted = simulate_outturn(config, s, days, as_of, path)
    outcome = ingest(workspace, path, as_of, lambda: when)
    out = [(f"outturn of {len(days)} days ({outcome.status}; planted: " + "; ".join(f"{k} {v}" for k, v in
                                                                                 planted.items()) + ")",
            workspace.outbox / "outturn")]
    tomorrow = next((k for k, d in enumerate(s.days) if d > as_of and s.daily[:, :, k].any()), None)
    if tomorrow is not None:
        i, j = (int(x) for x in np.argwhere(s.daily[:, :, tomorrow] == s.daily[:, :, tomorrow].max())[0])
        ceded = int(s.daily[i, j, tomorrow]) // 4
        notify_shortfall(workspace, config, sprint, s.groups[i], s.ldsos[j], [s.days[tomorrow]], ceded,
                         "a fault at its data service provider (simulated)", when)
        adhoc = uca_report(workspace, config, sprint, when, adhoc=True, today=as_of)
        out.append((f"{s.groups[i]} ceded {ceded:,} in {s.ldsos[j]} on {s.days[tomorrow]}: ad hoc UCA round "
                    f"{adhoc.round}, {len(adhoc.requests)} request workbooks", adhoc.report))
    report = monitoring_report(workspace, config, sprint, as_of, when)
    out.append((f"monitoring as of {as_of}: {len(report.monitoring.escalations)} level-3 escalations, "
                f"{len(report.offsets)} offsets outside MAO, {len(report.spikes)} secondary spikes", report.path))
    return out


__all__ = ["IssuedTemplate", "current_templates", "issue_templates", "templates_dir"]
