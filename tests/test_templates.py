"""Supplier templates: issued per group and version, the machine contract, protection and validation, only the
group's own data, and self-checks that LibreOffice recalculates to the toolkit's own figures."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, date, datetime, timedelta

import numpy as np
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.conftest import make_workspace
from tests.inbox_helpers import context
from tests.libreoffice import recalculate
from toolkit.cli import main
from toolkit.domain.envelopes import Category
from toolkit.domain.sample_plan import sample_plan
from toolkit.domain.template import TemplateContent, self_checks, template_content
from toolkit.excel import contract as C
from toolkit.excel.filler import fill_plan
from toolkit.excel.reader import read_template, to_int_grid
from toolkit.excel.writers.template.checks import (
    CHECKS_TOP,
    K_CORE,
    K_DAYS_CLOSED,
    K_DAYS_OVER,
    K_ERRORS,
    K_LEFT,
    K_PLANNED,
    K_RAMP,
    K_RAMP_SHARE,
    K_STATUS,
    K_WEEKS_CLOSED,
    K_WEEKS_OVER,
)
from toolkit.services.context import envelopes, load, resolve_cycle
from toolkit.services.issue import current_templates, issue_templates
from toolkit.store.keys import signing_key

ISSUED = datetime(2026, 10, 30, 9, 0, tzinfo=UTC)
ISSUED_S1 = datetime(2025, 9, 5, 9, 0, tzinfo=UTC)  # S1's envelope issue day: before its return-by date


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Templates of every demo group for S8, and of three groups for S1, issued by the service."""
    ws = make_workspace(tmp_path_factory.mktemp("tpl") / "ws")
    config = load(ws)
    env = envelopes(config)
    s8 = resolve_cycle(config, "S8", date(2026, 11, 1))
    s1 = resolve_cycle(config, "S1", date(2025, 9, 1))
    issued8 = issue_templates(context(ws, config, at=ISSUED), s8)
    issued1 = issue_templates(context(ws, config, at=ISSUED_S1), s1, groups=["XDNO", "AFCF", "AAUC"])
    return ws, config, env, {"S8": (s8, issued8), "S1": (s1, issued1)}


def _path(ws, t):
    return ws.templates_dir(t.cycle) / t.file


def _content(demo, cycle, group) -> TemplateContent:
    _, config, env, cycles = demo
    return template_content(config.industry, config.calendar, config.parameters, env, group, cycles[cycle][0])


def _issued(demo, cycle, group):
    return next(t for t in demo[3][cycle][1] if t.group == group)


# -- issuing -------------------------------------------------------------------------------------------------

def test_one_template_per_group_named_by_cycle_group_and_version(demo):
    ws, config, _, cycles = demo
    issued = cycles["S8"][1]
    assert sorted(t.group for t in issued) == sorted(g.mpid for g in config.industry.groups)
    for t in issued:
        assert t.file == f"MCC-plan_S8_{t.group}_v01.xlsx" and t.version == 1
        assert _path(ws, t).is_file()
    register = ws.templates_dir("S8") / "register.csv"
    assert len(register.read_text().splitlines()) == 1 + len(issued)


def test_reissuing_increments_the_version_and_keeps_the_old_file(workspace, monkeypatch):
    monkeypatch.setenv("MCC_TODAY", "2026-11-02")
    assert main(["templates", "--group", "AAUC", "-w", str(workspace.root)]) == 0
    assert main(["templates", "-g", "aauc", "-w", str(workspace.root)]) == 2  # superseding needs a reason (issue 20)
    assert main(["templates", "-g", "aauc", "--reason", "CSMT corrected", "-w", str(workspace.root)]) == 0
    folder = workspace.workbooks / "S8" / "templates"
    assert sorted(p.name for p in folder.glob("*.xlsx")) == ["MCC-plan_S8_AAUC_v01.xlsx", "MCC-plan_S8_AAUC_v02.xlsx"]
    current = current_templates(workspace, "S8")["AAUC"]
    assert current.version == 2
    assert read_template(folder / current.file).meta["version"] == "2"


def test_unknown_group_is_a_usage_error(workspace, capsys):
    assert main(["templates", "--group", "NOPE", "--cycle", "S8", "-w", str(workspace.root)]) == 2
    assert "no supplier group NOPE" in capsys.readouterr().err


# -- the machine contract -----------------------------------------------------------------------------------

