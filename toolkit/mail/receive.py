"""Read one email of the MCC's mailbox (issue 21): who sent it, whether it was sent by a machine (an auto-reply, a
bounce: never answered), whether its sender is in doubt (a From another envelope sender or Reply-To contradicts),
and its attachments, zip attachments opened with the limits of the inbox (size, entries, ratio, names; nothing is
ever written under a name from the zip). Pure apart from the bytes handed in: the standard library's ``email``
parser, no file I/O.

A name a sender chose is never used as a path or a header: it is kept as readable text (``display_name``) and only
its extension decides what the attachment is.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime

from toolkit.domain.text import display_name

WORKBOOK = (".xlsx", ".xlsm")
OUTTURN = (".csv",)
ZIP = (".zip",)
# defects of the MIME structure that mean the attachments cannot be told apart (the message is malformed)
STRUCTURAL = ("StartBoundaryNotFoundDefect", "MultipartInvariantViolationDefect", "NoBoundaryInMultipartDefect",
              "CloseBoundaryNotFoundDefect", "MissingHeaderBodySeparatorDefect")
UNDECODABLE = ("InvalidBase64CharactersDefect", "InvalidBase64PaddingDefect", "InvalidBase64LengthDefect")


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 2_000
    max_unpacked_bytes: int = 200 * 2**20
    max_ratio: float = 200.0
    max_file_bytes: int = 50 * 2**20


@dataclass(frozen=True)
class Attachment:
    """One file to take in: its name as sent (readable; ``zip.zip/plan.xlsx`` for a zip entry), its bytes and
    what it is (``workbook`` or ``outturn``)."""

    name: str
    data: bytes
    kind: str


@dataclass
class Letter:
    """What was read from one message."""

    key: str  # its Message-ID, or one made from its bytes
    sha256: str
    sender: str  # the From address, lower case ("" if none)
    subject: str  # readable
    received: datetime | None
    automatic: str = ""  # why it was sent by a machine (never answered)
    doubt: str = ""  # why its sender is in doubt (quarantined)
    malformed: str = ""  # why its MIME structure cannot be trusted (quarantined)
    attachments: list[Attachment] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # other attachments, recorded and ignored
    refused: list[str] = field(default_factory=list)  # attachments refused, with the reason
    unpacked: int = 0  # bytes unpacked from its zips so far (one budget for the whole message)

    @property
    def message_id(self) -> str:
        """Its Message-ID (the ledger key without the digest added where another message had taken the id)."""
        return self.key.split(" sha256:")[0]


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # noqa: BLE001 - a header the parser cannot make sense of counts as absent
        return ""
    return "" if value is None else str(value)


def _address(value: str) -> str:
    found = [a for _, a in getaddresses([value]) if a]
    return found[0].strip().lower() if len(found) == 1 else ""


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def _related(a: str, b: str) -> bool:
    """The same domain, or one a subdomain of the other (bounces.example.com for example.com)."""
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def automatic(msg: EmailMessage) -> str:
    """Why the message was sent by a machine ("" if by a person): RFC 3834 Auto-Submitted, Precedence
    bulk/junk/list/auto_reply, a null return path (a bounce), a delivery report (multipart/report), the usual
    auto-responder headers, or a mailer daemon's From."""
    auto = _header(msg, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {display_name(auto)}"
    precedence = _header(msg, "Precedence").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    if "Return-Path" in msg and _header(msg, "Return-Path").strip() in ("<>", ""):
        return "a null return path (a bounce or a delivery notice)"
    if msg.get_content_type() == "multipart/report":
        return "a delivery or read report (multipart/report)"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        if name in msg and (name != "X-Auto-Response-Suppress" or "all" in _header(msg, name).lower()):
            return f"{name} header (an automatic reply)"
    local = _address(_header(msg, "From")).partition("@")[0]
    if local in ("mailer-daemon", "postmaster"):
        return f"sent by {local} (a delivery notice)"
    return ""


def doubt(msg: EmailMessage, sender: str, known: callable, envelope_check: bool = True) -> str:
    """Why the sender is in doubt: no single From address; an envelope sender (Return-Path) of another domain; a
    Reply-To not the sender's nor another address the group knows (``known``); a failed DMARC check recorded by
    the receiving server."""
    if not sender:
        return "the message has no single sender address (From)"
    if len(msg.get_all("From") or []) > 1:
        return "the message has two From headers: which sent it cannot be told"
    envelope = _address(_header(msg, "Return-Path")) if envelope_check else ""
    if envelope and not _related(_domain(envelope), _domain(sender)):
        return (f"its From ({display_name(sender)}) and its envelope sender ({display_name(envelope)}) are of "
                "different domains: the From may be forged")
    for _, reply in getaddresses([_header(msg, "Reply-To")]):
        if reply and reply.lower() != sender and not known(reply.lower()):
            return (f"its Reply-To ({display_name(reply.lower())}) is not the sender ({display_name(sender)}) nor "
                    "a contact of its group: answers would go elsewhere")
    results = " ".join(str(v) for v in (msg.get_all("Authentication-Results") or [])).lower()
    if "dmarc=fail" in results:
        return "the receiving server recorded a failed DMARC check: the From may be forged"
    return ""


def parse(raw: bytes, known: callable = lambda address: False, limits: ZipLimits = ZipLimits(),
          max_attachments: int = 20, envelope_check: bool = True) -> Letter:
    """Read a message; ``known(address)``: whether an address is a contact of some group (for Reply-To)."""
    sha = hashlib.sha256(raw).hexdigest()
    msg = message_from_bytes(raw, policy=policy.default)
    mid = " ".join(_header(msg, "Message-ID").split())
    key = display_name(mid) if mid and len(mid) <= 250 else f"<{sha[:32]}@no-message-id.invalid>"
    sender = _address(_header(msg, "From"))
    try:
        date = parsedate_to_datetime(_header(msg, "Date")) if _header(msg, "Date") else None
    except (TypeError, ValueError, IndexError):
        date = None
    letter = Letter(key, sha, display_name(sender), display_name(" ".join(_header(msg, "Subject").split()))[:300],
                    date if date is None or date.tzinfo else None)
    letter.automatic = automatic(msg)
    letter.doubt = doubt(msg, sender, known, envelope_check) if not letter.automatic else ""
    defects = {type(d).__name__ for part in msg.walk() for d in part.defects} | {type(d).__name__
                                                                                  for d in msg.defects}
    bad = sorted(defects & set(STRUCTURAL))
    if bad:
        letter.malformed = f"its MIME structure is broken ({', '.join(bad)}): its attachments cannot be told apart"
        return letter
    _attachments(msg, letter, limits, max_attachments)
    return letter


def _attachments(msg: EmailMessage, letter: Letter, limits: ZipLimits, most: int) -> None:
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        disposition = part.get_content_disposition()
        if name is None and disposition != "attachment":
            continue  # a body
        shown = display_name(name) if name else f"(unnamed {part.get_content_type()})"
        if part.get_content_type() == "message/rfc822":
            letter.ignored.append(f"{shown}: a forwarded message; send the file itself")
            continue
        if {type(d).__name__ for d in part.defects} & set(UNDECODABLE):
            letter.refused.append(f"{shown}: its content is damaged in transit (invalid base64): send it again")
            continue
        data = part.get_payload(decode=True) or b""
        suffix = _suffix(name or "")
        if suffix in WORKBOOK + OUTTURN:
            letter.attachments.append(Attachment(shown, data, "workbook" if suffix in WORKBOOK else "outturn"))
        elif suffix in ZIP:
            _unzip(shown, data, letter, limits, most)
        else:
            letter.ignored.append(f"{shown}: not a workbook (.xlsx), an outturn file (.csv) or a zip of them")
        if len(letter.attachments) > most:
            letter.refused.append(f"the message has more than {most} files to take in: send them in several messages")
            letter.attachments.clear()
            return


def _suffix(name: str) -> str:
    """The extension a name ends with, lower case, after any path a sender put in it (``..\\x/plan.xlsx``)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".").lower()
    return "." + base.rsplit(".", 1)[-1] if "." in base else ""


def _unzip(shown: str, data: bytes, letter: Letter, limits: ZipLimits, most: int = 20) -> None:
    """The workbooks and outturn files in a zip attachment, looked at before anything is unpacked: the number of
    entries, the total and per-entry expansion (zip bombs), encrypted entries, names that climb out (``../``) or
    start at the root, and zips inside zips are refused, the whole zip with them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            problem = _zip_problem(infos, limits)
            taken = [i for i in infos if not i.is_dir() and _suffix(i.filename) in WORKBOOK + OUTTURN]
            size = sum(i.file_size for i in taken)
            if not problem and letter.unpacked + size > limits.max_unpacked_bytes:
                problem = (f"the message's zips together would expand to more than "
                           f"{limits.max_unpacked_bytes / 2**20:,.0f} MiB: send them in several messages")
            if not problem and len(letter.attachments) + len(taken) > most:
                problem = f"the message would hold more than {most} files to take in: send them in several messages"
            if problem:
                letter.refused.append(f"{shown}: {problem}")
                return
            letter.unpacked += size  # before anything is read: nothing beyond the budget is ever unpacked
            for i in infos:
                if i.is_dir():
                    continue
                suffix = _suffix(i.filename)
                entry = f"{shown}/{display_name(i.filename)}"
                if suffix in WORKBOOK + OUTTURN:
                    letter.attachments.append(Attachment(entry, z.read(i), "workbook" if suffix in WORKBOOK
                                                         else "outturn"))
                else:
                    letter.ignored.append(f"{entry}: not a workbook (.xlsx) or an outturn file (.csv)")
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, zipfile.LargeZipFile) as exc:
        letter.refused.append(f"{shown}: the zip is corrupt or cannot be unpacked ({type(exc).__name__})")


