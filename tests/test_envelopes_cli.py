"""mcc envelopes and mcc explain on the demo workspace: the CSV contract and explain == CSV."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from tests.conftest import REPO
from toolkit.cli import main
from toolkit.config import load_config
from toolkit.services.context import Context, envelopes
from toolkit.services.exports import explain_envelope
from toolkit.store.workspace import Workspace


@pytest.fixture(scope="module")
def daily_csv(tmp_path_factory):
    out = tmp_path_factory.mktemp("env") / "env.csv"
    assert main(["envelopes", "--csv", str(out), "-w", str(REPO)]) == 0
    return pd.read_csv(out)


def test_daily_csv_contract(daily_csv):
    assert list(daily_csv.columns) == ["supplier_group", "ldso", "date", "phase", "category", "envelope"]
    assert daily_csv["envelope"].dtype.kind == "i" and (daily_csv["envelope"] >= 0).all()
    assert set(daily_csv["category"]) == {"ENVELOPE", "DE_MINIMIS", "SMALL"}
    assert daily_csv["date"].min() == "2025-10-01" and daily_csv["date"].max() == "2027-05-28"
    assert "2026-04-06" not in set(daily_csv["date"])  # Easter Monday: not a migration date
    assert (daily_csv.loc[daily_csv["category"] != "ENVELOPE", "envelope"] == 0).all()


def test_weekly_csv_sums_the_daily_one(daily_csv, tmp_path):
    out = tmp_path / "weekly.csv"
    assert main(["envelopes", "--csv", str(out), "--weekly", "-w", str(REPO)]) == 0
    weekly = pd.read_csv(out)
    assert list(weekly.columns) == ["supplier_group", "ldso", "week_commencing", "phase", "category", "envelope"]
    assert all(date.fromisoformat(w).weekday() == 0 for w in weekly["week_commencing"].unique())
    assert weekly["envelope"].sum() == daily_csv["envelope"].sum()
    daily = daily_csv.copy()
    daily["week"] = pd.to_datetime(daily["date"]).dt.to_period("W-SUN").dt.start_time.dt.date.astype(str)
    by_week = daily.groupby(["supplier_group", "ldso", "week"])["envelope"].sum()
    merged = weekly.set_index(["supplier_group", "ldso", "week_commencing"])["envelope"]
    merged.index = merged.index.set_names(["supplier_group", "ldso", "week"])
    assert (merged.reindex(by_week.index) == by_week).all()


def test_explain_ends_with_the_figure_in_the_csv(daily_csv):
    config = load_config(REPO)
    sample = pd.concat([daily_csv[daily_csv["envelope"] > 0].sample(25, random_state=1),
                        daily_csv[daily_csv["envelope"] == 0].sample(5, random_state=1)])
    for row in sample.itertuples():
        lines = explain_envelope(Context(Workspace(REPO), config=config), row.supplier_group, row.ldso,
                                 date.fromisoformat(row.date))
        step, text = lines[-1]
        assert step == "envelope"
        assert int(re.match(r"\d+", text).group()) == row.envelope


def test_explain_walks_csmt_to_envelope(capsys):
    config = load_config(REPO)
    env = envelopes(config)
    i, j = next((i, j) for i in range(len(env.groups)) for j in range(len(env.ldsos)) if env.category[i, j] == 1)
    core_day = env.phases[i].core_start.isoformat()
    assert main(["explain", env.groups[i], env.ldsos[j], core_day, "-w", str(REPO)]) == 0
    out = capsys.readouterr().out
    steps = [ln.split()[0] for ln in out.splitlines() if ln.strip()]
    for step in ("CSMT", "ACSMT", "ALMT", "pool", "weight", "SLSF", "envelope"):
        assert step in steps


def test_explain_unknown_group_is_a_usage_error(capsys):
    assert main(["explain", "NOPE", "EELC", "2026-05-12", "-w", str(REPO)]) == 2
    assert "no supplier group 'NOPE'" in capsys.readouterr().err
    assert main(["explain", "NOPE", "EELC", "12/05/2026", "-w", str(REPO)]) == 2
