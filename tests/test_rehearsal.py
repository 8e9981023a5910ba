"""The rehearsal of the programme (``mcc rehearse``) on the demo and on a generated industry of another shape: every
baseline within every limit, remaining portfolios never negative, every group's remaining portfolio plus what it
migrated equal to its initial portfolio; the workspace rehearsed from untouched; then ``mcc monitor success`` and
``mcc review`` on what the rehearsal left. The expectations are read from the files themselves (config CSVs, the
simulated outturn files), never from the code under test."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import make_workspace
from toolkit.cli import main
from toolkit.clock import Clock
from toolkit.demo.industry import DemoSpec, generate, write_config
from toolkit.demo.rehearse import rehearse
from toolkit.domain.status import Kind, Status
from toolkit.services.context import Context
from toolkit.services.programme import portfolio_basis
from toolkit.services.uca import current_schedule
from toolkit.store.ledger import Ledger
from toolkit.store.workspace import Workspace

KEYS = {"sprint", "templates", "accepted", "rejected", "late", "infeasible_pairs", "baseline_breaches", "granted",
        "planned", "migrated"}


def _listing(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file()}


def _run(src: Path, out: Path, until: str) -> tuple[Path, Path, dict, dict, dict]:
    before = _listing(src)
    result = rehearse(src, out, seed=3, until=until, quick=True)
    summary = json.loads(result.summary.read_text(encoding="utf-8"))
    return src, out, summary, before, _listing(src)


@pytest.fixture(scope="module")
def other_shape(tmp_path_factory):
    """A generated industry of another shape: 8 groups, 4 LDSOs, another seed; three sprints."""
    src = tmp_path_factory.mktemp("other") / "ws"
    write_config(generate(DemoSpec(groups=8, ldsos=4, seed=5)), src / "config")
    Workspace(src).ensure_folders()
    return _run(src, tmp_path_factory.mktemp("other_out") / "rehearsal", "S3")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo industry, two sprints."""
    ws = make_workspace(tmp_path_factory.mktemp("demo") / "ws")
    return _run(ws.root, tmp_path_factory.mktemp("demo_out") / "rehearsal", "S2")


@pytest.fixture(params=["demo", "other_shape"])
def rehearsed(request):
    return request.getfixturevalue(request.param)


def _initial_by_group(config: Path) -> dict[str, int]:
    group_of = {r["supplier_mpid"]: r["supplier_group"] for r in csv.DictReader((config / "suppliers.csv").open())}
    out: dict[str, int] = defaultdict(int)
    for r in csv.DictReader((config / "portfolio.csv").open()):
        out[group_of[r["supplier_mpid"]]] += int(r["mpan_count"])
    return out


def _outturn_by_group(out: Path, before: date) -> dict[str, int]:
    """Migrated before ``before`` by the simulated outturn files (completions where given, else initiations)."""
    group_of = {r["supplier_mpid"]: r["supplier_group"] for r in
                csv.DictReader((out / "config" / "suppliers.csv").open())}
    total: dict[str, int] = defaultdict(int)
    for path in out.glob("workbooks/*/simulated/outturn_*.csv"):
        for r in csv.DictReader(path.open()):
            if date.fromisoformat(r["initiation_date"]) < before:
                total[group_of[r["supplier_mpid"]]] += int(r["completions"] or r["initiations"])
    return total


def test_the_summary_reports_every_sprint_and_every_group(rehearsed):
    src, out, summary, _, _ = rehearsed
    assert summary["sprints"] and all(set(s) >= KEYS for s in summary["sprints"])
    groups = _initial_by_group(out / "config")
    assert sorted(s["group"] for s in summary["success"]) == sorted(groups)
    for s in summary["sprints"]:
        assert s["templates"] == len(groups) and s["accepted"] == len(groups)  # every group ends with a plan
        assert s["planned"] > 0 and 0 < s["migrated"] <= s["planned"] * 1.1
    assert sum(s["rejected"] for s in summary["sprints"]) > 0  # some wrong, then corrected
    assert sum(s["late"] for s in summary["sprints"]) > 0
    for g in summary["success"]:
        if g["planned_by_core_end"]:
            assert g["ratio"] == round(g["migrated_by_core_end"] / g["planned_by_core_end"], 4)
            assert g["met"] == (g["ratio"] >= 0.9)


