"""Lost Migration Days (Foundations 6.6): what a claim is, how an incident is compared, the MCC's deadlines."""

from __future__ import annotations


def incident_key(incident: str) -> str:
    """An incident number as compared (6.6.1 "2. Related Incident Number"): ``inc0042 `` and ``INC0042`` are the
    same incident, and one incident extends a group's core window once."""
    return incident.strip().upper()
