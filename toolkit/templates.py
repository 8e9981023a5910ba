"""Issue supplier templates: one workbook per group and cycle, versioned, recorded in the cycle's register.

Files go to ``workbooks/<cycle>/templates/`` named ``MCC-plan_<cycle>_<group>_v<NN>.xlsx``. Re-issuing a group's
template for the same cycle writes the next version; earlier versions stay on disk and in the register
(``register.csv``), and the inbox treats every version but the latest as superseded.
"""

from __future__ import annotations

import csv
import hashlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from toolkit.config import Config
from toolkit.domain.envelopes import Envelopes
from toolkit.domain.sprints import Sprint
from toolkit.domain.template import template_content
from toolkit.errors import UsageError
from toolkit.excel import contract as C
from toolkit.workspace import Workspace

REGISTER = "register.csv"
REGISTER_COLUMNS = ("template_id", "group", "cycle", "version", "issued_at", "envelope_digest", "file", "sha256")


@dataclass(frozen=True)
class IssuedTemplate:
    template_id: str
    group: str
    cycle: str
    version: int
    issued_at: str
    envelope_digest: str
    file: str  # name inside the templates folder
    sha256: str


def templates_dir(workspace: Workspace, cycle: str) -> Path:
    return workspace.cycle_dir(cycle) / "templates"


_REGISTERS: dict[Path, tuple[tuple[int, int], list[IssuedTemplate]]] = {}


def read_register_in(folder: Path) -> list[IssuedTemplate]:
    """The register of a folder; read again only when the file changed (the inbox asks for it for every file)."""
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
        rows = [IssuedTemplate(**{**row, "version": int(row["version"])}) for row in csv.DictReader(handle)]
    _REGISTERS[path] = (signature, rows)
    return list(rows)


def latest_in(folder: Path) -> dict[str, IssuedTemplate]:
    """The latest issued workbook of every group recorded in ``folder``'s register."""
    out: dict[str, IssuedTemplate] = {}
    for t in read_register_in(folder):
        if t.group not in out or t.version > out[t.group].version:
            out[t.group] = t
    return out


def read_register(workspace: Workspace, cycle: str) -> list[IssuedTemplate]:
    return read_register_in(templates_dir(workspace, cycle))


def current_templates(workspace: Workspace, cycle: str) -> dict[str, IssuedTemplate]:
    """The latest issued template of every group for the cycle."""
    return latest_in(templates_dir(workspace, cycle))


def _append_register(workspace: Workspace, cycle: str, rows: list[IssuedTemplate]) -> None:
    append_register_in(templates_dir(workspace, cycle), rows)


def append_register_in(folder: Path, rows: list[IssuedTemplate]) -> None:
    path = folder / REGISTER
    new = not path.is_file()
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REGISTER_COLUMNS, lineterminator="\n")
        if new:
            writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))


# State of a pool of writers: set before the pool forks, read in the children.
_JOB: dict = {}


def _write_one(group: str, version: int) -> IssuedTemplate:
    from toolkit.excel.writers.template import TemplateMeta, write_template

    config, env, sprint, folder, issued_at, key = (_JOB[k] for k in ("config", "env", "sprint", "folder",
                                                                     "issued_at", "key"))
    content = template_content(config.industry, config.calendar, config.parameters, env, group, sprint)
    name = C.template_file_name(sprint.cycle, group, version)
    tid = C.template_id(sprint.cycle, group, version)
    part = folder / (name + ".part")
    meta = write_template(part, content, config.parameters, TemplateMeta(tid, version, issued_at), key)
    digest = hashlib.sha256(part.read_bytes()).hexdigest()
    part.replace(folder / name)
    return IssuedTemplate(tid, group, sprint.cycle, version, issued_at, meta["envelope_digest"], name, digest)


def issue_templates(workspace: Workspace, config: Config, env: Envelopes, sprint: Sprint, issued_at: datetime,
                    groups: list[str] | None = None, workers: int | None = None,
                    progress: Callable[[IssuedTemplate], None] | None = None) -> list[IssuedTemplate]:
    """Write the templates of ``groups`` (default: every group) for the sprint and record them."""
    known = [g.mpid for g in config.industry.groups]
    wanted = known if not groups else [g.upper() for g in groups]
    unknown = [g for g in wanted if g not in known]
    if unknown:
        raise UsageError(f"no supplier group {', '.join(unknown)} in config/suppliers.csv")
    folder = templates_dir(workspace, sprint.cycle)
    folder.mkdir(parents=True, exist_ok=True)
    latest = {g: t.version for g, t in current_templates(workspace, sprint.cycle).items()}
    for path in folder.glob(f"MCC-plan_{sprint.cycle}_*_v*.xlsx"):  # files issued but never registered
        parts = path.stem.split("_")
        if len(parts) == 4 and parts[3][1:].isdigit():
            latest[parts[2]] = max(latest.get(parts[2], 0), int(parts[3][1:]))
    jobs = [(g, latest.get(g, 0) + 1) for g in wanted]
    _JOB.update(config=config, env=env, sprint=sprint, folder=folder, key=C.signing_key(workspace.config),
                issued_at=issued_at.isoformat(timespec="seconds"))
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    issued: list[IssuedTemplate] = []
    try:
        if workers > 1 and len(jobs) >= 8 and "fork" in multiprocessing.get_all_start_methods():
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                for t in pool.map(_write_one, *zip(*jobs, strict=True), chunksize=2):
                    issued.append(t)
                    if progress:
                        progress(t)
        else:
            for g, v in jobs:
                issued.append(_write_one(g, v))
                if progress:
                    progress(issued[-1])
    finally:
        _JOB.clear()
        if issued:
            _append_register(workspace, sprint.cycle, issued)
    return issued
