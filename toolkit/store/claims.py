"""The register of Lost Migration Day claims (Foundations 6.6): ``workbooks/lost_days/register.jsonl``, one event a
line, appended and never rewritten (a claim received, "claimed"; the MCC's evaluation; its decision; MCAG's
ratification; a central outage applied); ``toolkit.domain.lost_days.fold`` makes the claims of them. The claim
forms issued are in ``workbooks/lost_days/forms/``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from toolkit.store.workspace import Workspace


def folder(workspace: Workspace) -> Path:
    return workspace.workbooks / "lost_days"


def register_path(workspace: Workspace) -> Path:
    return folder(workspace) / "register.jsonl"


def read_events(workspace: Workspace, path: Path | None = None) -> list[dict]:
    """The events of the claims register (or of the register at ``path``: the bulk change of agent register has
    the same form)."""
    path = path or register_path(workspace)
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def append_event(workspace: Workspace, event: dict, path: Path | None = None) -> None:
    """One event, written whole and flushed to disk before returning."""
    path = path or register_path(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(event, sort_keys=True, default=str) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
