"""The original bytes of every file that reached the inbox, kept under their SHA-256 (the same bytes are kept
once), with a safe extension: nothing the sender named reaches the file system. Files are copied in blocks, never
read whole; a file refused for its size keeps its first block only (``keep_head``)."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

BLOCK = 2**20
HEAD_BYTES = 2**20  # what is kept of a file refused for its size: enough to see what it was


def safe_extension(name: str) -> str:
    ext = Path(name.replace("\\", "/")).suffix.lower()
    return ext if re.fullmatch(r"\.[a-z0-9]{1,5}", ext) else ".bin"


def keep(data: bytes, sha: str, name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha}{safe_extension(name)}"
    if not path.is_file():
        part = path.with_name(path.name + ".part")
        part.write_bytes(data)
        part.replace(path)
    return path


def keep_file(source: Path, sha: str, name: str, folder: Path) -> Path:
    """Keep a copy of ``source`` (already hashed to ``sha``) in ``folder``, copied in blocks."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha}{safe_extension(name)}"
    if not path.is_file():
        part = path.with_name(path.name + ".part")
        with source.open("rb") as src, part.open("wb") as dst:
            shutil.copyfileobj(src, dst, BLOCK)
        part.replace(path)
    return path


def keep_head(source: Path, name: str, folder: Path) -> Path:
    """Keep the first ``HEAD_BYTES`` of a file too large to keep whole, under the hash of what is kept."""
    with source.open("rb") as src:
        head = src.read(HEAD_BYTES)
    return keep(head, hashlib.sha256(head).hexdigest() + ".head", name, folder)


def hash_file(handle, limit: int | None = None) -> tuple[str, int]:
    """SHA-256 of an open binary file read in blocks, and the bytes read; at most ``limit`` bytes."""
    digest, total = hashlib.sha256(), 0
    while limit is None or total < limit:
        block = handle.read(BLOCK if limit is None else min(BLOCK, limit - total))
        if not block:
            break
        digest.update(block)
        total += len(block)
    return digest.hexdigest(), total


def safe_stem(name: str) -> str:
    """An output-safe version of a supplier's file name: ASCII letters, digits, dot, dash and underscore only,
    no path parts."""
    stem = Path(name.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "file"
    return stem[:60]
