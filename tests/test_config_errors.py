"""Every kind of configuration error is reported with its file, row or key, and what is wrong."""

from __future__ import annotations

import pytest

from toolkit.config import load_config
from toolkit.errors import ConfigError


def edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def append(path, line: str) -> None:
    path.write_text(path.read_text() + line + "\n")


def problems(workspace) -> list[tuple[str, str, str]]:
    with pytest.raises(ConfigError) as info:
        load_config(workspace.root)
    return [(p.file, p.location, p.message) for p in info.value.problems]


def first_data_row(path) -> list[str]:
    return path.read_text().splitlines()[1].split(",")


def test_demo_configuration_is_valid(workspace):
    config = load_config(workspace.root)
    assert config.warnings == []
    assert len(config.industry.groups) == 70


def test_unknown_supplier_in_portfolio(workspace):
    append(workspace.config / "portfolio.csv", "ZZZZ,EELC,10")
    found = problems(workspace)
    assert ("config/portfolio.csv", f"row {len((workspace.config / 'portfolio.csv').read_text().splitlines())}, "
            "column supplier_mpid", "supplier ZZZZ is not in config/suppliers.csv") in found


def test_unknown_ldso_in_portfolio(workspace):
    supplier = first_data_row(workspace.config / "portfolio.csv")[0]
    append(workspace.config / "portfolio.csv", f"{supplier},QQQQ,10")
    assert any(p[2] == "LDSO QQQQ is not in config/ldsos.csv" and "column ldso_mpid" in p[1]
               for p in problems(workspace))


def test_duplicate_ldso(workspace):
    append(workspace.config / "ldsos.csv", "EELC,Eastern again,10")
    found = problems(workspace)
    assert [p for p in found if p[0] == "config/ldsos.csv"] == [
        ("config/ldsos.csv", "row 28, column ldso_mpid", "EELC is listed twice (also row 2)")]


def test_duplicate_portfolio_pair(workspace):
    row = (workspace.config / "portfolio.csv").read_text().splitlines()[1]
    append(workspace.config / "portfolio.csv", row)
    assert any("is listed twice (also row 2)" in p[2] for p in problems(workspace))


def test_negative_count(workspace):
    path = workspace.config / "ldsos.csv"
    edit(path, "EELC,Eastern (demo),3700000", "EELC,Eastern (demo),-5")
    assert ("config/ldsos.csv", "row 2, column mpan_count", "-5 must be more than 0") in problems(workspace)


def test_non_integer_count(workspace):
    path = workspace.config / "portfolio.csv"
    supplier, ldso, count = first_data_row(path)
    edit(path, f"{supplier},{ldso},{count}\n", f"{supplier},{ldso},{count}.5\n")
    assert ("config/portfolio.csv", "row 2, column mpan_count", f"'{count}.5' is not a whole number") \
        in problems(workspace)


def test_bad_date(workspace):
    path = workspace.config / "suppliers.csv"
    start = first_data_row(path)[4]
    text = path.read_text().splitlines()
    text[1] = text[1].replace(start, "2025-13-01")
    path.write_text("\n".join(text) + "\n")
    assert ("config/suppliers.csv", "row 2, column migration_start",
            "'2025-13-01' is not a date (write it as YYYY-MM-DD)") in problems(workspace)


def test_supplier_in_two_groups(workspace):
    path = workspace.config / "suppliers.csv"
    lines = path.read_text().splitlines()
    first = lines[1].split(",")
    other_group = next(ln.split(",")[1] for ln in lines[2:] if ln.split(",")[1] != first[1])
    clash = first.copy()
    clash[1] = other_group
    append(path, ",".join(clash))
    found = problems(workspace)
    assert any(p[1] == f"row {len(lines) + 1}, column supplier_mpid" and
               p[2].startswith(f"supplier {first[0]} is in two groups: {first[1]} (row 2) and {other_group}")
               for p in found)


def test_group_attributes_must_agree(workspace):
    path = workspace.config / "suppliers.csv"
    lines = path.read_text().splitlines()
    rows = [ln.split(",") for ln in lines[1:]]
    # a group with two supplier MPIDs: change the second one's start date
    groups = [r[1] for r in rows]
    idx = next(i for i, r in enumerate(rows) if groups.count(r[1]) > 1 and r[0] != r[1])
    rows[idx][4] = "2026-03-02"
    path.write_text("\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n")
    assert any(p[1] == f"row {idx + 2}, column migration_start" and "must give the same migration_start" in p[2]
               for p in problems(workspace))


def test_start_date_outside_window(workspace):
    path = workspace.config / "suppliers.csv"
    lines = path.read_text().splitlines()
    row = lines[1].split(",")
    for i, ln in enumerate(lines[1:], start=1):
        parts = ln.split(",")
        if parts[1] == row[1]:
            parts[4] = "2027-07-01"
            lines[i] = ",".join(parts)
    path.write_text("\n".join(lines) + "\n")
    assert ("config/suppliers.csv", "row 2, column migration_start",
            "2027-07-01 is outside the migration window M11 2025-10-01 to M15 2027-05-28") in problems(workspace)


def test_csmt_above_280000(workspace):
    edit(workspace.config / "calendar.toml", "value = 280000", "value = 290000")
    assert ("config/calendar.toml", "csmt[2] value",
            "290,000 for 2026-04-01 to 2027-05-28 is above the 280,000 migrations a day that may ever be planned "
            "(F5.2.9)") in problems(workspace)


