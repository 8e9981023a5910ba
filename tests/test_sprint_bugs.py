"""The two bugs of issue 15, each as it was met:

- a group with the daily opt-in flag (DOF) whose migration starts after the sprint got a daily sheet of closed days
  and was then rejected for not filling it (daily.required): a daily plan is not asked of a group with no migration
  day in the sprint, opted in or not;
- unused capacity was offered and granted before a group's migration start, without its scaling factor, and to
  groups whose plan was still outstanding: a request form offers nothing before the group's start and the unused
  capacity times its scaling factor after, and only groups with an accepted plan for the sprint get one.
"""

from __future__ import annotations

import math
import shutil
from datetime import UTC, date, datetime

import numpy as np
import pytest

from tests.conftest import REPO, make_workspace
from tests.inbox_helpers import context
from toolkit.domain.allocation import Snapshot
from toolkit.domain.sample_plan import sample_plan
from toolkit.excel import contract as C
from toolkit.excel.filler import fill_plan
from toolkit.excel.reader import read_template
from toolkit.inbox.watcher import Stability, run_once
from toolkit.services.context import envelopes, load, resolve_cycle
from toolkit.services.inbox import make_inbox
from toolkit.services.issue import current_templates, issue_templates
from toolkit.services.judge import make_judge
from toolkit.services.uca import snapshot, uca_allocate, uca_report
from toolkit.store.registers import latest_issued
from toolkit.store.workspace import Workspace


def _drop(ws, files, day: date):
    for f in files:
        shutil.copyfile(f, ws.inbox / f.name)
    clock = context(ws, today=day, at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC))
    return run_once(make_inbox(clock), Stability(quiet_seconds=0), max_wait=0)[0]


def test_an_opted_in_group_starting_after_the_sprint_is_not_asked_for_a_daily_plan(tmp_path):
    """FYJH opted in to daily planning (DOF) and starts on 15 June 2026, after S4's execution (1 April to 2 June):
    its S4 template has no daily sheet, and its weekly plan alone is accepted."""
    ws = make_workspace(tmp_path / "ws")
    config = load(ws)
    s4 = resolve_cycle(config, "S4", date(2026, 3, 1))
    group = config.industry.group_by_mpid["FYJH"]
    assert group.daily_opt_in and group.migration_start > s4.execution_end
    issue_templates(context(ws, config, at=datetime(2026, 3, 6, 9, tzinfo=UTC)), s4, groups=["FYJH"], workers=1)
    path = ws.templates_dir("S4") / current_templates(ws, "S4")["FYJH"].file
    assert C.SHEET_DAILY not in read_template(path).sheet_names
    judge = make_judge(context(ws, config, today=date(2026, 3, 10)))
    content = judge.content("FYJH", s4)
    assert not content.daily_required and "starts after this sprint" in content.daily_reason
    plan = sample_plan(content, config.parameters)
    judged = judge.judge(fill_plan(path, tmp_path / "FYJH.xlsx", weekly=plan.weekly, agents=plan.agents), "x.xlsx")
    assert [f.rule for f in judged.findings] == [] and judged.status == "accepted"


def test_a_request_form_offers_nothing_before_the_groups_start_and_scales_by_its_factor():
    """JFPG (SIT) starts on 24 October 2025, inside S1: its form holds no capacity before that day, and from it
    the unused capacity times its scaling factor that day (industry ramp-up 0.1: a tenth)."""
    config = load(Workspace(REPO))
    env = envelopes(config)
    s1 = resolve_cycle(config, "S1", date(2025, 9, 1))
    days = [d for d in config.calendar.window() if s1.execution_start <= d <= s1.execution_end]
    unused = np.full((len(env.ldsos), len(days)), 1000, dtype=np.int64)
    snap = Snapshot(list(env.ldsos), days, unused, np.full(unused.shape, 5), np.ones(unused.shape, bool))
    form = snap.form(env, "JFPG")
    start = env.phases[env.groups.index("JFPG")].migration_start
    assert start == date(2025, 10, 24)
    i = env.groups.index("JFPG")
    for k, d in enumerate(days):
        factor = float(env.slsf[i, (d - env.dates[0]).days]) if d >= start else 0.0
        assert (form.unused[k] == math.floor(1000 * factor + 1e-9)).all(), d
    assert (form.unused[:days.index(start)] == 0).all() and form.unused[days.index(start)].max() == 100


