"""The capacity sufficiency check: where CMWCP of a portfolio cannot fit in the envelopes to the core end."""

from __future__ import annotations

from datetime import date

from tests.test_envelopes_examples import M15, calendar, group
from toolkit.domain.envelopes import calculate, sufficiency
from toolkit.domain.industry import Industry, Ldso
from toolkit.domain.parameters import Parameters

PARAMS = Parameters()


def starved_industry() -> Industry:
    # a tier-5 LDSO (threshold 10,000, ALMT <= 9,800 a day) where a group holding 480,000 MPANs starts on
    # 1 March 2027: 22 ramp-up days at a tenth of ~9,400 a day and ~40 core days give ~400k, short of 432k
    return Industry(ldsos=(Ldso("AAAA", "A", 2_500_000), Ldso("BBBB", "B", 500_000)),
                    groups=(group("LATE", date(2027, 3, 1)), group("EARL", date(2025, 10, 1))),
                    portfolio={("LATE", "BBBB"): 480_000, ("EARL", "BBBB"): 20_000,
                               ("EARL", "AAAA"): 2_500_000})


def test_insufficient_capacity_is_reported_with_its_figures():
    env = calculate(starved_industry(), calendar(), PARAMS)
    found = sufficiency(env, PARAMS)
    assert [(s.group, s.ldso, s.portfolio, s.required) for s in found] == [("LATE", "BBBB", 480_000, 432_000)]
    assert found[0].capacity_to_core_end < 432_000
    assert env.phases[env.groups.index("LATE")].core_end == M15


def test_sufficient_capacity_is_not_reported():
    env = calculate(starved_industry(), calendar(), PARAMS)
    assert all(s.group != "EARL" for s in sufficiency(env, PARAMS))


def test_cli_warns_where_90_percent_is_unattainable(workspace, capsys):
    from toolkit.cli import main

    # make one late-starting group hold most of a mid-sized LDSO
    path = workspace.config / "suppliers.csv"
    lines = path.read_text().splitlines()
    late = max(lines[1:], key=lambda ln: ln.split(",")[4]).split(",")
    portfolio = workspace.config / "portfolio.csv"
    rows = portfolio.read_text().splitlines()
    out = [rows[0]]
    for ln in rows[1:]:
        supplier, ldso, count = ln.split(",")
        if ldso == "HYDE":
            continue
        out.append(ln)
    out += [f"{late[0]},HYDE,780000", f"{lines[1].split(',')[0]},HYDE,20000"]
    portfolio.write_text("\n".join(out) + "\n")
    assert main(["envelopes", "--no-workbook", "-w", str(workspace.root)]) == 0
    err = capsys.readouterr().err
    assert f"group {late[1]} in LDSO HYDE" in err and "flex CSMT or change the share basis" in err