def _zip_problem(infos: list[zipfile.ZipInfo], limits: ZipLimits) -> str:
    if len(infos) > limits.max_entries:
        return f"the zip holds {len(infos):,} entries (limit {limits.max_entries:,})"
    total = sum(i.file_size for i in infos)
    if total > limits.max_unpacked_bytes:
        return (f"the zip would expand to {total / 2**20:,.0f} MiB (limit {limits.max_unpacked_bytes / 2**20:,.0f} "
                "MiB): refused as a possible zip bomb")
    for i in infos:
        name = i.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or (len(name) > 1 and name[1] == ":"):
            return f"entry {display_name(i.filename)} names a place outside the zip: refused, nothing unpacked"
        if i.flag_bits & 0x1:
            return "the zip is encrypted: send the files without a password"
        if _suffix(name) in ZIP:
            return f"entry {display_name(i.filename)} is a zip inside the zip: send the files themselves"
        if i.file_size > limits.max_file_bytes:
            return f"entry {display_name(i.filename)} is {i.file_size / 2**20:,.0f} MiB (limit " \
                   f"{limits.max_file_bytes / 2**20:,.0f} MiB)"
        if i.file_size > 2**20 and i.file_size > limits.max_ratio * max(i.compress_size, 1):
            return (f"entry {display_name(i.filename)} is compressed {i.file_size / max(i.compress_size, 1):,.0f} "
                    "times: refused as a possible zip bomb")
    return ""


def headers_only(head: bytes) -> EmailMessage:
    """The headers of a message too large to read (its first bytes, up to the blank line)."""
    end = head.find(b"\r\n\r\n")
    end = head.find(b"\n\n") if end < 0 else end
    return message_from_bytes(head[:end] if end > 0 else head, policy=policy.default)
