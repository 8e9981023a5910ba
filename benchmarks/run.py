"""Benchmark: times each stage of the toolkit at demo and national scale and prints a table.

Plain Python, no timing inside tests. Run from the repository root:

    .venv/bin/python benchmarks/run.py            # demo industry and national scale (100 groups, 30 LDSOs)
    .venv/bin/python benchmarks/run.py --scale 3  # and a 3x stress size

Writes benchmarks/results.json. Stages so far: configuration load and envelope calculation (plus the
daily CSV and the MCC envelope workbook), and the supplier templates of every group in one process and in
a pool of two; later stages join as they are built.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit import services  # noqa: E402
from toolkit.config import load_config  # noqa: E402
from toolkit.config.demo import DemoSpec, generate, write_config  # noqa: E402
from toolkit.domain.envelopes import calculate  # noqa: E402
from toolkit.domain.sprints import sprint_by_cycle  # noqa: E402
from toolkit.workspace import Workspace  # noqa: E402


def timed(fn, repeat: int = 3):
    """Median seconds over ``repeat`` runs and the peak traced memory (MiB) of one run."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak, result


def run_size(label: str, spec: DemoSpec | None, tmp: Path) -> list[dict]:
    root = tmp / label
    if spec is None:
        config_dir = ROOT / "config"
        root = ROOT
    else:
        config_dir = root / "config"
        write_config(generate(spec), config_dir)
    rows = []
    seconds, peak, config = timed(lambda: load_config(root))
    rows.append({"size": label, "stage": "load configuration", "seconds": seconds, "peak_mib": peak})
    seconds, peak, env = timed(lambda: calculate(config.industry, config.calendar, config.parameters))
    rows.append({"size": label, "stage": "envelopes (whole industry, M11-M15)", "seconds": seconds, "peak_mib": peak,
                 "cells": int(env.envelope.size)})
    out = tmp / f"{label}-envelopes.csv"
    seconds, peak, count = timed(lambda: services.export_envelopes_csv(env, out), repeat=1)
    rows.append({"size": label, "stage": "envelopes daily CSV", "seconds": seconds, "peak_mib": peak, "rows": count})
    ws = Workspace(tmp / f"{label}-ws")
    sprint = sprint_by_cycle(config.calendar.sprints, "S3")
    seconds, peak, _ = timed(lambda: services.write_envelope_workbook(config, ws, env, sprint), repeat=1)
    rows.append({"size": label, "stage": "MCC envelope workbook", "seconds": seconds, "peak_mib": peak})
    for workers in (1, 2):
        seconds, peak, issued = timed(lambda w=workers: services.issue_templates(
            ws, config, env, sprint, datetime.now(UTC), workers=w), repeat=1)
        size_mb = sum((services.templates_dir(ws, sprint.cycle) / t.file).stat().st_size for t in issued) / 2**20
        rows.append({"size": label, "stage": f"supplier templates, {workers} process{'es' if workers > 1 else ''}",
                     "seconds": seconds, "peak_mib": peak, "files": len(issued), "total_mib": round(size_mb, 1)})
    rows += inbox_stages(label, ws, config, env, sprint, tmp)
    return rows


def inbox_stages(label: str, ws: Workspace, config, env, sprint, tmp: Path) -> list[dict]:
    """Judge returned workbooks (read in a child process, all rules) and run them through the inbox (archive,
    ledger, feedback workbook, email) for every group's sample plan."""
    from toolkit.domain.sample_plan import sample_plan
    from toolkit.excel.filler import fill_plan
    from toolkit.inbox.pipeline import Inbox
    from toolkit.inbox.watcher import Stability, run_once

    judge = services.make_judge(ws, config, sprint.plan_start, sprint.cycle)
    issued = services.current_templates(ws, sprint.cycle)
    files = []
    for group, t in issued.items():
        plan = sample_plan(judge.content(group, sprint), config.parameters)
        files.append(fill_plan(services.templates_dir(ws, sprint.cycle) / t.file, tmp / f"{label}-returns" /
                               f"{group}.xlsx", weekly=plan.weekly, daily=plan.daily, agents=plan.agents))
    seconds, peak, _ = timed(lambda: [judge.judge(f, f.name) for f in files], repeat=1)
    rows = [{"size": label, "stage": f"judge {len(files)} returns (per file)", "seconds": seconds / len(files),
             "peak_mib": peak}]

    def through_inbox():
        for f in files:
            (ws.inbox / f.name).write_bytes(f.read_bytes())
        inbox = Inbox(ws, judge, lambda: datetime.now(UTC))
        return run_once(inbox, Stability(quiet_seconds=0.0), max_wait=0)

    ws.ensure_folders()
    seconds, _, _ = timed(through_inbox, repeat=1)
    rows.append({"size": label, "stage": f"inbox: {len(files)} returns end to end (per file)",
                 "seconds": seconds / len(files), "peak_mib": float("nan")})
    return rows


def main() -> None:
    os.environ.setdefault("MCC_SIGNING_KEY", "benchmark-signing-key-not-for-use")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="also run a stress size of N x national scale")
    args = parser.parse_args()
    sizes: list[tuple[str, DemoSpec | None]] = [("demo", None), ("national", DemoSpec(groups=100, ldsos=30))]
    if args.scale > 1:
        sizes.append((f"{args.scale}x", DemoSpec(groups=100 * args.scale, ldsos=30 * args.scale)))
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, spec in sizes:
            results += run_size(label, spec, Path(tmp))
    print(f"{'size':<10} {'stage':<40} {'seconds':>9} {'peak MiB':>9}")
    for r in results:
        print(f"{r['size']:<10} {r['stage']:<40} {r['seconds']:>9.3f} {r['peak_mib']:>9.1f}")
    machine = {"python": platform.python_version(), "machine": platform.machine(), "cpus": __import__("os").cpu_count()}
    (ROOT / "benchmarks" / "results.json").write_text(json.dumps({"machine": machine, "results": results}, indent=2))


if __name__ == "__main__":
    main()
