"""National-scale benchmark (issue 9): every stage of a planning cycle timed against the bare library floors.

Plain Python, no timing inside tests. From the repository root:

    .venv/bin/python benchmarks/run.py             # national scale: 100 supplier groups, 30 LDSOs
    .venv/bin/python benchmarks/run.py --scale 3   # and a 3x stress size (300 groups, 90 LDSOs)

The industry comes from the demo generator, with the full migration window (M11 October 2025 to M15 May 2027);
the cycle is sprint 1, whose templates plan weekly over the whole window. Each stage runs in a process of its own,
so its peak memory (the largest resident size of that process and of any process it started) is its own. The
floors are measured in the same run on the same machine: the same cells written by bare XlsxWriter (no formats,
no validation, no charts) and read back by bare python-calamine. Prints a table and writes
``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CYCLE = "S1"
WORKERS = 2
# a key of the strength the toolkit requires (64 hex digits), made from a public phrase: not for use
KEY = __import__("hashlib").sha256(b"benchmark-signing-key-not-for-use").hexdigest()
TARGETS = {  # issue 9, national scale, 2 cores
    "envelopes": ("seconds", 2.0),
    "templates": ("seconds", 30.0),
    "templates vs floor": ("ratio", 1.5),
    "validate one workbook (largest)": ("seconds", 0.5),
    "read vs floor": ("ratio", 2.0),
    "watcher latency p95": ("seconds", 2.0),
    "consolidation + UCA + publication": ("seconds", 30.0),
    "peak memory": ("mib", 1024.0),
    "rehearsal M11-M15 (quick)": ("seconds", 180.0),  # issue 15
    "start-up: mcc --help": ("seconds", 0.25),  # issue 20: spawn to the command's body (--help: the whole process)
    "start-up: mcc status": ("seconds", 0.25),
    "start-up: mcc validate": ("seconds", 0.25),
}
STARTUP_RUNS = 7


# -- stages, each run in its own process ------------------------------------------------------------------------

def _setup(root: Path):
    """The context of a stage (its configuration loaded, not timed) and the sprint of the cycle."""
    os.environ["MCC_SIGNING_KEY"] = KEY
    from toolkit.clock import Clock
    from toolkit.services.context import Context
    from toolkit.store.workspace import Workspace

    ctx = Context(Workspace(root), Clock())
    sprint = ctx.sprint(CYCLE)
    ctx.clock = Clock(day=sprint.plan_start)
    return ctx, sprint


def stage_envelopes(root: Path) -> dict:
    from toolkit.config import load_config
    from toolkit.domain.envelopes import calculate

    t = time.perf_counter()
    config = load_config(root)
    loaded = time.perf_counter() - t
    t = time.perf_counter()
    env = calculate(config.industry, config.calendar, config.parameters)
    return {"seconds": time.perf_counter() - t, "load_seconds": loaded, "cells": int(env.envelope.size)}


def stage_envelope_csv(root: Path) -> dict:
    from toolkit.services.exports import export_envelopes_csv

    ctx, sprint = _setup(root)
    ctx.envelopes()
    t = time.perf_counter()
    rows = export_envelopes_csv(ctx, root / "envelopes_daily.csv")
    return {"seconds": time.perf_counter() - t, "rows": rows}


def stage_templates(root: Path) -> dict:
    from toolkit.services.issue import issue_templates

    ctx, sprint = _setup(root)
    ctx.envelopes()
    t = time.perf_counter()
    issued = issue_templates(ctx, sprint, workers=WORKERS)
    seconds = time.perf_counter() - t
    sizes = [(ctx.workspace.templates_dir(CYCLE) / x.file).stat().st_size for x in issued]
    return {"seconds": seconds, "files": len(issued), "largest_kib": max(sizes) / 1024}


def _template_cells(path: Path) -> list[tuple[str, list[tuple[int, int, object]]]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    out = []
    for sheet in wb.worksheets:
        cells = [(c.row - 1, c.column - 1, c.value) for row in sheet.iter_rows() for c in row
                 if getattr(c, "value", None) is not None]
        out.append((sheet.title, cells))
    wb.close()
    return out


def _floor_write(job) -> None:
    """Bare XlsxWriter: the same cells, typed writes, no formats, no validation, no charts, no protection."""
    import datetime as dt

    import xlsxwriter

    path, sheets = job
    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False,
                                    "strings_to_urls": False})
    for title, cells in sheets:
        ws = wb.add_worksheet(title)
        for r, c, v in cells:
            if isinstance(v, str) and v.startswith("="):
                ws.write_formula(r, c, v)
            elif isinstance(v, bool):
                ws.write_boolean(r, c, v)
            elif isinstance(v, int | float):
                ws.write_number(r, c, v)
            elif isinstance(v, dt.datetime):
                ws.write_datetime(r, c, v)
            else:
                ws.write_string(r, c, str(v))
    wb.close()


def stage_templates_floor(root: Path) -> dict:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from toolkit.services.issue import current_templates

    ctx, sprint = _setup(root)
    folder = ctx.workspace.templates_dir(CYCLE)
    issued = current_templates(ctx.workspace, CYCLE)
    out = root / "floor"
    out.mkdir(exist_ok=True)
    jobs = [(str(out / t.file), _template_cells(folder / t.file)) for t in issued.values()]  # not timed
    cells = sum(len(c) for _, sheets in jobs for _, c in sheets)
    t = time.perf_counter()
    with ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(_floor_write, jobs, chunksize=2))
    return {"seconds": time.perf_counter() - t, "files": len(jobs), "cells": cells}


def stage_fill(root: Path) -> dict:
    from toolkit.domain.sample_plan import sample_plan
    from toolkit.excel.filler import fill_plan
    from toolkit.services.issue import current_templates
    from toolkit.services.judge import make_judge

    ctx, sprint = _setup(root)
    judge = make_judge(ctx, CYCLE)
    out = root / "returns"
    out.mkdir(exist_ok=True)
    t = time.perf_counter()
    for group, tpl in sorted(current_templates(ctx.workspace, CYCLE).items()):
        plan = sample_plan(judge.content(group, sprint), ctx.config.parameters)
        fill_plan(ctx.workspace.templates_dir(CYCLE) / tpl.file, out / f"{group}.xlsx", weekly=plan.weekly,
                  daily=plan.daily, agents=plan.agents)
    return {"seconds": time.perf_counter() - t, "files": len(list(out.glob("*.xlsx")))}


def _median_ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def stage_validate(root: Path) -> dict:
    """Judge every returned workbook as the inbox does (isolated read in a child process, every rule), then, for
    the largest, the read alone (in process and isolated) against bare calamine reading every sheet."""
    from python_calamine import CalamineWorkbook

    from toolkit.excel.reader import read_template
    from toolkit.inbox.isolate import read_isolated
    from toolkit.services.judge import make_judge

    ctx, sprint = _setup(root)
    judge = make_judge(ctx, CYCLE)
    files = sorted((root / "returns").glob("*.xlsx"))
    judge.warm()
    per_file = []
    statuses = {}
    for f in files:
        t = time.perf_counter()
        judged = judge.judge(f, f.name)
        per_file.append(time.perf_counter() - t)
        statuses[judged.status.value] = statuses.get(judged.status.value, 0) + 1
    largest = max(files, key=lambda f: f.stat().st_size)

    def floor():
        wb = CalamineWorkbook.from_path(str(largest))
        return [wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]

    floor_ms = _median_ms(floor)
    read_ms = _median_ms(lambda: read_template(largest, largest.name))
    isolated_ms = _median_ms(lambda: read_isolated(largest, largest.name))
    judge_ms = _median_ms(lambda: judge.judge(largest, largest.name))
    return {"seconds": sum(per_file), "files": len(files), "median_ms": statistics.median(per_file) * 1000,
            "max_ms": max(per_file) * 1000, "statuses": statuses, "largest": largest.name,
            "largest_kib": largest.stat().st_size / 1024, "largest_judge_ms": judge_ms, "read_ms": read_ms,
            "isolated_read_ms": isolated_ms, "floor_read_ms": floor_ms}


def _tree_peak_mib(pid: int) -> tuple[float, float, int]:
    """(largest VmHWM, sum of VmHWM, processes) of a process and its descendants, from /proc."""
    peaks = []
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            peaks.append(int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmHWM"))) / 1024)
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            continue
    return (max(peaks) if peaks else 0.0), sum(peaks), len(peaks)


def stage_watcher(root: Path) -> dict:
    """``mcc watch`` (inotify, two workers) running; every returned workbook copied into the inbox at once; the
    latency of each file is from the moment its copy was complete to the moment its feedback email was written."""
    env = {**os.environ, "MCC_SIGNING_KEY": KEY, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "toolkit", "watch", "--cycle", CYCLE, "--workers", str(WORKERS), "-w", str(root)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()  # "watching ... (inotify, 2 workers)": warm and ready
        if "watching" not in line:
            raise RuntimeError(f"the watcher did not start: {line}{proc.stderr.read()}")
        time.sleep(0.5)
        files = sorted((root / "returns").glob("*.xlsx"))
        landed = {}
        t0 = time.time()
        for f in files:
            shutil.copyfile(f, root / "inbox" / f.name)
            landed[f.stem] = time.time()
        copying = time.time() - t0
        outbox = root / "outbox" / CYCLE
        deadline = time.time() + 600
        written: dict[str, float] = {}
        while len(written) < len(files) and time.time() < deadline:
            for eml in outbox.glob("*/*.eml"):
                stem = eml.stem.split("_", 2)[2] if eml.stem.count("_") >= 2 else ""  # NNNNN_status_<name>
                if stem in landed and stem not in written:
                    written[stem] = eml.stat().st_mtime
            time.sleep(0.02)
        peak, total, count = _tree_peak_mib(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    lat = sorted(written[k] - landed[k] for k in written)
    p95 = lat[min(len(lat) - 1, int(round(0.95 * len(lat))) - 1)] if lat else float("nan")
    return {"seconds": max(written.values()) - t0 if written else float("nan"), "files": len(files),
            "answered": len(written), "copying_seconds": copying, "median_latency": statistics.median(lat),
            "p95_latency": p95, "max_latency": lat[-1] if lat else float("nan"), "peak_mib_tree": peak,
            "sum_peak_mib_tree": total, "processes": count}


def stage_consolidate(root: Path) -> dict:
    from toolkit.services.consolidate import consolidate_schedule

    ctx, sprint = _setup(root)
    t = time.perf_counter()
    result, path = consolidate_schedule(ctx, sprint)
    return {"seconds": time.perf_counter() - t, "plans": len(result.plans), "breaches": len(result.breaches)}


def stage_uca(root: Path) -> dict:
    """The UCA report and request forms, half the eligible groups asking (through the inbox, not timed), then
    the allocation."""
    import numpy as np

    from toolkit.excel.filler import fill_plan
    from toolkit.services.context import Context
    from toolkit.services.uca import snapshot, uca_allocate, uca_report
    from toolkit.store.registers import latest_issued

    ctx, sprint = _setup(root)
    ws = ctx.workspace
    t = time.perf_counter()
    report = uca_report(ctx, sprint)
    report_seconds = time.perf_counter() - t
    env = ctx.envelopes()
    snap = snapshot(ws, CYCLE)
    issued = latest_issued(ws.requests_dir(CYCLE))
    for group in report.eligible[::2]:
        form = snap.form(env, group)
        fill_plan(ws.requests_dir(CYCLE) / issued[group].file, ws.inbox / f"uca_{group}.xlsx",
                  uca=(form.unused // 3).astype(np.int64))
    # the requests go through the inbox in a process of their own (not timed, and not this stage's memory)
    subprocess.run([sys.executable, "-m", "toolkit", "watch", "--once", "--quiet", "0", "--cycle", CYCLE,
                    "--workers", str(WORKERS), "-w", str(root)], check=True, capture_output=True,
                   env={**os.environ, "MCC_SIGNING_KEY": KEY, "PYTHONPATH": str(ROOT),
                        "MCC_TODAY": sprint.plan_start.isoformat()})
    ctx = Context(ws, ctx.clock, ctx.config)  # as a command of its own would: the envelopes computed again
    t = time.perf_counter()
    alloc, book, base, notices = uca_allocate(ctx, sprint)
    allocate_seconds = time.perf_counter() - t
    return {"seconds": report_seconds + allocate_seconds, "report_seconds": report_seconds,
            "allocate_seconds": allocate_seconds, "eligible": len(report.eligible),
            "requested": int(alloc.requests.sum()), "granted": int(alloc.grants.sum()),
            "breaches": len(alloc.breaches)}


def stage_publish(root: Path) -> dict:
    from toolkit.services.context import Context
    from toolkit.services.publish import publish

    ctx, sprint = _setup(root)
    t = time.perf_counter()
    draft = publish(ctx, sprint, "draft")
    draft_seconds = time.perf_counter() - t
    ctx = Context(ctx.workspace, ctx.clock, ctx.config)  # as a command of its own would
    t = time.perf_counter()
    base = publish(ctx, sprint, "baseline")
    return {"seconds": draft_seconds + time.perf_counter() - t, "draft_seconds": draft_seconds,
            "files": len(draft.files) + len(base.files)}


SAMPLE = 34  # groups exchanging workbooks each sprint in the benchmark's rehearsal: every group in three sprints


def _cpu() -> float:
    """CPU seconds of this process and of its children waited for (the rehearsal's workers and pools)."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def stage_rehearsal(root: Path, sample: int = SAMPLE) -> dict:
    """The whole programme rehearsed on a copy of the workspace's configuration (issue 15): every sprint, M11 to
    M15, in quick mode (no MCC-internal workbooks), ``sample`` groups a sprint exchanging workbooks (0: every
    group); the rehearsal's own summary checked for breaches."""
    from toolkit.demo.rehearse import rehearse

    out = root.parent / f"{root.name}-rehearsal"
    shutil.rmtree(out, ignore_errors=True)
    t, cpu, load = time.perf_counter(), _cpu(), os.getloadavg()[0]
    result = rehearse(root, out, seed=1, quick=True, sample=sample)
    seconds = time.perf_counter() - t
    sprints = result.sprints
    return {"seconds": seconds, "cpu_seconds": _cpu() - cpu, "load": [load, os.getloadavg()[0]],
            "sample": sample, "templates": sum(r.templates for r in sprints),
            "sprints": len(sprints), "per_sprint": seconds / max(len(sprints), 1),
            "breaches": sum(r.baseline_breaches for r in sprints),
            "negative": sum(r.negative_remaining for r in sprints),
            "unbalanced": sum(r.unbalanced_groups for r in sprints),
            "migrated": sum(r.migrated for r in sprints), "met": sum(g["status"] == "met" for g in result.success),
            "judged": sum(g["status"] in ("met", "missed") for g in result.success)}


def timed_process(argv: list[str], cwd: Path, env: dict) -> dict:
    """One run of the real command as a process: the wall and cpu seconds of the whole process (spawn to exit) and of
    its start-up (spawn to the moment the command's body begins, which the command writes to MCC_STARTUP_MARK from
    the same system-wide monotonic clock, with its cpu time so far; None for --help, which has no body)."""
    with tempfile.TemporaryDirectory() as tmp:
        mark = Path(tmp) / "mark"
        start = time.monotonic_ns()
        proc = subprocess.Popen(argv, cwd=cwd, env={**env, "MCC_STARTUP_MARK": str(mark)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(proc.pid, 0)
        end = time.monotonic_ns()
        proc.returncode = 0
        at, cpu = map(int, mark.read_text().split()) if mark.exists() else (None, None)
    return {"wall": (end - start) / 1e9, "cpu": usage.ru_utime + usage.ru_stime,
            "startup_wall": (at - start) / 1e9 if at else None, "startup_cpu": cpu / 1e9 if cpu else None}


def stage_startup(root: Path) -> dict:
    """Issue 20: ``mcc --help``, ``mcc status`` and ``mcc validate`` as whole processes (``python -m toolkit``, as the
    ``mcc`` script runs it) on a copy of the demo workspace, from inside it; the median of STARTUP_RUNS runs after
    one not counted (which also writes the configuration's cached copy, as any first command does, and Python's
    compiled modules). Wall seconds include the machine's load; cpu seconds are the process's own. "startup" is
    spawn to the command's body."""
    demo = root / "startup-demo"
    if not demo.exists():
        shutil.copytree(ROOT / "config", demo / "config", ignore=shutil.ignore_patterns("signing.key"))
    from toolkit.clock import Clock
    from toolkit.services.context import Context
    from toolkit.services.issue import issue_templates
    from toolkit.store.workspace import Workspace

    ws = Workspace(demo)
    ws.ensure_folders()
    ctx = Context(ws, Clock())
    sprint = ctx.sprint("S8")
    ctx.clock = Clock(day=sprint.envelope_issue)
    group = ctx.config.industry.groups[0].mpid
    made = issue_templates(ctx, sprint, groups=[group], workers=1)
    template = ws.templates_dir(sprint.cycle) / made[0].file
    env = {**os.environ, "MCC_TODAY": sprint.envelope_issue.isoformat(), "MCC_QUIET": "1"}
    env.pop("MCC_WORKSPACE", None)
    # as on an MCC analyst's machine: Python keeps the compiled modules (and mcc its --help text) in __pycache__,
    # written by the warm-up run; a sandbox's PYTHONDONTWRITEBYTECODE=1 would compile every module on every run
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = {"load_before": os.getloadavg()[0]}
    for name, args in (("help", ["--help"]), ("status", ["status"]), ("validate", ["validate", str(template)])):
        argv = [sys.executable, "-m", "toolkit", *args]
        timed_process(argv, demo, env)  # warm-up: the file cache, not counted
        runs = [timed_process(argv, demo, env) for _ in range(STARTUP_RUNS)]
        out[name] = {k: statistics.median(r[k] for r in runs) if runs[0][k] is not None else None for k in runs[0]}
        out[name].update(wall_min=min(r["wall"] for r in runs), wall_max=max(r["wall"] for r in runs))
    out["load"] = os.getloadavg()[0]
    return out


STAGES = {"envelopes": stage_envelopes, "envelope-csv": stage_envelope_csv, "templates": stage_templates,
          "templates-floor": stage_templates_floor, "fill": stage_fill, "validate": stage_validate,
          "watcher": stage_watcher, "consolidate": stage_consolidate, "uca": stage_uca, "publish": stage_publish,
          "rehearsal": stage_rehearsal, "rehearsal-full": lambda root: stage_rehearsal(root, 0),
          "startup": stage_startup}


def _run_stage(name: str, root: Path) -> dict:
    """Run a stage in a fresh process; its result with the peak resident memory of that process and its own
    children (the watcher measures its tree from /proc)."""
    cmd = [sys.executable, __file__, "--stage", name, "--root", str(root)]
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "MCC_SIGNING_KEY": KEY})
    if done.returncode != 0:
        raise RuntimeError(f"stage {name} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child_main(name: str, root: Path) -> None:
    result = STAGES[name](root)
    self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result.setdefault("peak_mib", max(self_peak, children, result.get("peak_mib_tree", 0.0)))
    print(json.dumps(result, default=str))


# -- the run --------------------------------------------------------------------------------------------------

def run_size(label: str, groups: int, ldsos: int, tmp: Path, only: list[str] | None = None) -> list[dict]:
    from toolkit.demo.industry import DemoSpec, generate, write_config
    from toolkit.store.workspace import Workspace

    root = tmp / label
    write_config(generate(DemoSpec(groups=groups, ldsos=ldsos)), root / "config")
    Workspace(root).ensure_folders()
    results = {}
    for name in only or STAGES:
        print(f"  {label}: {name} ...", file=sys.stderr, flush=True)
        results[name] = _run_stage(name, root)
    r = results
    rows = _cycle_rows(r) if all(name in r for name in STAGES
                                 if not name.startswith("rehearsal") and name != "startup") else []
    if "startup" in r:
        u = r["startup"]
        for name, what in (("help", "mcc --help"), ("status", "mcc status"), ("validate", "mcc validate")):
            x = u[name]
            up = (f"start-up (spawn to the command's body) {x['startup_wall']:.2f} s, cpu {x['startup_cpu']:.2f} s; "
                  if x["startup_wall"] is not None else "no body: the whole process is start-up; ")
            rows.append((f"start-up: {what}", x["startup_wall"] if x["startup_wall"] is not None else x["wall"], None,
                         None, f"start-up: {what}",
                         f"{up}whole process {x['wall']:.2f} s (median of {STARTUP_RUNS}, range {x['wall_min']:.2f}-"
                         f"{x['wall_max']:.2f} s), cpu {x['cpu']:.2f} s; load average {u['load_before']:.1f} to "
                         f"{u['load']:.1f}"))
            if x["startup_wall"] is not None:
                rows.append((f"whole process: {what}", x["wall"], None, None, None,
                             f"spawn to exit, cpu {x['cpu']:.2f} s"))
    for name in ("rehearsal", "rehearsal-full"):
        if name in r:
            h = r[name]
            rows.append((f"{name} M11-M15 (quick)", h["seconds"], None, None,
                         "rehearsal M11-M15 (quick)" if name == "rehearsal" else None,
                         f"{h['sprints']} sprints, {h['per_sprint']:.1f} s each; {h['templates']} templates "
                         f"({h['sample'] or 'every'} groups a sprint by workbook); CPU {h['cpu_seconds']:.0f} s "
                         f"(process tree); load average {h['load'][0]:.1f} to {h['load'][1]:.1f}; "
                         f"{h['migrated']:,} migrated; baseline breaches {h['breaches']}, negative remaining "
                         f"{h['negative']}, unbalanced groups {h['unbalanced']}; {h['met']} of {h['judged']} groups "
                         "met the participant criterion"))
    return _rows(label, rows, results)


def _cycle_rows(r: dict) -> list[tuple]:
    return [
        ("envelopes", r["envelopes"]["seconds"], None, r["envelopes"]["seconds"], "envelopes",
         f"{r['envelopes']['cells']:,} group x LDSO x day cells; configuration load "
         f"{r['envelopes']['load_seconds']:.2f} s"),
        ("daily envelope CSV", r["envelope-csv"]["seconds"], None, None, None,
         f"{r['envelope-csv']['rows']:,} rows, written ten groups at a time"),
        ("templates (2 processes)", r["templates"]["seconds"], r["templates-floor"]["seconds"],
         r["templates"]["seconds"], "templates",
         f"{r['templates']['files']} workbooks, largest {r['templates']['largest_kib']:.0f} KiB; floor: the same "
         f"{r['templates-floor']['cells']:,} cells by bare XlsxWriter"),
        ("templates vs floor", r["templates"]["seconds"] / r["templates-floor"]["seconds"], None, None,
         "templates vs floor", "ratio"),
        ("fill every template with a plan", r["fill"]["seconds"], None, None, None, f"{r['fill']['files']} files"),
        ("validate every return (per file, median)", r["validate"]["median_ms"] / 1000, None, None, None,
         f"{r['validate']['files']} files, max {r['validate']['max_ms']:.0f} ms; {r['validate']['statuses']}"),
        ("validate one workbook (largest)", r["validate"]["largest_judge_ms"] / 1000, None, None,
         "validate one workbook (largest)",
         f"{r['validate']['largest']} {r['validate']['largest_kib']:.0f} KiB: isolated read and every rule"),
        ("read the largest, in process", r["validate"]["read_ms"] / 1000, r["validate"]["floor_read_ms"] / 1000,
         None, None, f"isolated in a child process: {r['validate']['isolated_read_ms']:.1f} ms"),
        ("read vs floor", r["validate"]["read_ms"] / r["validate"]["floor_read_ms"], None, None, "read vs floor",
         "ratio to bare calamine reading every sheet"),
        ("watcher latency p95", r["watcher"]["p95_latency"], None, None, "watcher latency p95",
         f"{r['watcher']['answered']}/{r['watcher']['files']} answered; median {r['watcher']['median_latency']:.2f} "
         f"s, max {r['watcher']['max_latency']:.2f} s; batch {r['watcher']['seconds']:.2f} s; copying "
         f"{r['watcher']['copying_seconds']:.2f} s; {r['watcher']['processes']} processes"),
        ("consolidation", r["consolidate"]["seconds"], None, None, None,
         f"{r['consolidate']['plans']} plans, {r['consolidate']['breaches']} breaches"),
        ("UCA report and allocation", r["uca"]["seconds"], None, None, None,
         f"report {r['uca']['report_seconds']:.2f} s, allocation {r['uca']['allocate_seconds']:.2f} s; "
         f"{r['uca']['granted']:,} of {r['uca']['requested']:,} granted"),
        ("publication (draft and baseline)", r["publish"]["seconds"], None, None, None,
         f"{r['publish']['files']} workbooks"),
        ("consolidation + UCA + publication", r["consolidate"]["seconds"] + r["uca"]["seconds"]
         + r["publish"]["seconds"], None, None, "consolidation + UCA + publication", ""),
    ]


def _rows(label: str, rows: list[tuple], results: dict) -> list[dict]:
    out = []
    for stage, value, floor, _, target_key, note in rows:
        row = {"size": label, "stage": stage, "value": value, "floor": floor,
               "ratio": value / floor if floor else None, "note": note}
        if target_key and label == "national":
            kind, limit = TARGETS[target_key]
            row.update(target=limit, unit=kind, met=bool(value <= limit))
        out.append(row)
    peaks = {name: res.get("peak_mib", float("nan")) for name, res in results.items()}
    worst = max(peaks, key=lambda k: peaks[k])
    row = {"size": label, "stage": "peak memory", "value": peaks[worst], "floor": None, "ratio": None,
           "note": f"largest process, in stage '{worst}'; per stage: " + ", ".join(
               f"{k} {v:.0f}" for k, v in peaks.items()), "peaks": peaks}
    if label == "national":
        row.update(target=TARGETS["peak memory"][1], unit="mib", met=bool(peaks[worst] <= 1024))
    out.append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="also run a stress size of N x national scale")
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help="keep the generated workspaces in this folder")
    parser.add_argument("--only", help="run only these stages (comma-separated, e.g. rehearsal)")
    args = parser.parse_args()
    if args.stage:
        _child_main(args.stage, args.root)
        return
    sizes = [("national", 100, 30)]
    if args.scale > 1:
        sizes.append((f"{args.scale}x", 100 * args.scale, 30 * args.scale))
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        for label, groups, ldsos in sizes:
            results += run_size(label, groups, ldsos, tmp, args.only.split(",") if args.only else None)
    print(f"{'size':<9} {'stage':<42} {'value':>9} {'floor':>9} {'target':>9} {'met':>4}  note")
    for r in results:
        unit = r.get("unit", "")
        value = f"{r['value']:.3f}" if unit != "mib" else f"{r['value']:.0f} MiB"
        floor = f"{r['floor']:.3f}" if r["floor"] else ""
        target = (f"{r['target']:g}" if unit != "mib" else f"{r['target']:.0f}") if "target" in r else ""
        met = ("yes" if r["met"] else "NO") if "met" in r else ""
        print(f"{r['size']:<9} {r['stage']:<42} {value:>9} {floor:>9} {target:>9} {met:>4}  {r['note']}")
    machine = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
               "when": datetime.now(UTC).isoformat(timespec="seconds")}
    name = f"results-{args.only.replace(',', '-')}.json" if args.only else "results.json"
    (ROOT / "benchmarks" / name).write_text(json.dumps({"machine": machine, "results": results}, indent=2,
                                                                 default=str))


if __name__ == "__main__":
    main()
