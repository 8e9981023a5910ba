"""The MCC's signing key for templates and request forms: ``MCC_SIGNING_KEY`` if set, else ``config/signing.key``.
It is never written into a file that leaves the MCC.

Only ``create_key`` makes a key (``mcc init``, ``mcc key new``, and the demo on its own workspace); reading one
(``signing_key``: judging a return, issuing a template) never does. A judge with a key of its own would call every
genuine return altered, so a machine without the key stops and says where the key must come from: the machine that
issued the templates (``mcc key import FILE``, or ``MCC_SIGNING_KEY`` set to the same text).

A key is text: at least 32 random bytes written as 64 hex digits (what ``create_key`` writes) or as base64. The
HMAC is keyed with the text's bytes as they are written, so keys made before this check still verify the templates
they signed. Shorter keys, or keys of one repeated pattern, are refused: a short key can be recovered offline from a
single issued template.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import WorkspaceError

KEY_ENV = "MCC_SIGNING_KEY"
KEY_FILE = "signing.key"
MIN_KEY_BYTES = 32  # 256 bits, the size of the HMAC-SHA256 output
MIN_DISTINCT_BYTES = 16  # 32 random bytes nearly always hold 25 or more distinct values; "00..." or "abab..." do not
HEX = re.compile(r"^[0-9A-Fa-f]+$")


class MissingKey(WorkspaceError):
    """No signing key on this machine: it must come from the machine that issued the templates."""


class WeakKey(WorkspaceError):
    """A signing key with too little randomness to keep templates from being forged."""


@dataclass(frozen=True)
class KeyInfo:
    """Where the key in use comes from, and a fingerprint to compare between machines (never the key itself)."""

    source: str  # "MCC_SIGNING_KEY" or the key file's path
    fingerprint: str
    shared_with_others: bool = False  # the key file can be read by other users of the machine


def key_material(text: str) -> bytes | None:
    """The random bytes a key's text stands for (hex, else base64), or None when it is neither."""
    if HEX.match(text) and len(text) % 2 == 0:
        return bytes.fromhex(text)
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_" if "-" in text or "_" in text else None,
                                validate=True)
    except (binascii.Error, ValueError):
        return None


def key_problem(text: str) -> str | None:
    """Why ``text`` is not a strong enough key, or None."""
    material = key_material(text)
    if material is None:
        return f"it is neither hex nor base64 ({len(text)} characters)"
    if len(material) < MIN_KEY_BYTES:
        return f"it holds {len(material)} bytes; a key needs at least {MIN_KEY_BYTES} random bytes (64 hex digits)"
    if len(set(material)) < MIN_DISTINCT_BYTES:
        return "it repeats a few byte values: it is not random"
    return None


def _checked(text: str, where: str) -> bytes:
    problem = key_problem(text)
    if problem:
        raise WeakKey(f"the signing key in {where} is refused: {problem}. Make a strong one with `mcc key new` (on "
                      "the machine that issues templates; every template issued with the old key must then be "
                      "issued again)")
    return text.encode("ascii" if text.isascii() else "utf-8")


def signing_key(config_dir: Path) -> bytes:
    """The key, from ``MCC_SIGNING_KEY`` or ``config/signing.key``; never made here (``MissingKey``)."""
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return _checked(env, KEY_ENV)
    path = config_dir / KEY_FILE
    if not path.is_file():
        raise MissingKey(
            f"no signing key on this machine: {path} does not exist and {KEY_ENV} is not set. The key must be the "
            "one the MCC's templates were issued with, or every genuine return would be rejected: copy "
            f"config/{KEY_FILE} from the machine that issued them (`mcc key import FILE`), or set {KEY_ENV} to its "
            "contents. Only a workspace that has never issued templates makes a new one (`mcc key new`).")
    try:
        text = path.read_text(encoding="ascii").strip()
    except (UnicodeDecodeError, OSError) as exc:
        raise WeakKey(f"{path} cannot be read as a key ({exc})") from None
    return _checked(text, str(path))


def key_info(config_dir: Path) -> KeyInfo:
    key = signing_key(config_dir)
    fingerprint = hashlib.sha256(b"mcc-signing-key-fingerprint:" + key).hexdigest()[:16]
    fingerprint = " ".join(fingerprint[k:k + 4] for k in range(0, 16, 4))
    if os.environ.get(KEY_ENV, "").strip():
        return KeyInfo(KEY_ENV, fingerprint)
    path = config_dir / KEY_FILE
    return KeyInfo(str(path), fingerprint, bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)))


def _write_new(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # readable by its owner only
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return path


def create_key(config_dir: Path, exist_ok: bool = False) -> Path | None:
    """Make a new random key in ``config/signing.key``. An existing key is never replaced: ``exist_ok`` returns None
    then (and when ``MCC_SIGNING_KEY`` provides the key), else ``WorkspaceError``."""
    path = config_dir / KEY_FILE
    if path.exists() or os.environ.get(KEY_ENV, "").strip():
        if exist_ok:
            return None
        where = path if path.exists() else KEY_ENV
        raise WorkspaceError(f"a signing key already exists ({where}); it is never replaced, since every template "
                             f"issued with it would be rejected. To start again, move {path} away first")
    return _write_new(path, secrets.token_hex(MIN_KEY_BYTES))


def import_key(config_dir: Path, source: Path) -> Path:
    """Copy the key file of the machine that issued the templates (a second machine judging its returns)."""
    path = config_dir / KEY_FILE
    if path.exists():
        raise WorkspaceError(f"{path} already exists; move it away first if it is not the key of the machine that "
                             "issued the templates")
    try:
        text = source.read_text(encoding="ascii").strip()
    except (UnicodeDecodeError, OSError) as exc:
        raise WorkspaceError(f"{source} cannot be read as a key ({exc})") from None
    _checked(text, str(source))
    return _write_new(path, text)
