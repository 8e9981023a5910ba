"""The records the ledger reads back (decisions, mail, shortfalls, plan figures) and how values are stored: times
as ISO 8601 text to the second, enums as their value, grids as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from toolkit.clock import stamp
from toolkit.domain.status import Status

if TYPE_CHECKING:  # numpy is imported by the grids only: mcc status reads the ledger without it (issue 20)
    import numpy as np


class MailStatus(StrEnum):
    """The send record of one composed email."""

    COMPOSED = "composed"
    SENDING = "sending"  # handed to the server; a crash here leaves it uncertain
    SENT = "sent"
    FAILED = "failed"


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _text(value: object) -> object:
    """A value as the ledger stores it: times as ISO text, enums as their value."""
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


@dataclass(frozen=True)
class MailOrigin:
    """The email a file came attached to (issue 21): its Message-ID, sender address, subject (readable text) and
    when the mail server received it."""

    message_id: str
    sender: str
    subject: str
    received: datetime | None

    def as_dict(self) -> dict:
        return {"message_id": self.message_id, "sender": self.sender, "subject": self.subject,
                "received": stamp(self.received) if self.received else None}

    @classmethod
    def of(cls, data: object) -> MailOrigin | None:
        """From a claim record; None unless every field is text (the record is trusted for no path)."""
        if not isinstance(data, dict):
            return None
        values = [data.get(k) for k in ("message_id", "sender", "subject")]
        if not all(isinstance(v, str) for v in values) or not values[0]:
            return None
        received = data.get("received")
        try:
            when = datetime.fromisoformat(received) if isinstance(received, str) else None
        except ValueError:
            when = None
        return cls(*values, when)


@dataclass(frozen=True)
class Decision:
    """An earlier decision on a receipt, kept when it was judged again."""

    decision: int
    status: Status
    supplier_group: str | None
    cycle: str | None
    errors: int
    warnings: int
    reason: str
    archive_path: str | None
    feedback_path: str
    email_path: str
    finished_at: datetime | None
    superseded_at: datetime
    why: str

    @classmethod
    def of(cls, r: tuple) -> Decision:
        r = list(r)
        r[1], r[10], r[11] = Status(r[1]), _time(r[10]), _time(r[11])
        return cls(*r)


DECISION_COLUMNS = ", ".join(f.name for f in fields(Decision))


@dataclass(frozen=True)
class MailRow:
    id: int
    key: str  # what the message is: "<cycle>/<what>/<party>/<version or day>"
    cycle: str
    what: str
    party: str
    recipients: str
    subject: str
    eml_path: str
    message_id: str
    status: MailStatus
    attempts: int
    composed_at: datetime
    sent_at: datetime | None
    error: str

    @classmethod
    def of(cls, r: tuple) -> MailRow:
        r = list(r)
        r[9], r[11], r[12] = MailStatus(r[9]), _time(r[11]), _time(r[12])
        return cls(*r)


@dataclass(frozen=True)
class Shortfall:
    """A shortfall a group notified: ``count`` fewer migrations in ``ldso`` on ``day``, capacity it cedes."""

    id: int
    supplier_group: str
    ldso: str
    day: date
    count: int
    reason: str
    recorded_at: datetime


@dataclass(frozen=True)
class PlanFigures:
    """The figures of an accepted submission, as read when it was judged: a plan's weekly grid (weeks from
    ``weeks_from``) and daily grid (days from ``days_from``), by LDSO, and its agent forecasts; a UCA request's grid
    is its ``daily``. Kept so that consolidation, carry-over and the programme's history need not read the workbook
    again (and so that a rehearsal's plans need no workbook at all)."""

    ldsos: tuple[str, ...]
    weeks_from: date | None
    weekly: np.ndarray | None  # (W, L)
    days_from: date | None
    daily: np.ndarray | None  # (D, L)
    agents: tuple[tuple[str, str, np.ndarray], ...] = ()  # (provider MPID, role, weekly forecast)


def _grid(text: str | None) -> np.ndarray | None:
    import numpy as np

    return None if text is None else np.asarray(json.loads(text), dtype=np.int64)


def _grid_text(values: np.ndarray | None) -> str | None:
    import numpy as np

    return None if values is None else json.dumps(np.asarray(values, dtype=np.int64).tolist(), separators=(",", ":"))


def _figures_row(submission_id: int, figures: PlanFigures) -> tuple:
    import numpy as np

    agents = json.dumps([[m, r, np.asarray(w, dtype=np.int64).tolist()] for m, r, w in figures.agents],
                        separators=(",", ":"))
    return (submission_id, ",".join(figures.ldsos), _text(figures.weeks_from), _grid_text(figures.weekly),
            _text(figures.days_from), _grid_text(figures.daily), agents)