def test_defined_names_headers_and_date_columns(demo):
    ws = demo[0]
    for group in ("XDNO", "AFCF"):
        t = _issued(demo, "S8", group)
        content = _content(demo, "S8", group)
        wb = openpyxl.load_workbook(_path(ws, t))
        names = set(wb.defined_names)
        assert {C.PLAN_WEEKLY, C.AGENT_FORECAST, C.FAST_FEEDBACK} <= names
        assert (C.PLAN_DAILY in names) == content.daily_required
        for name, dates in ((C.PLAN_WEEKLY, content.weeks), (C.PLAN_DAILY, content.days)):
            if name not in names:
                continue
            (sheet, ref), = wb.defined_names[name].destinations
            cells = wb[sheet][ref.replace("$", "")]
            top, left = cells[0][0].row, cells[0][0].column
            header = [wb[sheet].cell(top - 1, left + k).value for k in range(len(cells[0]))]
            assert header == content.ldso_mpids
            column = [wb[sheet].cell(top + k, left - 1).value for k in range(len(cells))]
            assert all(isinstance(v, datetime) for v in column)
            assert [v.date() for v in column] == dates
        assert [d.weekday() for d in content.weeks] == [0] * len(content.weeks)


def test_daily_plan_only_for_groups_that_must_plan_daily(demo):
    s1 = demo[3]["S1"][1]
    afcf = read_template(_path(demo[0], next(t for t in s1 if t.group == "AFCF")))  # starts June 2026
    xdno = read_template(_path(demo[0], next(t for t in s1 if t.group == "XDNO")))  # SIT, starts at M11
    assert C.PLAN_DAILY not in afcf.grids and C.SHEET_DAILY not in afcf.sheet_names
    assert C.PLAN_DAILY in xdno.grids


def test_metadata_is_very_hidden_signed_and_the_key_is_nowhere_in_the_file(demo):
    ws = demo[0]
    key = signing_key(ws.config)
    t = _issued(demo, "S8", "XDNO")
    wb = openpyxl.load_workbook(_path(ws, t))
    assert wb[C.SHEET_META].sheet_state == "veryHidden"
    meta = read_template(_path(ws, t)).meta
    assert set(meta) == set(C.META_KEYS) | {C.SIGNATURE_KEY}
    assert meta["group"] == "XDNO" and meta["cycle"] == "S8" and meta["version"] == "1"
    assert meta["envelope_digest"] == _content(demo, "S8", "XDNO").digest() == t.envelope_digest
    assert C.signature_valid(meta, key)
    assert not C.signature_valid({**meta, "version": "2"}, key)
    assert not C.signature_valid(meta, b"another key of the same length!!")
    with zipfile.ZipFile(_path(ws, t)) as z:
        blob = b"".join(z.read(n) for n in z.namelist())
    assert key not in blob


def test_layout_in_metadata_matches_the_defined_names(demo):
    t = read_template(_path(demo[0], _issued(demo, "S8", "XDNO")))
    import json

    layout = json.loads(t.meta["layout"])
    assert layout == {name: area.qualified for name, area in t.names.items() if name in C.GRID_NAMES}


# -- protection, validation, conditional formats ---------------------------------------------------------

