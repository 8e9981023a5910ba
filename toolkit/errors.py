"""The project's exceptions: broken configuration or usage, never a supplier's data problem.

A problem in a returned workbook is a finding (see ``toolkit.domain.findings``); exceptions are for
configuration the MCC must fix and for misuse of the toolkit.
"""

from __future__ import annotations

from dataclasses import dataclass


class ToolkitError(Exception):
    """Base of every error the toolkit raises on purpose; the CLI turns it into exit code 2."""


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in a configuration file, located precisely enough to fix it."""

    file: str
    location: str  # "row 7, column migration_start" or "[thresholds] dlt" or "" for the whole file
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.location}" if self.location else self.file
        return f"{where}: {self.message}"

    def as_json(self) -> dict[str, str]:
        return {"file": self.file, "location": self.location, "message": self.message}


class ConfigError(ToolkitError):
    """The workspace configuration is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} configuration problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class WorkspaceError(ToolkitError):
    """The workspace folder is missing or not a workspace."""


class UsageError(ToolkitError):
    """A command was asked for something that does not exist (unknown group, cycle, date)."""
