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

import gc
import json
import os
import sqlite3
import threading
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, fields
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.clock import stamp
from toolkit.domain.status import PENDING, Kind, Status
from toolkit.store.records import (  # noqa: F401 - the ledger's records, imported from here
    DECISION_COLUMNS,
    Decision,
    MailOrigin,
    MailRow,
    MailStatus,
    PlanFigures,
    Shortfall,
    _figures_row,
    _grid,
    _text,
    _time,
)

if TYPE_CHECKING:  # numpy and the monitoring domain only where outturn and plan figures are read (issue 20)
    from toolkit.domain.monitoring import Cohort


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
    delivery_bound INTEGER NOT NULL DEFAULT 0,
    message_id TEXT NOT NULL DEFAULT '',
    sender TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    mail_received TEXT
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
    exceptions INTEGER CHECK (exceptions >= 0),
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
CREATE TABLE IF NOT EXISTS plan_figures (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
    ldsos TEXT NOT NULL,
    weeks_from TEXT,
    weekly TEXT,
    days_from TEXT,
    daily TEXT,
    agents TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    sender TEXT NOT NULL,
    subject TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    submissions TEXT NOT NULL DEFAULT '',
    answer_path TEXT NOT NULL DEFAULT '',
    finished_at TEXT
);
CREATE INDEX IF NOT EXISTS submissions_sha ON submissions(sha256);
CREATE INDEX IF NOT EXISTS submissions_group ON submissions(cycle, supplier_group);
"""


# columns added since the first ledgers, with their definitions (the schema above lists them too)
MIGRATIONS = {"name_bytes": "BLOB", "folder": "TEXT NOT NULL DEFAULT ''", "decision": "INTEGER NOT NULL DEFAULT 1",
              "delivery_bound": "INTEGER NOT NULL DEFAULT 0", "message_id": "TEXT NOT NULL DEFAULT ''",
              "sender": "TEXT NOT NULL DEFAULT ''", "subject": "TEXT NOT NULL DEFAULT ''", "mail_received": "TEXT"}


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
    message_id: str  # the email it came attached to (issue 21; "" for a file dropped into inbox/)
    sender: str
    subject: str
    mail_received: datetime | None

    @classmethod
    def of(cls, r: tuple) -> Row:
        r = list(r)
        r[3], r[4], r[16], r[18], r[26] = _time(r[3]), Status(r[4]), _time(r[16]), Kind(r[18]), _time(r[26])
        r[22] = bool(r[22])
        return cls(*r)

    @property
    def mail(self) -> MailOrigin | None:
        return MailOrigin(self.message_id, self.sender, self.subject, self.mail_received) if self.message_id else None


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


@contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off while many objects that hold no cycles are made (the cohorts of the
    outturn); on again afterwards if it was on."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def forget(key: tuple[int, str]) -> None:
    """Close and drop this process's connection ``key`` (it is opened again when next needed)."""
    found = _CONNECTIONS.pop(key, None)
    if found is not None:
        with suppress(sqlite3.Error):
            found[0].close()


