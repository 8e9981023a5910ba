"""Registers of what the MCC issued, kept beside the files: ``register.csv`` in a folder of plan templates or UCA
request forms (one row per workbook issued, never rewritten), and each UCA round's unused capacity snapshot
(``unused_capacity.csv``) and ``round.json`` (when it was issued and the first day it covers).

The inbox asks for a register for every file it judges, so a register is read again only when its file changed.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np

from toolkit.clock import stamp
from toolkit.domain.allocation import Snapshot
from toolkit.domain.programme import GroupBasis, PairBasis

REGISTER = "register.csv"
REGISTER_COLUMNS = ("template_id", "group", "cycle", "version", "issued_at", "envelope_digest", "file", "sha256")
SNAPSHOT = "unused_capacity.csv"
SNAPSHOT_COLUMNS = ("ldso", "date", "unused", "groups", "disclosed")
ROUND_FILE = "round.json"


@dataclass(frozen=True)
class IssuedTemplate:
    template_id: str
    group: str
    cycle: str
    version: int
    issued_at: datetime
    envelope_digest: str
    file: str  # name inside the folder of the register
    sha256: str

    def as_row(self) -> dict[str, str]:
        return {"template_id": self.template_id, "group": self.group, "cycle": self.cycle,
                "version": str(self.version), "issued_at": stamp(self.issued_at),
                "envelope_digest": self.envelope_digest, "file": self.file, "sha256": self.sha256}


_REGISTERS: dict[Path, tuple[tuple[int, int], list[IssuedTemplate]]] = {}


def read_register(folder: Path) -> list[IssuedTemplate]:
    """The register of a folder, oldest first."""
    path = folder / REGISTER
    try:
        st = path.stat()
    except FileNotFoundError:
        return []
    signature = (st.st_mtime_ns, st.st_size)
    known = _REGISTERS.get(path)
    if known is not None and known[0] == signature:
        return list(known[1])
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [IssuedTemplate(**{**row, "version": int(row["version"]),
                                  "issued_at": datetime.fromisoformat(row["issued_at"])})
                for row in csv.DictReader(handle)]
    _REGISTERS[path] = (signature, rows)
    return list(rows)


def latest_issued(folder: Path) -> dict[str, IssuedTemplate]:
    """The latest issued workbook of every group recorded in ``folder``'s register."""
    out: dict[str, IssuedTemplate] = {}
    for t in read_register(folder):
        if t.group not in out or t.version > out[t.group].version:
            out[t.group] = t
    return out


def append_register(folder: Path, rows: list[IssuedTemplate]) -> None:
    path = folder / REGISTER
    new = not path.is_file()
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REGISTER_COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        for row in rows:
            writer.writerow(row.as_row())


# -- UCA rounds ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RoundInfo:
    round: int
    issued_at: datetime | None  # None: a round 1 of an older workspace, which is before everything
    first_day: date | None


def write_round(folder: Path, info: RoundInfo) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ROUND_FILE).write_text(json.dumps({
        "round": info.round, "issued_at": stamp(info.issued_at) if info.issued_at else "",
        "first_day": info.first_day.isoformat() if info.first_day else ""}), encoding="utf-8")


def read_round(folder: Path, round: int) -> RoundInfo:
    path = folder / ROUND_FILE
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    issued, first = data.get("issued_at") or "", data.get("first_day") or ""
    return RoundInfo(round, datetime.fromisoformat(issued) if issued else None,
                     date.fromisoformat(first) if first else None)


def issued_rounds(uca_base: Path) -> list[int]:
    """The UCA rounds issued under ``uca_base`` (those with a snapshot), in order: 1 in the folder itself, the ad
    hoc rounds in ``round_NN/``."""
    found = [1] if (uca_base / SNAPSHOT).is_file() else []
    found += sorted(int(p.name[6:]) for p in uca_base.glob("round_*")
                    if p.name[6:].isdigit() and (p / SNAPSHOT).is_file())
    return found


def round_of(template_id: str | None) -> int:
    """The round a request form was issued in, from its template id (``S8-JONV-uca-v01`` is round 1,
    ``S8-JONV-uca03-v01`` round 3)."""
    part = (template_id or "").rsplit("-", 2)
    if len(part) == 3 and part[1].startswith("uca") and part[1][3:].isdigit():
        return int(part[1][3:])
    return 1


def write_snapshot(path: Path, snap: Snapshot) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle, lineterminator="\n")
        w.writerow(SNAPSHOT_COLUMNS)
        for j, x in enumerate(snap.ldsos):
            for k, d in enumerate(snap.days):
                w.writerow([x, d.isoformat(), int(snap.unused[j, k]), int(snap.groups[j, k]),
                            "true" if snap.disclosed[j, k] else "false"])


def read_snapshot(path: Path) -> Snapshot | None:
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    ldsos = list(dict.fromkeys(r["ldso"] for r in rows))
    days = sorted({date.fromisoformat(r["date"]) for r in rows})
    shape = (len(ldsos), len(days))
    unused, groups, disclosed = np.zeros(shape, np.int64), np.zeros(shape, np.int64), np.zeros(shape, bool)
    li = {x: j for j, x in enumerate(ldsos)}
    di = {d: k for k, d in enumerate(days)}
    for r in rows:
        j, k = li[r["ldso"]], di[date.fromisoformat(r["date"])]
        unused[j, k], groups[j, k], disclosed[j, k] = int(r["unused"]), int(r["groups"]), r["disclosed"] == "true"
    return Snapshot(ldsos, days, unused, groups, disclosed)


# -- the portfolio a cycle's templates were issued on ------------------------------------------------------------

BASIS = "portfolio_basis.json"


def write_basis(folder: Path, bases: list[GroupBasis]) -> None:
    """Record the remaining portfolio each group's latest template was issued on (replacing the groups' earlier
    entries), so that its return is judged on the same figures whatever outturn arrives meanwhile."""
    path = folder / BASIS
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for b in bases:
        data[b.group] = {"cycle": b.cycle, "as_of": b.as_of.isoformat(), "cutoff": b.cutoff.isoformat(),
                         "notes": list(b.notes), "pairs": {x: [p.initial, p.churn, p.outturn, p.missing, p.forecast,
                                                               p.remaining] for x, p in b.pairs.items()}}
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text("{\n" + ",\n".join(f"{json.dumps(g)}: {json.dumps(data[g], sort_keys=True)}" for g in sorted(data))
                   + "\n}\n", encoding="utf-8")
    tmp.replace(path)


_BASES: dict[Path, tuple[tuple[int, int], dict[str, GroupBasis]]] = {}


def read_basis(folder: Path) -> dict[str, GroupBasis]:
    """The portfolio each group's latest template of the cycle was issued on (none for templates issued before the
    toolkit recorded it: they were built on the deemed initial portfolio)."""
    path = folder / BASIS
    try:
        st = path.stat()
    except FileNotFoundError:
        return {}
    signature = (st.st_mtime_ns, st.st_size)
    known = _BASES.get(path)
    if known is not None and known[0] == signature:
        return dict(known[1])
    data = json.loads(path.read_text(encoding="utf-8"))
    out = {g: GroupBasis(g, v["cycle"], date.fromisoformat(v["as_of"]), date.fromisoformat(v["cutoff"]),
                         {x: PairBasis(*figures) for x, figures in v["pairs"].items()}, tuple(v["notes"]))
           for g, v in data.items()}
    _BASES[path] = (signature, out)
    return dict(out)
