"""Lost Migration Days (Foundations 6.6): one incident extends a group's core window once; the claim workbook of
6.6.1 judged by the inbox; the MCC's evaluation and decision of 6.6.2 with MCAG ratification; the 2 and 10 working
day deadlines; a central outage applied to every active migrating group with envelopes."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import make_workspace
from tests.inbox_helpers import context
from toolkit.config import load_config
from toolkit.domain.envelopes import Category
from toolkit.errors import ConfigError, UsageError
from toolkit.services.context import envelopes, load
from toolkit.services.monitor import record_lost_days


def _with_envelope(config) -> tuple[str, int]:
    env = envelopes(config)
    i = next(i for i, ph in enumerate(env.phases)
             if ph.core_end and date(2026, 1, 1) < ph.core_end < date(2026, 11, 1)
             and (env.category[i] == Category.ENVELOPE).any())
    return env.groups[i], i


def test_one_incident_extends_a_groups_core_window_once(tmp_path):
    """F6.6: "Any validated Lost Migration Days will result in an extension of the Supplier Core Migration Window"
    - the days lost to one incident (6.6.1 "2. Related Incident Number"), once: recording the same claim again
    must not extend the window a second time."""
    ws = make_workspace(tmp_path / "ws")
    config = load(ws)
    group, i = _with_envelope(config)
    before, after = record_lost_days(context(ws, config), group, 3, "DIP outage", "INC0042", date(2026, 6, 1))
    assert after > before
    with pytest.raises(UsageError, match="INC0042 is already recorded for " + group):
        record_lost_days(context(ws, load(ws)), group, 3, "DIP outage", "inc0042 ", date(2026, 6, 2))
    assert envelopes(load(ws)).phases[i].core_end == after
    assert len((ws.config / "lost_days.csv").read_text().splitlines()) == 2
    # typed in twice by hand: the loader says so, naming both rows, rather than counting it twice
    path = ws.config / "lost_days.csv"
    path.write_text(path.read_text() + f"{group},3,DIP outage,inc0042,2026-06-02\n")
    with pytest.raises(ConfigError) as caught:
        load_config(ws.root)
    assert [str(p) for p in caught.value.problems] == [
        f"config/lost_days.csv: row 3, column incident: incident inc0042 is already recorded for {group} (row 2): "
        "one incident extends a group's core window once (F6.6)"]
