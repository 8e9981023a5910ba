"""Workspaces with issued templates and plans filled in code, for the inbox tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tests.conftest import make_workspace
from toolkit import clock
from toolkit.demo.industry import DemoSpec, generate, write_config
from toolkit.domain.sample_plan import sample_plan
from toolkit.excel.filler import fill_cells, fill_plan
from toolkit.services.context import Context, load
from toolkit.services.issue import current_templates, issue_templates
from toolkit.services.judge import make_judge
from toolkit.store.workspace import Workspace

TODAY = date(2026, 11, 23)  # sprint 8 is being planned
ISSUED = datetime(2026, 10, 30, 9, 0, tzinfo=UTC)


class Clock(clock.Clock):
    """A fixed, advancing clock for the pipeline (the core never reads the real one), on TODAY."""

    def __init__(self, start: datetime = datetime(2026, 11, 12, 10, 0, tzinfo=UTC)):
        super().__init__(day=TODAY)
        self.current = start

    def now(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


def context(ws: Workspace, config=None, today: date = TODAY, at: datetime | None = None) -> Context:
    """A context on ``today``: its clock stopped at ``at``, or advancing (``Clock``)."""
    return Context(ws, clock.Clock.at(at, today) if at else Clock() if today == TODAY else clock.Clock(day=today),
                   config)


class Returns:
    """A workspace with S8 templates issued for ``groups`` and valid plans ready to fill."""

    def __init__(self, ws: Workspace, groups: list[str]):
        self.ws = ws
        self.config = load(ws)
        issuing = context(ws, self.config, at=ISSUED)
        self.sprint = issuing.sprint("S8")
        issue_templates(issuing, self.sprint, groups=groups, workers=1)
        self.judge = make_judge(context(ws, self.config))

    def template(self, group: str) -> Path:
        t = current_templates(self.ws, "S8")[group]
        return self.ws.templates_dir("S8") / t.file

    def valid(self, group: str, out: Path, variant: int = 0) -> Path:
        """A valid return; ``variant`` changes one agent forecast so that files differ (a warning only)."""
        content = self.judge.content(group, self.sprint)
        plan = sample_plan(content, self.config.parameters)
        agents = plan.agents.copy()
        if variant:
            agents[-1, 0] += variant
        return fill_plan(self.template(group), out, weekly=plan.weekly, daily=plan.daily, agents=agents)

    def over_limit(self, group: str, out: Path) -> tuple[Path, str]:
        """A return with one weekly cell over its limit; returns the file and the cell."""
        from toolkit.domain.envelopes import Category
        from toolkit.excel.reader import defined_names

        content = self.judge.content(group, self.sprint)
        plan = sample_plan(content, self.config.parameters)
        c = next(k for k, col in enumerate(content.ldsos) if col.category != Category.SMALL)
        w = int(next(k for k in range(len(content.weeks)) if content.week_open_days[k] and k > 10))
        weekly = plan.weekly.copy()
        weekly[w, c] = content.weekly_limit[w, c] + 100
        area = defined_names(self.template(group))["PlanWeekly"]
        from toolkit.domain.submission import a1

        return fill_plan(self.template(group), out, weekly=weekly, daily=plan.daily,
                         agents=plan.agents), a1(area.top + w, area.left + c)


def small_workspace(root: Path) -> Workspace:
    """A small generated industry (30 groups, 3 LDSOs) for the bulk tests: the same calendar, small templates."""
    ws = make_workspace(root)
    for p in ws.config.glob("*.csv"):
        p.unlink()
    write_config(generate(DemoSpec(groups=30, ldsos=3, seed=11)), ws.config)
    return ws


def distinct_copies(src: Path, folder: Path, count: int) -> list[Path]:
    """``count`` files that differ from ``src`` in one agent forecast each."""
    folder.mkdir(parents=True, exist_ok=True)
    from toolkit.excel.reader import defined_names

    area = defined_names(src)["AgentForecast"]
    from toolkit.domain.submission import a1

    return [fill_cells(src, folder / f"plan_{k:03d}.xlsx", {(area.sheet, a1(area.bottom, area.left)): 1000 + k})
            for k in range(count)]


def run_inbox(ws: Workspace, workers: int = 1):
    """Process what is in the inbox now, as ``mcc watch --once`` does (quietly: the files are complete)."""
    from toolkit.inbox.watcher import Stability, run_once
    from toolkit.services.inbox import make_inbox

    inbox = make_inbox(context(ws))
    outcomes, waiting = run_once(inbox, Stability(quiet_seconds=0.05, settle_seconds=0.2), max_wait=5,
                                 workers=workers)
    assert waiting == []
    return outcomes, inbox.ledger


def cli_env(**extra: str) -> dict:
    """The environment of an ``mcc`` subprocess on the tests' day."""
    import os

    from tests.conftest import REPO

    return {**os.environ, "MCC_TODAY": TODAY.isoformat(), "PYTHONPATH": str(REPO), **extra}


class Watcher:
    """``mcc watch`` in a process of its own (its own session, so signals reach it and its workers as a terminal's
    or a service manager's would), its stderr collected line by line."""

    def __init__(self, ws: Workspace, *args: str, env: dict | None = None):
        import subprocess
        import sys
        import threading

        cmd = [sys.executable, "-m", "toolkit", "watch", "--quiet", "0.1", *args, "-w", str(ws.root)]
        self.proc = subprocess.Popen(cmd, env=env or cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, start_new_session=True)
        self.lines: list[str] = []
        self.out: list[str] = []
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stderr, self.lines), daemon=True),
                         threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True)]
        for t in self._readers:
            t.start()

    @staticmethod
    def _read(stream, into: list[str]) -> None:
        for line in stream:
            into.append(line.rstrip("\n"))

    @property
    def said(self) -> str:
        return " ".join(" ".join(self.lines).split())

    def wait_for(self, words: str, timeout: float = 60.0) -> bool:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if words in self.said:
                return True
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the readers catch up
                return words in self.said
            time.sleep(0.05)
        return False

    def stop(self, sig=None, timeout: float = 30.0) -> int:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(sig or signal.SIGTERM)
        code = self.proc.wait(timeout)
        for t in self._readers:
            t.join(5)
        return code


def wait_until(condition, timeout: float = 60.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
