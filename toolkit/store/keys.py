"""The MCC's signing key for templates and request forms: ``MCC_SIGNING_KEY`` if set, else ``config/signing.key``,
created with a random key (readable by its owner only) the first time one is needed. It is never written into a
file that leaves the MCC."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from toolkit.errors import WorkspaceError

KEY_ENV = "MCC_SIGNING_KEY"
KEY_FILE = "signing.key"


def signing_key(config_dir: Path) -> bytes:
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return env.encode("utf-8")
    path = config_dir / KEY_FILE
    if not path.is_file():
        config_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 16:
        raise WorkspaceError(f"{path} holds a key shorter than 16 characters; delete it to have a new one made")
    return key.encode("ascii")
