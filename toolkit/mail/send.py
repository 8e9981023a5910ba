"""Send composed ``.eml`` files through SMTP, at most once each.

Every message has a key and a row in the ledger's ``mail`` table. Before a message is handed to the server its
row becomes ``sending``; when the server accepts it, ``sent``. A message already ``sent`` is never sent again. A
row still ``sending`` when a run starts was interrupted (the process died between handing the message over and
hearing back): it is reported as uncertain and left alone unless asked to retry it, because sending it again could
deliver it twice. Temporary failures (no connection, a 4xx reply) are retried with a growing wait; a permanent
refusal (a 5xx reply) fails that message only; when the server stays unreachable the run stops and the messages
not yet sent stay ``composed`` or ``failed`` for the next run.

The bytes sent are the ``.eml`` file's bytes, exactly as written to ``outbox/``.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.utils import getaddresses
from pathlib import Path

from toolkit.domain.parameters import Smtp, SmtpSecurity
from toolkit.errors import ToolkitError
from toolkit.store.ledger import Ledger, MailStatus


class MailError(ToolkitError):
    """The mail server could not be reached or refused the login."""


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # sent by an earlier run
    uncertain: list[str] = field(default_factory=list)  # left 'sending' by an interrupted run
    failed: list[tuple[str, str]] = field(default_factory=list)  # (key, error)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (key, recipients refused) of messages sent
    not_tried: list[str] = field(default_factory=list)  # the run stopped before them
    stopped: str = ""  # why the run stopped early, if it did


def connect(settings: Smtp, password: str | None) -> smtplib.SMTP:
    """A logged-in connection to the configured server."""
    if not settings.host:
        raise MailError("no mail server: set [smtp] host in config/parameters.toml")
    context = ssl.create_default_context()
    if settings.security == SmtpSecurity.SSL:
        conn = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_seconds, context=context)
    else:
        conn = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds)
        if settings.security == SmtpSecurity.STARTTLS:
            conn.starttls(context=context)
    if settings.user:
        if not password:
            conn.close()
            raise MailError(f"[smtp] user is {settings.user!r} but the environment variable {settings.password_env} "
                            "holding the password is not set")
        try:
            conn.login(settings.user, password)
        except smtplib.SMTPAuthenticationError as exc:
            conn.close()
            raise MailError(f"the mail server {settings.host} refused the login of {settings.user!r}: "
                            f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}") from None
    return conn


def _permanent(exc: Exception) -> bool:
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in exc.recipients.values()]
        return bool(codes) and all(c >= 500 for c in codes)
    return isinstance(code, int) and code >= 500


def send_all(ledger: Ledger, keys: list[str], root: Path, settings: Smtp, password: str | None,
             clock: Callable[[], datetime],
             retry_uncertain: bool = False, sleep: Callable[[float], None] = time.sleep,
             progress: Callable[[str, str], None] | None = None,
             connector: Callable[[Smtp, str | None], smtplib.SMTP] = connect) -> SendReport:
    """Send the messages of ``keys`` (rows of the ledger's mail table; ``eml_path`` relative to ``root``)."""
    report = SendReport()
    conn: smtplib.SMTP | None = None
    try:
        for n, key in enumerate(keys):
            row = ledger.mail(key)
            if row is None:
                raise ToolkitError(f"no composed message {key!r} in the ledger")
            if row.status == MailStatus.SENT:
                report.already.append(key)
            elif row.status == MailStatus.SENDING and not retry_uncertain:
                report.uncertain.append(key)
            else:
                # SMTP wants CRLF line ends; smtplib sends bytes as they are (an .eml saved elsewhere may have LF)
                raw = (root / row.eml_path).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
                msg = message_from_bytes(raw, policy=policy.default)
                sender = getaddresses([msg["From"] or ""])[0][1]
                to = [a for _, a in getaddresses([msg[h] for h in ("To", "Cc", "Bcc") if msg[h]]) if a]
                for attempt in range(settings.attempts):
                    try:
                        if conn is None:
                            conn = connector(settings, password)
                        ledger.begin_send(key)
                        refused = conn.sendmail(sender, to, raw)
                        ledger.sent(key, clock())
                        report.sent.append(key)
                        if refused:  # delivered to the others; say who did not get it
                            text = "; ".join(f"{a} ({c} {m.decode(errors='replace')})" for a, (c, m) in refused.items())
                            ledger.send_failed_recipients(key, f"refused: {text}")
                            report.refused.append((key, text))
                        break
                    except MailError:
                        raise
                    except (smtplib.SMTPException, OSError) as exc:
                        error = f"{type(exc).__name__}: {exc}"
                        ledger.send_failed(key, error)
                        if _permanent(exc):
                            report.failed.append((key, error))
                            break
                        if conn is not None:
                            try:
                                conn.close()
                            finally:
                                conn = None
                        if attempt + 1 < settings.attempts:
                            sleep(settings.retry_wait_seconds * 2 ** attempt)
                            continue
                        report.failed.append((key, error))
                        report.stopped = (f"the mail server kept failing ({error}) after {settings.attempts} tries; "
                                          "the messages not sent are kept for the next run")
                        for later in keys[n + 1:]:  # those an earlier run sent are not "not tried"
                            done = ledger.mail(later)
                            sent = done is not None and done.status == MailStatus.SENT
                            (report.already if sent else report.not_tried).append(later)
                        return report
            if progress:
                progress(key, ledger.mail(key).status)
    finally:
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()
    return report
