"""The submission ledger: a SQLite file (``workbooks/ledger.sqlite``) with one row per file that reached the
inbox, moving ``received -> validating -> accepted | rejected | quarantined`` (or ``duplicate`` for bytes seen
before). Nothing is ever deleted; the group's current plan for a cycle is its latest accepted row.

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

import json
import os
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

import numpy as np

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
    kind TEXT NOT NULL DEFAULT '{Kind.PLAN.value}'
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
CREATE TABLE IF NOT EXISTS plan_figures (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
    ldsos TEXT NOT NULL,
    weeks_from TEXT,
    weekly TEXT,
    days_from TEXT,
    daily TEXT,
    agents TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS submissions_sha ON submissions(sha256);
CREATE INDEX IF NOT EXISTS submissions_group ON submissions(cycle, supplier_group);
"""


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

    @classmethod
    def of(cls, r: tuple) -> Row:
        r = list(r)
        r[3], r[4], r[16], r[18] = _time(r[3]), Status(r[4]), _time(r[16]), Kind(r[18])
        return cls(*r)


_CONNECTIONS: dict[tuple[int, str], tuple[sqlite3.Connection, threading.RLock, int]] = {}


class _Session:
    """One use of a shared connection: holds its lock until closed; ``with session:`` is a transaction."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock):
        self._db, self._lock = db, lock
        lock.acquire()

    def execute(self, *args):
        return self._db.execute(*args)

    def executemany(self, *args):
        return self._db.executemany(*args)

    def executescript(self, script: str):
        return self._db.executescript(script)

    def __enter__(self):
        return self._db.__enter__()

    def __exit__(self, *exc):
        return self._db.__exit__(*exc)

    def close(self) -> None:
        self._lock.release()


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
    return None if text is None else np.asarray(json.loads(text), dtype=np.int64)


def _grid_text(values: np.ndarray | None) -> str | None:
    return None if values is None else json.dumps(np.asarray(values, dtype=np.int64).tolist(), separators=(",", ":"))


def _figures_row(submission_id: int, figures: PlanFigures) -> tuple:
    agents = json.dumps([[m, r, np.asarray(w, dtype=np.int64).tolist()] for m, r, w in figures.agents],
                        separators=(",", ":"))
    return (submission_id, ",".join(figures.ldsos), _text(figures.weeks_from), _grid_text(figures.weekly),
            _text(figures.days_from), _grid_text(figures.daily), agents)


class Ledger:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connect().close()

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
            found = _CONNECTIONS[key] = (db, threading.RLock(), os.stat(self.path).st_ino)
        return _Session(found[0], found[1])

    def _one(self, sql: str, args: tuple) -> Row | None:
        with closing(self._connect()) as db:
            r = db.execute(f"SELECT * FROM submissions {sql}", args).fetchone()
        return Row.of(r) if r else None

    def _all(self, sql: str = "", args: tuple = ()) -> list[Row]:
        with closing(self._connect()) as db:
            return [Row.of(r) for r in db.execute(f"SELECT * FROM submissions {sql}", args).fetchall()]

    def by_sha(self, sha: str) -> list[Row]:
        return self._all("WHERE sha256 = ? ORDER BY id", (sha,))

    def get(self, row_id: int) -> Row:
        row = self._one("WHERE id = ?", (row_id,))
        if row is None:
            raise KeyError(row_id)
        return row

    def receive(self, sha: str, name: str, at: datetime, claim: str = "") -> int:
        with closing(self._connect()) as db, db:
            return int(db.execute("INSERT INTO submissions (sha256, original_name, received_at, status, claim) "
                                  "VALUES (?, ?, ?, ?, ?)", (sha, name, stamp(at), Status.RECEIVED.value,
                                                             claim)).lastrowid)

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
                "INSERT INTO outturn VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (supplier_mpid, ldso, initiation_date, "
                "effective_date) DO UPDATE SET initiations = excluded.initiations, completions = "
                "excluded.completions, submission_id = excluded.submission_id",
                [(c.supplier, c.ldso, day(c.initiated), day(c.effective), c.initiations, c.completions,
                  submission_id) for c in cohorts])

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
        with closing(self._connect()) as db:
            rows = db.execute("SELECT supplier_mpid, ldso, initiation_date, effective_date, initiations, completions "
                              "FROM outturn ORDER BY initiation_date, supplier_mpid, ldso, effective_date").fetchall()
        return [Cohort(s, x, date.fromisoformat(i), date.fromisoformat(e), n, c) for s, x, i, e, n, c in rows]

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
