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


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A copy of the repository's demo workspace configuration, safe to edit."""
    root = tmp_path / "ws"
    shutil.copytree(REPO / "config", root / "config")
    for name in ("inbox", "outbox", "workbooks", "templates"):
        (root / name).mkdir()
    return Workspace(root)