def test_inputs_unlocked_closed_cells_locked_validation_and_red_rules(demo):
    ws = demo[0]
    content = _content(demo, "S8", "XDNO")
    wb = openpyxl.load_workbook(_path(ws, _issued(demo, "S8", "XDNO")))
    sheet = wb[C.SHEET_WEEKLY]
    assert sheet.protection.sheet and not sheet.protection.password
    assert sheet.freeze_panes == "B10"  # a row more above the grid: migrated so far (issue 15)
    assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToHeight == 0 and sheet.print_title_rows == "$9:$9"
    (_, ref), = wb.defined_names[C.PLAN_WEEKLY].destinations
    grid = sheet[ref.replace("$", "")]
    for k, row in enumerate(grid):
        for cell in row:
            assert cell.protection.locked == (content.week_open_days[k] == 0), cell.coordinate
    closed = [k for k, n in enumerate(content.week_open_days) if n == 0]
    assert closed, "Christmas weeks are closed in S8"
    assert grid[closed[0]][0].fill.fgColor.rgb.endswith("D9D9D9")
    # whole numbers of 0 or more, with an input message (naming each cell's limit: tests/test_template_limits.py)
    rules = sheet.data_validations.dataValidation  # the plan grid's only
    assert rules and all(dv.type == "whole" and dv.operator == "greaterThanOrEqual" and dv.formula1 == "0"
                         and dv.showInputMessage and dv.prompt for dv in rules)
    assert sum(r.size["rows"] * r.size["columns"] for dv in rules for r in dv.sqref.ranges) == len(grid) * len(grid[0])
    formulas = {str(r.sqref): [f for rule in r.rules for f in rule.formula] for r in sheet.conditional_formatting}
    whole_grid = formulas[ref.replace("$", "")]
    assert any("INT(B10)" in f for f in whole_grid)  # text, negative or fractional: red
    assert any("$AZ10=0" in f or "=0,ISNUMBER(B10)" in f for f in whole_grid)  # planned on a closed week: red
    limited = [c for c, col in enumerate(content.ldsos) if col.category != Category.SMALL]
    over = [f for fs in formulas.values() for f in fs if f.startswith("AND(ISNUMBER(") and ">" in f]
    assert len(over) == len(limited)  # over the envelope or de minimis cap: red, per limited LDSO
    for name in (C.SHEET_INSTRUCTIONS, C.SHEET_DAILY, C.SHEET_AGENTS, C.SHEET_CHECKS, C.SHEET_FAST_FEEDBACK,
                 C.SHEET_CHART):
        assert wb[name].protection.sheet, name


# -- only the group's own data ----------------------------------------------------------------------------

def test_no_other_groups_identifiers_anywhere_in_any_template(demo):
    ws, config, _, cycles = demo
    groups = config.industry.groups
    for t in cycles["S8"][1] + cycles["S1"][1]:
        own = next(g for g in groups if g.mpid == t.group)
        others = [g for g in groups if g.mpid != t.group]
        codes = {c for g in others for c in (g.mpid, *g.suppliers)} - {own.mpid, *own.suppliers}
        words = {g.name for g in others if g.name != own.name} | {c for g in others for c in g.contacts}
        with zipfile.ZipFile(_path(ws, t)) as z:
            text = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        found_codes = set(re.findall(r"(?<![A-Za-z0-9])[A-Z]{4}(?![A-Za-z0-9])", text)) & codes
        assert not found_codes, (t.file, found_codes)
        without_own = text.replace(own.name, "")  # "Aurora Energy" is part of "Aurora Energy Services"
        leaked = [w for w in words if w in without_own]
        assert not leaked, (t.file, leaked)
        assert own.mpid in text and own.name in text


def test_instructions_name_deadline_rules_with_figures_and_contacts(demo):
    ws, config, _, cycles = demo
    sprint = cycles["S8"][0]
    content = _content(demo, "S8", "XDNO")
    rows = CalamineWorkbook.from_path(str(_path(ws, _issued(demo, "S8", "XDNO")))).get_sheet_by_name(
        C.SHEET_INSTRUCTIONS).to_python()
    text = "\n".join(" ".join(str(v) for v in row) for row in rows)
    assert f"{sprint.submission_deadline:%A %d %B %Y}" in text
    assert config.parameters.contact.email in text
    assert all(c in text for c in content.group.contacts)
    de_minimis = next(c for c in content.ldsos if c.category == Category.DE_MINIMIS)
    assert f"At most {de_minimis.daily_cap:,} migrations on any day" in text
    assert f"{de_minimis.ramp_up_min:,} to {de_minimis.ramp_up_max:,} MPANs" in text
    assert "Secondary MPANs count as migrations" in text


# -- reading back ---------------------------------------------------------------------------------------

def test_round_trip_fill_in_code_and_read_back(demo, tmp_path):
    ws, config, _, _ = demo
    content = _content(demo, "S1", "XDNO")
    plan = sample_plan(content, config.parameters)
    src = _path(ws, _issued(demo, "S1", "XDNO"))
    out = fill_plan(src, tmp_path / "filled.xlsx", weekly=plan.weekly, daily=plan.daily, agents=plan.agents,
                    fast_feedback=[[content.fast_feedback_start, content.ldsos[0].mpid, 40, 3]])
    back = read_template(out)
    assert to_int_grid(back.grids[C.PLAN_WEEKLY]) == plan.weekly.tolist()
    assert to_int_grid(back.grids[C.PLAN_DAILY]) == plan.daily.tolist()
    agents = np.array(to_int_grid(back.grids[C.AGENT_FORECAST]))
    assert agents[:, :len(content.agents)].tolist() == plan.agents.tolist()
    assert back.grids[C.FAST_FEEDBACK].values[0] == [content.fast_feedback_start, content.ldsos[0].mpid, 40.0, 3.0]
    assert back.meta == read_template(src).meta
    # the rest of the file is untouched: charts, validation and protection survive the filling
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        assert any(n.startswith("xl/charts/") for n in b.namelist())


