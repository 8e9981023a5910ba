"""Outturn files (execution, issue 8): CSV, or an .xlsx whose sheet ``Outturn`` or first sheet holds the same table,
dropped into ``inbox/outturn/`` or put there by ``mcc monitor ingest``. The inbox claims, hashes and records each
one (kind ``outturn``); this judge reads it (a workbook in a child process with limits), checks every row against
the configuration, keeps its bytes in ``workbooks/outturn/received/`` (``workbooks/quarantine/`` when unreadable),
stores an accepted file's cohorts in the ledger (a cohort reported again takes the newer figures) and answers with
a text report in ``outbox/outturn/``. A file with any problem is refused whole, every problem named by row and
column (CSV) or sheet and cell (xlsx).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from toolkit.clock import stamp
from toolkit.config.model import Config
from toolkit.domain import monitoring as M
from toolkit.domain.findings import RowFinding
from toolkit.domain.rules.outturn import check_outturn, outturn_header
from toolkit.domain.status import INBOX_FOLDERS, Kind, Status
from toolkit.domain.submission import column_letters
from toolkit.errors import ToolkitError
from toolkit.inbox import safety
from toolkit.inbox.intake import Answer, Receipt, Verdict
from toolkit.inbox.isolate import ReadFailure, read_table_isolated
from toolkit.store.archive import safe_stem
from toolkit.store.ledger import Ledger
from toolkit.store.workspace import Workspace

OUTTURN_FOLDER = INBOX_FOLDERS[Kind.OUTTURN]  # inbox/outturn/, as the inbox names its folders
SHEET = "Outturn"
MAX_ROWS = 2_000_000


class LiveConfig:
    """The configuration a long-running watcher judges against, shared by its judges: loaded again when its files
    change (the MCC's updates are seen without a restart); ``generation`` counts the reloads, so a judge knows when
    what it computed from the old one is stale. An invalid new configuration keeps the old one and raises."""

    def __init__(self, workspace: Workspace, config: Config):
        self.workspace, self.config, self.generation = workspace, config, 0
        self._signature = self._config_signature()

    def _config_signature(self) -> tuple:
        folder = self.workspace.config
        return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*")
                            if p.is_file())) if folder.is_dir() else ()

    def refresh(self) -> bool:
        signature = self._config_signature()
        if signature == self._signature:
            return False
        from toolkit.config.cache import load_cached

        self.config = load_cached(self.workspace.root, self.workspace.config_cache)
        self._signature = signature
        self.generation += 1
        return True


@dataclass
class OutturnVerdict:
    status: Status  # ACCEPTED, REJECTED or QUARANTINED
    cohorts: list[M.Cohort] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # located, in words
    reason: str = ""


def _read_table(path: Path, name: str, size: int,
                limits: safety.Limits) -> tuple[list[list], Callable] | OutturnVerdict:
    """The rows of the file and how to name a cell of it, or the verdict on a file that cannot be read."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK"):
        inspection = safety.inspect(path, limits)
        if inspection.reason:
            return OutturnVerdict(Status.QUARANTINED, reason=inspection.reason)
        read = read_table_isolated(path, SHEET, limits.read_seconds, limits.read_memory_mib, limits.max_sheet_cells)
        if isinstance(read, ReadFailure):
            return OutturnVerdict(Status.QUARANTINED, reason=read.reason)
        sheet, table = read
        header = outturn_header(table)

        def where(row: int, column: str) -> str:
            k = header.index(column) if column in header else 0
            return f"{name}: sheet '{sheet}' cell {column_letters(k)}{row}"

        return table, where
    if size > limits.max_file_bytes:
        return OutturnVerdict(Status.QUARANTINED, reason=f"the file is {size / 2**20:,.1f} MiB (limit "
                              f"{limits.max_file_bytes / 2**20:,.0f} MiB)")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return OutturnVerdict(Status.QUARANTINED, reason="the file is neither an .xlsx workbook nor UTF-8 text (CSV)")

    def where_csv(row: int, column: str) -> str:
        return f"{name}: row {row}, column {column}"

    return list(csv.reader(io.StringIO(text))), where_csv


