"""The programme over time (issue 15): the portfolio left for a sprint (outturn, the accepted plan where outturn is
missing, churn recorded as dated adjustments), templates that show it and say where the limits to M15 cannot hold
it, the latest accepted weekly plan carried into the next template, and sprints played without workbooks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import openpyxl
import pytest

from tests.conftest import REPO, make_workspace
from tests.inbox_helpers import context
from toolkit.cli import main
from toolkit.domain.envelopes import Category
from toolkit.domain.findings import Severity
from toolkit.domain.programme import Churn, History, carry_over, remaining_portfolio
from toolkit.domain.sample_plan import sample_plan
from toolkit.excel import contract as C
from toolkit.excel.filler import fill_plan
from toolkit.excel.writers.template.plan import GRID_TOP
from toolkit.services.context import load, resolve_cycle
from toolkit.services.issue import current_templates, issue, issue_templates, issued_content, template_contents
from toolkit.services.judge import make_judge
from toolkit.services.play import as_planned, play_sprints, record_migrations, record_plans, sample_plans
from toolkit.services.programme import portfolio_basis
from toolkit.store.ledger import PlanFigures
from toolkit.store.workspace import Workspace

S8_ISSUE = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)  # S8's envelope issue day


# -- the remaining portfolio, worked out (pure) ------------------------------------------------------------------

def _history(config, days, covered):
    g, n = len(config.industry.groups), len(config.industry.ldsos)
    zeros = np.zeros((g, n, len(days)), dtype=np.int64)
    return History(days, zeros.copy(), np.array(covered, dtype=bool), zeros.copy(), np.ones((g, len(days)), bool),
                   np.ones(len(days), dtype=bool))


def test_remaining_is_initial_plus_churn_less_outturn_then_plan_where_outturn_is_missing_never_negative():
    config = load(Workspace(REPO))
    industry = config.industry
    m11 = config.calendar.m11
    days = [m11 + timedelta(days=k) for k in range(4)]
    as_of, cutoff = days[2], days[-1] + timedelta(days=1)  # day 1 is past without outturn, days 2-3 still to come
    h = _history(config, days, [True, False, False, False])
    (supplier, ldso), initial = next((k, v) for k, v in sorted(industry.portfolio.items()) if v > 1000)
    group = industry.group_of_supplier[supplier]
    i, j = [g.mpid for g in industry.groups].index(group), [x.mpid for x in industry.ldsos].index(ldso)
    whole = sum(v for (s, x), v in industry.portfolio.items() if x == ldso and industry.group_of_supplier[s] == group)
    h.outturn[i, j, 0], h.planned[i, j, 1], h.planned[i, j, 2], h.planned[i, j, 3] = 100, 50, 30, 20
    other = (i + 1) % len(industry.groups), next(
        k for k, x in enumerate(industry.ldsos) if industry.groups[(i + 1) % len(industry.groups)].mpid in {
            industry.group_of_supplier[s] for (s, y) in industry.portfolio if y == x.mpid})
    h.outturn[other[0], other[1], 0] = 10**9  # more than the portfolio: churn not recorded
    churn = [Churn(supplier, ldso, days[1], 10, "new connections"),
             Churn(supplier, ldso, cutoff, -5, "after the execution start: not counted")]
    b = remaining_portfolio(industry, "S9", cutoff, as_of, h, churn, {g.mpid: m11 for g in industry.groups})
    assert (b.outturn[i, j], b.missing[i, j], b.forecast[i, j], b.churn[i, j]) == (100, 50, 50, 10)
    assert b.remaining[i, j] == whole + 10 - 200
    assert (b.remaining >= 0).all() and b.remaining[other] == 0
    assert ((b.initial + b.churn == b.migrated + b.remaining) | (b.outturn > b.initial + b.churn)).all()
    assert b.missing_days == [days[1]]
    notes = " ".join(b.of(group).notes)
    assert "no outturn for 1 past migration days" in notes and "your accepted plan for them was counted" in notes
    assert "still to come" in notes
    assert "outturn exceeds the portfolio" in " ".join(b.notes[industry.groups[other[0]].mpid])
    pair = b.of(group).pairs[ldso]
    assert (pair.initial, pair.churn, pair.migrated, pair.remaining) == (whole, 10, 200, whole - 190)


def test_carry_over_takes_the_weeks_after_the_sprint_by_monday_and_ldso():
    mondays = [date(2026, 11, 30) + timedelta(weeks=k) for k in range(6)]
    prev = np.arange(1, 13).reshape(6, 2) * 10  # weeks from 30 Nov, LDSOs A and B
    got = carry_over(mondays[0], ["A", "B"], prev, mondays[1:], ["B", "C"], after=mondays[2] + timedelta(days=2))
    assert got[:, 1].tolist() == [-1] * 5  # C was not in the old plan
    assert got[:, 0].tolist() == [-1, -1, 80, 100, 120]  # the sprint's own weeks are planned afresh


# -- churn, a dated adjustment file ------------------------------------------------------------------------------

def test_churn_csv_is_checked_with_file_row_and_column_and_loaded_in_date_order(workspace, capsys):
    from toolkit.config.loader import load_config
    from toolkit.errors import ConfigError

    config = load(workspace)
    (supplier, ldso), held = next((k, v) for k, v in sorted(config.industry.portfolio.items()) if v > 0)
    path = workspace.config / "churn.csv"
    path.write_text("supplier_mpid,ldso_mpid,date,change,reason\n"
                    f"{supplier},{ldso},2026-03-02,-{held + 1},supplier of last resort\n"
                    f"ZZZZ,{ldso},2026-03-02,5,unknown supplier\n"
                    f"{supplier},{ldso},2031-01-01,5,after M15\n"
                    f"{supplier},{ldso},2026-03-02,0,no change\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(workspace.root)
    found = [(p.file, p.location, p.message) for p in info.value.problems]
    assert any(f == "config/churn.csv" and loc == "row 2, column change" and f"cannot lose {held + 1:,}" in m
               for f, loc, m in found)
    assert any(f == "config/churn.csv" and loc.startswith("row 3") and "ZZZZ" in m for f, loc, m in found)
    assert any(f == "config/churn.csv" and loc == "row 4, column date" and "outside the migration window" in m
               for f, loc, m in found)
    assert any(f == "config/churn.csv" and "row 5" in loc for f, loc, m in found)
    path.write_text("supplier_mpid,ldso_mpid,date,change,reason\n"
                    f"{supplier},{ldso},2026-05-04,-3,change of supplier\n"
                    f"{supplier},{ldso},2026-03-02,7,new connections\n", encoding="utf-8")
    assert [(c.day, c.change) for c in load_config(workspace.root).churn] == [(date(2026, 3, 2), 7),
                                                                                (date(2026, 5, 4), -3)]
    assert main(["check", "-w", str(workspace.root)]) == 0
    assert "2 dated adjustments in config/churn.csv (+4 MPANs" in capsys.readouterr().out


# -- templates on the remaining portfolio ------------------------------------------------------------------------

def test_templates_show_migrated_so_far_and_completeness_compares_with_what_remains(tmp_path):
    """XDNO migrated most of its portfolio in an envelope LDSO over ten S7 days before S8's envelope issue day
    (outturn; no outturn for the other past days): the S8 template plans what remains, which now fits its limits,
    and a plan of the whole initial portfolio is too many."""
    ws = make_workspace(tmp_path / "ws")
    config = load(ws)
    ctx = context(ws, config, at=S8_ISSUE)
    s8 = ctx.sprint("S8")
    before = issued_content(ctx, "XDNO", s8)
    c, col = next((k, x) for k, x in enumerate(before.ldsos) if x.category == Category.ENVELOPE and x.fits)
    assert col.infeasible  # on the deemed initial portfolio, as if nothing had migrated
    per_day = -(-(col.portfolio - col.fits // 2) // 10)
    days = [d for d in config.calendar.window() if date(2026, 10, 12) <= d < date(2026, 11, 6)
            and config.calendar.is_migration_day(d)][:10]
    groups, ldsos = [g.mpid for g in config.industry.groups], [x.mpid for x in config.industry.ldsos]
    migrated = np.zeros((len(groups), len(ldsos), len(days)), dtype=np.int64)
    migrated[groups.index("XDNO"), ldsos.index(col.mpid), :] = per_day
    assert record_migrations(ctx, groups, ldsos, days, migrated, S8_ISSUE, "outturn") == 10 * per_day
    made = issue(ctx, s8, groups=["XDNO"], workers=1)
    assert made.basis.missing_days  # the other past days hold no outturn: said so
    assert col.mpid not in {s.ldso for s in made.shortages}
    content = issued_content(ctx, "XDNO", s8)
    got = content.ldsos[c]
    assert (got.initial, got.migrated, got.portfolio) == (col.portfolio, 10 * per_day, col.portfolio - 10 * per_day)
    assert not got.infeasible
    assert any("no outturn" in n for n in content.basis_notes)
    path = ws.templates_dir("S8") / current_templates(ws, "S8")["XDNO"].file
    wb = openpyxl.load_workbook(path)
    weekly = wb[C.SHEET_WEEKLY]
    labels = {weekly.cell(r, 1).value: r for r in range(1, GRID_TOP)}
    assert weekly.cell(labels["Migrated so far"], 2 + c).value == 10 * per_day
    assert weekly.cell(labels["Remaining to plan"], 2 + c).value == got.portfolio
    assert "Left to plan" in labels
    text = " ".join(str(x.value) for row in wb[C.SHEET_INSTRUCTIONS].iter_rows() for x in row if x.value)
    assert "Your portfolio" in text and "No outturn and no accepted plan for" in text and "Migrated so far" in text
    judge = make_judge(context(ws, config, today=date(2026, 11, 10)))
    plan = sample_plan(content, config.parameters)
    assert plan.weekly[:, c].sum() == got.portfolio
    ok = judge.judge(fill_plan(path, tmp_path / "ok.xlsx", weekly=plan.weekly, daily=plan.daily,
                               agents=plan.agents), "ok.xlsx")
    assert not [f for f in ok.findings if f.rule == "completeness.portfolio" and f.ldso == col.mpid]
    whole = plan.weekly.copy()
    whole[int(np.flatnonzero(whole[:, c])[-1]), c] += 10 * per_day  # the initial portfolio, as if nothing migrated
    judged = judge.judge(fill_plan(path, tmp_path / "whole.xlsx", weekly=whole, daily=plan.daily,
                                   agents=plan.agents), "whole.xlsx")
    found = [f for f in judged.findings if f.rule == "completeness.portfolio" and f.ldso == col.mpid]
    assert found and f"{10 * per_day:,} too many" in found[0].message
    assert f"{10 * per_day:,} migrated before this sprint" in found[0].message


# -- feasibility before issue ------------------------------------------------------------------------------------

def test_templates_report_groups_whose_limits_to_m15_cannot_hold_what_remains(tmp_path, capsys, monkeypatch):
    """On the demo workspace with no history, JFPG's S8 envelopes in EELC to M15 hold far less than its portfolio
    there: mcc templates says so, and so do its Instructions and Checks sheets, with the figures."""
    ws = make_workspace(tmp_path / "ws")
    monkeypatch.setenv("MCC_TODAY", "2026-11-06")
    assert main(["templates", "--cycle", "S8", "-g", "JFPG", "-g", "XDNO", "--workers", "1", "-w", str(ws.root)]) == 0
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Short of capacity" in text and "JFPG" in text and "EELC" in text
    assert "cannot fit what is left by M15" in text
    config = load(ws)
    content = issued_content(context(ws, config, at=S8_ISSUE), "JFPG", resolve_cycle(config, "S8", date(2026, 11, 1)))
    eelc = next(c for c in content.ldsos if c.mpid == "EELC")
    assert eelc.infeasible and eelc.fits < eelc.portfolio
    fits, left = sum(c.fits for c in content.infeasible), sum(c.portfolio for c in content.infeasible)
    wb = openpyxl.load_workbook(ws.templates_dir("S8") / current_templates(ws, "S8")["JFPG"].file)
    for sheet in (C.SHEET_INSTRUCTIONS, C.SHEET_CHECKS):
        cells = " ".join(str(c.value) for row in wb[sheet].iter_rows() for c in row if c.value)
        assert "Short of capacity in" in cells and "request unused capacity" in cells
        assert f"hold {fits:,} of the {left:,} MPANs left" in cells


@pytest.mark.parametrize("severity", [Severity.WARNING, Severity.ERROR])
def test_a_plan_of_all_that_fits_is_judged_by_the_completeness_beyond_capacity_parameter(tmp_path, severity):
    ws = make_workspace(tmp_path / "ws")
    params = ws.config / "parameters.toml"
    params.write_text(params.read_text().replace('completeness_beyond_capacity = "warning"',
                                                 f'completeness_beyond_capacity = "{severity.value}"'))
    config = load(ws)
    ctx = context(ws, config, at=S8_ISSUE)
    s8 = ctx.sprint("S8")
    issue_templates(ctx, s8, groups=["JFPG"], workers=1)
    content = issued_content(ctx, "JFPG", s8)
    plan = sample_plan(content, config.parameters)
    path = ws.templates_dir("S8") / current_templates(ws, "S8")["JFPG"].file
    judged = make_judge(context(ws, config, today=date(2026, 11, 10))).judge(
        fill_plan(path, tmp_path / "fits.xlsx", weekly=plan.weekly, daily=plan.daily, agents=plan.agents), "x.xlsx")
    found = [f for f in judged.findings if f.rule == "completeness.portfolio"]
    assert found and all(f.severity == severity for f in found) and "find no capacity" in found[0].message
    assert judged.status == ("accepted" if severity == Severity.WARNING else "rejected")


# -- played sprints, carry-over ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """The demo workspace with S1 to S7 played as planned (outturn exactly the plans) up to S8's envelope issue."""
    ws = make_workspace(tmp_path_factory.mktemp("played") / "ws")
    config = load(ws)
    ctx = context(ws, config, at=S8_ISSUE)
    s8 = ctx.sprint("S8")
    return ws, config, s8, play_sprints(ctx, s8, as_planned)


