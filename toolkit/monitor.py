"""Sprint execution monitoring (issue 8): outturn in, levels and escalations out; shortfall notices that cede
capacity to ad hoc UCA rounds; approved Lost Migration Day claims that extend core windows.

Outturn files (CSV, or an .xlsx whose sheet ``Outturn`` or first sheet holds the same table) come through
``mcc monitor ingest FILE`` or the ``inbox/outturn/`` folder; both go through the inbox, so each file is claimed,
hashed, recorded in the ledger (kind ``outturn``), its bytes archived in ``workbooks/outturn/received/``, and
answered with a report in ``outbox/outturn/``. A file with any problem is refused whole; an accepted file's cohorts
are stored in the ledger, a cohort reported again taking the newer figures.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np

from toolkit.config import Config
from toolkit.domain import monitoring as M
from toolkit.domain.envelopes import Category
from toolkit.domain.sprints import Sprint, executing_sprint, sprint_by_cycle
from toolkit.domain.submission import column_letters
from toolkit.errors import UsageError
from toolkit.inbox import safety
from toolkit.workspace import Workspace

OUTTURN = "outturn"  # the inbox subfolder, and the ledger kind
SHEET = "Outturn"
MAX_ROWS = 2_000_000


@dataclass
class OutturnVerdict:
    status: str  # accepted, rejected or quarantined
    cohorts: list[M.Cohort] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # located, in words
    reason: str = ""


def judge_outturn(path: Path, name: str, config: Config, as_of: date | None = None) -> OutturnVerdict:
    """Read and check an outturn file. Unreadable files (not CSV or xlsx, too big, a zip bomb, not UTF-8) are
    quarantined; a readable file with problems is rejected, every problem named by row and column (CSV) or sheet
    and cell (xlsx)."""
    from toolkit.inbox.isolate import ReadFailure, read_table_isolated

    size = path.stat().st_size
    if size == 0:
        return OutturnVerdict("quarantined", reason="the file is empty (0 bytes)")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK"):
        inspection = safety.inspect(path)
        if inspection.reason:
            return OutturnVerdict("quarantined", reason=inspection.reason)
        read = read_table_isolated(path, SHEET)
        if isinstance(read, ReadFailure):
            return OutturnVerdict("quarantined", reason=read.reason)
        sheet, table = read

        def where(row: int, column: str) -> str:
            k = header.index(column) if column in header else 0
            return f"{name}: sheet '{sheet}' cell {column_letters(k)}{row}"
    else:
        if size > safety.Limits().max_file_bytes:
            return OutturnVerdict("quarantined", reason=f"the file is {size / 2**20:,.1f} MiB (limit "
                                  f"{safety.Limits().max_file_bytes / 2**20:,.0f} MiB)")
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            return OutturnVerdict("quarantined", reason="the file is neither an .xlsx workbook nor UTF-8 text (CSV)")
        table = list(csv.reader(io.StringIO(text)))

        def where(row: int, column: str) -> str:
            return f"{name}: row {row}, column {column}"
    if not table:
        return OutturnVerdict("rejected", problems=[f"{name}: the file has no header row (expected "
                                                    f"{','.join(M.OUTTURN_COLUMNS)})"])
    header = [str(h or "").strip().lower() for h in table[0]]
    missing = [c for c in M.OUTTURN_COLUMNS if c not in header and c != "completions"]
    if missing:
        return OutturnVerdict("rejected", problems=[f"{where(1, missing[0])}: missing column"
                                                    f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                                                    f"(expected {','.join(M.OUTTURN_COLUMNS)})"])
    if len(table) - 1 > MAX_ROWS:
        return OutturnVerdict("rejected", problems=[f"{name}: {len(table) - 1:,} rows (limit {MAX_ROWS:,})"])
    rows = []
    for n, values in enumerate(table[1:], start=2):
        if not any(str(v).strip() for v in values if v is not None):
            continue
        row = {h: (values[k] if k < len(values) else None) for k, h in enumerate(header) if h}
        row["_row"] = n
        rows.append(row)
    cohorts, problems = M.check_cohorts(rows, config.industry, config.calendar, as_of)
    if problems:
        return OutturnVerdict("rejected", problems=[f"{where(p.row, p.column)}: {p.message}" for p in problems])
    return OutturnVerdict("accepted", cohorts)


def ingest(workspace: Workspace, source: Path, today: date, clock):
    """Put an outturn file through the inbox (the same path as a file dropped into ``inbox/outturn/``): returns
    the inbox's outcome. The source file is copied, never moved."""
    from toolkit.inbox.pipeline import copy_into_inbox
    from toolkit.services import make_inbox

    if not source.is_file():
        raise UsageError(f"no file {source}")
    inbox = make_inbox(workspace, today, clock)
    (workspace.inbox / OUTTURN).mkdir(parents=True, exist_ok=True)
    dropped = copy_into_inbox(workspace, source, f"{OUTTURN}/{source.name}")
    outcomes = inbox.run_once(ready=lambda p: p == dropped)
    return next(o for o in outcomes if o.name == source.name)