def test_sample_plans_pass_their_own_checks_in_s1(demo):
    _, config, _, _ = demo
    for group in ("XDNO", "AFCF", "AAUC"):
        content = _content(demo, "S1", group)
        plan = sample_plan(content, config.parameters)
        for col, chk in zip(content.ldsos, self_checks(content, plan.weekly, plan.daily), strict=True):
            assert chk.problems(config.parameters, col, content.ramp_checked(col), content.core_checked(col)) == ""


# -- LibreOffice: open every template, recalculate, compare the self-checks -------------------------------

def _expected_rows(content: TemplateContent, parameters, weekly, daily) -> list[list[object]]:
    """The figures of the check rows (their verdicts are compared with the inbox's in test_template_checks)."""
    rows = []
    for col, chk in zip(content.ldsos, self_checks(content, weekly, daily), strict=True):
        small = col.category == Category.SMALL
        rows.append([
            chk.planned, chk.remaining,
            chk.ramp_up_planned if chk.ramp_up_planned is not None else "n/a",
            chk.ramp_up_share if chk.ramp_up_share is not None else "n/a",
            chk.core_share if chk.core_share is not None else "n/a",
            "no limit" if small else chk.weekly_over,
            "no limit" if small else (chk.daily_over if content.daily_required else "n/a"),
            chk.weekly_closed, chk.daily_closed if content.daily_required else "n/a"])
    return rows


def _read_rows(path, n) -> list[list[object]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(C.SHEET_CHECKS).to_python(
        skip_empty_area=False)
    cols = (K_PLANNED, K_LEFT, K_RAMP, K_RAMP_SHARE, K_CORE, K_WEEKS_OVER, K_DAYS_OVER, K_WEEKS_CLOSED,
            K_DAYS_CLOSED, K_ERRORS, K_STATUS)
    return [[rows[CHECKS_TOP + i][k] for k in cols] for i in range(n)]


def _same(a, b) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int):
        return abs(float(a) - float(b)) < 1e-9
    return a == b


def _broken(plan, content: TemplateContent):
    """A plan with typical mistakes: one cell over its limit, migrations on a closed week and a closed day,
    a total short of the portfolio (in an LDSO whose limits can hold it: where they cannot, a short plan holding all
    that fits is no mistake)."""
    weekly = plan.weekly.copy()
    daily = plan.daily.copy() if plan.daily is not None else None
    c = next(k for k, col in enumerate(content.ldsos) if col.category != Category.SMALL)
    w = int(np.flatnonzero(content.week_open_days > 0)[3])
    weekly[w, c] = content.weekly_limit[w, c] + 5
    closed = np.flatnonzero(content.week_open_days == 0)
    if len(closed):
        weekly[closed[0], c] += 7
    short = next(k for k, col in enumerate(content.ldsos) if not col.infeasible and weekly[:, k].any() and k != c)
    last = int(np.flatnonzero(weekly[:, short])[-1])
    weekly[last, short] = max(weekly[last, short] - 3, 0)
    if daily is not None:
        d = int(np.flatnonzero(~content.day_open)[0])
        daily[d, c] = 11
    return weekly, daily


@pytest.fixture(scope="module")
def recalculated(demo, tmp_path_factory):
    """Every S8 template as issued, plus filled ones (valid and broken), after LibreOffice recalculated them."""
    ws, config, _, cycles = demo
    work = tmp_path_factory.mktemp("lo")
    cases = []  # (file, content, weekly, daily)
    for t in cycles["S8"][1]:
        content = _content(demo, "S8", t.group)
        zeros = np.zeros((len(content.weeks), len(content.ldsos)), np.int64)
        cases.append((_path(ws, t), content, zeros, None))
    for cycle, group in (("S1", "XDNO"), ("S1", "AFCF"), ("S8", "JONV"), ("S8", "XDNO")):
        content = _content(demo, cycle, group)
        plan = sample_plan(content, config.parameters)
        src = _path(ws, _issued(demo, cycle, group))
        good = fill_plan(src, work / "in" / f"good_{cycle}_{group}.xlsx", weekly=plan.weekly, daily=plan.daily,
                         agents=plan.agents)
        cases.append((good, content, plan.weekly, plan.daily))
        weekly, daily = _broken(plan, content)
        bad = fill_plan(src, work / "in" / f"broken_{cycle}_{group}.xlsx", weekly=weekly, daily=daily)
        cases.append((bad, content, weekly, daily))
    outputs = recalculate([c[0] for c in cases], work / "out", work)
    return [(out, *case) for out, case in zip(outputs, cases, strict=True)]


