"""The original bytes of every file that reached the inbox, kept under their SHA-256 (the same bytes are kept
once), with a safe extension: nothing the sender named reaches the file system."""

from __future__ import annotations

import re
from pathlib import Path


def keep(data: bytes, sha: str, name: str, folder: Path) -> Path:
    ext = Path(name).suffix.lower()
    ext = ext if re.fullmatch(r"\.[a-z0-9]{1,5}", ext) else ".bin"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha}{ext}"
    if not path.is_file():
        part = path.with_name(path.name + ".part")
        part.write_bytes(data)
        part.replace(path)
    return path


def safe_stem(name: str) -> str:
    """An output-safe version of a supplier's file name: ASCII letters, digits, dot, dash and underscore only,
    no path parts."""
    stem = Path(name.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "file"
    return stem[:60]
