"""Issue 16, case 2: the signing key. Judging never makes a key: a machine without it stops with exit 2 and says
where the key must come from; templates are never issued without one; ``mcc init`` and ``mcc key new`` make it, a
second machine imports it; keys with less than 32 random bytes are refused."""

from __future__ import annotations

import base64
import secrets
import shutil
import stat

import pytest

from tests.conftest import make_workspace
from tests.inbox_helpers import TODAY, Returns
from toolkit.cli import main
from toolkit.store.workspace import LEDGER


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """The MCC's machine: a workspace with its key, S8 templates issued and a genuine return filled."""
    ws = make_workspace(tmp_path_factory.mktemp("key") / "first")
    r = Returns(ws, ["JONV"])
    return r, r.valid("JONV", ws.root.parent / "jonv.xlsx")


def second_machine(r: Returns, tmp_path):
    """A copy of the workspace, as a second machine would have it: everything but the key."""
    root = tmp_path / "second"
    shutil.copytree(r.ws.root, root, ignore=shutil.ignore_patterns("signing.key", "ledger.sqlite*"))
    return root


def test_validate_without_the_key_stops_and_says_where_it_comes_from(issued, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    monkeypatch.delenv("MCC_SIGNING_KEY", raising=False)
    r, good = issued
    root = second_machine(r, tmp_path)
    assert main(["validate", str(good), "-w", str(root)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "no signing key on this machine" in err and "mcc key import FILE" in err and "MCC_SIGNING_KEY" in err
    assert not (root / "config" / "signing.key").exists()  # validate touches nothing, and makes no key


def test_the_watcher_without_the_key_answers_nothing(issued, tmp_path, monkeypatch):
    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    monkeypatch.delenv("MCC_SIGNING_KEY", raising=False)
    r, good = issued
    root = second_machine(r, tmp_path)
    for k in range(3):
        shutil.copyfile(good, root / "inbox" / f"genuine{k}.xlsx")
    assert main(["watch", "--once", "--quiet", "0", "-w", str(root)]) == 2
    assert sorted(p.name for p in (root / "inbox").iterdir()) == ["genuine0.xlsx", "genuine1.xlsx", "genuine2.xlsx"]
    assert not (root / "workbooks" / LEDGER).exists() and not any((root / "outbox").rglob("*.eml"))
    assert not (root / "config" / "signing.key").exists()


def test_a_second_machine_imports_the_key_and_accepts_genuine_returns(issued, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MCC_TODAY", TODAY.isoformat())
    monkeypatch.delenv("MCC_SIGNING_KEY", raising=False)
    r, good = issued
    root = second_machine(r, tmp_path)
    assert main(["key", "show", "-w", str(r.ws.root)]) == 0
    first = capsys.readouterr().out.split("fingerprint ")[1][:19]
    assert main(["key", "import", str(r.ws.config / "signing.key"), "-w", str(root)]) == 0
    assert capsys.readouterr().out.split("fingerprint ")[1][:19] == first  # the same key
    assert stat.S_IMODE((root / "config" / "signing.key").stat().st_mode) == 0o600
    assert main(["validate", str(good), "-w", str(root)]) == 0
    # the key also comes from the environment, as the same text
    (root / "config" / "signing.key").unlink()
    monkeypatch.setenv("MCC_SIGNING_KEY", (r.ws.config / "signing.key").read_text().strip())
    assert main(["validate", str(good), "-w", str(root)]) == 0


def test_templates_are_never_issued_without_a_key(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MCC_SIGNING_KEY", raising=False)
    ws = make_workspace(tmp_path / "ws", key=False)
    assert main(["templates", "--cycle", "S8", "--group", "JONV", "-w", str(ws.root)]) == 2
    assert "mcc key new" in " ".join(capsys.readouterr().err.split())
    assert not (ws.config / "signing.key").exists() and not any(ws.workbooks.rglob("*.xlsx"))


def test_init_and_key_new_make_a_key_once(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MCC_SIGNING_KEY", raising=False)
    assert main(["init", str(tmp_path / "new")]) == 0
    key = tmp_path / "new" / "config" / "signing.key"
    made = key.read_text()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(made.strip()) == 64
    assert main(["key", "new", "-w", str(tmp_path / "new")]) == 2  # never replaced
    assert "already exists" in capsys.readouterr().err
    assert main(["init", str(tmp_path / "new"), "--force"]) == 0 and key.read_text() == made
    key.unlink()
    assert main(["key", "new", "-w", str(tmp_path / "new")]) == 0
    assert key.read_text() != made


@pytest.mark.parametrize(("key", "words"), [
    ("abcd", "holds 2 bytes"),
    ("letmein!", "neither hex nor base64"),
    ("benchmark-signing-key-not-for-use", "neither hex nor base64"),
    ("correcthorsebatterystaples", "holds 19 bytes"),
    ("0123456789abcdef" * 2, "holds 16 bytes"),
    ("00" * 32, "not random"),
    ("ab" * 40, "not random"),
])
def test_weak_keys_are_refused(tmp_path, capsys, monkeypatch, key, words):
    ws = make_workspace(tmp_path / "ws", key=False)
    monkeypatch.setenv("MCC_SIGNING_KEY", key)
    assert main(["templates", "--cycle", "S8", "--group", "JONV", "-w", str(ws.root)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "MCC_SIGNING_KEY is refused" in err and words in err
    monkeypatch.delenv("MCC_SIGNING_KEY")
    (ws.config / "signing.key").write_text(key + "\n")
    assert main(["key", "show", "-w", str(ws.root)]) == 2
    assert words in " ".join(capsys.readouterr().err.split())


@pytest.mark.parametrize("key", [secrets.token_hex(32), base64.b64encode(secrets.token_bytes(32)).decode(),
                                 base64.urlsafe_b64encode(secrets.token_bytes(48)).decode().rstrip("=")])
def test_strong_keys_are_taken(tmp_path, monkeypatch, key):
    ws = make_workspace(tmp_path / "ws", key=False)
    monkeypatch.setenv("MCC_SIGNING_KEY", key)
    assert main(["key", "show", "-w", str(ws.root)]) == 0
