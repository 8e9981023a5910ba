"""The MCC envelope workbook, read back with openpyxl."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from toolkit.cli import main
from toolkit.services.context import envelopes, load


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from tests.conftest import make_workspace

    root = tmp_path_factory.mktemp("wb") / "ws"
    ws = make_workspace(root)
    assert main(["envelopes", "--cycle", "S3", "-w", str(root)]) == 0
    config = load(ws)
    return openpyxl.load_workbook(root / "workbooks" / "S3" / "envelopes.xlsx"), envelopes(config), config


def test_sheets(built):
    wb, _, _ = built
    assert wb.sheetnames == ["National", "LDSOs", "Groups", "Parameters"]


def test_national_sheet_totals_and_chart(built):
    wb, env, _ = built
    ws = wb["National"]
    assert [c.value for c in ws[3]][:8] == ["Date", "Migration day", "CSMT", "ACSMT", "Sum of ALMT",
                                            "Sum of envelopes", "Headroom to CSMT", "Headroom to ALMT"]
    rows = {r[0].date(): r for r in ws.iter_rows(min_row=4, values_only=True)}
    k = (date(2026, 5, 12) - env.dates[0]).days
    row = rows[date(2026, 5, 12)]
    assert row[2] == 280_000 and row[5] == env.envelope[:, :, k].sum()
    assert row[6] == 280_000 - row[5]
    assert rows[date(2026, 4, 6)][1] == "no"
    assert len(ws._charts) == 1


def test_ldso_sheet(built):
    wb, env, _ = built
    ws = wb["LDSOs"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["EELC"][2:7] == (3_700_000, 1, 40_000, 800, "no")
    assert rows["ID12"][6] == "yes"  # 12,000 metering points: de minimis LDSO
    assert rows["ID12"][10] == 0
    assert sum(r[10] for r in rows.values()) == env.envelope.sum()


def test_group_sheet_has_phase_dates_and_categories(built):
    wb, env, _ = built
    ws = wb["Groups"]
    header = [c.value for c in ws[1]]
    assert header[:9] == ["Group", "Name", "Migration start", "Ramp-up end", "Core start", "Core end",
                          "Ramp-down start", "Extended ramp-up", "Lost days"]
    assert header[9:] == env.ldsos
    first = [c.value for c in ws[2]]
    assert first[0] == env.groups[0] and first[2].date() == env.phases[0].migration_start
    assert set(first[9:]) <= {"envelope", "de minimis", "small", None}  # the templates' words


def test_parameter_sheet_lists_every_parameter_with_its_source(built):
    wb, _, config = built
    ws = wb["Parameters"]
    rows = {(r[0], r[1]): r for r in ws.iter_rows(min_row=2, values_only=True) if r[1]}
    by_key = {key: r for (_, key), r in rows.items()}
    assert by_key["dlt"][2:5] == ("DLT", 150_000, "P2.3.1 DLT; F5.2.8")
    assert by_key["cmw"][3] == 132
    assert by_key["share_basis"][3] == "active"
    assert "dlfc" in by_key
    # a key may appear in two sections (smtp and mailbox both have a timeout): every (section, key) is listed
    assert set(rows) >= {(section, key) for section, key, *_ in config.parameters.described()}