def judge_outturn(path: Path, name: str, config: Config, as_of: date | None = None,
                  limits: safety.Limits | None = None) -> OutturnVerdict:
    """Read and check an outturn file. Unreadable files (not CSV or xlsx, too big, a zip bomb, not UTF-8) are
    quarantined; a readable file with problems is rejected, every problem named by row and column (CSV) or sheet
    and cell (xlsx)."""
    size = path.stat().st_size
    if size == 0:
        return OutturnVerdict(Status.QUARANTINED, reason="the file is empty (0 bytes)")
    read = _read_table(path, name, size, limits or safety.Limits.of(config.parameters.inbox))
    if isinstance(read, OutturnVerdict):
        return read
    table, where = read
    cohorts, findings = check_outturn(table, config.industry, config.calendar, as_of, MAX_ROWS)
    if findings:
        return OutturnVerdict(Status.REJECTED, problems=[f"{where(f.row, f.column)}: {f.message}"
                                                         if isinstance(f, RowFinding) else f"{name}: {f.message}"
                                                         for f in findings])
    return OutturnVerdict(Status.ACCEPTED, cohorts)


class OutturnJudge:
    """The judge of ``inbox/outturn/``."""

    def __init__(self, workspace: Workspace, live: LiveConfig):
        self.workspace, self.live = workspace, live

    def warm(self) -> None:
        pass

    def accepts_folder(self, name: str) -> bool:
        return name.upper() == OUTTURN_FOLDER

    def assess(self, path: Path, receipt: Receipt, claimed_group: str | None, isolated: bool) -> Verdict:
        self.live.refresh()
        try:
            verdict = judge_outturn(path, receipt.name, self.live.config, receipt.received_at.date())
        except ToolkitError:
            raise
        except Exception as exc:  # noqa: BLE001 - a fault of ours must not leave the file stuck or lost
            verdict = OutturnVerdict(Status.QUARANTINED, reason=f"the toolkit failed while reading this file "
                                                                f"({type(exc).__name__}: {exc}); the MCC will look")
        return self._verdict(verdict)

    def fault(self, reason: str, claimed_group: str | None = None) -> Verdict:
        return self._verdict(OutturnVerdict(Status.QUARANTINED, reason=reason))

    def _verdict(self, v: OutturnVerdict) -> Verdict:
        folder = (self.workspace.quarantine if v.status == Status.QUARANTINED
                  else self.workspace.workbooks / "outturn" / "received")
        return Verdict(v.status, Kind.OUTTURN, folder, errors=len(v.problems), reason=v.reason,
                       note=v.problems[0] if v.problems else "", detail=v)

    def settle(self, verdict: Verdict, receipt: Receipt) -> Answer:
        """Store an accepted file's cohorts; answer with a report."""
        v: OutturnVerdict = verdict.detail
        if v.status == Status.ACCEPTED:
            Ledger(self.workspace.ledger).store_outturn(v.cohorts, receipt.row_id)
        lines = [f"Outturn file {receipt.name}, received {stamp(receipt.received_at)}: {v.status.upper()}"]
        if v.status == Status.ACCEPTED:
            first = min((c.initiated for c in v.cohorts), default=None)
            last = max((c.initiated for c in v.cohorts), default=None)
            lines.append(f"{len(v.cohorts):,} cohorts stored, initiated {first} to {last}; "
                         f"{sum(c.initiations for c in v.cohorts):,} initiations, "
                         f"{sum(c.completions or 0 for c in v.cohorts):,} completions reported.")
        elif v.reason:
            lines.append(v.reason)
        else:
            lines.append(f"{len(v.problems):,} problems; nothing from this file was stored. Correct them and "
                         "send the whole file again:")
            lines += [f"- {p}" for p in v.problems]
        report = self.workspace.outbox / Kind.OUTTURN.value / (f"{receipt.tag}_{v.status}_"
                                                              f"{safe_stem(receipt.name)}.txt")
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return Answer([report], feedback=report)
