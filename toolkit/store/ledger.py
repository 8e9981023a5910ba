"""The submission ledger: a SQLite file (``workbooks/ledger.sqlite``) with one row per file that reached the
inbox, moving ``received -> validating -> accepted | rejected | quarantined`` (or ``duplicate`` for bytes seen
before). Nothing is ever deleted; the group's current plan for a cycle is its latest accepted row. A receipt judged
again (``mcc rejudge``, or the same bytes delivered again after a rejection that depended on the delivery) keeps its
row, and so its place in the landing order: the row takes the new decision and table ``decisions`` keeps each
earlier one.

The name a file was sent under is kept twice: ``original_name`` is readable text (bytes that are not UTF-8 and
control characters written as escapes, so the name is safe in a report, a header or a cell), ``name_bytes`` the
exact bytes.

The same file keeps the send record of every email ``mcc distribute`` composed (table ``mail``), one row per
message key, moving ``composed -> sending -> sent | failed``: a message is sent at most once, and one left
``sending`` by a crash is reported as uncertain rather than sent again. Table ``outturn`` holds the migrations
reported during execution, one row per cohort (supplier MPID, LDSO, initiation and effective date), the latest
accepted outturn file's figures for it, with the submission that brought them; table ``shortfalls`` the
shortfalls groups notified, whose capacity is ceded to ad hoc unused capacity allocation.

Times are stored as ISO 8601 text to the second (``toolkit.clock.stamp``) and read back as ``datetime``; statuses
and kinds are the enums of ``toolkit.domain.status``, never bare strings.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import closing, suppress
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from toolkit.clock import stamp
from toolkit.domain.monitoring import Cohort
from toolkit.domain.status import PENDING, Kind, Status


class MailStatus(StrEnum):
    """The send record of one composed email."""

    COMPOSED = "composed"
    SENDING = "sending"  # handed to the server; a crash here leaves it uncertain
    SENT = "sent"
    FAILED = "failed"


def _values(members) -> str:
    return ", ".join(f"'{m.value}'" for m in members)


RECORDED = [s for s in Status if s is not Status.UNREADABLE]  # a verdict, recorded as quarantined
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL,
    original_name TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ({_values(RECORDED)})),
    supplier_group TEXT,
    cycle TEXT,
    version INTEGER,
    template_id TEXT,
    archive_path TEXT,
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    duplicate_of INTEGER REFERENCES submissions(id),
    feedback_path TEXT NOT NULL DEFAULT '',
    email_path TEXT NOT NULL DEFAULT '',
    finished_at TEXT,
    claim TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT '{Kind.PLAN.value}',
    name_bytes BLOB,
    folder TEXT NOT NULL DEFAULT '',
    decision INTEGER NOT NULL DEFAULT 1,
    delivery_bound INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    decision INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ({_values(RECORDED)})),
    supplier_group TEXT,
    cycle TEXT,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    reason TEXT NOT NULL,
    archive_path TEXT,
    feedback_path TEXT NOT NULL,
    email_path TEXT NOT NULL,
    finished_at TEXT,
    superseded_at TEXT NOT NULL,
    why TEXT NOT NULL,
    UNIQUE (submission_id, decision)
);
CREATE TABLE IF NOT EXISTS mail (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    cycle TEXT NOT NULL,
    what TEXT NOT NULL,
    party TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    eml_path TEXT NOT NULL,
    message_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ({_values(MailStatus)})),
    attempts INTEGER NOT NULL DEFAULT 0,
    composed_at TEXT NOT NULL,
    sent_at TEXT,
    error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS outturn (
    supplier_mpid TEXT NOT NULL,
    ldso TEXT NOT NULL,
    initiation_date TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    initiations INTEGER NOT NULL CHECK (initiations >= 0),
    completions INTEGER CHECK (completions >= 0),
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    PRIMARY KEY (supplier_mpid, ldso, initiation_date, effective_date)
);
CREATE TABLE IF NOT EXISTS shortfalls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle TEXT NOT NULL,
    supplier_group TEXT NOT NULL,
    ldso TEXT NOT NULL,
    day TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count > 0),
    reason TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_sha ON submissions(sha256);
CREATE INDEX IF NOT EXISTS submissions_group ON submissions(cycle, supplier_group);
"""


