"""A copy of the loaded configuration, so that a command that only asks questions of it (``mcc status``, ``mcc
validate``, every click of the Excel control workbook) does not parse and cross-check ``config/`` again (start-up,
issue 20: that took 0.2-0.6 s and most of the imports).

The copy is a pickle at the path the caller gives (the workspace's ``workbooks/.cache/config.pickle``, an output
folder git ignores). It is used only when its key is the key worked out now, from:
- the bytes of every file in ``config/`` (a BLAKE2 digest each; ``signing.key`` is never read here), so an edit, a
  file added or removed, or a file copied in with an old modification time is seen;
- the workspace's resolved path (the configuration names its root);
- the toolkit's version, the Python version, the size and modification time of every module of ``toolkit/domain``,
  ``toolkit/config`` and ``toolkit/errors.py`` (the classes pickled and the code that built them), and of the
  holidays and pydantic packages (the bank holidays, the pickled models): never trusted across versions.

Anything else (no copy, another key, an unreadable or corrupt file, a class that moved) loads ``config/`` again and
writes a new copy: to a temporary file first, then ``os.replace``, so two processes writing at once leave one whole
copy, never a torn one. A configuration with problems is never written (``load_config`` raises). A copy that cannot
be written (read-only workspace, full disk) is skipped silently: the cache saves time, it is never needed.

The copy is as trusted as ``config/`` itself: only the toolkit writes ``workbooks/.cache/``, and nothing a sender
returns is ever stored there (returns land in ``inbox/`` and the archive).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

import toolkit

if TYPE_CHECKING:
    from toolkit.config.model import Config

FORMAT = 1  # the layout of the cached file: (FORMAT, key, config)
SECRET = "signing.key"  # in config/, never read to make a key
_CODE = ("domain", "config")  # the toolkit's sub-packages whose classes and code make the configuration
_PACKAGES = ("holidays", "pydantic", "pydantic_core")


def config_key(root: Path) -> str:
    """The key of the configuration of the workspace at ``root`` as it is now, with the code that loads it."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{FORMAT}\0{toolkit.__version__}\0{sys.version}\0{Path(root).resolve()}\0".encode())
    cfg = Path(root) / "config"
    for entry in sorted(os.scandir(cfg), key=lambda e: e.name) if cfg.is_dir() else ():
        if entry.name != SECRET and entry.is_file():
            h.update(f"{entry.name}\0".encode())
            h.update(hashlib.blake2b(Path(entry.path).read_bytes(), digest_size=20).digest())
    for stat in _code_stats():
        h.update(f"{stat}\0".encode())
    return h.hexdigest()


def _code_stats() -> list[tuple[str, int, int]]:
    """(path, size, modification time) of every module that makes or defines the cached value."""
    base = Path(toolkit.__file__).parent
    files = [base / "errors.py", base / "__init__.py"]
    for sub in _CODE:
        files += sorted((base / sub).rglob("*.py"))
    for name in _PACKAGES:
        spec = find_spec(name)
        if spec is not None and spec.origin:
            files.append(Path(spec.origin))
            files += sorted(Path(spec.origin).parent.glob("*version*.py"))
    out = []
    for f in files:
        st = f.stat()
        out.append((str(f), st.st_size, st.st_mtime_ns))
    return out


def read_cached(path: Path, key: str) -> Config | None:
    """The cached configuration when ``path`` holds one under ``key``; else None (missing, stale, unreadable)."""
    try:
        with open(path, "rb") as f:
            found = pickle.load(f)
    except Exception:  # noqa: BLE001 - a missing, torn or foreign file, a class that moved: load config/ instead
        return None
    if not (isinstance(found, tuple) and len(found) == 3 and found[0] == FORMAT and found[1] == key):
        return None
    return found[2]


def write_cached(path: Path, key: str, config: Config) -> None:
    """Write the copy whole or not at all (temporary file, then ``os.replace``); a failure is skipped."""
    tmp = None
    try:
        path.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            pickle.dump((FORMAT, key, config), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def load_cached(root: Path, cache: Path) -> Config:
    """The configuration of the workspace at ``root``: the copy at ``cache`` when it is current, else loaded from
    ``config/`` (raising ConfigError for its problems) and kept at ``cache`` for the next command."""
    key = config_key(root)
    found = read_cached(cache, key)
    if found is not None:
        return found
    from toolkit.config.loader import load_config

    config = load_config(root)
    write_cached(cache, key, config)
    return config