def test_played_sprints_leave_portfolios_that_add_up_and_are_never_negative(played):
    ws, config, s8, sprints = played
    assert [p.sprint.sprint for p in sprints] == list(range(1, 8))
    # the groups migrating by each sprint's end plan it, more sprint by sprint; every group plans S7 (carried over)
    counts = [p.plans for p in sprints]
    assert counts[0] > 0 and counts == sorted(counts) and counts[-1] == len(config.industry.groups)
    b = portfolio_basis(context(ws, config, at=S8_ISSUE), s8, S8_ISSUE.date())
    assert (b.remaining >= 0).all() and b.outturn.sum() > 0 and b.missing.sum() == 0
    assert (b.initial + b.churn == b.migrated + b.remaining).all()
    assert b.forecast.sum() > 0  # S7's days from the issue day to S8's execution start: its plan, as a forecast
    assert b.remaining.sum() < b.initial.sum() // 2


def test_the_next_template_carries_the_latest_accepted_weekly_plan_over_and_judges_it_like_typed(played, tmp_path):
    ws, config, s8, _ = played
    ctx = context(ws, config, at=S8_ISSUE)
    s7 = resolve_cycle(config, "S7", date(2026, 9, 1))
    carried = {g: c for g, c in template_contents(ctx, s8, [g.mpid for g in config.industry.groups]).items()
               if c.carried_from}
    assert carried and all(c.carried_from.startswith("your accepted S7 plan") for c in carried.values())
    group = next(g for g, c in carried.items() if any(col.category != Category.SMALL for col in c.ldsos))
    content = carried[group]
    issue_templates(ctx, s8, groups=[group], workers=1)
    path = ws.templates_dir("S8") / current_templates(ws, "S8")[group].file
    sheet = openpyxl.load_workbook(path)[C.SHEET_WEEKLY]
    grid = np.array([[sheet.cell(GRID_TOP + 1 + w, 2 + c).value or 0 for c in range(len(content.ldsos))]
                     for w in range(len(content.weeks))])
    after = np.array([w > s8.execution_end for w in content.weeks])
    assert (grid[~after] == 0).all() and grid[after].sum() > 0
    assert (grid == content.prefilled()).all()
    # a carried figure over the new limit is judged like a typed one
    plans, _, _ = sample_plans(ctx, s7, groups=[group])
    old = plans[group]
    c = next(k for k, col in enumerate(content.ldsos) if col.category != Category.SMALL)
    w = next(k for k in np.flatnonzero(after) if content.weekly_limit[k, c] > 0)
    k = (content.weeks[w] - old.weeks_from).days // 7
    weekly = old.weekly.copy()
    weekly[k, old.ldsos.index(content.ldsos[c].mpid)] = int(content.weekly_limit[w, c]) + 1
    record_plans(ctx, s7, {group: PlanFigures(old.ldsos, old.weeks_from, weekly, old.days_from, old.daily,
                                               old.agents)}, S8_ISSUE - timedelta(days=1))
    issue_templates(ctx, s8, groups=[group], workers=1)
    path = ws.templates_dir("S8") / current_templates(ws, "S8")[group].file
    judged = make_judge(context(ws, config, today=date(2026, 11, 10))).judge(path, "carried.xlsx")
    over = [f for f in judged.findings if f.rule == "envelope.weekly"]
    assert over and over[0].cell == f"{chr(ord('B') + c)}{GRID_TOP + 1 + w}"


