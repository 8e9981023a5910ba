"""The loaded configuration: a value of its own module, light to import, so that a copy read back from the cache
(``toolkit.config.cache``) imports only the classes it holds, not the loader and its checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.config.rows import LostDaysRow
    from toolkit.domain.calendar import CalendarSettings, MigrationCalendar
    from toolkit.domain.events import Outage
    from toolkit.domain.industry import Churn, Industry
    from toolkit.domain.parameters import Parameters
    from toolkit.errors import ConfigProblem


@dataclass
class Config:
    """A loaded, validated workspace configuration."""

    root: Path
    parameters: Parameters
    calendar_settings: CalendarSettings
    calendar: MigrationCalendar
    industry: Industry
    warnings: list[ConfigProblem] = field(default_factory=list)
    exemptions: dict[str, frozenset[tuple[str, date]]] = field(default_factory=dict)  # group -> (LDSO, day)
    lost_day_claims: list[LostDaysRow] = field(default_factory=list)  # approved claims (config/lost_days.csv)
    churn: list[Churn] = field(default_factory=list)  # config/churn.csv, in date order
    outages: list[Outage] = field(default_factory=list)  # config/outages.csv: left out of performance (F6.3)
