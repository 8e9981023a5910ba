"""Simulated supplier returns, UCA requests and outturn for the demo: the issued templates filled in code, most
with a careful plan, some with the mistakes suppliers really make, dropped into the inbox the way an email client
saves attachments; outturn as the central systems would report it, with the deviations an MCC sees."""

from __future__ import annotations

import csv
import mailbox
import multiprocessing
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import numpy as np

from toolkit.config.model import Config
from toolkit.domain.envelopes import Category
from toolkit.domain.monitoring import OUTTURN_COLUMNS
from toolkit.domain.sample_plan import sample_plan
from toolkit.domain.sprints import Sprint
from toolkit.excel.filler import fill_plan
from toolkit.services.context import Context
from toolkit.services.issue import current_templates, issued_content
from toolkit.services.uca import UcaReport, snapshot
from toolkit.store.registers import latest_issued
from toolkit.store.workspace import Workspace

MISTAKES = ("over the envelope", "text in a plan cell", "total short of the portfolio", "no daily plan",
            "a CSV instead of the workbook", "sent twice")


@dataclass(frozen=True)
class SimulatedReturn:
    group: str
    kind: str  # "valid" or one of MISTAKES
    path: Path


def fill_many(jobs: list[tuple[Path, Path, dict]], workers: int = 1) -> None:
    """``fill_plan(src, dst, **values)`` for each job, in ``workers`` forked processes (the files are the same)."""
    if workers > 1 and len(jobs) >= 8 and "fork" in multiprocessing.get_all_start_methods():
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(_fill, jobs, chunksize=4))
    else:
        for job in jobs:
            _fill(job)


def _fill(job: tuple[Path, Path, dict]) -> Path:
    src, dst, values = job
    return fill_plan(src, dst, **values)


