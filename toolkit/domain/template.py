"""What a supplier group's submission template holds, and what its self-checks must show (METHOD 4, 5, 7;
Foundations 5.2.5, 5.2.7, 5.2.11, 5.3-5.5; Choreography 3.2.1). Pure: the Excel writer lays this out, the
inbox validator judges returns against the same figures, and the tests compare the spreadsheet's own
recalculated checks with ``self_checks``.

The plan window of a cycle runs from the sprint's execution start to M15: the weekly plan is the forward view
(Choreography 3.2.1), so the portfolio to plan is what remains of the group's portfolio on the execution start
(``toolkit.domain.programme``: the deemed initial portfolio, plus churn, minus what migrated before; the deemed
initial portfolio where no basis is given). A week is labelled by its Monday (week commencing) and counts only the
days of the window, so the first week of a sprint that starts on a Wednesday holds Wednesday to Sunday.

Where the limits from the execution start to M15 cannot hold what remains (``LdsoColumn.fits``, capacity
sufficiency per LDSO), the template says so: the group plans what fits and asks for unused capacity.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np

from toolkit.domain.calendar import MigrationCalendar
from toolkit.domain.envelopes import CATEGORY_NAMES, PHASE_NAMES, Category, Envelopes, Phase
from toolkit.domain.findings import Severity
from toolkit.domain.industry import AGENT_ROLES, Agent, Industry, SupplierGroup
from toolkit.domain.parameters import Parameters
from toolkit.domain.programme import GroupBasis
from toolkit.domain.sprints import Sprint

SHORT_PHASE = {Phase.PRE_START: "", Phase.INDUSTRY_RAMP_UP: "ramp-up (industry)",
               Phase.SUPPLIER_RAMP_UP: "ramp-up", Phase.CORE: "core", Phase.RAMP_DOWN: "ramp-down"}


@dataclass(frozen=True)
class LdsoColumn:
    """One of the group's LDSOs as a plan column, with the rules that apply there (METHOD 4; F5.2.7)."""

    mpid: str
    name: str
    portfolio: int  # the portfolio to plan: what remains on the execution start (ISLP without a basis)
    category: Category
    threshold: int  # LT = ULMT
    daily_cap: int | None  # de minimis: DSP x LT; None where no per-day limit applies
    ramp_up_min: int  # ceil(RURPmin x portfolio), or the ramp-up envelope total where that is less (a parameter)
    ramp_up_max: int  # floor(RURPmax x portfolio)
    spread_days: int  # de minimis: DDPRU, or fewer when fewer MPANs remain after ramp-up
    initial: int = 0  # ISLP, the deemed initial portfolio
    churn: int = 0  # recorded before the execution start
    migrated: int = 0  # before the execution start
    fits: int | None = None  # the most the limits to M15 hold (ramp-up weeks up to the ramp-up maximum); None: SMALL

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES[self.category]

    @property
    def total(self) -> int:
        """The whole portfolio as it stands (migrated and remaining): the base of the core-window share."""
        return self.migrated + self.portfolio

    @property
    def infeasible(self) -> bool:
        """The limits from the execution start to M15 cannot hold the portfolio left (capacity sufficiency)."""
        return self.fits is not None and self.fits < self.portfolio

    @property
    def beyond(self) -> int:
        """MPANs left that no limit to M15 holds: what unused capacity must find."""
        return max(self.portfolio - self.fits, 0) if self.fits is not None else 0

    def rule_text(self, parameters: Parameters) -> str:
        """The rules of this LDSO in a supplier's words, with the figures."""
        s = parameters.submission
        if self.category == Category.SMALL:
            return (f"Small portfolio (under {parameters.thresholds.sslpt:,} MPANs): no daily limit. Plan the "
                    f"{self.portfolio:,} MPANs left by M15.")
        ramp = (f"In your first {parameters.windows.sruw} migration days plan {self.ramp_up_min:,} to "
                f"{self.ramp_up_max:,} MPANs ({s.rurp_min:.0%}-{s.rurp_max:.0%}"
                + (", the minimum capped at your ramp-up envelopes" if self.ramp_up_min < math.ceil(
                    round(s.rurp_min * self.portfolio, 6)) else "") + ").")
        short = (f" Your limits to M15 hold {self.fits:,} of the {self.portfolio:,} MPANs left: plan all that fits "
                 f"and request unused capacity for the other {self.beyond:,}." if self.infeasible else "")
        if self.category == Category.DE_MINIMIS:
            return (f"De minimis: no envelope. At most {self.daily_cap:,} migrations on any day ({s.dsp:.0%} of the "
                    f"LDSO threshold {self.threshold:,}). {ramp} After ramp-up spread the rest over at least "
                    f"{self.spread_days} migration days.{short}")
        return (f"Capacity envelope: stay within the daily and weekly envelopes shown. {ramp} Plan at least "
                f"{s.cmwcp:.0%} of {self.total:,} MPANs by the end of your core window (migrated so far "
                f"included).{short}")


