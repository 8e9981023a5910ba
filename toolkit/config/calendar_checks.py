"""Checks of ``config/calendar.toml`` against the parameters: errors (CSMT above what may ever be planned, with its
reserve above the hard limit; sprints after M15) and warnings (CSMT below the Operational Threshold; execution
starts that are not first Wednesdays)."""

from __future__ import annotations

from datetime import timedelta

from toolkit.domain.calendar import CalendarSettings
from toolkit.domain.parameters import Parameters
from toolkit.errors import ConfigProblem


def calendar_problems(settings: CalendarSettings, parameters: Parameters, problems: list[ConfigProblem]) -> None:
    name = "config/calendar.toml"
    limit = parameters.capacity.csmt_planning_max
    if settings.csmt_default > limit:
        problems.append(ConfigProblem(name, "csmt_default", f"{settings.csmt_default:,} is above the "
                                      f"{limit:,} migrations a day that may ever be planned (F5.2.9)"))
    for i, rng in enumerate(settings.csmt, start=1):
        if rng.value > limit:
            problems.append(ConfigProblem(name, f"csmt[{i}] value", f"{rng.value:,} for {rng.start} to "
                                          f"{rng.end} is above the {limit:,} migrations a day that may "
                                          "ever be planned (F5.2.9)"))
    _reserve_within_hard_limit(settings, parameters, problems)
    for i, start in enumerate(settings.sprint_execution_starts, start=1):
        if start > settings.m15:
            problems.append(ConfigProblem(name, f"sprint_execution_starts[{i}]",
                                          f"{start} is after M15 ({settings.m15})"))
    if not settings.sprint_execution_starts:
        problems.append(ConfigProblem(name, "sprint_execution_starts", "lists no sprint"))


def calendar_warnings(settings: CalendarSettings, parameters: Parameters) -> list[ConfigProblem]:
    """What the documents expect of the calendar but a configuration may knowingly set otherwise: CSMT below the
    Operational Threshold (F5.2.9; P CSMT flexed between 200k and 280k), an execution start that is not the first
    Wednesday of its month (C3.3)."""
    name, floor, out = "config/calendar.toml", parameters.capacity.csmt_operational, []
    below = f"below the Operational Threshold of {floor:,} migrations a day (F5.2.9; [capacity] csmt_operational)"
    if settings.csmt_default < floor:
        out.append(ConfigProblem(name, "csmt_default", f"{settings.csmt_default:,} is {below}"))
    for i, rng in enumerate(settings.csmt, start=1):
        if rng.value < floor:
            out.append(ConfigProblem(name, f"csmt[{i}] value",
                                     f"{rng.value:,} for {rng.start} to {rng.end} is {below}"))
    for i, start in enumerate(settings.sprint_execution_starts, start=1):
        first = start.replace(day=1)
        wednesday = first + timedelta(days=(2 - first.weekday()) % 7)
        if start != wednesday:
            out.append(ConfigProblem(name, f"sprint_execution_starts[{i}]",
                                     f"{start} ({start:%a}) is not the first Wednesday of {start:%B %Y} "
                                     f"({wednesday}): execution phases start on the first Wednesday of a month "
                                     "(Choreography 3.3)"))
    return out


def _reserve_within_hard_limit(settings: CalendarSettings, parameters: Parameters,
                               problems: list[ConfigProblem]) -> None:
    """With the reserve above CSMT (F5.2.9, [capacity] reserve_placement = "above"), CSMT x RCFC is what may be
    processed on a day: it must stay within the hard constraint (300,000)."""
    if parameters.capacity.reserve_placement != "above":
        return
    rcfc, hard = parameters.thresholds.rcfc, parameters.capacity.csmt_hard_limit
    values = [("csmt_default", settings.csmt_default)] + [(f"csmt[{i}] value", r.value)
                                                         for i, r in enumerate(settings.csmt, start=1)]
    for key, value in values:
        if round(value * rcfc) > hard:
            problems.append(ConfigProblem("config/calendar.toml", key,
                                          f"{value:,} with its reserved capacity (RCFC {rcfc:g}) is "
                                          f"{round(value * rcfc):,} migrations a day, above the hard limit of "
                                          f"{hard:,} (F5.2.9; [capacity] csmt_hard_limit)"))