ROW_COLUMNS = ", ".join(f.name for f in fields(Row))


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
                if "exceptions" not in {r[1] for r in db.execute("PRAGMA table_info(outturn)")}:  # before issue 19
                    db.execute("ALTER TABLE outturn ADD COLUMN exceptions INTEGER CHECK (exceptions >= 0)")
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
                folder: str = "", mail: MailOrigin | None = None) -> int:
        m = mail or MailOrigin("", "", "", None)
        with closing(self._connect()) as db, db:
            return int(db.execute("INSERT INTO submissions (sha256, original_name, received_at, status, claim, "
                                  "name_bytes, folder, message_id, sender, subject, mail_received) VALUES "
                                  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  (sha, name, stamp(at), Status.RECEIVED.value, claim, name_bytes, folder,
                                   m.message_id, m.sender, m.subject, _text(m.received))).lastrowid)

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

    # -- the figures of accepted submissions ---------------------------------------------------------------------

    def store_figures(self, submission_id: int, figures: PlanFigures) -> None:
        """Keep the figures read from a submission (written again if it is judged again after a crash)."""
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR REPLACE INTO plan_figures VALUES (?, ?, ?, ?, ?, ?, ?)",
                       _figures_row(submission_id, figures))

    def figures(self, submission_id: int) -> PlanFigures | None:
        with closing(self._connect()) as db:
            r = db.execute("SELECT ldsos, weeks_from, weekly, days_from, daily, agents FROM plan_figures WHERE "
                           "submission_id = ?", (submission_id,)).fetchone()
        if r is None:
            return None
        ldsos, weeks_from, weekly, days_from, daily, agents = r
        import numpy as np

        return PlanFigures(tuple(x for x in ldsos.split(",") if x), date.fromisoformat(weeks_from) if weeks_from
                           else None, _grid(weekly), date.fromisoformat(days_from) if days_from else None, _grid(daily),
                           tuple((m, role, np.asarray(w, dtype=np.int64)) for m, role, w in json.loads(agents)))

    def record_plan(self, cycle: str, group: str, figures: PlanFigures, name: str, at: datetime,
                    kind: Kind = Kind.PLAN) -> int:
        """An accepted submission known by its figures only (a rehearsal's plan played without a workbook): a row
        of its own, recorded as accepted, with no archived bytes."""
        return self.record_plans(cycle, {group: figures}, name, at, kind)[0]

    def record_plans(self, cycle: str, plans: dict[str, PlanFigures], name: str, at: datetime,
                     kind: Kind = Kind.PLAN) -> list[int]:
        """``record_plan`` for many groups in one transaction; ``name`` may hold ``{group}``."""
        ids = []
        with closing(self._connect()) as db, db:
            for group, figures in plans.items():
                row_id = int(db.execute(
                    "INSERT INTO submissions (sha256, original_name, received_at, status, supplier_group, cycle, "
                    "kind, finished_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (f"figures:{cycle}:{group}:{stamp(at)}", name.format(group=group), stamp(at),
                     Status.ACCEPTED.value, group, cycle, Kind(kind).value, stamp(at),
                     "recorded by its figures, without a workbook")).lastrowid)
                db.execute("INSERT OR REPLACE INTO plan_figures VALUES (?, ?, ?, ?, ?, ?, ?)",
                           _figures_row(row_id, figures))
                ids.append(row_id)
        return ids

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
        iso: dict[date, str] = {}
        day = lambda d: iso[d] if d in iso else iso.setdefault(d, d.isoformat())  # noqa: E731
        with closing(self._connect()) as db, db:
            db.executemany(
                "INSERT INTO outturn (supplier_mpid, ldso, initiation_date, effective_date, initiations, completions, "
                "submission_id, exceptions) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (supplier_mpid, ldso, "
                "initiation_date, effective_date) DO UPDATE SET initiations = excluded.initiations, completions = "
                "excluded.completions, submission_id = excluded.submission_id, exceptions = excluded.exceptions",
                [(c.supplier, c.ldso, day(c.initiated), day(c.effective), c.initiations, c.completions,
                  submission_id, c.exceptions) for c in cohorts])

    def record_outturn(self, cohorts, name: str, at: datetime) -> int:
        """Outturn known by its cohorts only (a rehearsal's or the demo's simulated history, played without a
        file): an accepted outturn row of its own, and its cohorts stored as for a file."""
        with closing(self._connect()) as db, db:
            row_id = int(db.execute(
                "INSERT INTO submissions (sha256, original_name, received_at, status, supplier_group, cycle, kind, "
                "finished_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (f"cohorts:{name}:{stamp(at)}", name, stamp(at), Status.ACCEPTED.value, None, None,
                 Kind.OUTTURN.value, stamp(at), "recorded by its cohorts, without a file")).lastrowid)
        self.store_outturn(cohorts, row_id)
        return row_id

    def outturn(self) -> list[Cohort]:
        """Every cohort of outturn stored, in initiation date order."""
        from toolkit.domain.monitoring import Cohort

        with closing(self._connect()) as db:
            rows = db.execute("SELECT supplier_mpid, ldso, initiation_date, effective_date, initiations, completions, "
                              "exceptions FROM outturn").fetchall()
        # sorted here, not by SQLite (twice the time of the scan): the same order, as the key is the primary key's
        # columns (unique) and MPIDs and ISO dates compare alike as bytes and as text
        rows.sort(key=itemgetter(2, 0, 1, 3))
        # a few hundred days among hundreds of thousands of cohorts: each parsed once
        day = {text: date.fromisoformat(text) for text in {r[2] for r in rows} | {r[3] for r in rows}}
        with _collector_paused():  # nothing to collect among new cohorts; it would rescan them every 700 made
            return [Cohort(s, x, day[i], day[e], n, c, xc) for s, x, i, e, n, c, xc in rows]

    def migrations(self, before: date | None = None, since: date | None = None) -> list[tuple[str, str, date, int]]:
        """(supplier MPID, LDSO, initiation day, MPANs migrated) summed over the cohorts initiated that day
        (completions where reported, else initiations), for days from ``since`` and before ``before``."""
        where, args = [], []
        if before is not None:
            where.append("initiation_date < ?")
            args.append(before.isoformat())
        if since is not None:
            where.append("initiation_date >= ?")
            args.append(since.isoformat())
        # a plain scan summed here: scanning by the primary key visits the rows out of order, twice as slow
        sql = ("SELECT supplier_mpid, ldso, initiation_date, COALESCE(completions, initiations) FROM outturn "
               "NOT INDEXED " + ("WHERE " + " AND ".join(where) if where else ""))
        with closing(self._connect()) as db:
            rows = db.execute(sql, tuple(args)).fetchall()
        sums: dict[tuple[str, str, str], int] = {}
        for s, x, d, n in rows:
            sums[(s, x, d)] = sums.get((s, x, d), 0) + n
        parsed: dict[str, date] = {}
        return [(s, x, parsed[d] if d in parsed else parsed.setdefault(d, date.fromisoformat(d)), n)
                for (s, x, d), n in sums.items()]

    def outturn_days(self) -> set[date]:
        """The initiation days the ledger holds outturn for."""
        with closing(self._connect()) as db:
            return {date.fromisoformat(d) for (d,) in db.execute("SELECT DISTINCT initiation_date FROM outturn")}

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