def stored_cohorts(workspace: Workspace) -> list[M.Cohort]:
    from toolkit.inbox.ledger import Ledger
    from toolkit.inbox.pipeline import LEDGER

    return [M.Cohort(s, x, date.fromisoformat(i), date.fromisoformat(e), n, c)
            for s, x, i, e, n, c in Ledger(workspace.workbooks / LEDGER).outturn()]


# -- notices: shortfalls and lost days ------------------------------------------------------------------------

def executing(config: Config, cycle: str | None, day: date) -> Sprint:
    """The sprint named by ``cycle``, else the one executing on ``day``."""
    sprints = config.calendar.sprints
    if cycle:
        found = sprint_by_cycle(sprints, cycle)
        if found is None:
            raise UsageError(f"no sprint {cycle!r} in config/calendar.toml")
        return found
    found = executing_sprint(sprints, day)
    if found is None:
        raise UsageError(f"no sprint is executing on {day} (give --cycle)")
    return found


def notify_shortfall(workspace: Workspace, config: Config, sprint: Sprint, group: str, ldso: str, days: list[date],
                     count: int, reason: str, now: datetime) -> list[int]:
    """Record that ``group`` will migrate ``count`` fewer in ``ldso`` on each of ``days`` (F6.2, F6.4): that much of
    its plan is ceded, for an ad hoc UCA round to hand out. Never more than it still has planned."""
    from toolkit.inbox.ledger import Ledger
    from toolkit.inbox.pipeline import LEDGER
    from toolkit.uca import current_schedule

    group, ldso = group.upper(), ldso.upper()
    if group not in config.industry.group_by_mpid:
        raise UsageError(f"no supplier group {group!r} in config/suppliers.csv")
    if ldso not in config.industry.ldso_by_mpid:
        raise UsageError(f"no LDSO {ldso!r} in config/ldsos.csv")
    if count <= 0:
        raise UsageError("--count must be a positive number of migrations")
    if not reason.strip():
        raise UsageError("give the reason the group gave (--reason)")
    s, _, _ = current_schedule(workspace, config, sprint)
    i, j = s.groups.index(group), s.ldsos.index(ldso)
    for day in days:
        if day not in s.days:
            raise UsageError(f"{day} is not a day of sprint {sprint.cycle}'s execution ({sprint.execution_start} to "
                             f"{sprint.execution_end})")
        planned = int(s.daily[i, j, s.days.index(day)])
        if count > planned:
            raise UsageError(f"{group} has {planned:,} planned in {ldso} on {day} (after earlier notices): it cannot "
                             f"cede {count:,}")
    ledger = Ledger(workspace.workbooks / LEDGER)
    at = now.isoformat(timespec="seconds")
    return [ledger.add_shortfall(sprint.cycle, group, ldso, d.isoformat(), count, reason.strip(), at) for d in days]


LOST_DAYS_HEADER = "supplier_group,days,reason,incident,approved_on\n"