def test_every_group_that_sends_a_correction_ends_with_an_accepted_plan(rehearsed):
    """Issue 15, item 8: some returns are wrong and corrected. A correction is saved anew (its bytes never those of
    the wrong return, which the inbox would take for the same file sent again): every one is judged, none is a
    duplicate, and every group that sent one ends the sprint with an accepted plan."""
    _, out, summary, _, _ = rehearsed
    ledger = Ledger(Workspace(out).ledger)
    corrected = 0
    for s in summary["sprints"]:
        rows = ledger.rows(s["sprint"])
        for row in (r for r in rows if r.original_name.endswith(" corrected.xlsx")):
            corrected += 1
            assert row.duplicate_of is None and row.status != Status.DUPLICATE, (s["sprint"], row.original_name)
            earlier = [r.sha256 for r in rows if r.supplier_group == row.supplier_group and r.id < row.id]
            assert row.sha256 not in earlier
            plan = ledger.current_plan(s["sprint"], row.supplier_group)
            assert plan is not None and plan.status == Status.ACCEPTED, (s["sprint"], row.supplier_group)
    assert corrected > 0


def test_every_baseline_is_within_every_limit(rehearsed):
    _, out, summary, _, _ = rehearsed
    assert [s["baseline_breaches"] for s in summary["sprints"]] == [0] * len(summary["sprints"])
    ctx = Context(Workspace(out), Clock(day=date(2027, 6, 1)))
    for sprint in ctx.config.calendar.sprints[:len(summary["sprints"])]:
        s, _, _ = current_schedule(ctx, sprint)
        assert (s.ldso_daily <= s.daily_limit).all() and (s.national_daily <= s.national_limit).all()


def test_remaining_plus_migrated_is_the_initial_portfolio_and_never_negative(rehearsed):
    _, out, summary, _, _ = rehearsed
    assert all(s["negative_remaining"] == 0 and s["unbalanced_groups"] == 0 for s in summary["sprints"])
    ctx = Context(Workspace(out), Clock(day=date(2027, 6, 1)))
    initial = _initial_by_group(out / "config")
    sprints = ctx.config.calendar.sprints
    for sprint in sprints[1:len(summary["sprints"]) + 1]:  # every execution start the outturn fully covers
        basis = portfolio_basis(ctx, sprint, sprint.execution_start)
        migrated = _outturn_by_group(out, sprint.execution_start)
        assert (basis.remaining >= 0).all()
        for i, group in enumerate(basis.groups):
            assert int(basis.remaining[i].sum()) + migrated.get(group, 0) == initial[group], (sprint.cycle, group)


def test_the_workspace_rehearsed_from_is_untouched(rehearsed):
    src, out, _, before, after = rehearsed
    assert before == after
    assert not (src / "workbooks" / "ledger.sqlite").exists()
    assert (out / "workbooks" / "ledger.sqlite").is_file()
    key = src / "config" / "signing.key"  # never copied: the rehearsal signs with a key of its own
    assert not key.exists() or key.read_bytes() != (out / "config" / "signing.key").read_bytes()


