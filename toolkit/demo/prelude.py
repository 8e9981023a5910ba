"""The demo starts where the programme is (issue 15, item 9): the sprints before the one being planned are played
quickly, without workbooks (``services.play``): each group's careful plan accepted by its figures, and outturn
simulated from the schedules with the deviations real migrations show (most groups a little short of plan). The
sprint being planned then starts from realistic remaining portfolios and carried-over plans."""

from __future__ import annotations

from datetime import date

import numpy as np

from toolkit.domain.sprints import Sprint
from toolkit.services.context import Context
from toolkit.services.play import PlayedSprint, play_sprints


def simulated_deviations(seed: int = 20251001):
    """Outturn from a plan: per group, LDSO and sprint a factor between 0.93 and 1 (a little short on average) and a
    day-to-day wobble of 2%, never more than planned on a day (more than planned, beyond the portfolio, would be
    churn the demo does not record)."""
    rng = np.random.default_rng(seed)

    def deviate(planned: np.ndarray, days: list[date]) -> np.ndarray:
        pair = rng.uniform(0.93, 1.0, planned.shape[:2])[:, :, None]
        day = rng.normal(1.0, 0.02, planned.shape)
        return np.minimum(np.floor(planned * pair * day + 0.5).astype(np.int64), planned)

    return deviate


def play_history(ctx: Context, sprint: Sprint, seed: int = 20251001) -> list[PlayedSprint]:
    """Play the sprints before ``sprint`` from simulated outturn, unless the ledger already holds outturn before its
    envelope issue day (a workspace with a history of its own, or the demo run again): then nothing is played."""
    m11 = ctx.config.calendar.m11
    if ctx.ledger.migrations(before=sprint.envelope_issue, since=m11):
        return []
    return play_sprints(ctx, sprint, simulated_deviations(seed))