def simulate_returns(ctx: Context, sprint: Sprint, share: float = 0.6,
                     seed: int = 20251001, by_mail: bool = False, workers: int = 1) -> list[SimulatedReturn]:
    """Returns from about ``share`` of the groups, one in four of them with a typical mistake; written to
    ``inbox/`` as ``<group> plan <cycle>.xlsx`` (filled in ``workers`` processes, dropped in the groups' order), or
    with ``by_mail`` emailed by the group's primary contact into the MCC's Maildir (``[mailbox] maildir``, issue
    21)."""
    workspace, config = ctx.workspace, ctx.config
    sent: list[int] = []

    def _drop(workspace: Workspace, group: str, path: Path, name: str) -> Path:
        g = config.industry.group_by_mpid[group]
        if not by_mail or not g.primary_contact:
            return _drop_file(workspace, path, name)
        sent.append(1)
        return _mail(ctx, g.primary_contact, path, name, f"<demo-{sprint.cycle}-{g.mpid}-{len(sent)}@"
                     f"{g.primary_contact.rpartition('@')[2]}>")

    rng = np.random.default_rng(seed)
    issued = current_templates(workspace, sprint.cycle)
    folder = workspace.templates_dir(sprint.cycle)
    work = workspace.workbooks / sprint.cycle / "simulated"
    work.mkdir(parents=True, exist_ok=True)
    out: list[SimulatedReturn] = []
    jobs: list[tuple[Path, Path, dict]] = []
    drops: list[tuple[str, str, Path, str]] = []  # (group, kind, file, name in the inbox), in order
    for g in config.industry.groups:
        if g.mpid not in issued or rng.random() > share:
            continue
        content = issued_content(ctx, g.mpid, sprint)
        plan = sample_plan(content, config.parameters)
        weekly, daily = plan.weekly.copy(), None if plan.daily is None else plan.daily.copy()
        kind = "valid" if rng.random() < 0.75 else MISTAKES[int(rng.integers(len(MISTAKES)))]
        name = f"{g.mpid} plan {sprint.cycle}.xlsx"
        src = folder / issued[g.mpid].file
        path = work / name
        if kind == "a CSV instead of the workbook":
            rows = ["ldso,week_commencing,planned"] + [f"{col.mpid},{w},{int(weekly[k, c])}"
                                                       for c, col in enumerate(content.ldsos)
                                                       for k, w in enumerate(content.weeks) if weekly[k, c]]
            path.write_text("\n".join(rows) + "\n", encoding="utf-8")
            drops.append((g.mpid, kind, path, name))
            continue
        if kind == "over the envelope":
            limited = [c for c, col in enumerate(content.ldsos) if col.category != Category.SMALL]
            weeks = np.flatnonzero(content.week_open_days > 0)
            if limited and len(weeks):
                c, w = limited[0], int(weeks[len(weeks) // 2])
                weekly[w, c] = content.weekly_limit[w, c] + max(10, content.weekly_limit[w, c] // 10)
        elif kind == "total short of the portfolio":
            c = int(np.argmax([col.portfolio for col in content.ldsos]))
            w = int(np.flatnonzero(weekly[:, c])[-1]) if weekly[:, c].any() else 0
            weekly[w, c] = max(int(weekly[w, c]) - max(1, content.ldsos[c].portfolio // 100), 0)
        elif kind == "no daily plan":
            daily = None if daily is None else np.zeros_like(daily)
        weekly_values = weekly.astype(object)
        if kind == "text in a plan cell":
            w = int(np.flatnonzero(content.week_open_days > 0)[0])
            weekly_values[w, 0] = f"{int(weekly[w, 0])} approx"
        jobs.append((src, path, {"weekly": weekly_values, "daily": daily, "agents": plan.agents}))
        drops.append((g.mpid, kind, path, name))
        if kind == "sent twice":
            drops.append((g.mpid, kind, path, f"Copy of {name}"))
    fill_many(jobs, workers)
    for group, kind, path, name in drops:
        out.append(SimulatedReturn(group, kind, _drop(workspace, group, path, name)))
    return out


def _mail(ctx: Context, sender: str, path: Path, name: str, message_id: str) -> Path:
    """An email from ``sender`` with the file attached, delivered into the workspace's Maildir as a mail server's
    local delivery does (written in ``tmp/``, then moved into ``new/``)."""
    msg = EmailMessage()
    msg["From"], msg["To"] = sender, ctx.config.parameters.contact.email
    msg["Subject"], msg["Message-ID"] = f"Our return: {name}", message_id
    msg["Date"] = format_datetime(ctx.clock.now())
    msg.set_content("Please find our return attached.")
    kind = ("text", "csv") if name.lower().endswith(".csv") else \
        ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    msg.add_attachment(path.read_bytes(), maintype=kind[0], subtype=kind[1], filename=name)
    folder = Path(ctx.config.parameters.mailbox.maildir)
    folder = folder if folder.is_absolute() else ctx.workspace.root / folder
    return folder / "new" / mailbox.Maildir(folder, create=True).add(msg.as_bytes())


def _drop(workspace: Workspace, path: Path, name: str) -> Path:
    return _drop_file(workspace, path, name)


def _drop_file(workspace: Workspace, path: Path, name: str) -> Path:
    workspace.inbox.mkdir(parents=True, exist_ok=True)
    part = workspace.inbox / f"{name}.part"
    shutil.copyfile(path, part)
    target = workspace.inbox / name
    part.replace(target)
    return target


def simulate_uca_requests(ctx: Context, sprint: Sprint, report: UcaReport) -> list[Path]:
    """Half the eligible groups ask for extra capacity on some days: a share of the unused capacity, never more
    than 2% of their portfolio in the LDSO a day (a group asks for what it could use); one asks for more than is
    available (and is told so)."""
    workspace, config, env = ctx.workspace, ctx.config, ctx.envelopes()
    rng = np.random.default_rng(7)
    snap = snapshot(workspace, sprint.cycle)
    issued = latest_issued(workspace.requests_dir(sprint.cycle))
    out = []
    askers = [g for g in report.eligible if rng.random() < 0.5] or report.eligible[:1]
    for n, group in enumerate(askers):
        form = snap.form(env, group)
        if not form.ldsos:
            continue
        share = rng.uniform(0.2, 0.6, form.unused.shape) * (rng.random(form.unused.shape) < 0.4)
        usable = np.array([0.02 * config.industry.group_portfolio.get((group, x), 0) for x in form.ldsos])
        asked = np.floor(np.minimum(form.unused * share, usable[None, :])).astype(np.int64)
        asked = np.where(form.disclosed, asked, np.minimum(asked, form.entitlement))  # capped where not shown
        shown = (form.unused > 0) & form.disclosed  # only a figure the form shows is judged (issue 17)
        if n == len(askers) - 1 and shown.any():
            d, c = np.argwhere(shown)[0]
            asked[d, c] = form.unused[d, c] + 50  # a mistake: more than is unused
        path = workspace.workbooks / sprint.cycle / "simulated" / f"{group} UCA request.xlsx"
        fill_plan(workspace.requests_dir(sprint.cycle) / issued[group].file, path, uca=asked)
        out.append(_drop(workspace, path, path.name))
    return out


def simulate_outturn(config: Config, schedule, days: list, as_of, path: Path, seed: int = 11) -> dict[str, str]:
    """An outturn file for the sprint's first ``days`` as the central systems would report it: each group's plan
    migrated by its supplier MPIDs (split by portfolio), initiated on the planned day with MAO 5, IF-036 completions
    (secondary MPANs included) for the cohorts effective by ``as_of``. With the deviations an MCC sees: one group
    15% over in an LDSO, one 7% under, one migrating on a day it did not plan, short activation offsets outside
    fast feedback, and a spike of secondary MPANs. Returns what was planted, by kind."""
    rng = np.random.default_rng(seed)
    industry, calendar = config.industry, config.calendar
    n = len(days)
    plan = schedule.daily[:, :, :n]
    active = [(i, j) for i, j in zip(*np.nonzero(plan.sum(axis=2)), strict=True)]
    planted: dict[str, str] = {}
    factor = np.ones(plan.shape)
    # the deviations go to pairs planning enough for them to show (at least 100 a day on average)
    sizeable = [(i, j) for i, j in active if plan[i, j].sum() >= 100 * n] or active
    if len(sizeable) >= 4:
        active_for_picks = sizeable
        picks = rng.choice(len(active_for_picks), 4, replace=False)
        (i, j), (i2, j2), (i3, j3), (i4, j4) = (active_for_picks[int(k)] for k in picks)
        factor[i, j, :] = 1.15
        planted["excess"] = f"{schedule.groups[i]} {schedule.ldsos[j]}"
        factor[i2, j2, :] = 0.93
        planted["shortfall"] = f"{schedule.groups[i2]} {schedule.ldsos[j2]}"
        planted["offsets"] = f"{schedule.groups[i3]} {schedule.ldsos[j3]}"
        planted["spike"] = f"{schedule.groups[i4]} {schedule.ldsos[j4]}"
    migrated = np.floor(plan * factor + 0.5).astype(np.int64)
    # a group migrating on an open day it left empty
    empty = [(i, j, k) for i, j in active for k in range(n)
             if plan[i, j, k] == 0 and calendar.is_migration_day(days[k])]
    if empty:
        i, j, k = empty[int(rng.integers(len(empty)))]
        migrated[i, j, k] = 40
        planted["unplanned"] = f"{schedule.groups[i]} {schedule.ldsos[j]} {days[k]}"
    rows = []
    for i, j, k in zip(*np.nonzero(migrated), strict=True):
        group, ldso, day = schedule.groups[i], schedule.ldsos[j], days[k]
        suppliers = [s for s in industry.group_by_mpid[group].suppliers if industry.portfolio.get((s, ldso))]
        weights = np.array([industry.portfolio[(s, ldso)] for s in suppliers], dtype=np.float64)
        split = np.floor(migrated[i, j, k] * weights / weights.sum()).astype(np.int64)
        split[np.argmax(weights)] += migrated[i, j, k] - split.sum()
        for supplier, mpans in zip(suppliers, split, strict=True):
            if mpans <= 0:
                continue
            secondary = 0.4 if planted.get("spike") == f"{group} {ldso}" else 0.03
            initiations = max(int(round(mpans / (1 + secondary))), 1)
            offset = 3 if planted.get("offsets") == f"{group} {ldso}" else config.parameters.activation.mao_default
            effective = calendar.add_working_days(day, offset)
            completions = int(mpans) if effective <= as_of else ""
            rows.append([supplier, ldso, day.isoformat(), effective.isoformat(), initiations, completions])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(OUTTURN_COLUMNS)
        writer.writerows(rows)
    return planted
