"""Parties and portfolios: LDSOs, supplier groups and their MPIDs, and who holds how many MPANs where.

Counts are trading MPANs including secondary MPANs (F5.5): a secondary MPAN migrates as its own
migration, so it counts against envelopes like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from toolkit.domain.complex_sites import ComplexSite


@dataclass(frozen=True)
class Ldso:
    """A distribution network operator (DNO or iDNO) by its MPID; ``mpan_count`` is LMPC."""

    mpid: str
    name: str
    mpan_count: int
    primary_contact: str = ""
    secondary_contact: str = ""
    owner: str = ""  # groups of one owner count as one contributor in disclosure control (issue 17)
    lrcfc: float | None = None  # its own LDSO Reserved Capacity Factor (P LRCFC "Per LDSO"); None: [thresholds]

    @property
    def contacts(self) -> tuple[str, ...]:
        return tuple(c for c in (self.primary_contact, self.secondary_contact) if c)


@dataclass(frozen=True)
class SupplierGroup:
    """A Supplier Group MPID under which one or more supplier MPIDs plan together (P Supplier Group)."""

    mpid: str
    name: str
    suppliers: tuple[str, ...]
    sit: bool
    migration_start: date  # MWSD, the same for all the group's LDSOs
    extended_ramp_up: bool = False  # XRUF
    lost_days: int = 0  # XCMW, approved lost migration days
    daily_opt_in: bool = False  # DOF
    primary_contact: str = ""
    secondary_contact: str = ""
    owner: str = ""  # groups of one owner count as one contributor in disclosure control (issue 17)
    email_domains: tuple[str, ...] = ()  # mail domains whose senders may return the group's plans (issue 21)
    ff_weeks: int | None = None  # its own fast-feedback period (F5.2.11, Early Life Support); None: [fast_feedback]
    ff_initiations: int | None = None  # its own fast-feedback initiation limit; None: [fast_feedback]

    @property
    def contacts(self) -> tuple[str, ...]:
        return tuple(c for c in (self.primary_contact, self.secondary_contact) if c)

    def knows_sender(self, address: str) -> bool:
        """Whether ``address`` is one of the group's contacts, or in a domain it declares (case-insensitive)."""
        address = address.strip().lower()
        if address in (c.lower() for c in self.contacts):
            return True
        domain = address.rpartition("@")[2]
        return bool(domain) and "@" in address and domain in self.email_domains


AGENT_ROLES = {"DS": "Data Service", "MS": "Metering Service"}


@dataclass(frozen=True)
class Agent:
    """A service provider appointed by a group's suppliers (F5.2.10; C3.2.1 b3): its MPID and role. Every
    migration needs one provider of each role, so each role's weekly forecasts add up to the weekly plan."""

    group: str
    mpid: str
    name: str
    role: str  # a key of AGENT_ROLES
    primary_contact: str = ""
    secondary_contact: str = ""
    owner: str = ""  # groups of one owner count as one contributor in disclosure control (issue 17)
    ready_from: date | None = None  # F5.2.10: the first day it is "migration ready" (None: ready throughout)

    @property
    def contacts(self) -> tuple[str, ...]:
        return tuple(c for c in (self.primary_contact, self.secondary_contact) if c)

    @property
    def key(self) -> str:
        return f"{self.mpid}/{self.role}"


@dataclass(frozen=True)
class Industry:
    """Everything about the parties, with the supplier portfolios rolled up to group portfolios (ISLP)."""

    ldsos: tuple[Ldso, ...]
    groups: tuple[SupplierGroup, ...]
    portfolio: dict[tuple[str, str], int] = field(default_factory=dict)  # (supplier MPID, LDSO) -> MPANs
    agents: tuple[Agent, ...] = ()
    sites: tuple[ComplexSite, ...] = ()  # F5.7: config/complex_sites.csv

    def sites_of_group(self, group: str) -> tuple[ComplexSite, ...]:
        return tuple(s for s in self.sites if s.group == group)

    @cached_property
    def ldso_by_mpid(self) -> dict[str, Ldso]:
        return {ldso.mpid: ldso for ldso in self.ldsos}

    @cached_property
    def group_by_mpid(self) -> dict[str, SupplierGroup]:
        return {g.mpid: g for g in self.groups}

    @cached_property
    def group_of_supplier(self) -> dict[str, str]:
        return {s: g.mpid for g in self.groups for s in g.suppliers}

    @cached_property
    def group_portfolio(self) -> dict[tuple[str, str], int]:
        """ISLP[g, l]: the group's MPANs in each LDSO where it has any."""
        out: dict[tuple[str, str], int] = {}
        for (supplier, ldso), count in self.portfolio.items():
            key = (self.group_of_supplier[supplier], ldso)
            out[key] = out.get(key, 0) + count
        return {k: v for k, v in sorted(out.items()) if v > 0}

    @cached_property
    def _ldsos_by_group(self) -> dict[str, tuple[str, ...]]:
        held: dict[str, set[str]] = {}
        for g, ldso in self.group_portfolio:
            held.setdefault(g, set()).add(ldso)
        return {g: tuple(x.mpid for x in self.ldsos if x.mpid in h) for g, h in held.items()}

    def ldsos_of_group(self, group: str) -> list[str]:
        """The LDSOs where the group holds MPANs, in the order of ``ldsos``."""
        return list(self._ldsos_by_group.get(group, ()))

    def agents_of_group(self, group: str) -> list[Agent]:
        return [a for a in self.agents if a.group == group]

    def portfolio_total(self, ldso: str) -> int:
        return sum(count for (_, held_in), count in self.portfolio.items() if held_in == ldso)

    @property
    def total_mpans(self) -> int:
        return sum(ldso.mpan_count for ldso in self.ldsos)


@dataclass(frozen=True)
class Churn:
    """MPANs a supplier MPID gained (positive) or lost (negative) in an LDSO, effective on ``day`` (a change of
    supplier, a supplier of last resort, new connections): recorded beside the deemed initial portfolio, never by
    editing it (Parameters IP, ISP, ISLP: "recalculated for each sprint to allow for supplier portfolio churn")."""

    supplier: str
    ldso: str
    day: date
    change: int
    reason: str
