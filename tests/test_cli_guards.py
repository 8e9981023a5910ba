"""Issue 20 through the real CLI: steps that make no sense refuse (exit 2, the reason and the way forward), issuing
templates again is guarded, unknown sprints and groups are exit 2 everywhere, and mcc check reports every problem
in one pass with no cascades. On a tiny generated industry (4 groups, 3 LDSOs)."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from toolkit.cli import main

ISSUE_DAY = "2026-11-05"  # S8: envelopes out 6 Nov, return by 13 Nov


@pytest.fixture(scope="module")
def tiny_config(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny") / "ws"
    assert main(["init", str(root)]) == 0
    assert main(["generate-industry", "--out", str(root / "config"), "--groups", "4", "--ldsos", "3",
                 "--seed", "3"]) == 0
    return root


@pytest.fixture
def tiny(tiny_config, tmp_path, monkeypatch):
    root = tmp_path / "ws"
    shutil.copytree(tiny_config, root)
    monkeypatch.setenv("MCC_WORKSPACE", str(root))
    monkeypatch.setenv("MCC_TODAY", ISSUE_DAY)
    return root


def _groups(root) -> list[str]:
    return sorted({r["supplier_group"] for r in csv.DictReader((root / "config" / "suppliers.csv").open())})


def test_unknown_sprints_and_groups_are_exit_2_everywhere(tiny, capsys):
    group = _groups(tiny)[0]
    for argv in (["envelopes", "--cycle", "S99", "--no-workbook"], ["status", "--cycle", "S99"],
                 ["templates", "--cycle", "S99"], ["consolidate", "--cycle", "S99"],
                 ["uca", "report", "--cycle", "S99"],
                 ["uca", "allocate", "--cycle", "S99"], ["publish", "--cycle", "S99"],
                 ["distribute", "--what", "templates", "--cycle", "S99"], ["monitor", "report", "--cycle", "S99"],
                 ["review", "S99"], ["watch", "--once", "--cycle", "S99"], ["sprints", "--csv", "/dev/null", "--today",
                                                                              "x"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "Traceback" not in err and ("S99" in err or "--today" in err), (argv, err)
    for argv in (["templates", "-g", "NOPE"], ["explain", "NOPE", "EELC", "2026-05-12"],
                 ["monitor", "shortfall", "NOPE", "EELC", "--day", "2026-12-03", "--count", "5", "--reason", "x"],
                 ["monitor", "lost-days", "NOPE", "2", "--reason", "x", "--incident", "INC1"],
                 ["monitor", "shortfall", group, "NOPE", "--day", "2026-12-03", "--count", "5", "--reason", "x"]):
        assert main(argv) == 2, argv
        assert "NOPE" in capsys.readouterr().err, argv


def test_steps_without_their_inputs_refuse_with_the_way_forward(tiny, capsys):
    for argv in (["consolidate"], ["uca", "report"], ["publish"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "no templates issued for S8" in err and "mcc templates" in err, err
    assert main(["uca", "allocate"]) == 2
    assert "mcc uca report" in capsys.readouterr().err
    assert main(["publish", "--stage", "baseline"]) == 2
    assert main(["templates", "-g", _groups(tiny)[0], "--workers", "1"]) == 0
    capsys.readouterr()
    for argv in (["consolidate"], ["uca", "report"], ["publish"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "no plan accepted for S8 yet" in err and "mcc watch --once" in err, err
    assert not (tiny / "workbooks" / "S8" / "schedule").exists()
    assert not (tiny / "workbooks" / "S8" / "uca").exists()
    assert not (tiny / "workbooks" / "S8" / "publication").exists()


def test_distribute_send_without_a_server_says_so_before_any_table(tiny, capsys):
    assert main(["templates", "-g", _groups(tiny)[0], "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["distribute", "--what", "templates", "--send"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "no mail server" in err
    assert main(["distribute", "--what", "templates", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["what"] == "templates" and len(data["messages"]) == 1 and data["sent"] is None


def test_issuing_again_leaves_unchanged_groups_alone_and_needs_a_reason(tiny, capsys):
    groups = _groups(tiny)
    register = tiny / "workbooks" / "S8" / "templates" / "register.csv"
    assert main(["templates", "--workers", "1"]) == 0
    assert len(register.read_text().splitlines()) == 1 + len(groups)
    capsys.readouterr()
    # again, nothing changed: every group keeps its template
    assert main(["templates", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert f"Left alone: {len(groups)} groups" in out and "Issued 0 templates" in out
    assert len(register.read_text().splitlines()) == 1 + len(groups)
    # --all or a named group supersedes: refused without a reason, naming what it would supersede
    for argv in (["templates", "--all"], ["templates", "-g", groups[0]]):
        assert main([*argv, "--workers", "1"]) == 2
        err = capsys.readouterr().err
        assert f"{groups[0]} v01 (no plan accepted yet)" in err and "--reason" in err
    assert len(register.read_text().splitlines()) == 1 + len(groups)
    assert main(["templates", "-g", groups[0], "--reason", "=HYPERLINK(\"x\") corrected CSMT", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert f"Superseded 1: {groups[0]} v01" in out and "version 2" in out
    log = list(csv.DictReader((tiny / "workbooks" / "S8" / "templates" / "reissues.csv").open()))
    assert [(r["group"], r["superseded_version"], r["new_version"]) for r in log] == [(groups[0], "1", "2")]
    assert log[0]["reason"].startswith("'=")  # the reason is never a formula in a spreadsheet


def test_check_reports_every_problem_in_one_pass(tiny, capsys):
    cfg = tiny / "config"
    ldsos = list(csv.DictReader((cfg / "ldsos.csv").open()))
    suppliers = (cfg / "suppliers.csv").read_text().splitlines()
    # a supplier row with a bad date: its MPID is still known in the portfolio (no second problem for it)
    head, first = suppliers[0].split(","), suppliers[1].split(",")
    bad_supplier = first[head.index("supplier_mpid")]
    first[head.index("migration_start")] = "31/02/2026"
    (cfg / "suppliers.csv").write_text("\n".join([suppliers[0], ",".join(first), *suppliers[2:]]) + "\n")
    portfolio = (cfg / "portfolio.csv").read_text().splitlines()
    cols = portfolio[0].split(",")
    rows = [line.split(",") for line in portfolio[1:]]
    # an unknown supplier MPID, and a row whose supplier MPID is malformed but whose count still counts
    rows[0][cols.index("supplier_mpid")] = "ZZZZ"
    rows[1][cols.index("supplier_mpid")] = "bad mpid"
    (cfg / "portfolio.csv").write_text("\n".join([portfolio[0], *(",".join(r) for r in rows)]) + "\n")
    (cfg / "agents.csv").write_text("supplier_group,agent_mpid,agent_name\n")  # a missing column: one problem
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "config/suppliers.csv: row 2, column migration_start" in err
    assert "supplier ZZZZ is not in config/suppliers.csv" in err  # reported beside the suppliers.csv problem
    assert f"supplier {bad_supplier} is not in" not in err
    assert "config/portfolio.csv: row 3, column supplier_mpid" in err
    assert err.count("config/agents.csv") == 1 and "missing column role" in err
    # the row with errors still counts in its LDSO's total: only ZZZZ's row (valid, unknown) is out of it, so the
    # totals are within tolerance unless that row is large; either way no "add up to 0"
    assert "add up to 0 MPANs" not in err
    assert main(["check", "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert not data["valid"] and len(data["problems"]) == err.count("\n  - ")
    assert {p["file"] for p in data["problems"]} == {"config/suppliers.csv", "config/portfolio.csv",
                                                     "config/agents.csv"}
    assert ldsos  # the LDSOs file was left as it was


def test_a_missing_file_is_one_problem_and_totals_count_rows_with_errors(tiny, capsys):
    cfg = tiny / "config"
    (cfg / "ldsos.csv").unlink()
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "config/ldsos.csv: file is missing" in err
    assert "is not in config/ldsos.csv" not in err and "add up to" not in err  # no cascade
    assert err.count("\n  - ") == 1


def test_a_row_with_errors_is_counted_in_the_totals_and_said_so(tiny, capsys):
    cfg = tiny / "config"
    text = (cfg / "portfolio.csv").read_text().splitlines()
    cols = text[0].split(",")
    rows = [line.split(",") for line in text[1:]]
    ldso = rows[0][cols.index("ldso_mpid")]
    rows[0][cols.index("supplier_mpid")] = "x"  # malformed: the row has an error, its count is still read
    mine = [r for r in rows if r[cols.index("ldso_mpid")] == ldso]
    mine[-1][cols.index("mpan_count")] = str(int(mine[-1][cols.index("mpan_count")]) + 10_000_000)  # far off
    (cfg / "portfolio.csv").write_text("\n".join([text[0], *(",".join(r) for r in rows)]) + "\n")
    total = sum(int(r[cols.index("mpan_count")]) for r in mine)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert f"LDSO {ldso}: portfolios add up to {total:,} MPANs" in err
    assert "counting row 2, which has errors" in err


def test_a_missing_parameters_file_takes_every_default(tiny, capsys):
    (tiny / "config" / "parameters.toml").unlink()
    assert main(["check"]) == 0
    captured = capsys.readouterr()
    assert "configuration is valid" in captured.out and "config/parameters.toml: missing" in captured.err
