"""``config/complex_sites.csv`` (optional; Foundations 5.7): ``site,supplier_group,ldso_mpid,mpan_count`` and an
optional ``agents`` column (the site's agent MPIDs separated by spaces or semicolons). Each site's MPANs migrate
together on one day, after M14; the group gives the day on the Sites sheet of its template."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from toolkit.domain.complex_sites import ComplexSite
from toolkit.domain.industry import Agent
from toolkit.domain.text import plain_text_problem
from toolkit.errors import ConfigProblem

NAME = "config/complex_sites.csv"
SITE_COLUMNS = ("site", "supplier_group", "ldso_mpid", "mpan_count")
MPID = re.compile(r"^[A-Z0-9]{4}$")


class SiteRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    site: str = Field(min_length=1, max_length=60)
    supplier_group: str
    ldso_mpid: str
    mpan_count: int = Field(gt=0)
    agents: str = ""

    @field_validator("*", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        problem = plain_text_problem(value) if isinstance(value, str) else None
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("supplier_group", "ldso_mpid")
    @classmethod
    def _mpid(cls, value: str) -> str:
        value = value.strip().upper()
        if not MPID.match(value):
            raise ValueError(f"{value!r} is not an MPID (four letters or digits)")
        return value

    @field_validator("agents")
    @classmethod
    def _agents(cls, value: str) -> str:
        mpids = [a.upper() for a in re.split(r"[;\s]+", value) if a]
        bad = [a for a in mpids if not MPID.match(a)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not an MPID (agents are MPIDs separated by spaces or semicolons)")
        return " ".join(mpids)


def check_sites(rows: list[tuple[int, SiteRow]], group_portfolio: dict[tuple[str, str], int], groups: set[str],
                ldsos: set[str], agents: tuple[Agent, ...], problems: list[ConfigProblem]) -> tuple[ComplexSite, ...]:
    """Known group and LDSO, each site once, no more MPANs than the group holds in the LDSO, agents of the group."""
    sites: list[ComplexSite] = []
    seen: dict[str, int] = {}
    used: dict[tuple[str, str], int] = {}
    for line, row in rows:
        where = f"row {line}, column "
        if row.site.upper() in seen:
            problems.append(ConfigProblem(NAME, where + "site", f"site {row.site} is listed twice (also row "
                                          f"{seen[row.site.upper()]})"))
            continue
        seen[row.site.upper()] = line
        if row.supplier_group not in groups:
            problems.append(ConfigProblem(NAME, where + "supplier_group", f"group {row.supplier_group} is not in "
                                          "config/suppliers.csv"))
            continue
        if row.ldso_mpid not in ldsos:
            problems.append(ConfigProblem(NAME, where + "ldso_mpid", f"LDSO {row.ldso_mpid} is not in "
                                          "config/ldsos.csv"))
            continue
        key = (row.supplier_group, row.ldso_mpid)
        total = used.get(key, 0) + row.mpan_count
        held = group_portfolio.get(key, 0)
        if total > held:
            problems.append(ConfigProblem(NAME, where + "mpan_count", f"the sites of {row.supplier_group} in "
                                          f"{row.ldso_mpid} add up to {total:,} MPANs, more than its portfolio "
                                          f"there ({held:,}, config/portfolio.csv)"))
            continue
        used[key] = total
        own = {a.mpid for a in agents if a.group == row.supplier_group}
        stray = [a for a in row.agents.split() if own and a not in own]
        if stray:
            problems.append(ConfigProblem(NAME, where + "agents", f"agent {stray[0]} is not an agent of "
                                          f"{row.supplier_group} in config/agents.csv"))
            continue
        sites.append(ComplexSite(row.site, row.supplier_group, row.ldso_mpid, row.mpan_count,
                                 tuple(row.agents.split())))
    return tuple(sites)
