"""Where a workspace lives and what it holds: config/, inbox/, outbox/, workbooks/, templates/.

Which workspace a command acts on, like git finds its repository: ``--workspace DIR``, else the environment
variable MCC_WORKSPACE, else the nearest folder at or above the current one whose ``config/`` holds the workspace
marker ``config/workspace.toml`` (written by ``mcc init``; the repository root is a demo workspace and carries one).
Nowhere else: a folder that is not a workspace is an error, never a silent fall-back to the demo.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import WorkspaceError

FOLDERS = ("config", "inbox", "outbox", "workbooks", "templates")
LEDGER = "ledger.sqlite"  # in workbooks/
MARKER = "workspace.toml"  # in config/: this folder is an MCC workspace (``mcc init`` writes it)
KINDS = ("live", "demo")  # a demo workspace may take the demo's simulated returns; a live one never
MARKER_TEXT = """# This folder is an MCC workspace: mcc finds it from here and from every folder below.
# kind = "live": the MCC's own industry (mcc demo refuses it); "demo": simulated returns welcome.
kind = "{kind}"
"""


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def workbooks(self) -> Path:
        return self.root / "workbooks"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def ledger(self) -> Path:
        return self.workbooks / LEDGER

    @property
    def config_cache(self) -> Path:
        """The copy of the loaded configuration (``toolkit.config.cache``): an output, rebuilt when config/ changes."""
        return self.workbooks / ".cache" / "config.pickle"

    def cycle_dir(self, cycle: str) -> Path:
        return self.workbooks / cycle

    def templates_dir(self, cycle: str) -> Path:
        """The cycle's issued plan templates and their register."""
        return self.cycle_dir(cycle) / "templates"

    def uca_dir(self, cycle: str, round: int = 1) -> Path:
        """A UCA round's report, snapshot and allocation: round 1 in ``uca/``, ad hoc rounds in ``uca/round_NN/``."""
        base = self.cycle_dir(cycle) / "uca"
        return base if round == 1 else base / f"round_{round:02d}"

    def requests_dir(self, cycle: str, round: int = 1) -> Path:
        """A UCA round's request forms and their register."""
        return self.uca_dir(cycle, round) / "requests"

    def schedule_dir(self, cycle: str) -> Path:
        return self.cycle_dir(cycle) / "schedule"

    def publication_dir(self, cycle: str) -> Path:
        return self.cycle_dir(cycle) / "publication"

    def monitoring_dir(self, cycle: str) -> Path:
        return self.cycle_dir(cycle) / "monitoring"

    def review_dir(self, cycle: str) -> Path:
        """The sprint review workbooks (Foundations 5.4)."""
        return self.cycle_dir(cycle) / "review"

    @property
    def success_dir(self) -> Path:
        """The success criteria workbooks (Foundations 7): the programme's, not one sprint's."""
        return self.workbooks / "success"

    @property
    def quarantine(self) -> Path:
        return self.workbooks / "quarantine"

    @property
    def intake_lock(self) -> Path:
        """Held by the one process taking in the inbox (``toolkit.store.lock``)."""
        return self.workbooks / "intake.lock"

    def ensure_folders(self) -> None:
        for name in FOLDERS:
            (self.root / name).mkdir(parents=True, exist_ok=True)


def write_marker(root: Path, kind: str = "live") -> Path:
    """Mark ``root`` as a workspace of ``kind`` (``live`` or ``demo``)."""
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {KINDS}")
    path = root / "config" / MARKER
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(MARKER_TEXT.format(kind=kind), encoding="utf-8")
    return path


def workspace_kind(ws: Workspace) -> str | None:
    """``live`` or ``demo`` as the marker says; None without a marker (a folder named with --workspace)."""
    path = ws.config / MARKER
    try:
        kind = tomllib.loads(path.read_text(encoding="utf-8")).get("kind", "live")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return kind if kind in KINDS else "live"


def find_workspace(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``config/workspace.toml``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "config" / MARKER).is_file():
            return folder
    return None


HOW_TO_CHOOSE = ("choose one with --workspace DIR (or -w DIR), set MCC_WORKSPACE=DIR, or run mcc from inside a "
                 "workspace; create one with: mcc init DIR")


def resolve_workspace(explicit: Path | None = None) -> Workspace:
    """The workspace to use: the one asked for (``--workspace``, else MCC_WORKSPACE), else the nearest marked folder
    at or above the current one. Never the repository's demo by default."""
    source = "--workspace"
    if explicit is None and os.environ.get("MCC_WORKSPACE"):
        explicit, source = Path(os.environ["MCC_WORKSPACE"]), "MCC_WORKSPACE"
    if explicit is not None:
        root = explicit.expanduser().resolve()
        if not (root / "config").is_dir():
            raise WorkspaceError(f"{root} ({source}) is not a workspace: it has no config/ folder "
                                 f"(create one with: mcc init {explicit})")
        return Workspace(root)
    cwd = Path.cwd()
    found = find_workspace(cwd)
    if found is None:
        raise WorkspaceError(f"no workspace here: neither {cwd} nor a folder above it holds config/{MARKER}; "
                             + HOW_TO_CHOOSE)
    return Workspace(found)
