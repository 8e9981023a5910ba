"""What a returned workbook is judged on, what the families of rules establish about it on the way, and what the
judging returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from toolkit.domain.findings import Finding
from toolkit.domain.parameters import Parameters
from toolkit.domain.submission import Submission
from toolkit.domain.template import TemplateContent


@dataclass(frozen=True)
class Identity:
    """What the caller established about the file: the signature check needs the MCC's key, the rest the
    template register and the configuration."""

    signature_ok: bool
    known_group: bool
    known_cycle: bool
    registered: bool  # the template id is in the cycle's register
    current_version: int | None  # latest issued version of the group for the cycle
    current_digest: str | None  # digest of the envelopes recalculated now
    planning_cycle: str | None = None  # the cycle the MCC is collecting plans for (None: any)
    claimed_group: str | None = None  # from the inbox subfolder or the file name, when there is one


@dataclass(frozen=True)
class Judgement:
    findings: list[Finding]
    weekly: np.ndarray | None = None  # the plan as read (blanks and bad cells as 0), when the layout held
    daily: np.ndarray | None = None
    grids_ok: dict[str, bool] = field(default_factory=dict)


@dataclass
class PlanCase:
    """A returned plan and the figures to judge it against (recalculated from the configuration by the caller,
    never read from the returned file). ``content`` is None when the file's group or cycle is unknown: then only
    its identity can be judged. The layout family records which grids held, the values family the plan it read;
    the families after them judge those (a grid whose layout is broken is skipped: its cell references would point
    at the wrong cells)."""

    sub: Submission
    facts: Identity
    content: TemplateContent | None
    parameters: Parameters
    exemptions: frozenset[tuple[str, date]] = frozenset()
    received_on: date | None = None  # the day the inbox received it (None: judged by hand, no time of receipt)
    grids_ok: dict[str, bool] = field(default_factory=dict)
    weekly: np.ndarray | None = None  # (W, L) as read, blanks and bad cells as 0
    daily: np.ndarray | None = None  # (D, L)

    @property
    def judgeable(self) -> bool:
        return self.content is not None and bool(self.sub.meta.get("template_id"))

    @property
    def daily_present(self) -> bool:
        return self.daily is not None and bool(self.daily.any())
