"""Issue 20 through the real CLI: which workspace a command acts on (like git: --workspace, MCC_WORKSPACE, else the
nearest folder holding config/workspace.toml), the first line naming it and the sprint (-q), mcc init's marker, mcc
demo only in a demo workspace, mcc version, --json, tables that fit 80 columns."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, make_workspace
from toolkit.cli import main

TODAY = "2026-11-23"  # S8 being planned


def _mcc(*args: str, cwd=None, env: dict | None = None, columns: int = 80) -> subprocess.CompletedProcess:
    """The real command as a process (``python -m toolkit``), with a terminal width of ``columns``."""
    full = {k: v for k, v in os.environ.items() if k not in ("MCC_WORKSPACE", "MCC_QUIET")}
    full.update({"COLUMNS": str(columns), "MCC_TODAY": TODAY, **(env or {})})
    return subprocess.run([sys.executable, "-m", "toolkit", *args], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path / "ws")


def test_a_folder_that_is_not_a_workspace_is_exit_2_saying_how_to_choose(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MCC_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    register = REPO / "workbooks" / "S8" / "templates" / "register.csv"
    before = register.read_bytes() if register.exists() else None
    for argv in (["status"], ["templates", "-g", "AAUC"], ["check"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "no workspace here" in err and "--workspace" in err and "MCC_WORKSPACE" in err and "mcc init" in err
    # nothing was written into the repository's demo workspace
    assert (register.read_bytes() if register.exists() else None) == before


def test_a_folder_with_config_but_no_marker_is_not_found(tmp_path, monkeypatch, capsys):
    """A config/ folder alone is not a workspace to discover (it may be anything); --workspace still takes it."""
    root = make_workspace(tmp_path / "plain").root
    (root / "config" / "workspace.toml").unlink()
    monkeypatch.delenv("MCC_WORKSPACE", raising=False)
    monkeypatch.chdir(root)
    assert main(["check"]) == 2
    assert "no workspace here" in capsys.readouterr().err
    assert main(["check", "-w", str(root)]) == 0


def test_a_nested_folder_finds_its_workspace_and_the_first_line_names_it(ws):
    nested = ws.root / "inbox" / "AAUC" / "deep"
    nested.mkdir(parents=True)
    done = _mcc("status", cwd=nested)
    assert done.returncode == 0, done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"workspace {ws.root}; sprint S8 (2026-12-02 to 2027-02-02, being planned on Mon 23 Nov")
    assert "AAUC" in done.stdout
    quiet = _mcc("status", "-q", cwd=nested)
    assert quiet.returncode == 0 and f"workspace {ws.root}" not in quiet.stderr
    assert quiet.stdout == done.stdout


def test_the_environment_variable_chooses_the_workspace(ws, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MCC_WORKSPACE", str(ws.root))
    monkeypatch.setenv("MCC_TODAY", TODAY)
    monkeypatch.chdir(tmp_path)
    assert main(["sprints", "--json"]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines()[0].startswith(f"workspace {ws.root}")
    assert json.loads(out)["workspace"] == str(ws.root)
    monkeypatch.setenv("MCC_WORKSPACE", str(tmp_path / "nowhere"))
    assert main(["status"]) == 2
    assert "MCC_WORKSPACE" in capsys.readouterr().err


def test_the_repository_root_is_a_demo_workspace():
    text = (REPO / "config" / "workspace.toml").read_text()
    assert 'kind = "demo"' in text


def test_init_writes_the_marker_and_demo_refuses_a_live_workspace(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MCC_TODAY", TODAY)
    assert main(["init", str(tmp_path / "live")]) == 0
    assert 'kind = "live"' in (tmp_path / "live" / "config" / "workspace.toml").read_text()
    monkeypatch.chdir(tmp_path / "live" / "workbooks")
    assert main(["check", "-q"]) == 0  # found from inside
    capsys.readouterr()
    assert main(["demo"]) == 2
    err = capsys.readouterr().err
    assert "is a live workspace" in err and "mcc init --demo" in err
    assert not (tmp_path / "live" / "workbooks" / "calendar.csv").exists()
    assert main(["init", "--demo", str(tmp_path / "play")]) == 0
    assert 'kind = "demo"' in (tmp_path / "play" / "config" / "workspace.toml").read_text()


def test_version_names_the_toolkit_python_and_libraries(capsys):
    import platform

    assert main(["version"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("mcc ") and f"Python {platform.python_version()}" in out
    for lib in ("pandas", "openpyxl", "pydantic", "xlwings"):
        assert lib in out
    assert main(["version", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["python"] == platform.python_version() and data["libraries"]["numpy"]


def test_sprints_and_status_fit_80_columns_without_cut_dates(ws):
    for args in (["sprints"], ["status"], ["check"]):
        done = _mcc(*args, "-w", str(ws.root))
        assert done.returncode == 0, done.stderr
        rows = [line for line in done.stdout.splitlines() if "  " in line or "──" in line]  # the tables' lines
        assert rows and all(len(line) <= 80 for line in rows), [ln for ln in rows if len(ln) > 80]
        assert "…" not in done.stdout
    done = _mcc("sprints", "-w", str(ws.root))
    assert "2026-12-02" in done.stdout and "2027-02-02" in done.stdout  # S8's execution, whole
    assert "S8 *" in done.stdout
    # a long message is one line (the terminal wraps it), never broken mid-sentence at a guessed width
    status = _mcc("status", "-w", str(ws.root)).stdout
    assert any(line.startswith("0 of 70 groups have a valid plan.") and line.endswith("after the deadline.")
               for line in status.splitlines())
    wide = _mcc("sprints", "-w", str(ws.root), columns=160)
    assert "plan start" in wide.stdout and "2026-10-30" in wide.stdout


def test_json_of_status_sprints_check_and_envelopes(ws, monkeypatch, capsys):
    monkeypatch.setenv("MCC_TODAY", TODAY)
    w = ["-w", str(ws.root)]
    assert main(["status", "--json", *w]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["sprint"] == "S8" and len(status["groups"]) == 70
    assert set(status["groups"][0]) == {"group", "name", "submitted", "accepted", "rejected", "quarantined", "late",
                                        "latest_version", "latest_status", "latest_at", "current_plan"}
    assert status["without_plan"] == [g["group"] for g in status["groups"]]
    assert main(["sprints", "--json", *w]) == 0
    sprints = json.loads(capsys.readouterr().out)
    assert [s["sprint"] for s in sprints["sprints"]] == [f"S{k}" for k in range(1, 10)]
    assert sprints["planning"] == "S8" and sprints["sprints"][7]["execution_start"] == "2026-12-02"
    assert main(["check", "--json", *w]) == 0
    check = json.loads(capsys.readouterr().out)
    assert check["valid"] and check["groups"] == 70 and check["problems"] == []
    assert main(["envelopes", "--summary", "--json", *w]) == 0
    env = json.loads(capsys.readouterr().out)
    assert env["groups"] == 70 and env["sprint"] == "S8" and isinstance(env["insufficient"], list)
    assert not (ws.workbooks / "S8" / "envelopes.xlsx").exists()  # --summary writes nothing


def test_sprints_csv_names_sprints_as_every_command_takes_them(ws, tmp_path, monkeypatch):
    monkeypatch.setenv("MCC_TODAY", TODAY)
    out = tmp_path / "sprints.csv"
    assert main(["sprints", "--csv", str(out), "-w", str(ws.root)]) == 0
    names = [line.split(",")[0] for line in out.read_text().splitlines()[1:]]
    assert names == [f"S{k}" for k in range(1, 10)]


def test_a_rehearsal_copy_is_a_demo_workspace(ws, tmp_path):
    """The rehearsal's copy takes simulated returns: it is marked a demo workspace whatever the source's kind."""
    from toolkit.demo.rehearse import prepare
    from toolkit.store.workspace import workspace_kind, write_marker

    write_marker(ws.root, "live")
    copy = prepare(ws.root, tmp_path / "rehearsal")
    assert workspace_kind(copy) == "demo" and workspace_kind(ws) == "live"


def test_the_demo_defaults_of_generate_industry_are_the_generators():
    from toolkit.cli import setup
    from toolkit.demo import industry

    assert (setup.DEMO_GROUPS, setup.DEMO_LDSOS, setup.DEMO_SEED) == \
        (industry.DEMO_GROUPS, industry.DEMO_LDSOS, industry.DEMO_SEED)
