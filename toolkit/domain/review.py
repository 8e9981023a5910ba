"""The sprint review (Foundations 5.4): after a sprint's execution, how effective it was, as figures the MCC
reports and compares across sprints. Pure: the sprint's schedule, grants and outturn in; figures out.

Not the sprint execution reporting (daily monitoring, ``toolkit.domain.monitoring``): the review looks at the whole
sprint once it has run. Unused capacity used is the part of a grant a group's outturn reached: on each day, what it
migrated above its plan without the grant, up to the grant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from toolkit.domain.monitoring import levels
from toolkit.domain.parameters import Tolerance


@dataclass(frozen=True)
class Submissions:
    """What the sprint's planning phase received (plans only)."""

    templates: int  # groups sent a template
    returned: int  # returns judged (duplicates aside)
    accepted: int
    rejected: int  # returns rejected (invalid)
    late: int  # returns received after the submission deadline
    without_plan: int  # groups with a template and no accepted plan


@dataclass(frozen=True)
class SprintFigures:
    """One sprint's headline figures: a row of the trend."""

    cycle: str
    first: date
    last: date
    planned: int
    migrated: int
    csmt: int  # the sum of CSMT over the sprint's migration days
    peak_csmt_use: float  # the highest day's national outturn over its CSMT
    granted: int
    used: int
    level3: int  # group x LDSO pairs at level 3 over the sprint
    submissions: Submissions

    @property
    def ratio(self) -> float:
        return self.migrated / self.planned if self.planned else 1.0

    @property
    def csmt_use(self) -> float:
        return self.migrated / self.csmt if self.csmt else 0.0

    @property
    def used_share(self) -> float:
        return self.used / self.granted if self.granted else 0.0


@dataclass
class Review:
    figures: SprintFigures
    ldsos: list[str]
    ldso_planned: np.ndarray  # (L,)
    ldso_migrated: np.ndarray  # (L,)
    ldso_almt: np.ndarray  # (L,) the sum of ALMT (ULMT - LRC for de minimis LDSOs) over the sprint
    ldso_peak_use: np.ndarray  # (L,) the highest day's outturn over that day's limit
    days: list[date]
    national_planned: np.ndarray  # (D,)
    national_migrated: np.ndarray
    csmt: np.ndarray
    groups: list[str]
    group_granted: np.ndarray  # (G,)
    group_used: np.ndarray
    level_counts: dict[int, int]  # level -> group x LDSO pairs, cumulative over the sprint
    pair_levels: list[tuple[str, str, int, int, int, float]]  # (group, ldso, planned, migrated, level, deviation)
    trend: list[SprintFigures] = field(default_factory=list)  # every sprint reviewed so far, this one last


def used_grants(planned: np.ndarray, granted: np.ndarray, migrated: np.ndarray) -> np.ndarray:
    """(G, L, D) the part of each grant used: outturn above the plan without the grant, up to the grant."""
    return np.clip(migrated - (planned - granted), 0, granted)


def review(cycle: str, days: list[date], groups: list[str], ldsos: list[str], planned: np.ndarray,
           granted: np.ndarray, migrated: np.ndarray, csmt: np.ndarray, limit: np.ndarray, tolerance: Tolerance,
           submissions: Submissions) -> Review:
    """``planned`` (the schedule as it stood, grants included), ``granted``, ``migrated``: (G, L, D) over the
    sprint's ``days``; ``csmt`` (D,); ``limit`` (L, D) ALMT or ULMT - LRC."""
    used = used_grants(planned, granted, migrated)
    pair_plan, pair_act = planned.sum(axis=2), migrated.sum(axis=2)
    level, _ = levels(pair_act, pair_plan, tolerance)
    active = (pair_plan > 0) | (pair_act > 0)
    counts = {n: int(((level == n) & active).sum()) for n in (1, 2, 3)}
    pairs = []
    for i, j in zip(*np.nonzero(active), strict=True):
        p, a = int(pair_plan[i, j]), int(pair_act[i, j])
        pairs.append((groups[i], ldsos[j], p, a, int(level[i, j]), (a - p) / p if p else float("nan")))
    nat_plan, nat_act = planned.sum(axis=(0, 1)), migrated.sum(axis=(0, 1))
    ldso_act = migrated.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        peak_csmt = float(np.nanmax(np.where(csmt > 0, nat_act / np.maximum(csmt, 1), np.nan), initial=0.0))
        ldso_peak = np.nanmax(np.where(limit > 0, ldso_act / np.maximum(limit, 1), 0.0), axis=1, initial=0.0)
    fig = SprintFigures(cycle, days[0], days[-1], int(nat_plan.sum()), int(nat_act.sum()), int(csmt.sum()),
                        peak_csmt, int(granted.sum()), int(used.sum()), counts[3], submissions)
    return Review(fig, ldsos, planned.sum(axis=(0, 2)), ldso_act.sum(axis=1), limit.sum(axis=1), ldso_peak,
                  days, nat_plan, nat_act, csmt, groups, granted.sum(axis=(1, 2)), used.sum(axis=(1, 2)), counts,
                  pairs)
