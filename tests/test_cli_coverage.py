"""Issue 20: every command in the README's commands table is run through the CLI by some test (``main([...])``,
typer's runner or a process), not only called as a Python function."""

from __future__ import annotations

import re

from tests.conftest import REPO


def readme_commands() -> list[tuple[str, ...]]:
    """The command words of each row of the README's commands table: ("demo",), ("uca", "report"), ..."""
    section = (REPO / "README.md").read_text().split("## Commands", 1)[1].split("\n## ", 1)[0]
    found = []
    for cell in re.findall(r"^\| `mcc ([^`]+)`", section, flags=re.M):
        for one in cell.split("` / `mcc "):
            words = tuple(w for w in one.split() if re.fullmatch(r"[a-z][a-z-]*", w))
            found.append(words[:2] if words[0] in ("key", "uca", "monitor") else words[:1])
    return found


def test_every_readme_command_is_run_through_the_cli_by_a_test():
    sources = "\n".join(p.read_text() for p in (REPO / "tests").glob("test_*.py") if p.name != "test_cli_coverage.py")
    commands = readme_commands()
    assert len(commands) >= 28
    missing = [" ".join(c) for c in commands
               if not re.search(r"[\[(,]\s*" + r",\s*".join(f'"{w}"' for w in c) + r"\s*[,\]]", sources)]
    assert missing == []
