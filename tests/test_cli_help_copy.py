"""``mcc --help`` from the copy of typer's text (start-up, issue 20; ``toolkit.cli.helptext``, docs/cli.md
"Start-up"): the same text as typer's, printed without importing typer, and never a stale one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import toolkit.cli as cli
from tests.conftest import REPO
from toolkit.cli import helptext

PROBE = ("import sys; from toolkit.cli import main; code = main(['--help']); "
         "print(code, 'typer' in sys.modules, file=sys.stderr)")


def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("MCC_HELP_CACHE", "COLUMNS")}
    return {**env, "MCC_QUIET": "1", **extra}


def _help(env: dict) -> tuple[str, str]:
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300,
                          cwd=REPO)
    return done.stdout, done.stderr.strip().splitlines()[-1]


@pytest.fixture
def copy_in(tmp_path, monkeypatch):
    """helptext working on a copy of toolkit/cli (its key reads these files; its copies go in their __pycache__)."""
    here = tmp_path / "toolkit" / "cli"
    shutil.copytree(Path(cli.__file__).parent, here, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(Path(cli.__file__).parent.parent / "__init__.py", here.parent / "__init__.py")
    monkeypatch.setattr(helptext, "_HERE", here)
    monkeypatch.delenv("MCC_HELP_CACHE", raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    return here


def test_the_second_help_is_the_first_ones_text_without_typer():
    """In processes of their own, as the mcc script runs: the first --help builds the app (typer) and keeps its text,
    the next prints the same text and never imports typer; both exit 0 and match typer's own output."""
    typer_text, typer_tail = _help(_env(MCC_HELP_CACHE="0"))
    assert typer_tail == "0 True" and "Commands:" in typer_text
    helptext.path(80).unlink(missing_ok=True)
    first, tail = _help(_env(COLUMNS="80"))
    assert (first, tail) == (typer_text, "0 True")
    assert helptext.path(80).is_file()
    second, tail = _help(_env(COLUMNS="80"))
    assert (second, tail) == (typer_text, "0 False")


def test_each_terminal_width_has_its_own_copy(copy_in, capsys, monkeypatch):
    assert cli.main(["--help"]) == 0
    at_80 = capsys.readouterr().out
    monkeypatch.setenv("COLUMNS", "60")
    assert cli.main(["--help"]) == 0
    at_60 = capsys.readouterr().out
    assert at_60 != at_80 and max(map(len, at_60.splitlines())) <= 60
    assert helptext.read(80) == at_80 and helptext.read(60) == at_60


def test_a_changed_command_module_makes_the_copy_stale(copy_in, capsys):
    """Any module of toolkit/cli (a command's docstring), toolkit/__init__.py (the version): another size or
    modification time, another key, and the copy is not used."""
    helptext.write(80, "old text\n")
    assert helptext.read(80) == "old text\n"
    stat = (copy_in / "plans.py").stat()
    os.utime(copy_in / "plans.py", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert helptext.read(80) is None
    helptext.write(80, "old text\n")
    (copy_in.parent / "__init__.py").write_text('__version__ = "9.9.9"\n')
    assert helptext.read(80) is None


def test_a_copy_under_another_key_or_torn_is_replaced_by_typers_text(copy_in, capsys):
    path = helptext.path(80)
    path.parent.mkdir(exist_ok=True)
    for forged in ("mcc-help 1 0000\nUsage: forged\n", "mcc-help 1 " + helptext.key(80), "\xff garbage"):
        path.write_text(forged, encoding="latin-1")
        assert cli.main(["--help"]) == 0
        out = capsys.readouterr().out
        assert "forged" not in out and out.startswith("Usage: mcc [OPTIONS] COMMAND")
        assert helptext.read(80) == out


def test_no_copy_is_written_where_it_cannot_be_or_must_not_be(copy_in, capsys, monkeypatch):
    """MCC_HELP_CACHE=0 and a folder that cannot be written: the help is printed by typer and nothing is kept; no
    error. PYTHONDONTWRITEBYTECODE (compiled modules) does not stop the copy."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert cli.main(["--help"]) == 0 and "Commands:" in capsys.readouterr().out
    assert helptext.read(80) is not None
    helptext.path(80).unlink()
    monkeypatch.setenv("MCC_HELP_CACHE", "0")
    assert cli.main(["--help"]) == 0 and "Commands:" in capsys.readouterr().out
    assert not helptext.path(80).exists()
    monkeypatch.delenv("MCC_HELP_CACHE")
    shutil.rmtree(copy_in / "__pycache__")
    (copy_in / "__pycache__").write_text("a file where the folder should be")
    assert cli.main(["--help"]) == 0 and "Commands:" in capsys.readouterr().out
    assert not list(copy_in.glob(".help-*"))


def test_only_the_exact_help_command_is_served_from_the_copy(copy_in, capsys):
    """``mcc`` alone prints the help but exits 2 (typer's no_args_is_help); ``mcc status --help`` is the command's
    help: neither is served from, or written to, the copy."""
    helptext.write(80, "from the copy\n")
    assert cli.main([]) == 2
    assert "from the copy" not in capsys.readouterr().out
    assert cli.main(["key", "--help"]) == 0
    assert capsys.readouterr().out.startswith("Usage: mcc key ")
    assert cli.main(["--help"]) == 0 and capsys.readouterr().out == "from the copy\n"
