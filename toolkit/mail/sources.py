"""Where the MCC's mail is read from (issue 21): a Maildir folder (``new/``, ``cur/``, ``tmp/``: what a mail
server's local delivery or a forwarding rule writes) or an IMAP mailbox over TLS (``imaplib``). Both offer the
same few steps: the messages waiting (oldest first), a message's size, its headers, its bytes, and moving it out
of the way once it is accounted for (to the processed folder, or the quarantine folder). A message is never
deleted: it is moved only after the ledger has recorded everything it brought."""

from __future__ import annotations

import imaplib
import os
import re
import ssl
from pathlib import Path

from toolkit.domain.parameters import Mailbox
from toolkit.errors import ToolkitError

HEAD_BYTES = 64 * 1024


class MailboxError(ToolkitError):
    """The mailbox cannot be read (no such folder, the server unreachable, the login refused)."""


class MaildirSource:
    """A Maildir folder; processed messages go to its Maildir++ subfolders ``.Processed`` and ``.Quarantine``
    (renamed, same file system: a crash leaves a message in one place or the other, never lost or copied)."""

    def __init__(self, root: Path, settings: Mailbox):
        self.root, self.settings = root, settings
        for sub in ("new", "cur", "tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    def waiting(self) -> list[str]:
        found = []
        for sub in ("new", "cur"):
            with os.scandir(self.root / sub) as it:
                found += [(e.stat(follow_symlinks=False).st_mtime, f"{sub}/{e.name}") for e in it
                          if not e.name.startswith(".") and e.is_file(follow_symlinks=False)]
        return [k for _, k in sorted(found)]

    def _path(self, key: str) -> Path:
        return self.root / key

    def size(self, key: str) -> int:
        return self._path(key).lstat().st_size

    def head(self, key: str) -> bytes:
        with open(self._path(key), "rb") as handle:
            return handle.read(HEAD_BYTES)

    def fetch(self, key: str) -> bytes:
        fd = os.open(self._path(key), os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as handle:
            return handle.read()

    def done(self, key: str, quarantine: bool = False) -> None:
        folder = self.root / f".{self.settings.quarantine_folder if quarantine else self.settings.processed_folder}"
        for sub in ("new", "cur", "tmp"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        name = key.split("/", 1)[1]
        base = name.split(":2,", 1)[0]
        target, n = folder / "cur" / f"{base}:2,S", 1
        while target.exists():  # two messages saved under one name: neither overwrites the other
            target, n = folder / "cur" / f"{base}.{n}:2,S", n + 1
        os.rename(self._path(key), target)

    def close(self) -> None:
        pass


class ImapSource:
    """An IMAP mailbox over TLS (port 993), logged in with the password from ``[mailbox] password_env``. Messages
    are read with ``BODY.PEEK[]`` (not marked seen), and moved by UID (``MOVE``, or ``COPY`` then ``\\Deleted``
    and expunge) only once accounted for."""

    def __init__(self, settings: Mailbox, password: str | None):
        if not settings.host:
            raise MailboxError("no IMAP server: set [mailbox] host in config/parameters.toml")
        if not settings.user or not password:
            raise MailboxError(f"the IMAP login needs [mailbox] user and the password in the environment variable "
                               f"{settings.password_env}")
        self.settings = settings
        context = ssl.create_default_context(cafile=settings.ca_file or None)
        try:
            self.conn = imaplib.IMAP4_SSL(settings.host, settings.port, ssl_context=context,
                                          timeout=settings.timeout_seconds)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"the IMAP server {settings.host}:{settings.port} cannot be reached over TLS "
                               f"({type(exc).__name__}: {exc})") from None
        try:
            self.conn.login(settings.user, password)
        except imaplib.IMAP4.error as exc:
            self.conn.logout()
            raise MailboxError(f"the IMAP server {settings.host} refused the login of {settings.user!r}: "
                               f"{exc}") from None
        # the capabilities after the login (imaplib keeps those of the greeting, before it: no MOVE for Dovecot)
        typ, data = self.conn.capability()
        self.caps = set(data[0].decode("ascii", "replace").upper().split()) if typ == "OK" and data else set()
        for folder in (settings.processed_folder, settings.quarantine_folder):
            self.conn.create(self._quote(folder))  # "already exists" is fine
        typ, data = self.conn.select(self._quote(settings.folder))
        if typ != "OK":
            raise MailboxError(f"the IMAP folder {settings.folder!r} cannot be opened: {data}")

    @staticmethod
    def _quote(folder: str) -> str:
        return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def _ok(self, typ: str, data, what: str):
        if typ != "OK":
            raise MailboxError(f"the IMAP server refused {what}: {data}")
        return data

    def waiting(self) -> list[str]:
        data = self._ok(*self.conn.uid("SEARCH", None, "UNDELETED"), "the search")
        return [u.decode() for u in (data[0] or b"").split()]

    def _fetch(self, key: str, what: str) -> list:
        return self._ok(*self.conn.uid("FETCH", key, what), f"fetching message {key}")

    def size(self, key: str) -> int:
        for item in self._fetch(key, "(RFC822.SIZE)"):
            found = re.search(rb"RFC822\.SIZE (\d+)", item if isinstance(item, bytes) else item[0])
            if found:
                return int(found.group(1))
        raise MailboxError(f"the IMAP server gave no size for message {key}")

    def _body(self, key: str, what: str) -> bytes:
        for item in self._fetch(key, what):
            if isinstance(item, tuple):
                return item[1]
        raise MailboxError(f"the IMAP server gave no content for message {key}")

    def head(self, key: str) -> bytes:
        return self._body(key, "(BODY.PEEK[HEADER])")

    def fetch(self, key: str) -> bytes:
        return self._body(key, "(BODY.PEEK[])")

    def done(self, key: str, quarantine: bool = False) -> None:
        folder = self._quote(self.settings.quarantine_folder if quarantine else self.settings.processed_folder)
        if "MOVE" in self.caps:
            self._ok(*self.conn.uid("MOVE", key, folder), f"moving message {key}")
            return
        self._ok(*self.conn.uid("COPY", key, folder), f"copying message {key}")
        self._ok(*self.conn.uid("STORE", key, "+FLAGS", "(\\Deleted)"), f"flagging message {key}")
        if "UIDPLUS" in self.caps:  # this message only: never one a user of the shared folder had flagged deleted
            self._ok(*self.conn.uid("EXPUNGE", key), "the expunge")
        else:
            self._ok(*self.conn.expunge(), "the expunge")

    def close(self) -> None:
        try:
            self.conn.close()
            self.conn.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def open_source(settings: Mailbox, workspace_root: Path, password: str | None):
    if settings.source == "imap":
        return ImapSource(settings, password)
    root = Path(settings.maildir)
    return MaildirSource(root if root.is_absolute() else workspace_root / root, settings)
