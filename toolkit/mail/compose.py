"""Compose emails from jinja2 templates. A workspace may override a template by putting a file of the same name
in ``templates/email/``; the defaults live in ``toolkit/mail/templates``. Composition is pure apart from reading
the templates: the date and every figure are passed in."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def environment(workspace_templates: Path | None = None) -> Environment:
    loaders = []
    if workspace_templates is not None and (workspace_templates / "email").is_dir():
        loaders.append(FileSystemLoader(str(workspace_templates / "email")))
    loaders.append(PackageLoader("toolkit.mail", "templates"))
    return Environment(loader=ChoiceLoader(loaders), undefined=StrictUndefined, autoescape=False,
                       keep_trailing_newline=True)


def compose(env: Environment, template: str, context: dict, sender: str, to: list[str], subject: str,
            when: datetime, attachments: list[Path] = ()) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain=sender.split("@")[-1] if "@" in sender else None)
    msg.set_content(env.get_template(template).render(**context))
    for path in attachments:
        msg.add_attachment(path.read_bytes(), maintype=XLSX[0], subtype=XLSX[1], filename=path.name)
    return msg


def write_eml(msg: EmailMessage, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_bytes(msg.as_bytes())
    part.replace(path)
    return path