def test_every_template_opens_in_libreoffice_and_its_checks_recalculate_to_the_toolkits(demo, recalculated):
    config = demo[1]
    assert len(recalculated) == len(demo[3]["S8"][1]) + 8
    for out, src, content, weekly, daily in recalculated:
        expected = _expected_rows(content, config.parameters, weekly, daily)
        got = [row[:-2] for row in _read_rows(out, len(content.ldsos))]
        for col, e, g in zip(content.ldsos, expected, got, strict=True):
            assert all(_same(x, y) for x, y in zip(e, g, strict=True)), (src.name, col.mpid, e, g)


def test_filled_plans_show_ok_and_broken_plans_show_their_problems(recalculated):
    for out, src, content, _weekly, _daily in recalculated:
        if not src.name.startswith(("good_S1", "broken_")):
            continue
        rows = _read_rows(out, len(content.ldsos))
        statuses = [r[-1] for r in rows]
        if src.name.startswith("good"):
            assert statuses == ["OK"] * len(rows), src.name
        else:
            problems = ", ".join(r[-2] for r in rows)
            assert "envelope.weekly" in problems or "de-minimis.daily-cap" in problems, src.name
            assert "completeness.portfolio" in problems, src.name


def test_libreoffice_saved_file_reads_back_with_the_same_numbers(recalculated):
    for out, src, _content, weekly, daily in recalculated:
        if not src.name.startswith("good_"):
            continue
        back = read_template(out)
        assert to_int_grid(back.grids[C.PLAN_WEEKLY]) == weekly.tolist()
        if daily is not None:
            assert to_int_grid(back.grids[C.PLAN_DAILY]) == daily.tolist()
        assert back.meta == read_template(src).meta


def test_calendar_markings_name_holidays_excluded_days_events_phases_and_fast_feedback(demo):
    ws = demo[0]
    content = _content(demo, "S8", "JONV")
    path = _path(ws, _issued(demo, "S8", "JONV"))
    book = CalamineWorkbook.from_path(str(path))
    daily = {row[0]: row for row in book.get_sheet_by_name(C.SHEET_DAILY).to_python(skip_empty_area=False)
             if isinstance(row[0], date)}
    notes = {d: " ".join(str(v) for v in row) for d, row in daily.items()}  # phase and calendar beside the grid
    assert "Christmas Day" in notes[date(2026, 12, 25)]
    assert "Christmas 2026 change freeze" in notes[date(2026, 12, 22)]
    last_ff = max(d for d, o in zip(content.days, content.day_open, strict=True)
                  if o and d <= content.fast_feedback_end)
    assert "fast-feedback window" in notes[last_ff]
    assert "fast-feedback window" not in notes[last_ff + timedelta(days=7)]
    assert "Sprint 8: execution starts" in notes[date(2026, 12, 2)]
    assert "ramp-up" in notes[date(2026, 12, 3)]
    weekly = [r for r in book.get_sheet_by_name(C.SHEET_WEEKLY).to_python(skip_empty_area=False)
              if isinstance(r[0], date)]
    assert any("core" in " ".join(map(str, r)) for r in weekly)
    assert any("Easter Monday (Mon 29 Mar)" in " ".join(map(str, r)) for r in weekly)
    wb = openpyxl.load_workbook(path)
    (_, ref), = wb.defined_names[C.PLAN_DAILY].destinations
    grid = wb[C.SHEET_DAILY][ref.replace("$", "")]
    christmas = content.days.index(date(2026, 12, 25))
    assert grid[christmas][0].protection.locked and grid[christmas][0].fill.fgColor.rgb.endswith("D9D9D9")
    first_open = int(np.flatnonzero(content.day_open)[0])
    assert not grid[first_open][0].protection.locked