@dataclass(frozen=True)
class TemplateContent:
    """Everything one group's template shows, for one planning cycle."""

    group: SupplierGroup
    sprint: Sprint
    first_day: date  # first day of the plan window (the sprint's execution start)
    last_day: date  # M15
    ldsos: list[LdsoColumn]
    # weekly plan to M15
    weeks: list[date]  # Mondays
    week_open_days: np.ndarray  # (W,) migration days of the week open to this group inside the window
    week_ramp_up_days: np.ndarray  # (W,) of which in the ramp-up check period (first SRUW migration days)
    week_phase: list[str]
    week_notes: list[str]
    weekly_limit: np.ndarray  # (W, L) weekly envelope (ENVELOPE), de minimis weekly cap, -1 where no limit
    # daily sprint plan (empty when the group need not plan daily)
    daily_required: bool
    daily_reason: str
    days: list[date]
    day_open: np.ndarray  # (D,) bool
    day_phase: list[str]
    day_notes: list[str]
    daily_limit: np.ndarray  # (D, L) daily envelope, de minimis daily cap, -1 where no limit
    # phases and windows
    migration_start: date
    ramp_up_check_end: date | None  # the last of the first SRUW migration days (ramp-up.range)
    ramp_up_end: date
    core_start: date | None
    core_end: date | None
    fast_feedback_start: date
    fast_feedback_end: date
    agents: list[Agent]
    fast_feedback_weeks: int = 2  # the group's fast-feedback terms (F5.2.11; [fast_feedback] or its own)
    fast_feedback_initiations: int = 500
    events: list[tuple[date, str]] = field(default_factory=list)  # key dates of the cycle
    # every date of the plan window, for the validator and the sample planner
    window_days: list[date] = field(default_factory=list)
    window_open: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    window_limit: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    # how 'migrated so far' was counted, and the plan carried over from the group's latest accepted plan
    basis_notes: tuple[str, ...] = ()
    prefill: np.ndarray | None = None  # (W, L) weekly figures written into the template, -1 where none
    prefill_agents: np.ndarray | None = None  # (W, agents) forecasts carried with them
    sites: tuple = ()  # the group's complex sites (F5.7): each given one migration date on the Sites sheet
    m14: date | None = None  # F5.7: no complex site migrates before M14
    carried_from: str = ""  # "your accepted S7 plan (version 2)"

    @property
    def infeasible(self) -> list[LdsoColumn]:
        """The LDSOs where the limits to M15 cannot hold what is left."""
        return [c for c in self.ldsos if c.infeasible]

    def prefilled(self) -> np.ndarray:
        """(W, L) the weekly plan as the template is issued: the carried-over figures, 0 elsewhere."""
        if self.prefill is None:
            return np.zeros((len(self.weeks), len(self.ldsos)), dtype=np.int64)
        return np.maximum(self.prefill, 0)

    def prefilled_agents(self) -> np.ndarray:
        """(W, agents) the agent forecasts as the template is issued."""
        if self.prefill_agents is None:
            return np.zeros((len(self.weeks), len(self.agents)), dtype=np.int64)
        return np.maximum(self.prefill_agents, 0)

    @property
    def ramp_up_in_window(self) -> bool:
        return self.migration_start >= self.first_day

    @property
    def core_end_in_window(self) -> bool:
        return self.core_end is not None and self.core_end >= self.first_day

    @property
    def fast_feedback_in_window(self) -> bool:
        return self.fast_feedback_end >= self.first_day

    def ramp_checked(self, column: LdsoColumn) -> bool:
        """Whether the template checks the ramp-up range of this LDSO (its ramp-up is in the plan window)."""
        return self.ramp_up_in_window and column.category != Category.SMALL

    def core_checked(self, column: LdsoColumn) -> bool:
        return self.core_end_in_window and column.category == Category.ENVELOPE

    @property
    def ldso_mpids(self) -> list[str]:
        return [c.mpid for c in self.ldsos]

    def week_before_core_end(self) -> np.ndarray:
        """(W,) weeks counted in the core-window completion check: those starting on or before the core end."""
        if self.core_end is None:
            return np.zeros(len(self.weeks), dtype=bool)
        return np.array([w <= self.core_end for w in self.weeks], dtype=bool)

    def digest(self) -> str:
        """SHA-256 of the envelopes and limits this template was issued with, in a canonical form: the inbox
        compares it with the envelopes recalculated from the configuration to tell a stale template."""
        payload = {
            "group": self.group.mpid, "cycle": self.sprint.cycle, "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "ldsos": [[c.mpid, c.portfolio, c.category_name, c.daily_cap] for c in self.ldsos],
            "weeks": [w.isoformat() for w in self.weeks], "weekly": self.weekly_limit.astype(int).tolist(),
            "days": [d.isoformat() for d in self.days], "daily": self.daily_limit.astype(int).tolist(),
        }
        return hashlib.sha256(json.dumps(payload, separators=(",", ":")).encode()).hexdigest()


