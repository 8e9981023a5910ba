"""The submission ledger: a SQLite file (``workbooks/ledger.sqlite``) with one row per file that reached the
inbox, moving ``received -> validating -> accepted | rejected | quarantined`` (or ``duplicate`` for bytes seen
before). Nothing is ever deleted; the group's current plan for a cycle is its latest accepted row.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL,
    original_name TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('received', 'validating', 'accepted', 'rejected', 'quarantined',
                                           'duplicate')),
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
    kind TEXT NOT NULL DEFAULT 'plan'
);
CREATE INDEX IF NOT EXISTS submissions_sha ON submissions(sha256);
CREATE INDEX IF NOT EXISTS submissions_group ON submissions(cycle, supplier_group);
"""
FINAL = ("accepted", "rejected", "quarantined", "duplicate")


@dataclass(frozen=True)
class Row:
    id: int
    sha256: str
    original_name: str
    received_at: str
    status: str
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
    finished_at: str | None
    claim: str  # the name the file had in inbox/.processing/ while it was worked on
    kind: str  # "plan" or "uca-request"


class Ledger:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.executescript(SCHEMA)
            columns = {r[1] for r in db.execute("PRAGMA table_info(submissions)")}
            if "claim" not in columns:  # ledgers made before the claim was recorded
                db.execute("ALTER TABLE submissions ADD COLUMN claim TEXT NOT NULL DEFAULT ''")
            if "kind" not in columns:  # ledgers made before UCA requests came through the inbox
                db.execute("ALTER TABLE submissions ADD COLUMN kind TEXT NOT NULL DEFAULT 'plan'")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        return db

    def _one(self, sql: str, args: tuple) -> Row | None:
        with closing(self._connect()) as db:
            r = db.execute(f"SELECT * FROM submissions {sql}", args).fetchone()
        return Row(*r) if r else None

    def _all(self, sql: str = "", args: tuple = ()) -> list[Row]:
        with closing(self._connect()) as db:
            return [Row(*r) for r in db.execute(f"SELECT * FROM submissions {sql}", args).fetchall()]

    def by_sha(self, sha: str) -> list[Row]:
        return self._all("WHERE sha256 = ? ORDER BY id", (sha,))

    def get(self, row_id: int) -> Row:
        row = self._one("WHERE id = ?", (row_id,))
        if row is None:
            raise KeyError(row_id)
        return row

    def receive(self, sha: str, name: str, at: str, claim: str = "") -> int:
        with closing(self._connect()) as db, db:
            return int(db.execute("INSERT INTO submissions (sha256, original_name, received_at, status, claim) "
                                  "VALUES (?, ?, ?, 'received', ?)", (sha, name, at, claim)).lastrowid)

    def by_claim(self, claim: str) -> Row | None:
        return self._one("WHERE claim = ? ORDER BY id DESC LIMIT 1", (claim,))

    def update(self, row_id: int, **values) -> None:
        if not values:
            return
        cols = ", ".join(f"{k} = ?" for k in values)
        with closing(self._connect()) as db, db:
            db.execute(f"UPDATE submissions SET {cols} WHERE id = ?", (*values.values(), row_id))

    def unfinished(self) -> list[Row]:
        return self._all("WHERE status IN ('received', 'validating') ORDER BY id")

    def rows(self, cycle: str | None = None) -> list[Row]:
        if cycle is None:
            return self._all("ORDER BY id")
        return self._all("WHERE cycle = ? ORDER BY id", (cycle,))

    def current_plan(self, cycle: str, group: str, kind: str = "plan") -> Row | None:
        """The group's latest accepted submission of ``kind`` for the cycle: its current plan (or request)."""
        return self._one("WHERE cycle = ? AND supplier_group = ? AND status = 'accepted' AND kind = ? "
                         "ORDER BY id DESC LIMIT 1", (cycle, group, kind))
