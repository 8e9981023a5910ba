"""Start-up (issue 20) through the real command as a process: what ``mcc --help``, ``mcc status`` and ``mcc validate``
import before and while they work, the table that lets a command import only its own module, and the start-up mark
the benchmark reads (``MCC_STARTUP_MARK``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from tests.conftest import REPO, make_workspace

TODAY = "2026-11-23"  # S8 being planned
HEAVY = ("pandas", "numpy", "pydantic", "openpyxl", "jinja2", "xlsxwriter", "holidays", "rich", "typer._adapters",
         "toolkit.services.judge", "toolkit.config.loader")
# runs the command in a process and prints, on the last line of stderr, which of HEAVY were imported: by the time the
# command's body starts (``at_start``), or by the end
PROBE = """
import sys
import toolkit.cli.common as common
from toolkit.cli import main

def loaded():
    return ','.join(m for m in {heavy!r} if m in sys.modules)

if {at_start!r}:
    def started():
        print(loaded(), file=sys.stderr)
        sys.exit(0)
    common.started = started
main({argv!r})
print(loaded(), file=sys.stderr)
"""


def _loaded(argv: list[str], at_start: bool = False, cwd=REPO) -> set[str]:
    env = {**os.environ, "MCC_TODAY": TODAY, "MCC_QUIET": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY, at_start=at_start, argv=argv)], env=env,
                          capture_output=True, text=True, timeout=300, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return set(filter(None, done.stderr.rstrip("\n").split("\n")[-1].split(",")))


def test_help_imports_none_of_the_heavy_libraries():
    assert _loaded(["--help"]) == set()


def test_status_imports_neither_numpy_nor_the_configuration_loader_once_the_configuration_is_cached(tmp_path):
    """The first command loads config/ (the loader, holidays); the next reads the cached copy: mcc status then
    imports none of numpy, pandas, openpyxl, holidays, jinja2, the judge or the loader (pydantic: the parameters;
    rich: its tables), and nothing heavy before its body begins."""
    ws = make_workspace(tmp_path / "ws")
    argv = ["status", "-w", str(ws.root)]
    assert "toolkit.config.loader" in _loaded(argv)  # no copy yet
    assert ws.config_cache.is_file()
    assert _loaded(argv) == {"pydantic", "rich"}
    assert _loaded(["status", "--json", "--cycle", "S8", "-w", str(ws.root)], at_start=True) == set()


def test_validate_starts_its_body_without_pydantic_or_numpy(tmp_path):
    """typer's coercion of arguments through pydantic is bypassed for text, paths and flags: the body of mcc
    validate begins with nothing heavy imported (the judging then imports what it needs)."""
    ws = make_workspace(tmp_path / "ws")
    some = ws.config / "ldsos.csv"  # any file: the probe stops as the body begins
    assert _loaded(["validate", str(some), "--json", "-w", str(ws.root)], at_start=True) == set()


def test_every_command_is_in_the_table_of_modules():
    """``toolkit.cli.COMMANDS`` names the module of every command and group: a command typed imports only it."""
    import toolkit.cli as cli

    app = cli.load_commands()
    registered = {}
    for c in app.registered_commands:
        registered[c.name or c.callback.__name__.replace("_", "-")] = c.callback.__module__
    for g in app.registered_groups:
        registered[g.name] = g.typer_instance.registered_commands[0].callback.__module__
    assert registered == {name: f"toolkit.cli.{module}" for name, module in cli.COMMANDS.items()}
    assert sorted(cli.MODULES) == sorted(set(cli.COMMANDS.values()))


def test_a_command_imports_only_its_own_module_and_help_lists_them_all():
    probe = ("import sys; from toolkit.cli import main; main({argv!r}); "
             "print(','.join(sorted(m for m in sys.modules if m.startswith('toolkit.cli.'))), file=sys.stderr)")
    env = {**os.environ, "MCC_TODAY": TODAY, "MCC_QUIET": "1"}
    for argv, expected in ((["version"], {"toolkit.cli.common", "toolkit.cli.setup"}),
                           (["key", "--help"], {"toolkit.cli.common", "toolkit.cli.key"})):
        done = subprocess.run([sys.executable, "-c", probe.format(argv=argv)], env=env, capture_output=True,
                              text=True, timeout=300, cwd=REPO)
        assert done.returncode == 0, done.stderr
        assert set(done.stderr.rstrip("\n").split("\n")[-1].split(",")) == expected
    done = subprocess.run([sys.executable, "-m", "toolkit", "--help"], env=env, capture_output=True, text=True,
                          timeout=300, cwd=REPO)
    listed = {line.split()[0] for line in done.stdout.split("Commands:")[1].splitlines() if line.strip()}
    import toolkit.cli as cli

    assert listed == set(cli.COMMANDS)


def test_every_command_runs_when_its_module_alone_is_imported():
    """Each command in a process of its own, only its module imported: a module of one command (mcc mailbox, mcc
    distribute) is still a command of the group, not typer's app of one command (which took 'mailbox' for an extra
    argument)."""
    import toolkit.cli as cli

    env = {**os.environ, "MCC_QUIET": "1"}
    for name in cli.COMMANDS:
        done = subprocess.run([sys.executable, "-m", "toolkit", name, "--help"], env=env, capture_output=True,
                              text=True, timeout=300, cwd=REPO)
        assert done.returncode == 0 and done.stdout.startswith(f"Usage: mcc {name} "), (name, done.stderr)


def test_the_start_up_mark_is_written_as_the_command_body_begins(tmp_path):
    """MCC_STARTUP_MARK=PATH: the command writes the monotonic clock (ns) as its body begins, after the process
    started and before it ended, and its CPU time so far; --help has no body and writes none."""
    mark = tmp_path / "mark"
    env = {**os.environ, "MCC_STARTUP_MARK": str(mark), "MCC_QUIET": "1"}
    before = time.monotonic_ns()
    done = subprocess.run([sys.executable, "-m", "toolkit", "version"], env=env, capture_output=True, text=True,
                          timeout=300)
    after = time.monotonic_ns()
    assert done.returncode == 0, done.stderr
    at, cpu = map(int, mark.read_text().split())
    assert before < at < after and 0 < cpu < after - before
    mark.unlink()
    assert subprocess.run([sys.executable, "-m", "toolkit", "--help"], env=env, capture_output=True,
                          timeout=300).returncode == 0
    assert not mark.exists()


def test_the_models_build_their_validators_when_first_used_not_at_import():
    """defer_build: importing the parameters and the calendar builds no pydantic validator (the first validation
    does), so a command reading the cached configuration pays for none."""
    probe = ("from toolkit.domain.parameters import Parameters, Thresholds\n"
             "from toolkit.domain.calendar import CalendarSettings\n"
             "from toolkit.domain.sprints import SprintOffsets\n"
             "from toolkit.domain.events import MeetingDays\n"
             "models = (Parameters, Thresholds, CalendarSettings, SprintOffsets, MeetingDays)\n"
             "assert not any(m.__pydantic_complete__ for m in models), models\n"
             "assert Parameters().thresholds.ldso_tiers[0].threshold == 40_000\n"
             "assert Parameters.__pydantic_complete__\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
