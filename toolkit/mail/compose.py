"""Compose emails from jinja2 templates: ``<name>.txt.j2`` is the plain text and ``<name>.html.j2``, when there is
one, its HTML alternative (autoescaped: a supplier's text never becomes markup). A workspace overrides a template
by putting a file of the same name in ``templates/email/`` (``mcc init`` puts the defaults there to edit); the
defaults live in ``toolkit/mail/templates``. Composition is pure apart from reading the templates: the date and
every figure are passed in."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DEFAULTS = Path(__file__).resolve().parent / "templates"


def environment(workspace_templates: Path | None = None) -> Environment:
    """The jinja2 environment of a workspace. Kept per folder and the names in it, so templates are compiled once
    per process (jinja checks a file's modification time before reusing its compiled form, so edits are picked up;
    a template added or removed makes a new environment)."""
    folder = workspace_templates / "email" if workspace_templates is not None else None
    if folder is None or not folder.is_dir():
        return _environment(None, ())
    return _environment(str(folder), tuple(sorted(p.name for p in folder.iterdir())))


@lru_cache(maxsize=8)
def _environment(folder: str | None, names: tuple[str, ...]) -> Environment:
    loaders = [FileSystemLoader(folder)] if folder else []
    loaders.append(PackageLoader("toolkit.mail", "templates"))
    return Environment(loader=ChoiceLoader(loaders), undefined=StrictUndefined,
                       autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False,
                                                    default=False),
                       keep_trailing_newline=True)


def stable_message_id(key: str, sender: str) -> str:
    """A Message-ID made from what the message is (``key``), so the same message composed again has the same
    id and a receiving mail system can tell a repeat."""
    domain = sender.split("@")[-1] if "@" in sender else "mcc.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def compose(env: Environment, name: str, context: dict, sender: str, to: list[str], subject: str,
            when: datetime, attachments: list[Path] = (), message_id: str | None = None) -> EmailMessage:
    """The message ``name`` (``feedback``, ``grant``, ...) rendered with ``context``; ``attachments`` are workbooks."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id or make_msgid(domain=sender.split("@")[-1] if "@" in sender else None)
    context = {**context, "subject": subject}
    msg.set_content(env.get_template(f"{name}.txt.j2").render(**context))
    try:
        html = env.get_template(f"{name}.html.j2")
    except TemplateNotFound:
        html = None
    if html is not None:
        msg.add_alternative(html.render(**context), subtype="html")
    for path in attachments:
        msg.add_attachment(path.read_bytes(), maintype=XLSX[0], subtype=XLSX[1], filename=path.name)
    return msg


MESSAGE_ID = re.compile(r"<[!-;=?-~]{1,250}@[!-;=?-~]{1,250}>")  # printable, no spaces or angle brackets


def reply_subject(subject: str) -> str:
    """``Re: <subject>`` (once), the subject readable text already, cut to a sensible length."""
    subject = " ".join(subject.split())[:150]
    return subject if subject.lower().startswith("re:") else f"Re: {subject}" if subject else "Re: your return"


def as_reply(msg: EmailMessage, sender: str, message_id: str, subject: str, copy: tuple[str, ...] = ()) -> None:
    """Address ``msg`` as the answer to the email ``message_id`` from ``sender``: to the sender, copied to
    ``copy`` (the group's contacts), with In-Reply-To and References so it threads under the sender's message."""
    cc = [a for a in copy if a.lower() != sender.lower()]
    del msg["To"], msg["Subject"]
    msg["To"] = sender
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = reply_subject(subject)
    if MESSAGE_ID.fullmatch(message_id):
        msg["In-Reply-To"] = message_id
        msg["References"] = message_id


def eml_bytes(msg: EmailMessage) -> bytes:
    """The message as an .eml file holds it: RFC 5322 with CRLF line ends, the form SMTP sends and Outlook opens."""
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def write_eml(msg: EmailMessage, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_bytes(eml_bytes(msg))
    part.replace(path)
    return path


def export_defaults(target: Path) -> list[Path]:
    """Copy the default templates into a workspace's ``templates/email/`` (files already there are kept)."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(DEFAULTS.glob("*.j2")):
        path = target / source.name
        if not path.exists():
            path.write_bytes(source.read_bytes())
            written.append(path)
    return written