# columns added since the first ledgers, with their definitions (the schema above lists them too)
MIGRATIONS = {"name_bytes": "BLOB", "folder": "TEXT NOT NULL DEFAULT ''", "decision": "INTEGER NOT NULL DEFAULT 1",
              "delivery_bound": "INTEGER NOT NULL DEFAULT 0"}


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
class Row:
    id: int
    sha256: str
    original_name: str
    received_at: datetime
    status: Status
    supplier_group: str | None
    cycle: str | None
    version: int | None
    template_id: str | None
    archive_path: str | None
    errors: int
    warnings: int
    reason: str
    duplicate_of: int | None
    feedback_path: str
    email_path: str
    finished_at: datetime | None
    claim: str  # the name the file had in inbox/.processing/ while it was worked on
    kind: Kind
    name_bytes: bytes | None  # the name exactly as sent (None in rows from before issue 16)
    folder: str  # the inbox subfolder it came in ("" for inbox/ itself)
    decision: int  # how many times this receipt was decided (1, or more after a rejudgement)
    delivery_bound: bool  # the decision depended on how the file was delivered (a group folder it did not match)

    @classmethod
    def of(cls, r: tuple) -> Row:
        r = list(r)
        r[3], r[4], r[16], r[18] = _time(r[3]), Status(r[4]), _time(r[16]), Kind(r[18])
        r[22] = bool(r[22])
        return cls(*r)


_CONNECTIONS: dict[tuple[int, str], tuple[sqlite3.Connection, threading.RLock, int]] = {}


class _Session:
    """One use of a shared connection: holds its lock until closed; ``with session:`` is a transaction. A
    transaction that fails on the file (read-only, disk full, I/O error) drops the connection, so the next use opens
    the file again: SQLite keeps a connection that fell back to read-only read-only for good."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock, key: tuple[int, str] | None = None):
        self._db, self._lock, self._key = db, lock, key
        lock.acquire()

    def execute(self, *args):
        return self._db.execute(*args)

    def executemany(self, *args):
        return self._db.executemany(*args)

    def executescript(self, script: str):
        return self._db.executescript(script)

    def __enter__(self):
        return self._db.__enter__()

    def __exit__(self, kind, exc, tb):
        try:
            return self._db.__exit__(kind, exc, tb)
        finally:
            if isinstance(exc, sqlite3.OperationalError) and self._key is not None:
                forget(self._key)

    def close(self) -> None:
        self._lock.release()


def forget(key: tuple[int, str]) -> None:
    """Close and drop this process's connection ``key`` (it is opened again when next needed)."""
    found = _CONNECTIONS.pop(key, None)
    if found is not None:
        with suppress(sqlite3.Error):
            found[0].close()


ROW_COLUMNS = ", ".join(f.name for f in fields(Row))


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