def must_plan_daily(group: SupplierGroup, sprint: Sprint, open_days: int) -> tuple[bool, str]:
    """Choreography 3.2.1 b5: groups already migrating or qualifying in time for the sprint plan daily for its
    execution period, and so does a group with the daily opt-in flag (P DOF); but only where the sprint holds a
    migration day open to the group (``open_days``): a daily plan of closed days could only be blank, so it is not
    asked for, opt-in or not."""
    if open_days == 0:
        if group.migration_start > sprint.execution_end:
            return False, f"your migration starts after this sprint ({group.migration_start:%d %b %Y})"
        return False, "no migration day of this sprint is open to you"
    if group.migration_start <= sprint.execution_start:
        return True, "you are already migrating when this sprint executes"
    return True, f"your migration starts during this sprint ({group.migration_start:%d %b %Y})"


def template_content(industry: Industry, calendar: MigrationCalendar, parameters: Parameters, env: Envelopes,
                     group_mpid: str, sprint: Sprint, basis: GroupBasis | None = None) -> TemplateContent:
    """What the group's template holds for the sprint; ``basis``: the portfolio left on the execution start (without
    it, the deemed initial portfolio)."""
    group = industry.group_by_mpid[group_mpid]
    gi = env.groups.index(group_mpid)
    ph = env.phases[gi]
    d0 = env.dates[0]
    first_day = max(sprint.execution_start, calendar.m11)
    last_day = calendar.m15

    ramp_check_end = calendar.nth_migration_day(ph.migration_start, parameters.windows.sruw)
    ramp_check = slice((ph.migration_start - d0).days, ((ramp_check_end or ph.migration_start) - d0).days + 1)
    columns = _ldso_columns(industry, parameters, env, group_mpid, ramp_check, basis)
    cols = [env.ldsos.index(c.mpid) for c in columns]

    # every date of the window, with whether it is open to the group
    all_days = [first_day + timedelta(days=k) for k in range((last_day - first_day).days + 1)]
    ks = np.array([(d - d0).days for d in all_days], dtype=np.int64)
    open_ = env.migration[ks] & env.active[gi, ks]
    in_ramp_check = np.array([ph.migration_start <= d <= (ramp_check_end or ph.migration_start) for d in all_days])
    daily_env = env.envelope[gi][np.ix_(cols, ks)].T.astype(np.int64) if cols else np.zeros((len(ks), 0), np.int64)
    limit = np.full(daily_env.shape, -1, dtype=np.int64)
    for c, col in enumerate(columns):
        if col.category == Category.ENVELOPE:
            limit[:, c] = daily_env[:, c]
        elif col.category == Category.DE_MINIMIS:
            limit[:, c] = np.where(open_, col.daily_cap, 0)
    ff = parameters.fast_feedback.for_group(group.ff_weeks, group.ff_initiations)
    ff_start, ff_end = ff.window(ph.migration_start)
    events = [(e.start, e.title) for e in calendar.events()
              if (e.sprint == sprint.sprint and e.kind in ("plan", "publish", "uca", "execute")
                  and "stand-up" not in e.title and "monthly review" not in e.title)
              or (e.kind == "milestone")]
    parts_of_day = _day_notes(calendar, all_days, ph.migration_start, (ff_start, ff_end),
                              [(d, t) for d, t in events if first_day <= d <= last_day])
    notes = [", ".join(p) for p in parts_of_day]

    # weeks
    monday = first_day - timedelta(days=first_day.weekday())
    weeks = [monday + timedelta(weeks=k) for k in range((last_day - monday).days // 7 + 1)]
    week_of = np.array([(d - monday).days // 7 for d in all_days])
    n_w = len(weeks)
    week_open = np.bincount(week_of, weights=open_, minlength=n_w).astype(np.int64)
    week_ramp = np.bincount(week_of, weights=open_ & in_ramp_check, minlength=n_w).astype(np.int64)
    weekly_limit = np.full((n_w, len(columns)), -1, dtype=np.int64)
    for c, col in enumerate(columns):
        if col.category != Category.SMALL:
            weekly_limit[:, c] = np.bincount(week_of, weights=limit[:, c] * open_, minlength=n_w).astype(np.int64)
    columns = [replace(col, fits=_fits(col, weekly_limit[:, c], week_ramp > 0, ph.migration_start >= first_day))
               for c, col in enumerate(columns)]
    phase_of_day = env.phase[gi, ks]
    week_phase, week_notes = _week_labels(n_w, week_of, phase_of_day, open_, all_days, parts_of_day)

    # the sprint's days
    sprint_end = min(sprint.execution_end, last_day)
    in_sprint = np.array([d <= sprint_end for d in all_days], dtype=bool)
    daily_required, daily_reason = must_plan_daily(group, sprint, int((open_ & in_sprint).sum()))
    sel = [k for k, d in enumerate(all_days) if d <= sprint_end] if daily_required else []
    return TemplateContent(
        group=group, sprint=sprint, first_day=first_day, last_day=last_day, ldsos=columns, weeks=weeks,
        week_open_days=week_open, week_ramp_up_days=week_ramp, week_phase=week_phase, week_notes=week_notes,
        weekly_limit=weekly_limit, daily_required=daily_required, daily_reason=daily_reason,
        days=[all_days[k] for k in sel], day_open=open_[sel] if sel else np.zeros(0, dtype=bool),
        day_phase=[SHORT_PHASE[Phase(phase_of_day[k])] if open_[k] else "" for k in sel],
        day_notes=[notes[k] for k in sel], daily_limit=limit[sel] if sel else np.zeros((0, len(columns)), np.int64),
        migration_start=ph.migration_start, ramp_up_check_end=ramp_check_end, ramp_up_end=ph.ramp_up_end,
        core_start=ph.core_start, core_end=ph.core_end, fast_feedback_start=ff_start, fast_feedback_end=ff_end,
        fast_feedback_weeks=ff.weeks, fast_feedback_initiations=ff.initiations,
        agents=industry.agents_of_group(group_mpid), events=sorted(events), window_days=all_days,
        window_open=open_, window_limit=limit, basis_notes=basis.notes if basis is not None else (),
        sites=industry.sites_of_group(group_mpid), m14=calendar.m14)


def _week_labels(n_w: int, week_of: np.ndarray, phase_of_day: np.ndarray, open_: np.ndarray, all_days: list[date],
                 parts_of_day: list[list[str]]) -> tuple[list[str], list[str]]:
    """Each week's phases (those of its open days, in order) and its calendar note."""
    week_phase, week_notes = [], []
    for w in range(n_w):
        in_week = np.flatnonzero(week_of == w)
        names = []
        for k in in_week:
            name = SHORT_PHASE[Phase(phase_of_day[k])]
            if open_[k] and name and name not in names:
                names.append(name)
        week_phase.append(" / ".join(names))
        week_notes.append(_week_note([all_days[k] for k in in_week], [parts_of_day[k] for k in in_week]))
    return week_phase, week_notes


def _fits(col: LdsoColumn, weekly_limit: np.ndarray, ramp_weeks: np.ndarray, ramp_in_window: bool) -> int | None:
    """The most a plan can hold within the weekly limits to M15 (capacity sufficiency): the sum of the limits, the
    weeks holding ramp-up days counting at most the ramp-up maximum where the range is checked; None for SMALL."""
    if col.category == Category.SMALL:
        return None
    limits = np.maximum(weekly_limit, 0)
    if not ramp_in_window:
        return int(limits.sum())
    return int(limits[~ramp_weeks].sum()) + min(int(limits[ramp_weeks].sum()), col.ramp_up_max)


def _ldso_columns(industry: Industry, parameters: Parameters, env: Envelopes, group_mpid: str,
                  ramp_check: slice, basis: GroupBasis | None) -> list[LdsoColumn]:
    """The group's LDSOs as plan columns with the figures of their rules; ``ramp_check``: the days of the envelope
    axis in the ramp-up check period (their envelopes cap the ramp-up minimum where the parameter says so)."""
    sub = parameters.submission
    gi = env.groups.index(group_mpid)
    columns = []
    for mpid in industry.ldsos_of_group(group_mpid):
        j = env.ldsos.index(mpid)
        cat = Category(env.category[gi, j])
        islp = int(env.islp[gi, j])
        pair = basis.pairs.get(mpid) if basis is not None else None
        left = pair.remaining if pair is not None else islp
        lt = int(env.ulmt[j])
        ramp_min, ramp_max = math.ceil(round(sub.rurp_min * left, 6)), math.floor(round(sub.rurp_max * left, 6))
        if cat == Category.ENVELOPE and sub.ramp_up_min_within_envelope:
            ramp_min = min(ramp_min, int(env.envelope[gi, j, ramp_check].sum()))
        after_ramp = left - ramp_min
        columns.append(LdsoColumn(
            mpid=mpid, name=industry.ldso_by_mpid[mpid].name, portfolio=left, category=cat, threshold=lt,
            daily_cap=math.floor(round(sub.dsp * lt, 6)) if cat == Category.DE_MINIMIS else None,
            ramp_up_min=ramp_min, ramp_up_max=ramp_max, spread_days=max(1, min(sub.ddpru, after_ramp)),
            initial=islp, churn=pair.churn if pair is not None else 0,
            migrated=pair.migrated if pair is not None else 0))
    return columns


def _day_notes(calendar: MigrationCalendar, days: list[date], start: date, fast_feedback: tuple[date, date],
               events: list[tuple[date, str]]) -> list[list[str]]:
    """Why a day is closed (bank holiday, excluded day, before the group's start; weekends go unsaid), the
    group's migration start and fast-feedback window, and the key events and milestones of the day."""
    on_day: dict[date, list[str]] = {}
    for d, title in events:
        on_day.setdefault(d, []).append(title)
    out = []
    for d in days:
        parts = []
        reason = calendar.reason(d)
        if reason and reason != "weekend":
            parts.append(reason)
        elif not reason and d < start:
            parts.append("before your migration start")
        if d == start:
            parts.append("your migration start")
        if fast_feedback[0] <= d <= fast_feedback[1] and calendar.is_migration_day(d):
            parts.append("fast-feedback window")
        parts += on_day.get(d, [])
        out.append(parts)
    return out


def _week_note(days: list[date], parts: list[list[str]]) -> str:
    """The notes of a week, each once with the days it applies to: "Christmas Day (Fri 25 Dec); fast-feedback
    window (Mon 05 Jan to Fri 09 Jan)"."""
    seen: dict[str, list[date]] = {}
    for day, items in zip(days, parts, strict=True):
        for item in items:
            seen.setdefault(item, []).append(day)
    out = []
    for item, on in seen.items():
        when = f"{on[0]:%a %d %b}" if len(on) == 1 else (
            f"{on[0]:%a %d %b}, {on[1]:%a %d %b}" if len(on) == 2 else f"{on[0]:%a %d %b} to {on[-1]:%a %d %b}")
        out.append(f"{item} ({when})")
    return "; ".join(out)


@dataclass(frozen=True)
class LdsoChecks:
    """The self-checks of one LDSO column, as the template's formulas compute them."""

    planned: int
    remaining: int
    ramp_up_planned: int | None  # plan in the weeks holding ramp-up days; None: ramp-up before the plan window
    core_share: float | None  # None: the core window ended before the plan window, or there is none
    weekly_over: int
    daily_over: int
    weekly_closed: int  # weeks with migrations but no migration day open to the group
    daily_closed: int  # non-migration days with migrations
    portfolio: int = 0

    @property
    def ramp_up_share(self) -> float | None:
        if self.ramp_up_planned is None or not self.portfolio:
            return None
        return self.ramp_up_planned / self.portfolio

    def problems(self, parameters: Parameters, column: LdsoColumn, ramp_checked: bool, core_checked: bool) -> str:
        """The 'Problems' text of the check row, exactly as the template's formula builds it ("" when OK)."""
        s = parameters.submission
        out = ""
        if self.remaining and not short_by_capacity(column, self.planned, parameters):
            out += "total differs from portfolio; "
        if column.category != Category.SMALL and self.weekly_over + self.daily_over > 0:
            out += "over the limit; "
        if self.weekly_closed + self.daily_closed > 0:
            out += "on non-migration days; "
        if ramp_checked and self.ramp_up_planned is not None and not (
                column.ramp_up_min <= self.ramp_up_planned <= column.ramp_up_max):
            out += "ramp-up outside range; "
        if core_checked and self.core_share is not None and round(self.core_share, 9) < s.cmwcp:
            out += "core window below target; "
        return out


def short_by_capacity(column: LdsoColumn, planned: int, parameters: Parameters) -> bool:
    """A plan short of the portfolio only because the limits to M15 cannot hold it: it holds all that fits, and the
    MCC set the shortfall to be a warning (``[submission] completeness_beyond_capacity``): then the group is to
    request unused capacity for the rest, and its plan counts."""
    return (column.infeasible and parameters.submission.completeness_beyond_capacity == Severity.WARNING
            and column.fits <= planned < column.portfolio)


def self_checks(content: TemplateContent, weekly: np.ndarray, daily: np.ndarray | None) -> list[LdsoChecks]:
    """The values the template's check formulas show for a plan: ``weekly`` (W, L) and ``daily`` (D, L) whole
    numbers with 0 for blanks."""
    weekly = np.asarray(weekly, dtype=np.int64)
    daily = np.zeros((len(content.days), len(content.ldsos)), np.int64) if daily is None else np.asarray(daily)
    ramp_weeks = content.week_ramp_up_days > 0
    core_weeks = content.week_before_core_end()
    out = []
    for c, col in enumerate(content.ldsos):
        planned = int(weekly[:, c].sum())
        ramp = int(weekly[ramp_weeks, c].sum()) if content.ramp_up_in_window else None
        core = (((col.migrated + float(weekly[core_weeks, c].sum())) / col.total if col.total else 1.0)
                if content.core_end_in_window else None)
        limited = col.category != Category.SMALL
        out.append(LdsoChecks(
            planned=planned, remaining=col.portfolio - planned, ramp_up_planned=ramp, core_share=core,
            portfolio=col.portfolio,
            weekly_over=int(((content.week_open_days > 0) & (weekly[:, c] > content.weekly_limit[:, c])).sum())
            if limited else 0,
            daily_over=int((content.day_open & (daily[:, c] > content.daily_limit[:, c])).sum())
            if limited and len(daily) else 0,
            weekly_closed=int(((content.week_open_days == 0) & (weekly[:, c] > 0)).sum()),
            daily_closed=int((~content.day_open & (daily[:, c] > 0)).sum()) if len(daily) else 0))
    return out


def agent_mismatches(content: TemplateContent, weekly: np.ndarray, forecast: np.ndarray,
                     roles: list[str]) -> dict[str, int]:
    """Per role: the weeks where the providers' forecasts of that role do not add up to the week's plan."""
    total = np.asarray(weekly, dtype=np.int64).sum(axis=1)
    out = {}
    for role in AGENT_ROLES:
        idx = [k for k, r in enumerate(roles) if r == role]
        role_sum = forecast[:, idx].sum(axis=1) if idx else np.zeros(len(total), np.int64)
        out[role] = int((role_sum != total).sum())
    return out


def describe_phase_dates(content: TemplateContent) -> list[tuple[str, str]]:
    """(label, dates) lines for the instructions."""
    fmt = "%a %d %b %Y"
    lines = [("Migration start (MWSD)", content.migration_start.strftime(fmt)),
             ("Ramp-up", f"{content.migration_start:{fmt}} to {content.ramp_up_end:{fmt}}")]
    if content.core_start and content.core_end:
        lines.append(("Core migration window", f"{content.core_start:{fmt}} to {content.core_end:{fmt}}"))
        lines.append(("Ramp-down", f"after {content.core_end:{fmt}} to M15 {content.last_day:{fmt}}"
                      if content.core_end < content.last_day else "none: your core window runs to M15"))
    lines.append(("Fast-feedback window", f"{content.fast_feedback_start:{fmt}} to {content.fast_feedback_end:{fmt}}"))
    return lines


__all__ = ["PHASE_NAMES", "LdsoColumn", "LdsoChecks", "TemplateContent", "agent_mismatches",
           "describe_phase_dates", "must_plan_daily", "self_checks", "template_content"]