def record_lost_days(workspace: Workspace, config: Config, group: str, days: int, reason: str, incident: str,
                     approved_on: date) -> tuple[date | None, date | None]:
    """Record an approved Lost Migration Day claim in ``config/lost_days.csv`` (F6.6): it extends the group's
    core window from the next calculation on (envelopes, templates). Only before M14, only for groups with
    envelopes (not de minimis or small portfolios only). Returns the core window end before and after."""
    from toolkit.config import load_config
    from toolkit.services import envelopes

    group = group.upper()
    if group not in config.industry.group_by_mpid:
        raise UsageError(f"no supplier group {group!r} in config/suppliers.csv")
    if days <= 0:
        raise UsageError("the number of lost migration days must be positive")
    if not reason.strip() or not incident.strip():
        raise UsageError("give the reason and the incident reference of the claim (F6.6.1)")
    if approved_on >= config.calendar.m14:
        raise UsageError(f"lost migration days can be approved until M14 ({config.calendar.m14}); after it the days "
                         "are made up with unused capacity")
    env = envelopes(config)
    i = env.groups.index(group)
    if not (env.category[i] == Category.ENVELOPE).any():
        raise UsageError(f"{group} has no LDSO with an envelope (only de minimis or small portfolios): the Lost "
                         "Migration Days process does not apply to it (F6.6)")
    before = env.phases[i].core_end
    path = workspace.config / "lost_days.csv"
    old = path.read_text(encoding="utf-8") if path.is_file() else None
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([group, days, reason.strip(), incident.strip(),
                                                   approved_on.isoformat()])
    text = (old if old is not None else LOST_DAYS_HEADER)
    path.write_text(text + ("" if text.endswith("\n") else "\n") + buf.getvalue(), encoding="utf-8")
    try:
        after_config = load_config(workspace.root)
    except Exception:
        if old is None:  # leave the configuration as it was
            path.unlink()
        else:
            path.write_text(old, encoding="utf-8")
        raise
    return before, envelopes(after_config).phases[i].core_end


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
    shortfalls: list[tuple]
    lost_days: list
    path: Path | None = None


def monitoring_report(workspace: Workspace, config: Config, sprint: Sprint, as_of: date, now: datetime,
                      write: bool = True) -> Report:
    """Actual against the current schedule (plans, grants, notified shortfalls) for the sprint's days up to
    ``as_of``; writes ``workbooks/<cycle>/monitoring/monitoring_<as_of>_vNN.xlsx``."""
    from toolkit.inbox.ledger import Ledger
    from toolkit.inbox.pipeline import LEDGER
    from toolkit.services import envelopes, next_version
    from toolkit.uca import current_schedule

    if as_of < sprint.execution_start:
        raise UsageError(f"sprint {sprint.cycle} executes from {sprint.execution_start}; nothing to monitor on {as_of}")
    s, _, _ = current_schedule(workspace, config, sprint)
    upto = min(as_of, sprint.execution_end, s.days[-1])
    n = (upto - s.days[0]).days + 1
    days = s.days[:n]
    cohorts = stored_cohorts(workspace)
    act = M.actuals(cohorts, config.industry, s.groups, s.ldsos, days)
    plan = s.daily[:, :, :n]
    mon = M.monitor(plan, act, s.groups, s.ldsos, days, config.parameters.tolerance)
    env = envelopes(config)
    window = [c for c in cohorts if days[0] <= c.initiated <= days[-1]]
    share = config.parameters.monitoring.secondary_spike
    report = Report(
        sprint, upto, mon, plan.sum(axis=(0, 1)), act.migrated.sum(axis=(0, 1)), s.national_limit[:n],
        M.check_offsets(window, config.industry, config.calendar, env, config.parameters),
        M.secondary_spikes([c for c in cohorts if days[0] <= c.effective <= days[-1]], config.industry, share),
        M.progress(cohorts, config.industry, env, config.calendar, config.parameters, upto),
        Ledger(workspace.workbooks / LEDGER).shortfalls(sprint.cycle), list(config.lost_day_claims))
    if write:
        from toolkit.excel.writers.monitoring import write_monitoring_workbook

        folder = workspace.cycle_dir(sprint.cycle) / "monitoring"
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"monitoring_{upto.isoformat()}"
        version = next_version(folder, stem)
        names = {g.mpid: g.name for g in config.industry.groups}
        report.path = write_monitoring_workbook(folder / f"{stem}_v{version:02d}.xlsx", report, names,
                                                config.parameters, now.isoformat(timespec="seconds"))
    return report