def test_portfolio_total_far_from_ldso_count(workspace):
    edit(workspace.config / "ldsos.csv", "HYDE,North Scotland (demo),800000", "HYDE,North Scotland (demo),900000")
    found = problems(workspace)
    assert len(found) == 1
    assert found[0][:2] == ("config/portfolio.csv", "LDSO HYDE")
    assert "add up to 800,000 MPANs but config/ldsos.csv gives 900,000 (11.1% apart" in found[0][2]


def test_portfolio_tolerance_is_a_parameter(workspace):
    edit(workspace.config / "ldsos.csv", "HYDE,North Scotland (demo),800000", "HYDE,North Scotland (demo),900000")
    edit(workspace.config / "parameters.toml", "portfolio_tolerance = 0.05", "portfolio_tolerance = 0.2")
    assert load_config(workspace.root).industry.ldso_by_mpid["HYDE"].mpan_count == 900_000


def test_missing_column(workspace):
    path = workspace.config / "ldsos.csv"
    edit(path, "ldso_mpid,name,mpan_count", "ldso_mpid,name,mpans")
    assert ("config/ldsos.csv", "header", "missing column mpan_count (expected ldso_mpid,name,mpan_count)") \
        in problems(workspace)


def test_unknown_parameter_key(workspace):
    edit(workspace.config / "parameters.toml", "dlt = 150_000", "dtl = 150_000")
    assert ("config/parameters.toml", "[thresholds] dtl", "is not a known setting (check the spelling)") \
        in problems(workspace)


def test_parameter_out_of_range(workspace):
    edit(workspace.config / "parameters.toml", "rurp_min = 0.05", "rurp_min = -0.05")
    assert ("config/parameters.toml", "[submission] rurp_min", "-0.05 must be 0 or more") in problems(workspace)


def test_toml_syntax_error(workspace):
    append(workspace.config / "calendar.toml", "this is = = not toml")
    found = problems(workspace)
    assert found[0][0] == "config/calendar.toml" and found[0][2].startswith("not valid TOML")


def test_missing_file(workspace):
    (workspace.config / "portfolio.csv").unlink()
    assert ("config/portfolio.csv", "", "file is missing") in problems(workspace)


def test_every_problem_is_reported_not_just_the_first(workspace):
    append(workspace.config / "ldsos.csv", "EELC,Eastern again,10")
    append(workspace.config / "portfolio.csv", "ZZZZ,EELC,10")
    files = {p[0] for p in problems(workspace)}
    assert {"config/ldsos.csv", "config/portfolio.csv"} <= files


def test_extended_ramp_up_not_for_sit_groups(workspace):
    path = workspace.config / "suppliers.csv"
    lines = path.read_text().splitlines()
    sit_group = next(ln.split(",")[1] for ln in lines[1:] if ln.split(",")[3] == "true")
    for i, ln in enumerate(lines[1:], start=1):
        parts = ln.split(",")
        if parts[1] == sit_group:
            parts[5] = "true"
            lines[i] = ",".join(parts)
    path.write_text("\n".join(lines) + "\n")
    assert any("not available with the industry ramp-up" in p[2] for p in problems(workspace))


def test_agents_file_is_optional(workspace):
    (workspace.config / "agents.csv").unlink()
    assert load_config(workspace.root).industry.agents == ()


def test_agents_unknown_group_bad_role_and_duplicates(workspace):
    path = workspace.config / "agents.csv"
    lines = len(path.read_text().splitlines())
    first = first_data_row(path)
    append(path, "ZZZZ,ABCD,Some Data Services,DS")
    append(path, f"{first[0]},ABCE,Some Metering Services,XX")
    append(path, ",".join(first))
    found = problems(workspace)
    assert ("config/agents.csv", f"row {lines + 1}, column supplier_group",
            "group ZZZZ is not in config/suppliers.csv") in found
    assert any(p[1] == f"row {lines + 2}, column role" and "'XX' is not a role" in p[2] for p in found)
    assert any(p[1] == f"row {lines + 3}" and "is listed twice (also row 2)" in p[2] for p in found)


def test_contacts_of_ldsos_and_agents_are_optional_and_checked(workspace):
    from toolkit.config import load_config

    config = load_config(workspace.root)
    assert config.industry.ldso_by_mpid["EELC"].contacts == ("mhhs-migration@eelc.example",
                                                            "network-planning@eelc.example")
    assert all(a.contacts for a in config.industry.agents)
    agents = workspace.config / "agents.csv"
    lines = agents.read_text().splitlines()
    mpid = lines[1].split(",")[1]
    again = next(k for k, ln in enumerate(lines) if k > 1 and ln.split(",")[1] == mpid)
    lines[again] = ",".join(lines[again].split(",")[:4] + ["someone@else.example", ""])
    agents.write_text("\n".join(lines) + "\n")
    ldsos = workspace.config / "ldsos.csv"
    rows = ldsos.read_text().splitlines()
    rows[2] = ",".join(rows[2].split(",")[:3] + ["not an address", ""])
    ldsos.write_text("\n".join(rows) + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(workspace.root)
    assert sorted(str(p) for p in caught.value.problems) == [
        f"config/agents.csv: row {again + 1}, column primary_contact: agent {mpid} has other contacts on row 2: "
        "give them identically on every row",
        "config/ldsos.csv: row 3, column primary_contact: 'not an address' is not an email address"]
    # without the contact columns at all, the files still load
    ldsos.write_text("\n".join(",".join(r.split(",")[:3]) for r in rows) + "\n")
    agents.write_text("\n".join(",".join(r.split(",")[:4]) for r in lines) + "\n")
    config = load_config(workspace.root)
    assert config.industry.ldso_by_mpid["EELC"].contacts == () and not any(a.contacts for a in config.industry.agents)