def test_no_daily_plan_is_asked_of_a_group_whose_weekly_plan_leaves_the_sprint_empty(played, tmp_path):
    """A group already migrating must plan daily, but one with nothing left to migrate plans nothing in the
    sprint's weeks: its blank daily plan is no missing daily plan (daily.required)."""
    ws, config, s8, _ = played
    ctx = context(ws, config, at=S8_ISSUE)
    contents = template_contents(ctx, s8, [g.mpid for g in config.industry.groups])
    group = next(g for g, c in contents.items() if c.daily_required and not any(col.portfolio for col in c.ldsos))
    issue_templates(ctx, s8, groups=[group], workers=1)
    path = ws.templates_dir("S8") / current_templates(ws, "S8")[group].file
    content = contents[group]
    blank = np.zeros((len(content.weeks), len(content.ldsos)), dtype=np.int64)  # clears anything carried over
    judged = make_judge(context(ws, config, today=date(2026, 11, 10))).judge(
        fill_plan(path, tmp_path / "nothing.xlsx", weekly=blank), "nothing.xlsx")
    assert "daily.required" not in [f.rule for f in judged.findings]
    assert judged.status == "accepted"


# -- template contents kept in the context (the rehearsal's speed) -----------------------------------------------

def _parts(path) -> dict[str, bytes]:
    """A workbook's parts but its document properties (XlsxWriter stamps the time of writing there)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_contents_kept_in_the_context_give_the_templates_and_verdicts_worked_out_afresh(tmp_path):
    """Issue 15 (item 1, and the rehearsal's benchmark): a context keeps each template content it works out per group,
    cycle and basis, and the judges made from it share them. After outturn moves the remaining portfolio, the kept
    contents are worked out again: the templates issued and the verdicts given are those of a fresh context."""
    import shutil

    from toolkit.services.context import Context
    from toolkit.services.judge import WorkbookJudge

    ws_a = make_workspace(tmp_path / "a")
    shutil.copytree(ws_a.root, tmp_path / "b")
    ws_b = Workspace(tmp_path / "b")
    config = load(ws_a)
    kept = context(ws_a, config, at=S8_ISSUE)
    s8 = kept.sprint("S8")
    groups = sorted(ph.group for ph in kept.envelopes().phases if ph.migration_start < s8.execution_start)[:3]
    before = template_contents(kept, s8, groups)  # kept, on the portfolio left before the outturn below
    assert all(kept.contents[(g, "S8")][1] is not None for g in groups)
    env = kept.envelopes()
    ldso = next(j for j, x in enumerate(env.ldsos) if config.industry.group_portfolio.get((groups[0], x), 0) > 500)
    migrated = np.zeros((len(env.groups), len(env.ldsos), 1), dtype=np.int64)
    migrated[env.groups.index(groups[0]), ldso, 0] = 321
    day = s8.execution_start - timedelta(days=14)
    for ws in (ws_a, ws_b):
        record_migrations(context(ws, load(ws), at=S8_ISSUE), env.groups, env.ldsos, [day], migrated,
                          S8_ISSUE - timedelta(days=1), "outturn (test)")
    a = issue(kept, s8, groups=groups, workers=1)
    b = issue(context(ws_b, load(ws_b), at=S8_ISSUE), s8, groups=groups, workers=1)
    assert np.array_equal(a.basis.remaining, b.basis.remaining)
    assert before[groups[0]].digest() != issued_content(kept, groups[0], s8).digest()  # worked out again
    for ta, tb in zip(a.templates, b.templates, strict=True):
        assert _parts(ws_a.templates_dir("S8") / ta.file) == _parts(ws_b.templates_dir("S8") / tb.file)
    # a judge made from the context starts from its contents; one of its own works them out: the same verdicts
    seeded = make_judge(kept.on(kept.clock))
    assert seeded.content(groups[0], s8) is kept.contents[(groups[0], "S8")][1]
    own = WorkbookJudge(ws_a, load(ws_a), "S8", kept.key, kept.clock)
    fresh = Context(ws_a, kept.clock)
    for g in groups:
        content = issued_content(fresh, g, s8)
        assert content is not kept.contents[(g, "S8")][1] and content.digest() == issued_content(kept, g, s8).digest()
        plan = sample_plan(content, config.parameters)
        path = fill_plan(ws_a.templates_dir("S8") / current_templates(ws_a, "S8")[g].file, tmp_path / f"{g}.xlsx",
                         weekly=plan.weekly, daily=plan.daily, agents=plan.agents)
        one, two = seeded.judge(path, "x.xlsx"), own.judge(path, "x.xlsx")
        assert (one.status, [f.as_dict() for f in one.findings]) == (two.status, [f.as_dict() for f in two.findings])


def test_a_judge_whose_configuration_changed_keeps_its_new_contents_to_itself(tmp_path):
    """Issue 15: the contents a judge shares with the context it was made from are of that configuration; once the
    configuration files change, the judge works out its own and never writes them into the context's."""
    ws = make_workspace(tmp_path / "ws")
    ctx = context(ws, load(ws), at=S8_ISSUE)
    s8 = ctx.sprint("S8")
    group = ctx.config.industry.groups[0].mpid
    issue(ctx, s8, groups=[group], workers=1)
    judge = make_judge(ctx)
    kept = issued_content(ctx, group, s8)
    assert judge.content(group, s8) is kept
    params = ws.config / "parameters.toml"
    params.write_text(params.read_text() + "\n")  # a change of the files: the judge loads them again
    judge.refresh()
    assert judge.content(group, s8) is not kept
    assert ctx.contents[(group, "S8")][1] is kept


def test_the_name_and_rules_labels_are_top_aligned_with_the_wrapped_notes_beside_them(tmp_path):
    """Issue 15 (the rows a template shows per LDSO): the LDSO names and rules are wrapped notes aligned to the top of
    their rows; their labels are too, so a label is read beside its row (rendered, 'Rules' sat a row low)."""
    ws = make_workspace(tmp_path / "ws")
    ctx = context(ws, load(ws), at=S8_ISSUE)
    s8 = ctx.sprint("S8")
    group = next(ph.group for ph in ctx.envelopes().phases if ph.migration_start < s8.execution_start)
    issue(ctx, s8, groups=[group], workers=1)
    book = openpyxl.load_workbook(ws.templates_dir("S8") / current_templates(ws, "S8")[group].file)
    sheet = book[C.SHEET_WEEKLY]
    for row, label in ((3, "LDSO name"), (4, "Rules")):
        assert sheet.cell(row, 1).value == label
        note = next(c for c in sheet[row][1:] if c.value)
        assert note.alignment.vertical == "top" and sheet.cell(row, 1).alignment.vertical == "top"
