"""Shared fixtures: a workspace holding the demo configuration, made by the real generator."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from toolkit.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
RESOURCES = Path(__file__).resolve().parent / "resources"


def read_answer_csv(name: str) -> list[dict[str, str]]:
    """Rows of a reviewed answer file; lines starting with '#' are comments."""
    lines = [ln for ln in (RESOURCES / name).read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines))


def make_workspace(root: Path) -> Workspace:
    """A copy of the repository's demo configuration at ``root`` (never the local signing key)."""
    shutil.copytree(REPO / "config", root / "config", ignore=shutil.ignore_patterns("signing.key"))
    for name in ("inbox", "outbox", "workbooks", "templates"):
        (root / name).mkdir()
    return Workspace(root)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A copy of the repository's demo workspace configuration, safe to edit."""
    return make_workspace(tmp_path / "ws")
