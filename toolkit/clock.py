"""The toolkit's one clock. Every timestamp the toolkit writes (ledger times, template issue times, registers,
feedback, emails, UCA rounds, monitoring) comes from a ``Clock`` made at the edge (a command, an Excel macro, the
watcher's entry point) and handed down; nothing else reads the system time (a test checks it).

``MCC_TODAY=YYYY-MM-DD``, or ``--today`` on any command, fixes the day for rehearsals: ``today()`` is that day and
``now()`` that day at the real time of day (UTC), so the events of a rehearsed day keep their order. A clock can
also be stopped at one instant (``Clock.at``): the demo's fast-forward into execution and the tests use that.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime

from toolkit.errors import UsageError

TODAY_ENV = "MCC_TODAY"


def parse_day(text: str, what: str = TODAY_ENV) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{what}={text!r} is not a date (write it as YYYY-MM-DD)") from None


@dataclass
class Clock:
    day: date | None = None  # the day fixed by MCC_TODAY or --today; None: the real day
    instant: datetime | None = None  # a stopped clock: always this instant

    @classmethod
    def from_env(cls, today: date | None = None) -> Clock:
        """The clock of a command: ``today`` (the --today option) if given, else MCC_TODAY, else the real day."""
        if today is not None:
            return cls(day=today)
        text = os.environ.get(TODAY_ENV, "").strip()
        return cls(day=parse_day(text)) if text else cls()

    @classmethod
    def at(cls, instant: datetime, day: date | None = None) -> Clock:
        """A clock stopped at ``instant`` (timezone-aware), on ``day`` if given (else the instant's day)."""
        return cls(day=day, instant=instant)

    def now(self) -> datetime:
        if self.instant is not None:
            return self.instant
        real = datetime.now(UTC)
        return datetime.combine(self.day, real.timetz()) if self.day is not None else real

    def today(self) -> date:
        if self.day is not None:
            return self.day
        return self.instant.date() if self.instant is not None else self.now().date()

    def __call__(self) -> datetime:
        """A clock is also the plain callable ``() -> datetime`` the lower layers take."""
        return self.now()


def stamp(when: datetime) -> str:
    """How a timestamp is written into files and the ledger: ISO 8601 to the second, with its offset."""
    return when.isoformat(timespec="seconds")
