"""Where a workspace lives and what it holds: config/, inbox/, outbox/, workbooks/, templates/.

The repository root is the default workspace (its config/ holds the demo industry); ``--workspace DIR``
or the environment variable MCC_WORKSPACE choose another.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import WorkspaceError

FOLDERS = ("config", "inbox", "outbox", "workbooks", "templates")
LEDGER = "ledger.sqlite"  # in workbooks/
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


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


def resolve_workspace(explicit: Path | None = None) -> Workspace:
    """The workspace to use: the one asked for, else the current folder if it has a config/, else the
    repository root (the demo workspace)."""
    if explicit is None and os.environ.get("MCC_WORKSPACE"):
        explicit = Path(os.environ["MCC_WORKSPACE"])
    if explicit is not None:
        root = explicit.expanduser().resolve()
        if not (root / "config").is_dir():
            raise WorkspaceError(f"{root} is not a workspace: it has no config/ folder "
                                 f"(create one with: mcc init {explicit})")
        return Workspace(root)
    cwd = Path.cwd()
    if (cwd / "config").is_dir():
        return Workspace(cwd)
    if (REPOSITORY_ROOT / "config").is_dir():
        return Workspace(REPOSITORY_ROOT)
    raise WorkspaceError(f"no workspace here: {cwd} has no config/ folder (create one with: mcc init DIR, "
                         "or name one with --workspace DIR)")
