"""What every step of the cycle works with: the workspace, its configuration (loaded once, when first needed), the
clock made at the edge and the signing key; and the questions every step asks of them (which sprint, which
envelopes)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.clock import Clock
from toolkit.domain.sprints import Sprint, executing_sprint, planning_sprint, sprint_by_cycle
from toolkit.errors import UsageError
from toolkit.store.keys import signing_key
from toolkit.store.workspace import Workspace, resolve_workspace

if TYPE_CHECKING:  # imported when first used: a command starts without numpy, pydantic or the ledger
    from toolkit.config import Config
    from toolkit.domain import envelopes as env_domain
    from toolkit.store.ledger import Ledger


class Context:
    def __init__(self, workspace: Workspace, clock: Clock | None = None, config: Config | None = None):
        self.workspace = workspace
        self.clock = clock if clock is not None else Clock.from_env()
        self._config = config
        self._key: bytes | None = None
        self._env: env_domain.Envelopes | None = None
        # template contents worked out on this configuration: {(group, cycle): (basis, content)} and their digests,
        # shared by the contexts of other days and the judges made from them (``services.issue``, ``make_judge``)
        self.contents: dict = {}
        self.digests: dict = {}

    @classmethod
    def open(cls, workspace: Path | None = None, today: date | None = None) -> Context:
        """The context of a command: the workspace asked for (or found), the clock of ``--today`` or MCC_TODAY."""
        return cls(resolve_workspace(workspace), Clock.from_env(today))

    def on(self, clock: Clock) -> Context:
        """The same workspace, configuration, key and envelopes, with another clock (a rehearsal stepping from
        phase to phase of a sprint). After the configuration changes, open a new context instead."""
        other = Context(self.workspace, clock, self._config)
        other._key, other._env = self._key, self._env
        other.contents, other.digests = self.contents, self.digests
        return other

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load(self.workspace)
        return self._config

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = signing_key(self.workspace.config)
        return self._key

    @property
    def ledger(self) -> Ledger:
        from toolkit.store.ledger import Ledger

        return Ledger(self.workspace.ledger)

    def envelopes(self) -> env_domain.Envelopes:
        if self._env is None:
            self._env = envelopes(self.config)
        return self._env

    def sprint(self, cycle: str | None = None) -> Sprint:
        """The sprint named by ``cycle``, else the one being planned today."""
        return resolve_cycle(self.config, cycle, self.clock.today())

    def executing(self, cycle: str | None, day: date) -> Sprint:
        """The sprint named by ``cycle``, else the one executing on ``day``."""
        sprints = self.config.calendar.sprints
        if cycle:
            found = sprint_by_cycle(sprints, cycle)
            if found is None:
                raise UsageError(f"no sprint {cycle!r} in config/calendar.toml")
            return found
        found = executing_sprint(sprints, day)
        if found is None:
            raise UsageError(f"no sprint is executing on {day} (give --cycle)")
        return found

    @property
    def group_names(self) -> dict[str, str]:
        return {g.mpid: g.name for g in self.config.industry.groups}


def load(workspace: Workspace) -> Config:
    """The workspace's configuration: the cached copy while config/ and the toolkit are unchanged, else loaded and
    checked again (``toolkit.config.cache``)."""
    from toolkit.config.cache import load_cached

    return load_cached(workspace.root, workspace.config_cache)


def envelopes(config: Config) -> env_domain.Envelopes:
    from toolkit.domain import envelopes as env_domain

    return env_domain.calculate(config.industry, config.calendar, config.parameters)


def resolve_cycle(config: Config, cycle: str | None, today: date) -> Sprint:
    """The sprint named by ``cycle`` ("S3" or "3"), else the one being planned on ``today``."""
    sprints = config.calendar.sprints
    if cycle:
        found = sprint_by_cycle(sprints, cycle)
        if found is None:
            names = ", ".join(s.cycle for s in sprints)
            raise UsageError(f"no sprint {cycle!r} in config/calendar.toml (the sprints are {names})")
        return found
    found = planning_sprint(sprints, today)
    if found is None:
        raise UsageError("config/calendar.toml lists no sprint")
    return found
