"""The ledger's record of the emails ``mcc mailbox`` took in (issue 21): table ``messages`` of
``workbooks/ledger.sqlite``, one row per message (by its Message-ID), moving ``received`` -> ``taken`` (every
attachment in the ledger as a submission), ``empty`` (no usable attachment: the sender was told what was expected),
``automatic`` (an auto-reply or a bounce: never answered), ``quarantined`` (not taken in, with the reason: an
unknown sender, a spoofed one, too large, malformed) or ``duplicate`` (a Message-ID seen before). A message is
moved out of the mailbox only once its row is finished, so a crash at any point loses nothing."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from toolkit.clock import stamp
from toolkit.store.ledger import Ledger
from toolkit.store.records import _time


class MessageStatus(StrEnum):
    RECEIVED = "received"
    TAKEN = "taken"
    EMPTY = "empty"
    AUTOMATIC = "automatic"
    QUARANTINED = "quarantined"
    DUPLICATE = "duplicate"


FINISHED = frozenset(s for s in MessageStatus if s is not MessageStatus.RECEIVED)


@dataclass(frozen=True)
class MessageRow:
    id: int
    key: str  # the Message-ID (or one made from the bytes of a message without one)
    sha256: str
    sender: str
    subject: str
    received_at: datetime
    status: MessageStatus
    reason: str
    submissions: str  # the ledger rows of its attachments, "12,13"
    answer_path: str  # the reply or notice written for it
    finished_at: datetime | None

    @classmethod
    def of(cls, r: tuple) -> MessageRow:
        r = list(r)
        r[5], r[6], r[10] = _time(r[5]), MessageStatus(r[6]), _time(r[10])
        return cls(*r)

    @property
    def submission_ids(self) -> list[int]:
        return [int(x) for x in self.submissions.split(",") if x]


COLUMNS = "id, key, sha256, sender, subject, received_at, status, reason, submissions, answer_path, finished_at"


def get(ledger: Ledger, key: str) -> MessageRow | None:
    with closing(ledger._connect()) as db:
        r = db.execute(f"SELECT {COLUMNS} FROM messages WHERE key = ?", (key,)).fetchone()
    return MessageRow.of(r) if r else None


def receive(ledger: Ledger, key: str, sha: str, sender: str, subject: str, at: datetime) -> MessageRow:
    """The message's row, made ``received`` if it has none."""
    with closing(ledger._connect()) as db, db:
        db.execute("INSERT OR IGNORE INTO messages (key, sha256, sender, subject, received_at, status) VALUES "
                   "(?, ?, ?, ?, ?, ?)", (key, sha, sender, subject, stamp(at), MessageStatus.RECEIVED.value))
    return get(ledger, key)


def finish(ledger: Ledger, key: str, status: MessageStatus, at: datetime, reason: str = "",
           submissions: list[int] = (), answer_path: str = "") -> None:
    with closing(ledger._connect()) as db, db:
        db.execute("UPDATE messages SET status = ?, reason = ?, submissions = ?, answer_path = ?, finished_at = ? "
                   "WHERE key = ?", (status.value, reason, ",".join(map(str, submissions)), answer_path, stamp(at),
                                     key))


def rows(ledger: Ledger) -> list[MessageRow]:
    with closing(ledger._connect()) as db:
        return [MessageRow.of(r) for r in db.execute(f"SELECT {COLUMNS} FROM messages ORDER BY id").fetchall()]
