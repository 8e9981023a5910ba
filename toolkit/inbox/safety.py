"""Look at a file's bytes before any parser does: what it is, and whether it is safe to open.

Nothing here parses a workbook: the checks read the first bytes and the zip directory only, so a zip bomb or a
hostile file is refused before calamine or an XML parser sees it (shared/design/EXCEL.md: neither limits
uncompressed size).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from toolkit.domain.parameters import Intake

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File Binary: legacy .xls, or an encrypted .xlsx
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


@dataclass(frozen=True)
class Limits:
    """What the inbox reads, and how: sizes looked at before any parser runs, and the limits of the process that
    reads (``[inbox]`` in ``config/parameters.toml``)."""

    max_file_bytes: int = 50 * 2**20
    max_uncompressed_bytes: int = 200 * 2**20
    max_entries: int = 2_000
    max_ratio: float = 200.0  # uncompressed / compressed, for entries over 1 MiB uncompressed
    max_sheet_cells: int = 2_000_000
    read_seconds: float = 60.0
    read_memory_mib: int = 1024

    @classmethod
    def of(cls, settings: Intake) -> Limits:
        return cls(max_file_bytes=int(settings.max_file_mib * 2**20),
                   max_uncompressed_bytes=int(settings.max_unpacked_mib * 2**20),
                   max_sheet_cells=settings.max_sheet_cells, read_seconds=settings.read_seconds,
                   read_memory_mib=settings.read_memory_mib)


@dataclass(frozen=True)
class Inspection:
    """``reason`` is None when the file may be opened; ``macro_enabled`` for .xlsm-style packages."""

    reason: str | None
    macro_enabled: bool = False


SYSTEM_FILES = {".ds_store", "thumbs.db", "desktop.ini"}


def ignored_name(name: str) -> bool:
    """Excel and LibreOffice lock files, temporary and partial files, and the files operating systems leave in
    folders are never processed; every other file is (a name like ``..\\evil.xlsx`` included)."""
    lower = name.lower()
    return (name.startswith(("~$", ".~lock", "._")) or lower.endswith((".tmp", ".part", ".crdownload"))
            or lower in SYSTEM_FILES or name.endswith("#"))


def inspect(path: Path, limits: Limits = Limits()) -> Inspection:
    size = path.stat().st_size
    if size == 0:
        return Inspection("the file is empty (0 bytes)")
    if size > limits.max_file_bytes:
        return Inspection(f"the file is {size / 2**20:,.1f} MiB; templates are far smaller (limit "
                          f"{limits.max_file_bytes / 2**20:,.0f} MiB)")
    with path.open("rb") as handle:
        head = handle.read(8)
        if head == OLE:
            handle.seek(0)
            blob = handle.read(min(size, 4 * 2**20))
            if ENCRYPTION_INFO in blob:
                return Inspection("the workbook is password-protected (encrypted); the MCC cannot read it. Remove "
                                  "the password (File > Info > Protect Workbook) and send it again")
            return Inspection("this is a legacy Excel 97-2003 (.xls) file; return the .xlsx template as issued")
    if head.startswith(b"%PDF"):
        return Inspection("this is a PDF, not a workbook; return the .xlsx template")
    if not head.startswith(b"PK"):
        kind = "text (a CSV or a renamed file?)" if _looks_like_text(path) else "not a workbook"
        return Inspection(f"this file is {kind}; return the .xlsx template")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > limits.max_entries:
                return Inspection(f"the package holds {len(infos):,} parts (limit {limits.max_entries:,})")
            total = sum(i.file_size for i in infos)
            if total > limits.max_uncompressed_bytes:
                return Inspection(f"the package would expand to {total / 2**20:,.0f} MiB (limit "
                                  f"{limits.max_uncompressed_bytes / 2**20:,.0f} MiB): refused as a possible zip bomb")
            for i in infos:
                if i.file_size > 2**20 and i.file_size > limits.max_ratio * max(i.compress_size, 1):
                    return Inspection(f"part {i.filename} is compressed {i.file_size / max(i.compress_size, 1):,.0f} "
                                      "times: refused as a possible zip bomb")
                if i.flag_bits & 0x1:
                    return Inspection("the package is encrypted; remove the password and send it again")
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                return Inspection("this zip file is not an Excel workbook")
            bad = z.testzip()
            if bad is not None:
                return Inspection(f"the file is corrupt (part {bad} fails its checksum)")
            types = z.read("[Content_Types].xml")
            macro = b"macroEnabled" in types or "xl/vbaProject.bin" in names
    except zipfile.BadZipFile as exc:
        return Inspection(f"the file is corrupt or incomplete ({exc})")
    except (OSError, EOFError, zipfile.LargeZipFile, NotImplementedError) as exc:
        return Inspection(f"the file cannot be unpacked ({type(exc).__name__}: {exc})")
    return Inspection(None, macro_enabled=macro)


def zip_complete(path: Path) -> bool:
    """Whether the file opens as a zip with a content-types part (the watcher's readiness test)."""
    try:
        with zipfile.ZipFile(path) as z:
            return "[Content_Types].xml" in z.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        return False


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as handle:
        chunk = handle.read(4096)
    if b"\x00" in chunk:
        return False
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
