"""``mcc mailbox`` against a real IMAP server on loopback (Dovecot from the distribution's packages, started by
the fixture with a passwd-file user and a self-signed certificate, TLS only): the production client code reads,
judges, answers and moves each message only once it is accounted for. Skipped outside CI when Dovecot is not
installed (``.ci/run`` installs it in CI, as it does LibreOffice)."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from tests.inbox_helpers import context
from tests.test_mailbox import JONV, letter, on_file, set_mailbox
from toolkit.domain.status import Status
from toolkit.mail.sources import MailboxError
from toolkit.services.mailbox import take_mail
from toolkit.store.ledger import Ledger
from toolkit.store.messages import MessageStatus

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
if DOVECOT is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must have Dovecot: .ci/run installs dovecot-imapd")
    pytestmark = pytest.mark.skip("Dovecot is not installed (apt-get install dovecot-imapd)")

USER, PASSWORD = "mcc", "s3cret-imap"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dovecot(tmp_path):
    """A Dovecot serving IMAPS on a loopback port; yields (port, CA file)."""
    import tempfile

    # a folder the server's own users (dovecot, dovenull, nobody) may enter: pytest's tmp_path is private to us
    root = Path(tempfile.mkdtemp(prefix="mcc-dovecot-"))
    root.chmod(0o755)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")], check=True,
                   capture_output=True)
    me = pwd.getpwuid(os.getuid()).pw_name
    mail_user = pwd.getpwnam("nobody") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
    home = root / "home"
    home.mkdir()
    os.chown(home, mail_user.pw_uid, mail_user.pw_gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{mail_user.pw_uid}:{mail_user.pw_gid}::{home}::\n")
    port = _port()
    login = "dovenull" if os.getuid() == 0 else me
    internal = "dovecot" if os.getuid() == 0 else me
    (root / "dovecot.conf").write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/log
listen = 127.0.0.1
protocols = imap
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
default_login_user = {login}
default_internal_user = {internal}
first_valid_uid = {min(mail_user.pw_uid, 1)}
mail_location = maildir:~/Maildir
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
""")
    proc = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        if proc.poll() is not None:
            raise RuntimeError(f"dovecot did not start: {proc.stdout.read().decode(errors='replace')} "
                               f"{(root / 'log').read_text() if (root / 'log').exists() else ''}")
        time.sleep(0.1)
    try:
        yield port, root / "cert.pem"
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(root, ignore_errors=True)


def _client(port: int, ca: Path) -> imaplib.IMAP4_SSL:
    conn = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ssl.create_default_context(cafile=str(ca)))
    conn.login(USER, PASSWORD)
    return conn


def _count(conn: imaplib.IMAP4_SSL, folder: str) -> int:
    typ, data = conn.select(f'"{folder}"', readonly=True)
    return int(data[0]) if typ == "OK" else -1


def _point_at(ws, port: int, ca: Path) -> None:
    set_mailbox(ws, source="imap", host="127.0.0.1", port=port, user=USER, ca_file=str(ca))


def test_imap_messages_are_taken_answered_and_moved(fresh, tmp_path, dovecot, monkeypatch):
    port, ca = dovecot
    on_file(fresh.ws)
    _point_at(fresh.ws, port, ca)
    plan = fresh.valid("JONV", tmp_path / "p.xlsx").read_bytes()
    conn = _client(port, ca)
    conn.append("INBOX", None, None, letter(JONV, [("JONV.xlsx", plan)], subject="S8 plan", mid="<i1@jonv.example>"))
    conn.append("INBOX", None, None, letter("who@nowhere.example", [("x.xlsx", plan)], mid="<i2@nowhere.example>"))
    conn.append("INBOX", None, None, letter(JONV, [], subject="Auto: away", mid="<i3@jonv.example>",
                                            Auto_Submitted="auto-replied"))
    monkeypatch.setenv("MCC_IMAP_PASSWORD", PASSWORD)
    handled = take_mail(context(fresh.ws))
    assert [h.status for h in handled] == [MessageStatus.TAKEN, MessageStatus.QUARANTINED, MessageStatus.AUTOMATIC]
    [row] = Ledger(fresh.ws.ledger).rows()
    assert row.status == Status.ACCEPTED and row.message_id == "<i1@jonv.example>" and row.sender == JONV
    assert (_count(conn, "INBOX"), _count(conn, "Processed"), _count(conn, "Quarantine")) == (0, 2, 1)
    assert take_mail(context(fresh.ws)) == []  # nothing left, nothing answered twice
    conn.logout()


def test_imap_wrong_password_and_untrusted_certificate_stop_with_a_message(fresh, dovecot, monkeypatch):
    port, ca = dovecot
    _point_at(fresh.ws, port, ca)
    monkeypatch.setenv("MCC_IMAP_PASSWORD", "wrong")
    with pytest.raises(MailboxError, match="refused the login"):
        take_mail(context(fresh.ws))
    params = fresh.ws.config / "parameters.toml"
    params.write_text(params.read_text().replace(f'ca_file = "{ca}"', 'ca_file = ""'))
    monkeypatch.setenv("MCC_IMAP_PASSWORD", PASSWORD)
    with pytest.raises(MailboxError, match="cannot be reached over TLS"):
        take_mail(context(fresh.ws))
