"""The cached copy of the loaded configuration (issue 20, ``toolkit.config.cache``): used while config/ and the code
are unchanged, never after a change (even one that keeps the file's size and modification time), ignored when
corrupt or of another key, never holding the signing key, and never needed."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys

import pytest

from tests.conftest import make_workspace
from toolkit.config.cache import FORMAT, config_key, load_cached, read_cached
from toolkit.errors import ConfigError
from toolkit.services.context import Context

TODAY = "2026-11-23"  # S8 being planned


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path / "ws")


def _status_names(ws) -> dict[str, str]:
    """The group names ``mcc status --json`` shows, through the real command as a process."""
    env = {**os.environ, "MCC_TODAY": TODAY, "MCC_QUIET": "1"}
    done = subprocess.run([sys.executable, "-m", "toolkit", "status", "--json", "-w", str(ws.root)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return {g["group"]: g["name"] for g in json.loads(done.stdout)["groups"]}


def _rename_first_group(ws, name: str, keep_stat: bool = False) -> str:
    """Rename the first group in config/suppliers.csv (same length: same size); ``keep_stat``: put the file's
    modification time back as it was."""
    path = ws.config / "suppliers.csv"
    before = path.stat()
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    row = lines[1].rstrip("\n").split(",")
    group, old = row[header.index("supplier_group")], row[header.index("group_name")]
    assert len(name) == len(old)
    path.write_text("".join([lines[0]] + [ln.replace(f",{old},", f",{name},") for ln in lines[1:]]), encoding="utf-8")
    if keep_stat:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    return group


def test_the_second_command_reads_the_copy_and_a_changed_file_is_seen_by_the_next(ws):
    names = _status_names(ws)
    assert ws.config_cache.is_file()
    key = config_key(ws.root)
    assert read_cached(ws.config_cache, key) is not None
    assert _status_names(ws) == names  # from the copy
    group = _rename_first_group(ws, "X" * len(names[_first_group(ws)]))
    assert config_key(ws.root) != key
    assert _status_names(ws)[group] == "X" * len(names[group])


def _first_group(ws) -> str:
    lines = (ws.config / "suppliers.csv").read_text(encoding="utf-8").splitlines()
    return lines[1].split(",")[lines[0].split(",").index("supplier_group")]


def test_a_change_keeping_size_and_modification_time_is_seen(ws):
    """The key is the files' bytes, not their size and time: a file copied in with an old time is not missed."""
    names = _status_names(ws)
    group = _first_group(ws)
    _rename_first_group(ws, "Y" * len(names[group]), keep_stat=True)
    assert _status_names(ws)[group] == "Y" * len(names[group])


def test_a_new_optional_file_changes_the_key(ws):
    key = config_key(ws.root)
    (ws.config / "exemptions.csv").write_text("supplier_group,ldso_mpid,date,reason\n", encoding="utf-8")
    assert config_key(ws.root) != key


def test_the_signing_key_is_not_part_of_the_key_nor_of_the_copy(ws):
    Context(ws).config  # noqa: B018 - loads and writes the copy
    key = config_key(ws.root)
    secret = (ws.config / "signing.key").read_bytes()
    (ws.config / "signing.key").write_bytes(secret[::-1])
    assert config_key(ws.root) == key
    assert secret.strip() not in ws.config_cache.read_bytes()


@pytest.mark.parametrize("spoil", [b"", b"not a pickle", "truncated", "other key", "other format"])
def test_a_corrupt_or_foreign_copy_is_ignored_and_rewritten(ws, spoil):
    expected = Context(ws).config
    good = ws.config_cache.read_bytes()
    if spoil == "truncated":
        data = good[: len(good) // 2]
    elif spoil == "other key":
        data = pickle.dumps((FORMAT, "0" * 40, "not a configuration"))
    elif spoil == "other format":
        data = pickle.dumps((FORMAT + 1, config_key(ws.root), "not a configuration"))
    else:
        data = spoil
    ws.config_cache.write_bytes(data)
    config = Context(ws).config
    assert [g.mpid for g in config.industry.groups] == [g.mpid for g in expected.industry.groups]
    assert config.parameters == expected.parameters
    assert read_cached(ws.config_cache, config_key(ws.root)) is not None  # rewritten whole


def test_the_copy_answers_as_the_loaded_configuration(ws):
    loaded = Context(ws).config  # loaded from config/, then kept
    cached = load_cached(ws.root, ws.config_cache)
    assert cached is not loaded
    assert cached.parameters == loaded.parameters and cached.calendar_settings == loaded.calendar_settings
    assert [s.cycle for s in cached.calendar.sprints] == [s.cycle for s in loaded.calendar.sprints]
    assert cached.calendar.migration_days() == loaded.calendar.migration_days()
    assert cached.industry.portfolio == loaded.industry.portfolio
    assert [str(w) for w in cached.warnings] == [str(w) for w in loaded.warnings]


def test_a_configuration_with_problems_is_reported_though_a_copy_exists(ws):
    Context(ws).config  # noqa: B018
    (ws.config / "ldsos.csv").write_text("ldso_mpid,name,mpan_count\nEELC,East,-5\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        Context(ws).config  # noqa: B018


def test_without_a_workbooks_folder_nothing_is_written_and_the_configuration_still_loads(ws):
    import shutil

    shutil.rmtree(ws.workbooks)
    assert Context(ws).config.industry.groups
    assert not ws.workbooks.exists()


def test_two_processes_writing_at_once_never_leave_a_torn_copy(ws):
    """Each writer replaces the copy whole (a temporary file, then os.replace): read while two processes rewrite
    it over and over, the copy is always the whole configuration."""
    Context(ws).config  # noqa: B018
    key = config_key(ws.root)
    writer = ("import sys; from pathlib import Path; from toolkit.config.cache import read_cached, write_cached; "
              "p = Path(sys.argv[1]); c = read_cached(p, sys.argv[2]); assert c is not None\n"
              "for _ in range(40): write_cached(p, sys.argv[2], c)")
    procs = [subprocess.Popen([sys.executable, "-c", writer, str(ws.config_cache), key]) for _ in range(2)]
    reads = 0
    while any(p.poll() is None for p in procs):
        assert read_cached(ws.config_cache, key) is not None
        reads += 1
    assert [p.returncode for p in procs] == [0, 0] and reads > 0
    assert not [f for f in ws.config_cache.parent.iterdir() if f != ws.config_cache]  # no temporary file left