def test_success_and_review_commands_on_the_rehearsal(other_shape, capsys):
    _, out, summary, _, _ = other_shape
    last = summary["sprints"][-1]["sprint"]
    assert main(["monitor", "success", "-w", str(out), "--today", "2026-04-10"]) == 0
    text = capsys.readouterr().out
    assert "Aggregate:" in text and "Forecast:" in text
    assert all(g["group"] in text for g in summary["success"])  # a line per group
    book = openpyxl.load_workbook(next((out / "workbooks" / "success").glob("success_*_v01.xlsx")))
    assert book.sheetnames == ["Summary", "Groups", "Periods"]
    assert main(["review", last, "-w", str(out), "--today", "2026-04-10"]) == 0
    text = capsys.readouterr().out
    assert "plan against actual" in text and "trend: S1" in text
    reviews = sorted((out / "workbooks" / last / "review").glob("review_v*.xlsx"))
    book = openpyxl.load_workbook(reviews[-1])
    assert book.sheetnames == ["Summary", "LDSOs", "National", "UCA", "Deviations", "Trend"]
    trend = book["Trend"]
    assert [trend.cell(r, 1).value for r in range(4, 4 + len(summary["sprints"]))] == \
        [s["sprint"] for s in summary["sprints"]]
    assert [trend.cell(r, 3).value for r in range(4, 4 + len(summary["sprints"]))] == \
        [s["migrated"] for s in summary["sprints"]]


def test_review_before_the_execution_and_a_rehearsal_into_a_used_folder_are_refused(other_shape, tmp_path, capsys):
    src, out, _, _, _ = other_shape
    assert main(["review", "S9", "-w", str(out), "--today", "2026-04-10"]) == 2
    assert "nothing to review" in capsys.readouterr().err
    assert main(["rehearse", "-w", str(src), "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert main(["rehearse", "-w", str(src), "--out", str(tmp_path / "r"), "--until", "S99"]) == 2


def test_the_first_sprint_is_reviewed_once_executed(other_shape):
    _, out, summary, _, _ = other_shape
    s1 = summary["sprints"][0]
    ctx = Context(Workspace(out), Clock(day=date(2027, 6, 1)))
    sprint = ctx.config.calendar.sprints[0]
    from toolkit.services.success import sprint_review

    r = sprint_review(ctx.on(Clock(day=sprint.execution_end + timedelta(days=1))), sprint, write=False).review
    assert (r.figures.planned, r.figures.migrated) == (s1["planned"], s1["migrated"])
    assert r.figures.submissions.rejected == s1["rejected"]


def test_a_sampled_rehearsal_exchanges_workbooks_with_some_groups_every_sprint(tmp_path):
    """Issue 15, item 8 (``--sample``, for the national benchmark): every sprint still issues templates to some
    groups (others each sprint, in turn), takes their returns through the inbox (wrong ones corrected) and judges
    them; the other groups' plans are recorded by their figures. Every group ends each sprint with an accepted plan,
    and the checks hold: no baseline breach, no negative remaining portfolio, remaining plus migrated the initial."""
    src = tmp_path / "ws"
    write_config(generate(DemoSpec(groups=8, ldsos=4, seed=5)), src / "config")
    Workspace(src).ensure_folders()
    result = rehearse(src, tmp_path / "out", seed=3, until="S3", quick=True, sample=3)
    summary = json.loads(result.summary.read_text(encoding="utf-8"))
    ws, groups = Workspace(tmp_path / "out"), _initial_by_group(tmp_path / "out" / "config")
    ledger = Ledger(ws.ledger)
    exchanged: list[set[str]] = []
    for s in summary["sprints"]:
        assert s["templates"] == 3 and s["accepted"] == len(groups), s
        assert s["baseline_breaches"] == 0 and s["negative_remaining"] == 0 and s["unbalanced_groups"] == 0
        rows = ledger.rows(s["sprint"])
        by_workbook = {r.supplier_group for r in rows if r.kind == Kind.PLAN and r.original_name.endswith(".xlsx")
                       and r.status in (Status.ACCEPTED, Status.REJECTED)}
        by_figures = {r.supplier_group for r in rows if r.original_name.endswith("(figures)")}
        registered = {row["group"] for row in csv.DictReader(
            (ws.templates_dir(s["sprint"]) / "register.csv").open(encoding="utf-8"))}
        assert by_workbook == registered and len(registered) == 3
        assert by_figures == set(groups) - registered
        exchanged.append(registered)
    assert len(set.union(*exchanged)) > 3  # others in turn
    assert sorted(g["group"] for g in summary["success"]) == sorted(groups)
