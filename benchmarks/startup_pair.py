"""Start-up before and after a change (issue 20), paired: ``mcc --help``, ``mcc status`` and ``mcc validate FILE`` as
processes from inside a workspace, alternating the old code (``--old DIR``: a ``git archive`` of the toolkit, put
first on PYTHONPATH) and this one, N pairs per command after one pair not counted; medians of the whole process (wall
and cpu seconds) and, where the code writes MCC_STARTUP_MARK, of the start-up (spawn to the command's body).

    git archive 265619d toolkit | tar -x -C /tmp/base
    .venv/bin/python benchmarks/startup_pair.py --old /tmp/base --workspace DEMO --template DEMO/workbooks/...xlsx
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

from run import timed_process  # benchmarks/run.py: one timed run of the real command


def run(args: list[str], cwd: Path, env: dict) -> dict:
    return timed_process([sys.executable, "-m", "toolkit", *args], cwd, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="a folder holding the old toolkit/ package")
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--template", type=Path, required=True, help="the workbook mcc validate judges")
    parser.add_argument("-n", type=int, default=7)
    parser.add_argument("--today", default=None, help="MCC_TODAY for both (default: the environment's)")
    a = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "MCC_WORKSPACE"} | {"MCC_QUIET": "1"}
    if a.today:
        env["MCC_TODAY"] = a.today
    old_env = {**env, "PYTHONPATH": str(a.old.resolve())}
    out: dict = {"load_before": os.getloadavg()[0]}
    for name, args in (("help", ["--help"]), ("status", ["status"]), ("validate", ["validate", str(a.template)])):
        runs: dict[str, list[dict]] = {"old": [], "new": []}
        for k in range(a.n + 1):
            for which, e in (("old", old_env), ("new", env)):
                r = run(args, a.workspace, e)
                if k:  # the first pair warms the file cache (and writes the new code's configuration copy)
                    runs[which].append(r)
        out[name] = {which: {key: statistics.median(r[key] for r in rs) if rs[0][key] is not None else None
                             for key in rs[0]} for which, rs in runs.items()}
    out["load_after"] = os.getloadavg()[0]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
