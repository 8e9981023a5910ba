"""The original bytes of every file that reached the inbox, kept under their SHA-256 (the same bytes are kept
once), with a safe extension: nothing the sender named reaches the file system. Files are copied in blocks, never
read whole; a file refused for its size keeps its first block only (``keep_head``)."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
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


class Replaced(Exception):  # noqa: N818 - the file's state, not an error of the toolkit
    """The file is no longer the one that was hashed (replaced, or swapped for a link, while it was judged)."""


def keep_file(source: Path, sha: str, name: str, folder: Path) -> Path:
    """Keep a copy of ``source`` (already hashed to ``sha``) in ``folder``, copied in blocks through one handle
    opened without following a link, and hashed again as it is copied: ``Replaced`` (nothing kept) when the bytes
    are not those hashed, so a file swapped for a link after it was hashed never has its target copied."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha}{safe_extension(name)}"
    if path.is_file():
        return path
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOENT, errno.ENXIO):
            raise Replaced(f"{source.name} is no longer the file received") from exc
        raise
    part = path.with_name(path.name + ".part")
    with os.fdopen(fd, "rb") as src:
        st = os.fstat(src.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
            raise Replaced(f"{source.name} is no longer the file received")
        digest = hashlib.sha256()
        with part.open("wb") as dst:
            while block := src.read(BLOCK):
                digest.update(block)
                dst.write(block)
    if digest.hexdigest() != sha:
        part.unlink(missing_ok=True)
        raise Replaced(f"{source.name} changed after it was received")
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