@pytest.fixture(scope="module")
def s1_plans(tmp_path_factory):
    """S1 with two accepted plans (XDNO from M11, JFPG from 24 October), the other groups' plans outstanding."""
    ws = make_workspace(tmp_path_factory.mktemp("s1") / "ws")
    config = load(ws)
    s1 = resolve_cycle(config, "S1", date(2025, 9, 1))
    issue_templates(context(ws, config, at=datetime(2025, 9, 5, 9, tzinfo=UTC)), s1, groups=["XDNO", "JFPG"],
                    workers=1)
    judge = make_judge(context(ws, config, today=date(2025, 9, 8)))
    tmp = tmp_path_factory.mktemp("s1files")
    files = []
    for g in ("XDNO", "JFPG"):
        plan = sample_plan(judge.content(g, s1), config.parameters)
        files.append(fill_plan(ws.templates_dir("S1") / current_templates(ws, "S1")[g].file, tmp / f"{g}.xlsx",
                               weekly=plan.weekly, daily=plan.daily, agents=plan.agents))
    assert [o.status for o in _drop(ws, files, date(2025, 9, 10))] == ["accepted", "accepted"]
    report = uca_report(context(ws, config, today=date(2025, 9, 12), at=datetime(2025, 9, 12, 9, tzinfo=UTC)), s1)
    return ws, config, s1, report, tmp


def test_a_request_before_the_groups_start_is_refused_and_grants_keep_to_the_form(s1_plans):
    ws, config, s1, report, tmp = s1_plans
    env = envelopes(config)
    snap = snapshot(ws, "S1")
    issued = latest_issued(ws.requests_dir("S1"))
    form = snap.form(env, "JFPG")
    early = np.zeros_like(form.unused)
    k = form.days.index(date(2025, 10, 6))
    c = int(np.argmax(snap.unused[[snap.ldsos.index(x) for x in form.ldsos], k]))
    early[k, c] = 1000
    refused = fill_plan(ws.requests_dir("S1") / issued["JFPG"].file, tmp / "early.xlsx", uca=early)
    # all it was shown, and at most its own envelope where the figure is suppressed (issue 17)
    fair_ask = np.where(form.disclosed, form.unused, np.minimum(form.unused, form.entitlement))
    fair = fill_plan(ws.requests_dir("S1") / issued["JFPG"].file, tmp / "fair.xlsx", uca=fair_ask)
    outcomes = _drop(ws, [refused, fair], date(2025, 9, 16))
    assert [o.status for o in outcomes] == ["rejected", "accepted"]
    alloc, _, _, _ = uca_allocate(context(ws, config, today=date(2025, 9, 17),
                                          at=datetime(2025, 9, 17, 9, tzinfo=UTC)), s1)
    i = alloc.baseline.groups.index("JFPG")
    start = form.days.index(date(2025, 10, 24))
    assert alloc.grants[i, :, :start].sum() == 0 and alloc.grants[i].sum() > 0
    for c, x in enumerate(form.ldsos):
        assert (alloc.grants[i, alloc.baseline.ldsos.index(x)] <= form.unused[:, c]).all()
    assert alloc.breaches == []


def test_a_small_de_minimis_remainder_is_spread_over_ddpru_days_in_every_sprint():
    """F5.2.7: after ramp-up a de minimis portfolio goes over at least DDPRU migration days. In a late sprint a
    group's core window may have fewer days left than that: the sample plan (the demo's and the rehearsal's returns)
    then spreads a small remainder past the core window's end rather than into the few core days left, which the
    inbox rejected under de-minimis.spread (20 of 630 sprint and group pairs of the demo, S6 to S9)."""
    from dataclasses import replace

    from tests.conftest import REPO
    from toolkit.config.loader import load_config
    from toolkit.domain.envelopes import Category, calculate
    from toolkit.domain.rules.de_minimis import _de_minimis_spread
    from toolkit.domain.sample_plan import sample_plan
    from toolkit.domain.template import template_content

    class _Grid:
        class area:  # noqa: N801 - the shape of a Grid's area
            sheet = "Weekly plan"

        @staticmethod
        def key_cell(c):
            return f"col{c}"

    config = load_config(REPO)
    env = calculate(config.industry, config.calendar, config.parameters)
    failed, judged = [], 0
    for sprint in config.calendar.sprints:
        for group in config.industry.groups:
            content = template_content(config.industry, config.calendar, config.parameters, env, group.mpid, sprint)
            if not any(col.category == Category.DE_MINIMIS for col in content.ldsos):
                continue
            content = replace(content, ldsos=[replace(col, portfolio=min(col.portfolio, 60))
                                              if col.category == Category.DE_MINIMIS else col for col in content.ldsos])
            plan = sample_plan(content, config.parameters)
            judged += 1
            failed += [(sprint.cycle, group.mpid, f.message)
                       for f in _de_minimis_spread(content, config.parameters, _Grid(), plan.weekly, plan.daily)]
    assert judged > 500 and failed == []
