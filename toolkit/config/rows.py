"""The rows of the configuration's CSV files as pydantic models, with their columns (``config/*.csv``; the loader
checks them across files)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from toolkit.domain.industry import AGENT_ROLES
from toolkit.domain.text import address_problem, plain_text_problem

MPID = re.compile(r"^[A-Z0-9]{4}$")
DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")

LDSO_COLUMNS = ("ldso_mpid", "name", "mpan_count")
SUPPLIER_COLUMNS = ("supplier_mpid", "supplier_group", "group_name", "sit", "migration_start",
                    "extended_ramp_up", "lost_days", "daily_opt_in", "primary_contact", "secondary_contact")
PORTFOLIO_COLUMNS = ("supplier_mpid", "ldso_mpid", "mpan_count")
AGENT_COLUMNS = ("supplier_group", "agent_mpid", "agent_name", "role")
# optional columns: where publications and notices are emailed (an agent's repeated identically on its rows)
CONTACT_COLUMNS = ("primary_contact", "secondary_contact")
EXEMPTION_COLUMNS = ("supplier_group", "ldso_mpid", "date", "reason")
LOST_DAYS_COLUMNS = ("supplier_group", "days", "reason", "incident", "approved_on")
OUTAGE_COLUMNS = ("date", "ldso_mpid", "reason", "incident")
CHURN_COLUMNS = ("supplier_mpid", "ldso_mpid", "date", "change", "reason")
# the attributes of a group that every one of its supplier rows must repeat identically
GROUP_COLUMNS = ("group_name", "sit", "migration_start", "extended_ramp_up", "lost_days", "daily_opt_in",
                 "primary_contact", "secondary_contact", "owner", "email_domains", "ff_weeks", "ff_initiations")


def _mpid(value: str) -> str:
    value = value.strip().upper()
    if not MPID.match(value):
        raise ValueError(f"{value!r} is not an MPID (four letters or digits)")
    return value


def _email(value: str) -> str:
    """One address, or nothing (a contact field never holds two: they would all receive the MCC's mail)."""
    value = value.strip()
    problem = address_problem(value) if value else None
    if problem:
        raise ValueError(problem)
    return value


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        """No control characters in any field: names and reasons reach emails, workbooks, CSV and calendars."""
        problem = plain_text_problem(value) if isinstance(value, str) else None
        if problem:
            raise ValueError(problem)
        return value


class LdsoRow(_Row):
    ldso_mpid: str
    name: str = Field(min_length=1)
    mpan_count: int = Field(gt=0)
    primary_contact: str = ""
    secondary_contact: str = ""
    lrcfc: float | None = Field(None, ge=1.0, le=1.5)  # optional column: the LDSO's own LRCFC (P LRCFC "Per LDSO")
    _mpid = field_validator("ldso_mpid")(_mpid)
    _emails = field_validator("primary_contact", "secondary_contact")(_email)

    @field_validator("lrcfc", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


class SupplierRow(_Row):
    supplier_mpid: str
    supplier_group: str
    group_name: str = Field(min_length=1)
    sit: bool
    migration_start: date
    extended_ramp_up: bool = False
    lost_days: int = Field(0, ge=0)
    daily_opt_in: bool = False
    primary_contact: str = Field(min_length=1)
    secondary_contact: str = ""
    owner: str = ""  # optional column: groups of one owner count as one contributor in disclosure control
    email_domains: str = ""  # optional column: mail domains (space or ';' separated) its returns may come from
    ff_weeks: int | None = Field(None, ge=0)  # optional columns: fast-feedback terms agreed with the group (F5.2.11)
    ff_initiations: int | None = Field(None, ge=0)
    _mpids = field_validator("supplier_mpid", "supplier_group")(_mpid)

    @field_validator("email_domains")
    @classmethod
    def _domains(cls, value: str) -> str:
        for d in value.replace(";", " ").split():
            if not DOMAIN.fullmatch(d):
                raise ValueError(f"{d!r} is not a mail domain (like example.com)")
        return value
    _emails = field_validator("primary_contact", "secondary_contact")(_email)

    @field_validator("extended_ramp_up", "daily_opt_in", "lost_days", "ff_weeks", "ff_initiations", mode="before")
    @classmethod
    def _blank_is_default(cls, value: Any, info) -> Any:
        if isinstance(value, str) and not value.strip():
            return {"lost_days": 0, "ff_weeks": None, "ff_initiations": None}.get(info.field_name, False)
        return value


class PortfolioRow(_Row):
    supplier_mpid: str
    ldso_mpid: str
    mpan_count: int = Field(ge=0)
    _mpids = field_validator("supplier_mpid", "ldso_mpid")(_mpid)


class AgentRow(_Row):
    supplier_group: str
    agent_mpid: str
    agent_name: str = Field(min_length=1)
    role: str
    primary_contact: str = ""
    secondary_contact: str = ""
    ready_from: date | None = None  # optional column (F5.2.10): the first day the agent is "migration ready"
    _mpids = field_validator("supplier_group", "agent_mpid")(_mpid)
    _emails = field_validator("primary_contact", "secondary_contact")(_email)

    @field_validator("ready_from", mode="before")
    @classmethod
    def _blank_is_ready(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in AGENT_ROLES:
            raise ValueError(f"{value!r} is not a role ({', '.join(f'{k} {v}' for k, v in AGENT_ROLES.items())})")
        return value


class LostDaysRow(_Row):
    supplier_group: str
    days: int = Field(gt=0)
    reason: str = Field(min_length=1)
    incident: str = Field(min_length=1)
    approved_on: date
    _mpid = field_validator("supplier_group")(_mpid)


class ChurnRow(_Row):
    supplier_mpid: str
    ldso_mpid: str
    date: date
    change: int
    reason: str = Field(min_length=1)
    _mpids = field_validator("supplier_mpid", "ldso_mpid")(_mpid)

    @field_validator("change")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("0 is no change (MPANs gained are positive, lost negative)")
        return value


class OutageRow(_Row):
    date: date
    ldso_mpid: str = ""  # blank: a central system's outage, every LDSO
    reason: str = Field(min_length=1)
    incident: str = ""

    @field_validator("ldso_mpid")
    @classmethod
    def _blank_or_mpid(cls, value: str) -> str:
        return _mpid(value) if value.strip() else ""


class ExemptionRow(_Row):
    supplier_group: str
    ldso_mpid: str
    date: date
    reason: str = Field(min_length=1)
    _mpids = field_validator("supplier_group", "ldso_mpid")(_mpid)
