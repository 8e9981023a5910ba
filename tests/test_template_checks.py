"""The template's Checks sheet agrees with the inbox (issue 18): for any filled workbook, after LibreOffice
recalculates it, the sheet's verdict per LDSO and for the whole workbook (the rule ids it shows as errors and as
warnings, and OK exactly when there is no error) equals the verdict of the inbox on the same file. Shown over many
fills: valid plans, each rule of METHOD 7 a formula can judge broken in turn, and seeded random combinations, in one
LibreOffice run. Every rule is broken by some fill, so removing any of the sheet's formulas fails the test."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest
from python_calamine import CalamineWorkbook

from tests.conftest import make_workspace
from tests.inbox_helpers import ISSUED, context
from tests.libreoffice import recalculate
from toolkit.domain.checks import GROUP_RULES, LDSO_RULES, NOT_OK, OK, RETURN_ONLY, verdicts
from toolkit.domain.envelopes import Category
from toolkit.domain.findings import RuleId
from toolkit.domain.sample_plan import sample_plan
from toolkit.domain.template import TemplateContent
from toolkit.excel import contract as C
from toolkit.excel.filler import fill_plan
from toolkit.excel.writers.template.checks import (
    CHECKS_TOP,
    K_ERRORS,
    K_LDSO,
    K_STATUS,
    K_WARNINGS,
    OVERALL_ERRORS,
    OVERALL_STATUS,
    OVERALL_WARNINGS,
)
from toolkit.services.context import load, resolve_cycle
from toolkit.services.issue import current_templates, issue_templates
from toolkit.services.judge import make_judge

ISSUED_S1 = ISSUED.replace(year=2025, month=9, day=5)
# S8: a de minimis group whose ramp-up, core window and fast feedback fall in the plan, and an envelope group short
# of capacity with its core window in the plan, both planning daily; S1: a group of envelope and de minimis LDSOs
# whose ramp-up, core window and fast feedback are in the plan, with no daily plan
GROUPS = (("S8", "KIJO"), ("S8", "VGFC"), ("S1", "ATOE"))


def _open_week(content: TemplateContent, k: int = 3) -> int:
    return int(np.flatnonzero(content.week_open_days > 0)[k])


def _col(content: TemplateContent, *cats: Category, infeasible: bool | None = None) -> int | None:
    for c, col in enumerate(content.ldsos):
        if col.category in cats and (infeasible is None or col.infeasible == infeasible):
            return c
    return None


def _breakers(content: TemplateContent, plan) -> dict[str, dict]:
    """Fills each breaking one rule (some break others on the way), by name."""
    w0, d0 = plan.weekly, plan.daily
    limited = _col(content, Category.ENVELOPE, Category.DE_MINIMIS)
    out: dict[str, dict] = {"valid": {}}

    def weekly(edit) -> np.ndarray:
        w = w0.astype(object).copy()
        edit(w)
        return w

    def daily(edit) -> np.ndarray | None:
        if d0 is None:
            return None
        d = d0.astype(object).copy()
        edit(d)
        return d

    w = _open_week(content)
    out["value.integer"] = {"weekly": weekly(lambda a: a.__setitem__((w, limited), 2.5)),
                            "daily": daily(lambda a: (a.__setitem__((2, 0), "abc"), a.__setitem__((4, 1), -3)))}
    closed_w, closed_d = np.flatnonzero(content.week_open_days == 0), np.flatnonzero(~content.day_open)
    if len(closed_w) and (len(closed_d) or d0 is None):
        out["calendar"] = {"weekly": weekly(lambda a: a.__setitem__((closed_w[0], 0), a[closed_w[0], 0] + 7)),
                           "daily": daily(lambda a: a.__setitem__((closed_d[0], 0), 11)) if len(closed_d) else None}
    for cat, name in ((Category.ENVELOPE, "envelope"), (Category.DE_MINIMIS, "de-minimis")):
        c = _col(content, cat)
        if c is None:
            continue
        d = int(np.flatnonzero(content.day_open)[1]) if d0 is not None else 0
        out[f"{name}.weekly"] = {"weekly": weekly(lambda a, c=c: a.__setitem__((w, c),
                                                                               int(content.weekly_limit[w, c]) + 5))}
        if d0 is not None:
            out[f"{name}.daily"] = {"daily": daily(lambda a, c=c, d=d: a.__setitem__(
                (d, c), int(content.daily_limit[d, c]) + 1))}
    short = _col(content, Category.ENVELOPE, Category.DE_MINIMIS, Category.SMALL, infeasible=False)
    last = int(np.flatnonzero(w0[:, short])[-1])
    out["completeness"] = {"weekly": weekly(lambda a: a.__setitem__((last, short), max(a[last, short] - 3, 0)))}
    tight = _col(content, Category.ENVELOPE, infeasible=True)
    if tight is not None:
        out["completeness.beyond"] = {"weekly": weekly(lambda a: a.__setitem__((last, tight), 0) if
                                                       a[last, tight] else None)}
    ramp = next((c for c, col in enumerate(content.ldsos) if content.ramp_checked(col) and col.ramp_up_min), None)
    if ramp is not None:
        weeks = content.week_ramp_up_days > 0
        out["ramp-up.range"] = {"weekly": weekly(lambda a: a.__setitem__((weeks, ramp), 0))}
    core = next((c for c, col in enumerate(content.ldsos) if content.core_checked(col)), None)
    if core is not None:
        before = content.week_before_core_end()
        out["core-window"] = {"weekly": weekly(lambda a: a.__setitem__((before, core), 0))}
    dm = _col(content, Category.DE_MINIMIS)
    if dm is not None:
        late = int(np.flatnonzero(content.week_open_days > 0)[-2])

        def one_week(a):
            total = int(w0[:, dm].sum())
            a[:, dm] = 0
            a[late, dm] = total
        out["de-minimis.spread"] = {"weekly": weekly(one_week), "daily": daily(lambda a: a.__setitem__((slice(None),
                                                                                                        dm), 0))}
    if d0 is not None and d0.any():
        day = int(np.flatnonzero(d0.sum(axis=1))[0])
        col = int(np.flatnonzero(d0[day])[0])
        out["daily.matches-weekly"] = {"daily": daily(lambda a: a.__setitem__((day, col), a[day, col] + 1))}
        out["daily.required"] = {"daily": np.zeros_like(d0)}
    start, mpid = content.fast_feedback_start, content.ldsos[0].mpid
    open_days = [d for d, o in zip(content.window_days, content.window_open, strict=True)
                 if o and content.fast_feedback_start <= d <= content.fast_feedback_end]
    first = open_days[0] if open_days else start
    out["fast-feedback.valid"] = {"fast_feedback": [[first, f" {mpid.lower()} ", 40, 3]]}
    out["fast-feedback"] = {"fast_feedback": [[first, mpid, 40, 3], [first, "ZZZZ", 0, 7],
                                              [start - timedelta(days=30), mpid, 60, 2], ["soon", None, 2.5, None]]}
    ff = config_initiations(content)
    out["fast-feedback.total"] = {"fast_feedback": [[first, mpid, ff // 2 + 1, 3], [first, mpid, ff // 2 + 1, 4]]}
    # agent forecasts: each figure of the sheet alone (a forecast off, a role that is none, a cell not whole in a
    # spare column, no provider of a role with nothing planned)
    a = plan.agents.copy()
    a[_open_week(content, 5), 0] += 1
    out["agents.forecast"] = {"agents": a}
    out["agents.role"] = {"agent_headers": {len(content.agents): ("ABCD", "XX")}}
    spare = np.zeros((len(content.weeks), len(content.agents) + 1), dtype=object)
    spare[:, :len(content.agents)] = plan.agents
    spare[2, len(content.agents)] = 2.5
    out["agents.cell"] = {"agents": spare}
    nothing = {"weekly": np.zeros_like(w0), "daily": None if d0 is None else np.zeros_like(d0),
               "agents": np.zeros_like(plan.agents)}
    for role in ("DS", "MS"):
        out[f"agents.no-{role}"] = {**nothing, "agent_headers": {c: ("", role) for c, ag in enumerate(content.agents)
                                                                 if ag.role == role}}
    return out


def config_initiations(content: TemplateContent) -> int:
    """The fast-feedback allowance (FF) of the demo configuration."""
    from toolkit.domain.parameters import Parameters
    return Parameters().fast_feedback.initiations


def _random(content: TemplateContent, plan, rng: random.Random, breakers: dict[str, dict]) -> dict:
    """Two breakers merged, and a few cells of the weekly and daily plans set to odd values."""
    fill: dict = {}
    for name in rng.sample(sorted(breakers), 2):
        fill.update(breakers[name])
    weekly = np.array(fill.get("weekly", plan.weekly), dtype=object)
    for _ in range(3):
        r, c = rng.randrange(weekly.shape[0]), rng.randrange(weekly.shape[1])
        weekly[r, c] = rng.choice([0, 1, int(content.weekly_limit[r, c]) + 1, -2, 0.5, "x", 5000])
    fill["weekly"] = weekly
    if plan.daily is not None and rng.random() < 0.5:
        daily = np.array(fill.get("daily", plan.daily), dtype=object)
        r, c = rng.randrange(daily.shape[0]), rng.randrange(daily.shape[1])
        daily[r, c] = rng.choice([0, 3, 999, -1, 1.5])
        fill["daily"] = daily
    return fill


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """(file name, inbox findings, LDSO MPIDs, Checks sheet as recalculated, Checks sheet as written) per case."""
    ws = make_workspace(tmp_path_factory.mktemp("checks") / "ws")
    config = load(ws)
    for cycle, at, day in (("S8", ISSUED, date(2026, 11, 1)), ("S1", ISSUED_S1, date(2025, 9, 1))):
        groups = [g for c, g in GROUPS if c == cycle]
        issue_templates(context(ws, config, at=at), resolve_cycle(config, cycle, day), groups=groups, workers=1)
    work = tmp_path_factory.mktemp("lo")
    rng = random.Random(18)
    cases = []  # (file, judge, cycle, mpids)
    for cycle, group in GROUPS:
        judge = make_judge(context(ws, config), cycle)
        sprint = resolve_cycle(config, cycle, date(2025, 9, 1) if cycle == "S1" else date(2026, 11, 1))
        content = judge.content(group, sprint)
        plan = sample_plan(content, config.parameters)
        src = ws.templates_dir(cycle) / current_templates(ws, cycle)[group].file
        cases.append((src, judge, content.ldso_mpids))
        breakers = _breakers(content, plan)
        fills = dict(breakers)
        fills.update({f"random{k}": _random(content, plan, rng, breakers) for k in range(2)})
        for name, fill in fills.items():
            kw = {"weekly": plan.weekly, "daily": plan.daily, "agents": plan.agents, **fill}
            out = fill_plan(src, work / "in" / f"{cycle}_{group}_{name}.xlsx", **kw)
            cases.append((out, judge, content.ldso_mpids))
    outputs = recalculate([c[0] for c in cases], work / "out", work)
    result = []
    for out, (src, judge, mpids) in zip(outputs, cases, strict=True):
        sheet = lambda p: CalamineWorkbook.from_path(str(p)).get_sheet_by_name(C.SHEET_CHECKS).to_python(  # noqa
            skip_empty_area=False)
        findings = judge.judge(src, src.name, isolated=False).findings
        again = judge.judge(out, out.name, isolated=False).findings
        result.append((src.name, findings, again, mpids, sheet(out), sheet(src)))
    return result


def _shown(rows, mpids) -> tuple[dict[str, tuple[str, str, str]], tuple[str, str, str]]:
    per = {}
    for i, mpid in enumerate(mpids):
        row = rows[CHECKS_TOP + i]
        assert row[K_LDSO] == mpid
        per[mpid] = (row[K_STATUS], row[K_ERRORS], row[K_WARNINGS])
    at = lambda rc: rows[rc[0]][rc[1]]  # noqa: E731
    return per, (at(OVERALL_STATUS), at(OVERALL_ERRORS), at(OVERALL_WARNINGS))


def _expected(findings, mpids):
    per, overall = verdicts(findings, mpids)
    return ({m: (v.status, v.error_text, v.warning_text) for m, v in per.items()},
            (overall.status, overall.error_text, overall.warning_text))


def test_checks_sheet_verdicts_equal_the_inbox_after_libreoffice_recalculates(checked):
    """Per LDSO and for the whole workbook: the rule ids shown as errors and as warnings are the inbox's, and the
    status reads OK exactly when the inbox finds no error there (for the whole workbook: would accept the file, on
    every rule but those checked only on return)."""
    assert len(checked) >= 15 * len(GROUPS)
    for name, findings, again, mpids, rows, _ in checked:
        per, overall = _shown(rows, mpids)
        want_per, want_overall = _expected(findings, mpids)
        for m in mpids:
            assert per[m] == want_per[m], (name, m, per[m], [(f.rule, f.severity, f.message) for f in findings
                                                             if f.ldso == m])
        assert overall == want_overall, (name, overall, want_overall)
        assert (overall[0] == OK) == (not [f for f in findings if f.severity == "error" and f.rule not in RETURN_ONLY])
        # the file LibreOffice saved is judged the same as the one it opened
        assert _expected(again, mpids) == (want_per, want_overall), name


def test_every_rule_a_formula_judges_is_broken_by_some_fill_and_shown(checked):
    """So that removing any formula of the sheet fails the test above: each rule of the sheet is found by the inbox
    in some file, as an error or a warning, and the sheet names it there."""
    seen: dict[RuleId, set[str]] = {}
    for name, findings, _, mpids, rows, _ in checked:
        _, overall = _shown(rows, mpids)
        for f in findings:
            if f.rule in LDSO_RULES or f.rule in GROUP_RULES:
                assert f.rule in (overall[1] + ", " + overall[2]).split(", "), (name, f.rule)
                seen.setdefault(f.rule, set()).add(name)
    assert set(LDSO_RULES) | set(GROUP_RULES) <= set(seen), set(LDSO_RULES) | set(GROUP_RULES) - set(seen)
    statuses = {rows[OVERALL_STATUS[0]][OVERALL_STATUS[1]] for *_, rows, _ in checked}
    assert statuses == {OK, NOT_OK}


def test_the_template_as_issued_shows_what_libreoffice_recalculates(checked):
    """Every cached result of the Checks sheet (what a viewer that does not recalculate shows) is LibreOffice's."""
    for name, _, _, _, rows, written in checked:
        if not name.startswith("MCC-plan_"):
            continue
        for r, (a, b) in enumerate(zip(written, rows, strict=True)):
            for k, (x, y) in enumerate(zip(a, b, strict=True)):
                same = abs(x - y) < 1e-9 if isinstance(x, float) and isinstance(y, float) else x == y
                assert same, (name, r, k, x, y)


