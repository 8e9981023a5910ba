"""One clock (docs/architecture.md): every timestamp the toolkit writes comes from the clock made at the edge, which
honours MCC_TODAY and ``--today`` on every command."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime

import pytest
import typer

from tests.conftest import make_workspace
from toolkit.cli import app, main
from toolkit.clock import Clock
from toolkit.excel.reader import read_template
from toolkit.store.ledger import Ledger


def _register(ws) -> list[dict]:
    with (ws.workbooks / "S8" / "templates" / "register.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_fixed_day_keeps_the_time_of_day_and_a_stopped_clock_stands_still():
    clock = Clock(day=date(2026, 11, 23))
    assert clock.today() == date(2026, 11, 23) and clock.now().date() == date(2026, 11, 23)
    assert clock.now().tzinfo is not None
    at = datetime(2026, 12, 11, 18, 0, tzinfo=UTC)
    assert Clock.at(at).now() == at and Clock.at(at).today() == date(2026, 12, 11)
    assert Clock.at(at, date(2026, 12, 10)).today() == date(2026, 12, 10)


def test_mcc_today_is_the_day_templates_are_issued_on(workspace, monkeypatch):
    monkeypatch.setenv("MCC_TODAY", "2026-11-06")  # S8's envelope issue day (its return-by date is 13 November)
    assert main(["templates", "-g", "AAUC", "-w", str(workspace.root)]) == 0
    (row,) = _register(workspace)
    assert row["issued_at"].startswith("2026-11-06T")
    meta = read_template(workspace.workbooks / "S8" / "templates" / row["file"]).meta
    assert meta["issued_at"] == row["issued_at"]


def test_the_today_option_wins_over_mcc_today(workspace, monkeypatch):
    monkeypatch.setenv("MCC_TODAY", "2026-11-06")
    assert main(["templates", "-g", "AAUC", "--today", "2026-11-09", "-w", str(workspace.root)]) == 0
    assert _register(workspace)[0]["issued_at"].startswith("2026-11-09T")


def test_a_day_that_is_not_a_date_is_a_usage_error(workspace, monkeypatch, capsys):
    assert main(["status", "--today", "2026-13-01", "-w", str(workspace.root)]) == 2
    assert "--today='2026-13-01' is not a date" in capsys.readouterr().err
    monkeypatch.setenv("MCC_TODAY", "soon")
    assert main(["status", "-w", str(workspace.root)]) == 2
    assert "MCC_TODAY='soon' is not a date" in capsys.readouterr().err


def test_the_inbox_records_the_day_of_mcc_today(tmp_path, monkeypatch):
    from tests.inbox_helpers import Returns

    ws = make_workspace(tmp_path / "ws")
    r = Returns(ws, ["JONV"])
    r.valid("JONV", ws.inbox / "plan.xlsx")
    monkeypatch.setenv("MCC_TODAY", "2026-11-24")
    assert main(["watch", "--once", "--quiet", "0", "--workers", "1", "-w", str(ws.root)]) == 0
    (row,) = Ledger(ws.ledger).rows()
    assert row.received_at.date() == date(2026, 11, 24) and row.finished_at.date() == date(2026, 11, 24)


def _commands(group, prefix: str = "") -> dict:
    out = {}
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):  # a group of sub-commands
            out |= _commands(cmd, f"{prefix}{name} ")
        else:
            out[prefix + name] = cmd
    return out


# commands that act on no workspace and no day: they print the version, or write a new workspace or industry, or
# make, import or show the signing key (no timestamp is written: the key file is the key only)
# (rehearse: each step on the day of its phase)
NO_DAY = {"version", "init", "generate-industry", "key new", "key import", "key show", "rehearse"}


def test_every_command_on_a_workspace_takes_today():
    commands = _commands(typer.main.get_command(app))
    assert len(commands) > 20
    without = sorted(n for n, c in commands.items() if not any("--today" in p.opts for p in c.params))
    assert without == sorted(NO_DAY)


@pytest.mark.parametrize("argv", [["sprints"], ["check"]])
def test_commands_that_only_read_accept_today(workspace, argv):
    assert main([*argv, "--today", "2026-11-23", "-w", str(workspace.root)]) == 0