class Ledger:
    """The ledger at ``path``. Nothing is opened until it is used, so a ledger that cannot be opened (read-only, on a
    full disk) fails where the inbox can pause and retry, not in a constructor."""

    def __init__(self, path: Path):
        self.path = path

    def _connect(self) -> _Session:
        """The process's connection to this ledger, held for one use (``with closing(self._connect()) as db``). A
        connection is opened once per process and path (opening one, with its pragmas, costs more than most
        statements), and again after a fork or when the file was replaced or removed meanwhile (writes must never
        go to a file that is gone); a lock keeps threads from interleaving on it."""
        key = (os.getpid(), str(self.path))
        try:
            inode = os.stat(self.path).st_ino
        except FileNotFoundError:
            inode = None
        found = _CONNECTIONS.get(key)
        if found is None or found[2] != inode:
            if found is not None:
                found[0].close()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            with db:
                db.executescript(SCHEMA)
                columns = {r[1] for r in db.execute("PRAGMA table_info(submissions)")}
                if "claim" not in columns:  # ledgers made before the claim was recorded
                    db.execute("ALTER TABLE submissions ADD COLUMN claim TEXT NOT NULL DEFAULT ''")
                if "kind" not in columns:  # ledgers made before UCA requests came through the inbox
                    db.execute(f"ALTER TABLE submissions ADD COLUMN kind TEXT NOT NULL DEFAULT '{Kind.PLAN.value}'")
                for column, kind in MIGRATIONS.items():  # ledgers made before issue 16
                    if column not in columns:
                        db.execute(f"ALTER TABLE submissions ADD COLUMN {column} {kind}")
            found = _CONNECTIONS[key] = (db, threading.RLock(), os.stat(self.path).st_ino)
        return _Session(found[0], found[1], key)

    def _one(self, sql: str, args: tuple) -> Row | None:
        with closing(self._connect()) as db:
            r = db.execute(f"SELECT {ROW_COLUMNS} FROM submissions {sql}", args).fetchone()
        return Row.of(r) if r else None

    def _all(self, sql: str = "", args: tuple = ()) -> list[Row]:
        with closing(self._connect()) as db:
            return [Row.of(r) for r in db.execute(f"SELECT {ROW_COLUMNS} FROM submissions {sql}", args).fetchall()]

    def by_sha(self, sha: str) -> list[Row]:
        return self._all("WHERE sha256 = ? ORDER BY id", (sha,))

    def get(self, row_id: int) -> Row:
        row = self._one("WHERE id = ?", (row_id,))
        if row is None:
            raise KeyError(row_id)
        return row

    def receive(self, sha: str, name: str, at: datetime, claim: str = "", name_bytes: bytes | None = None,
                folder: str = "") -> int:
        with closing(self._connect()) as db, db:
            return int(db.execute("INSERT INTO submissions (sha256, original_name, received_at, status, claim, "
                                  "name_bytes, folder) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                  (sha, name, stamp(at), Status.RECEIVED.value, claim, name_bytes,
                                   folder)).lastrowid)

    def redecide(self, row_id: int, decision: int, why: str, at: datetime, **values) -> bool:
        """Record a new decision on a receipt that has had ``decision`` decisions: the earlier one is kept in table
        ``decisions``, the row takes ``values`` and counts one more. False (nothing written) when another process
        decided it meanwhile."""
        cols = ", ".join(f"{k} = ?" for k in values)
        with closing(self._connect()) as db, db:
            kept = db.execute(
                "INSERT INTO decisions (submission_id, decision, status, supplier_group, cycle, errors, warnings, "
                "reason, archive_path, feedback_path, email_path, finished_at, superseded_at, why) SELECT id, "
                "decision, status, supplier_group, cycle, errors, warnings, reason, archive_path, feedback_path, "
                "email_path, finished_at, ?, ? FROM submissions WHERE id = ? AND decision = ?",
                (stamp(at), why, row_id, decision)).rowcount
            if not kept:
                return False
            db.execute(f"UPDATE submissions SET {cols}, decision = decision + 1 WHERE id = ? AND decision = ?",
                       (*map(_text, values.values()), row_id, decision))
        return True

    def decisions(self, row_id: int) -> list[Decision]:
        """The earlier decisions on a receipt, oldest first (the row itself holds the latest)."""
        with closing(self._connect()) as db:
            rows = db.execute(f"SELECT {DECISION_COLUMNS} FROM decisions WHERE submission_id = ? ORDER BY decision",
                              (row_id,)).fetchall()
        return [Decision.of(r) for r in rows]

    def between(self, start: datetime, end: datetime) -> list[Row]:
        """Rows received from ``start`` up to (not including) ``end``."""
        return self._all("WHERE received_at >= ? AND received_at < ? ORDER BY id", (stamp(start), stamp(end)))

    def by_claim(self, claim: str) -> Row | None:
        return self._one("WHERE claim = ? ORDER BY id DESC LIMIT 1", (claim,))

    def update(self, row_id: int, **values) -> None:
        if not values:
            return
        cols = ", ".join(f"{k} = ?" for k in values)
        with closing(self._connect()) as db, db:
            db.execute(f"UPDATE submissions SET {cols} WHERE id = ?", (*map(_text, values.values()), row_id))

    def unfinished(self) -> list[Row]:
        return self._all(f"WHERE status IN ({', '.join('?' * len(PENDING))}) ORDER BY id",
                         tuple(s.value for s in PENDING))

    def rows(self, cycle: str | None = None) -> list[Row]:
        if cycle is None:
            return self._all("ORDER BY id")
        return self._all("WHERE cycle = ? ORDER BY id", (cycle,))

    def current_plan(self, cycle: str, group: str, kind: Kind = Kind.PLAN) -> Row | None:
        """The group's latest accepted submission of ``kind`` for the cycle: its current plan (or request)."""
        return self._one("WHERE cycle = ? AND supplier_group = ? AND status = ? AND kind = ? "
                         "ORDER BY id DESC LIMIT 1", (cycle, group, Status.ACCEPTED.value, Kind(kind).value))

    # -- the send record of emails -----------------------------------------------------------------------------

    def mail(self, key: str) -> MailRow | None:
        with closing(self._connect()) as db:
            r = db.execute("SELECT * FROM mail WHERE key = ?", (key,)).fetchone()
        return MailRow.of(r) if r else None

    def mail_rows(self, cycle: str | None = None) -> list[MailRow]:
        where, args = ("WHERE cycle = ?", (cycle,)) if cycle else ("", ())
        with closing(self._connect()) as db:
            return [MailRow.of(r) for r in db.execute(f"SELECT * FROM mail {where} ORDER BY id", args).fetchall()]

    def compose_mail(self, key: str, cycle: str, what: str, party: str, recipients: str, subject: str,
                     eml_path: str, message_id: str, at: datetime) -> MailRow:
        """Record a composed message; a message already sent (or being sent) keeps its record untouched."""
        with closing(self._connect()) as db, db:
            db.execute("INSERT INTO mail (key, cycle, what, party, recipients, subject, eml_path, message_id, status, "
                       "composed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                       "recipients = excluded.recipients, subject = excluded.subject, eml_path = excluded.eml_path, "
                       "message_id = excluded.message_id, composed_at = excluded.composed_at "
                       "WHERE mail.status IN (?, ?)",
                       (key, cycle, what, party, recipients, subject, eml_path, message_id, MailStatus.COMPOSED.value,
                        stamp(at), MailStatus.COMPOSED.value, MailStatus.FAILED.value))
        return self.mail(key)

    def begin_send(self, key: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute("UPDATE mail SET status = ?, attempts = attempts + 1 WHERE key = ?",
                       (MailStatus.SENDING.value, key))

    def sent(self, key: str, at: datetime) -> None:
        with closing(self._connect()) as db, db:
            db.execute("UPDATE mail SET status = ?, sent_at = ?, error = '' WHERE key = ?",
                       (MailStatus.SENT.value, stamp(at), key))

    def send_failed(self, key: str, error: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute("UPDATE mail SET status = ?, error = ? WHERE key = ?", (MailStatus.FAILED.value, error[:500],
                                                                              key))

    def send_failed_recipients(self, key: str, error: str) -> None:
        """A sent message some of whose recipients the server refused: it stays sent, with the refusals noted."""
        with closing(self._connect()) as db, db:
            db.execute("UPDATE mail SET error = ? WHERE key = ?", (error[:500], key))

    # -- outturn and notified shortfalls (sprint execution) ------------------------------------------------------

    def store_outturn(self, cohorts, submission_id: int) -> None:
        """Record an accepted outturn file's cohorts, in one transaction; a cohort reported again (completions
        coming in after the initiations) takes the newer figures."""
        with closing(self._connect()) as db, db:
            db.executemany(
                "INSERT INTO outturn VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (supplier_mpid, ldso, initiation_date, "
                "effective_date) DO UPDATE SET initiations = excluded.initiations, completions = "
                "excluded.completions, submission_id = excluded.submission_id",
                [(c.supplier, c.ldso, c.initiated.isoformat(), c.effective.isoformat(), c.initiations, c.completions,
                  submission_id) for c in cohorts])

    def outturn(self) -> list[Cohort]:
        """Every cohort of outturn stored, in initiation date order."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT supplier_mpid, ldso, initiation_date, effective_date, initiations, completions "
                              "FROM outturn ORDER BY initiation_date, supplier_mpid, ldso, effective_date").fetchall()
        return [Cohort(s, x, date.fromisoformat(i), date.fromisoformat(e), n, c) for s, x, i, e, n, c in rows]

    def add_shortfall(self, cycle: str, group: str, ldso: str, day: date, count: int, reason: str,
                      at: datetime) -> int:
        with closing(self._connect()) as db, db:
            return int(db.execute("INSERT INTO shortfalls (cycle, supplier_group, ldso, day, count, reason, "
                                  "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                  (cycle, group, ldso, day.isoformat(), count, reason, stamp(at))).lastrowid)

    def shortfalls(self, cycle: str) -> list[Shortfall]:
        """The cycle's notified shortfalls, in the order they were recorded."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT id, supplier_group, ldso, day, count, reason, recorded_at FROM shortfalls "
                              "WHERE cycle = ? ORDER BY id", (cycle,)).fetchall()
        return [Shortfall(i, g, x, date.fromisoformat(d), n, why, datetime.fromisoformat(at))
                for i, g, x, d, n, why, at in rows]