# -- without LibreOffice --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """KIJO's S8 template (its fast-feedback window is in the plan) and what it was issued with."""
    ws = make_workspace(tmp_path_factory.mktemp("issued") / "ws")
    config = load(ws)
    issue_templates(context(ws, config, at=ISSUED), resolve_cycle(config, "S8", date(2026, 11, 1)), groups=["KIJO"],
                    workers=1)
    return ws.templates_dir("S8") / current_templates(ws, "S8")["KIJO"].file, config, ws


def test_fast_feedback_initiations_admit_what_the_inbox_accepts(issued):
    """The inbox refuses a fast-feedback row of 0 initiations (fast-feedback.limits, F5.2.11): the cell's validation
    admits whole numbers from 1 to the allowance (FF)."""
    import openpyxl

    path, config, _ = issued
    sheet = openpyxl.load_workbook(path)[C.SHEET_FAST_FEEDBACK]
    counts = [dv for dv in sheet.data_validations.dataValidation if str(dv.sqref).startswith("C")]
    assert len(counts) == 1 and counts[0].type == "whole" and counts[0].operator in (None, "between")
    assert (counts[0].formula1, counts[0].formula2) == ("1", str(config.parameters.fast_feedback.initiations))


def test_checks_sheet_names_what_only_the_mcc_checks_on_return(issued):
    """Where a rule cannot be a formula the sheet says so, by rule id (docs/templates.md lists the same)."""
    path, _, _ = issued
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(C.SHEET_CHECKS).to_python()
    text = "\n".join(str(v) for row in rows for v in row)
    assert "Checked only when the MCC receives the workbook" in text
    for rid in RETURN_ONLY:
        assert f"{rid}: " in text, rid
    assert "exempted" in text and "formula the file keeps no value for" in text
    docs = (C.__file__.rsplit("/toolkit/", 1)[0] + "/docs/templates.md")
    with open(docs, encoding="utf-8") as fh:
        section = fh.read().split("## The Checks sheet", 1)[1].split("\n## ", 1)[0]
    for rid in (*RETURN_ONLY, *LDSO_RULES, *GROUP_RULES):
        assert f"`{rid}`" in section, rid


def test_ramp_down_reads_none_when_the_core_window_reaches_m15_and_counts_have_no_plural_slips(issued):
    from dataclasses import replace

    from toolkit.domain.template import describe_phase_dates
    from toolkit.domain.text import counted

    _, config, ws = issued
    content = make_judge(context(ws, config), "S8").content("KIJO", resolve_cycle(config, "S8", date(2026, 11, 1)))
    lines = dict(describe_phase_dates(replace(content, core_end=content.last_day)))
    assert lines["Ramp-down"] == "none: your core window runs to M15"
    assert dict(describe_phase_dates(replace(content, core_end=content.last_day - timedelta(days=7))))[
        "Ramp-down"].startswith("after ")
    assert [counted(n, "error") for n in (0, 1, 2, 1200)] == ["0 errors", "1 error", "2 errors", "1,200 errors"]
