"""Complex sites, SVA shared metering arrangements and private networks (Foundations 5.7): "The Migration of all
MPANs within a Complex Site arrangement must be undertaken at the same time; and No migration of Complex Sites may
be undertaken prior to M14." A site is migrated on one day, which the group gives in its plan (the Sites sheet of
its template), and tracked to its confirmation from outturn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ComplexSite:
    """One site of ``config/complex_sites.csv``: its MPANs migrate together, in one LDSO, with the group's agents."""

    site: str
    group: str
    ldso: str
    mpan_count: int
    agents: tuple[str, ...] = ()


def site_status(planned: date | None, migrated: int, mpan_count: int, as_of: date) -> str:
    """Where a site stands in the tracker: ``no date`` (none planned yet), ``planned`` (the day is after ``as_of``),
    ``confirmed`` (outturn shows at least its MPANs initiated on the day, from the group's suppliers in its LDSO),
    ``not confirmed`` (the day has passed without that)."""
    if planned is None:
        return "no date"
    if planned > as_of:
        return "planned"
    return "confirmed" if migrated >= mpan_count else "not confirmed"
