"""Workspaces with issued templates and plans filled in code, for the inbox tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from tests.conftest import make_workspace
from toolkit import services
from toolkit.config.demo import DemoSpec, generate, write_config
from toolkit.domain.sample_plan import sample_plan
from toolkit.excel.filler import fill_cells, fill_plan
from toolkit.workspace import Workspace

TODAY = date(2026, 11, 23)  # sprint 8 is being planned
ISSUED = datetime(2026, 10, 30, 9, 0, tzinfo=UTC)


class Clock:
    """A fixed, advancing clock for the pipeline (the core never reads the real one)."""

    def __init__(self, start: datetime = datetime(2026, 11, 12, 10, 0, tzinfo=UTC)):
        self.now = start

    def __call__(self) -> datetime:
        from datetime import timedelta

        self.now += timedelta(seconds=1)
        return self.now


class Returns:
    """A workspace with S8 templates issued for ``groups`` and valid plans ready to fill."""

    def __init__(self, ws: Workspace, groups: list[str]):
        self.ws = ws
        self.config = services.load(ws)
        env = services.envelopes(self.config)
        self.sprint = services.resolve_cycle(self.config, "S8", TODAY)
        services.issue_templates(ws, self.config, env, self.sprint, ISSUED, groups=groups, workers=1)
        self.judge = services.make_judge(ws, self.config, TODAY)

    def template(self, group: str) -> Path:
        t = services.current_templates(self.ws, "S8")[group]
        return services.templates_dir(self.ws, "S8") / t.file

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
