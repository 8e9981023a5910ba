"""Unused capacity allocation (METHOD 8; Choreography 3.2.2; Foundations 6.2, 6.4). Pure and deterministic: the
schedule, the snapshots the request forms were issued with, the accepted requests and the notified shortfalls in;
grants, their explanations and the baseline out.

Allocation runs in rounds. Round 1 is the UCA phase of sprint planning; during execution, capacity that groups
cede by notifying a shortfall is handed out in ad hoc rounds 2, 3, ..., each with its own snapshot. ``replay``
runs every round in order: round r allocates its accepted requests on the schedule left by the rounds before it,
minus the shortfalls notified before round r was issued, so no capacity is handed out twice, and the same ledger
always gives the same grants.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from toolkit.domain.disclosure import DisclosureRule, publication_masks
from toolkit.domain.envelopes import Category, Envelopes
from toolkit.domain.parameters import AllocationRule, Capacity, FewRequesters
from toolkit.domain.rules import RequestForm, disclosure_counts
from toolkit.domain.schedule import Schedule, baseline, breaches, unused_capacity
from toolkit.domain.sprints import Sprint

SHARING = {AllocationRule.PRO_RATA: "pro rata to the amounts the groups asking requested",
           AllocationRule.EQUAL_SHARE: "shared equally between the groups asking (up to what each requested)"}


@dataclass(frozen=True)
class Sharing:
    """How oversubscribed unused capacity is shared: the rule (``uca_rule``), and on an LDSO-day where fewer than
    ``minimum`` other groups ask, ``few`` (``uca_few_requesters``, issue 17)."""

    rule: AllocationRule = AllocationRule.PRO_RATA
    few: FewRequesters = FewRequesters.SHARED
    minimum: int = 0

    @classmethod
    def of(cls, capacity: Capacity) -> Sharing:
        return cls(capacity.uca_rule, capacity.uca_few_requesters, capacity.disclosure_minimum)

    def describe(self) -> str:
        """How requests are shared when they exceed the capacity, as request forms and emails say it."""
        text = SHARING[self.rule]
        if self.few == FewRequesters.CAPPED and self.minimum > 1:
            text += (f"; where fewer than {self.minimum} other groups ask for an LDSO on a day, each group may be "
                     f"granted at most a 1/{self.minimum} share of its unused capacity (where the figure is not "
                     "shown, its request in full or nothing), so that no grant tells one group another's request")
        return text

    def capped(self, requesters: int) -> bool:
        """Whether an oversubscribed LDSO-day with ``requesters`` groups asking is shared by the cap."""
        return self.few == FewRequesters.CAPPED and requesters - 1 < self.minimum


def _sharing(rule: AllocationRule | Sharing) -> Sharing:
    return rule if isinstance(rule, Sharing) else Sharing(rule)


def eligible_groups(env: Envelopes, sprint: Sprint, planned: Iterable[str] | None = None) -> list[str]:
    """Groups active in the sprint (migrating on or before its execution end) with at least one envelope LDSO and,
    when ``planned`` is given, an accepted plan for the sprint (a group whose plan is outstanding has no schedule to
    add capacity to: Choreography 3.2.2 shares the report "with eligible Suppliers" after their plans)."""
    with_plan = None if planned is None else set(planned)
    out = []
    for i, g in enumerate(env.groups):
        if env.phases[i].migration_start <= sprint.execution_end and (env.category[i] == Category.ENVELOPE).any() \
                and (with_plan is None or g in with_plan):
            out.append(g)
    return out


def access(env: Envelopes, group: str, days: list[date]) -> np.ndarray:
    """(D,) the share of unused capacity a group may ask for on each day: nothing before its migration start, then
    its scaling factor SLSF (F5.2.3: the factors govern a group's access to capacity over time, so a group in
    ramp-up or ramp-down gets a tenth of what a group in its core window gets)."""
    i = env.groups.index(group)
    k = np.array([(d - env.dates[0]).days for d in days], dtype=np.int64)
    inside = (k >= 0) & (k < len(env.dates))
    out = np.zeros(len(days))
    out[inside] = np.where(env.active[i, k[inside]], env.slsf[i, k[inside]], 0.0)
    return out


def caps(env: Envelopes, snap: Snapshot, groups: list[str], ldsos: list[str]) -> np.ndarray:
    """(G, L, D) the most each group may be granted: the unused capacity of its request form (its envelope LDSOs,
    scaled by its access on each day, floored), on the axes ``groups`` and ``ldsos``."""
    out = np.zeros((len(groups), len(ldsos), len(snap.days)), dtype=np.int64)
    li = {x: j for j, x in enumerate(ldsos)}
    for gi, group in enumerate(groups):
        form = snap.form(env, group)
        for c, x in enumerate(form.ldsos):
            out[gi, li[x], :] = form.unused[:, c]
    return out


@dataclass(frozen=True)
class Grant:
    group: str
    ldso: str
    day: date
    requested: int
    available: int  # unused capacity of the LDSO that day
    requested_total: int  # all groups' requests for the LDSO that day
    granted: int
    why: str


def allocate(requests: np.ndarray, uc: np.ndarray, groups: list[str],
             rule: AllocationRule | Sharing = AllocationRule.PRO_RATA, disclosed: np.ndarray | None = None
             ) -> np.ndarray:
    """Grants (G, L, D) for requests (G, L, D) against unused capacity (L, D) (METHOD 8). In full where all
    requests fit; otherwise by ``rule``:

    - ``pro_rata``: pro rata to the amounts requested, floored, the remainder handed out one by one by largest
      remainder, ties by group id;
    - ``equal_share``: every requesting group the same amount (max-min fair), a group asking for less than the
      level getting what it asked and the rest shared among the others; the migrations left over after flooring
      one each by group id.

    With a ``Sharing`` whose ``few`` is ``capped``, an oversubscribed LDSO-day where fewer than ``minimum`` other
    groups ask is not shared by the rule: each group gets at most ``capacity // minimum`` (so their sum fits),
    and where the capacity was not shown (``disclosed`` (L, D) False) its request in full if it is within that, or
    nothing. A group's grant there depends on its own request and the capacity alone, never on another's request.

    Never more than requested, never more than available, whole migrations."""
    sharing = _sharing(rule)
    rule = sharing.rule
    requests = np.maximum(np.asarray(requests, dtype=np.int64), 0)
    grants = np.zeros_like(requests)
    order_ids = np.argsort(np.array(groups), kind="stable")
    rank_of = np.empty(len(groups), dtype=np.int64)
    rank_of[order_ids] = np.arange(len(groups))
    share = _equal_share if rule == AllocationRule.EQUAL_SHARE else _pro_rata
    totals = requests.sum(axis=0)
    cap = np.maximum(np.asarray(uc, dtype=np.int64), 0)
    fits = totals <= cap
    grants[:, fits] = requests[:, fits]
    for l_idx, k in zip(*np.nonzero(~fits & (cap > 0)), strict=True):
        r, c = requests[:, l_idx, k], int(cap[l_idx, k])
        if sharing.capped(int((r > 0).sum())):
            shown = True if disclosed is None else bool(disclosed[l_idx, k])
            grants[:, l_idx, k] = _capped(r, c // sharing.minimum, shown)
        else:
            grants[:, l_idx, k] = share(r, c, rank_of)
    return grants


def _capped(r: np.ndarray, most: int, shown: bool) -> np.ndarray:
    """Each request up to ``most``; where the capacity was not shown, a request above it gets nothing (a partial
    grant would tell the group the hidden figure)."""
    return np.minimum(r, most) if shown else np.where(r <= most, r, 0)


def _pro_rata(r: np.ndarray, cap: int, rank_of: np.ndarray) -> np.ndarray:
    exact = r * cap / int(r.sum())
    base = np.floor(exact).astype(np.int64)
    remainder = exact - base
    # largest remainder first; ties by group id (ascending)
    order = sorted(np.flatnonzero(r), key=lambda i: (-remainder[i], rank_of[i]))
    base[order[:cap - int(base.sum())]] += 1
    return np.minimum(base, r)


def _equal_share(r: np.ndarray, cap: int, rank_of: np.ndarray) -> np.ndarray:
    got = np.zeros_like(r)
    open_ = [i for i in np.flatnonzero(r)]
    left = cap
    while open_ and left > 0:
        level = left // len(open_)
        small = [i for i in open_ if r[i] - got[i] <= level]
        if small:  # these are satisfied in full; the rest share what remains
            for i in small:
                left -= int(r[i] - got[i])
                got[i] = r[i]
            open_ = [i for i in open_ if i not in small]
            continue
        for i in open_:
            got[i] += level
        left -= level * len(open_)
        for i in sorted(open_, key=lambda i: rank_of[i])[:left]:  # fewer than one each: by group id
            got[i] += 1
        break
    return got


def explain_grants(requests: np.ndarray, grants: np.ndarray, uc: np.ndarray, s: Schedule,
                   rule: AllocationRule | Sharing = AllocationRule.PRO_RATA) -> list[Grant]:
    sharing = _sharing(rule)
    rule = sharing.rule
    out = []
    for g_idx, l_idx, k in zip(*np.nonzero(requests), strict=True):
        total = int(requests[:, l_idx, k].sum())
        req, got, cap = int(requests[g_idx, l_idx, k]), int(grants[g_idx, l_idx, k]), int(uc[l_idx, k])
        n = int((requests[:, l_idx, k] > 0).sum())
        if cap == 0:
            why = "no unused capacity in this LDSO on this day"
        elif total <= cap:
            why = "granted in full: all requests fit"
        elif sharing.capped(n):
            why = (f"requests of {total:,} from {n} groups exceed the {cap:,} available, and fewer than "
                   f"{sharing.minimum} other groups asked: each group at most {cap // sharing.minimum:,} (a "
                   f"1/{sharing.minimum} share; in full or nothing where the figure was not shown), the rest "
                   "left for a later round (uca_few_requesters = capped)")
        elif rule == AllocationRule.EQUAL_SHARE:
            why = (f"requests of {total:,} from {n} groups exceed the {cap:,} available: shared equally (a group "
                   "asking for less than an equal share gets what it asked), leftovers by group id")
        else:
            why = (f"requests of {total:,} exceed the {cap:,} available: pro rata share {req * cap / total:,.2f}, "
                   "floored, remainder by largest remainder (ties by group id)")
        out.append(Grant(s.groups[g_idx], s.ldsos[l_idx], s.days[k], req, cap, total, got, why))
    return out


def notice_grants(grants: list[Grant], group: str, minimum: int, disclosed: set[tuple[str, date]],
                  rule: AllocationRule | Sharing = AllocationRule.PRO_RATA) -> list[Grant]:
    """A group's grants as its notice tells them (issue 17): what it asked and got and the rule; the unused
    capacity only where the group was shown it (``disclosed``: (LDSO, day)), and the other groups' requests only
    where at least ``minimum`` other groups asked. Otherwise those figures are 0 and the reason names neither."""
    sharing = _sharing(rule)
    others: dict[tuple[str, date], int] = {}
    for g in grants:
        if g.group != group and g.requested > 0:
            others[(g.ldso, g.day)] = others.get((g.ldso, g.day), 0) + 1
    out = []
    for g in (g for g in grants if g.group == group):
        n = others.get((g.ldso, g.day), 0)
        shown_cap, shown_total = (g.ldso, g.day) in disclosed, n >= minimum
        if g.granted >= g.requested:
            why = "granted in full"
        elif g.available == 0:
            why = "not granted: no unused capacity was left in this LDSO on this day"
        elif sharing.capped(n + 1):
            why = (f"the requests exceeded the unused capacity and fewer than {sharing.minimum} other groups asked: "
                   f"so that no grant tells one group another's request, each group is granted at most a "
                   f"1/{sharing.minimum} share of it")
            why += f" ({g.available // sharing.minimum:,})" if shown_cap else \
                " and, as the figure was not shown, its request in full or nothing"
        else:
            why = f"the requests exceeded the unused capacity: {SHARING[sharing.rule]}, whole migrations"
            if shown_total and shown_cap:
                why += f" ({n + 1} groups asked {g.requested_total:,} for the {g.available:,} available)"
            elif shown_total:
                why += f" ({n + 1} groups asked {g.requested_total:,})"
            elif shown_cap:
                why += f" ({g.available:,} available)"
        out.append(replace(g, available=g.available if shown_cap else 0,
                           requested_total=g.requested_total if shown_total else 0, why=why))
    return out


# -- the snapshot a round's request forms are issued with and judged against -----------------------------------

@dataclass(frozen=True)
class Snapshot:
    ldsos: list[str]
    days: list[date]
    unused: np.ndarray  # (L, D)
    groups: np.ndarray  # (L, D) groups the figure is built from
    disclosed: np.ndarray  # (L, D)

    def digest(self) -> str:
        return hashlib.sha256(self.unused.astype(np.int64).tobytes() + "|".join(self.ldsos).encode()).hexdigest()

    def form(self, env: Envelopes, group: str) -> RequestForm:
        """The request form of a group: its envelope LDSOs only, each day's unused capacity scaled by the group's
        access that day (none before its migration start, its scaling factor after: ``access``), floored."""
        i = env.groups.index(group)
        cols = [j for j, x in enumerate(self.ldsos) if env.category[i, env.ldsos.index(x)] == Category.ENVELOPE]
        share = access(env, group, self.days)
        unused = np.floor(self.unused[cols].T * share[:, None] + 1e-9).astype(np.int64)
        k = np.array([(d - env.dates[0]).days for d in self.days], dtype=np.int64)
        on = (k >= 0) & (k < len(env.dates))  # the snapshot's days the envelopes cover
        at = np.array([env.ldsos.index(self.ldsos[j]) for j in cols], dtype=np.int64)
        own = env.envelope[i][at][:, np.where(on, k, 0)].T.astype(np.int64)  # (D, C)
        own = np.where(on[:, None] & (share[:, None] > 0), own, 0)  # nothing before the group's migration start
        return RequestForm(group, [self.ldsos[j] for j in cols], self.days, unused, self.disclosed[cols].T.copy(),
                           entitlement=own)


def snapshot_of(s: Schedule, minimum: DisclosureRule | int, first_day: date | None = None,
                published: Schedule | None = None) -> Snapshot:
    """Unused capacity is the limit minus the LDSO's plans, so it is shown only where the draft publication shows
    the plans (the same masks: primary and complementary suppression). An ad hoc round covers the days from
    ``first_day`` on (the capacity of earlier days is gone).

    An ad hoc round's schedule differs from the draft by the grants and the shortfalls since, and the draft and the
    first round's report are already out: the limit is their sum, so a figure of the new report would give away
    the change on its day (one group's grant, or its shortfall). With ``published`` (the draft schedule), a figure
    is shown only where the draft showed that day's plans and nothing changed since (so it tells nothing the first
    report did not); elsewhere it is suppressed, and a request there is judged against the group's own envelope
    and settled by the allocation."""
    uc = unused_capacity(s)
    if first_day is not None:
        uc[:, [k for k, d in enumerate(s.days) if d < first_day]] = 0
    counts = disclosure_counts(s.daily)
    disclosed = ~publication_masks(s, minimum)["ldso_daily"]
    if published is not None:
        if list(published.ldsos) == list(s.ldsos) and list(published.days) == list(s.days):
            disclosed &= ~publication_masks(published, minimum)["ldso_daily"]
            disclosed &= np.asarray(published.ldso_daily) == np.asarray(s.ldso_daily)
        else:
            disclosed[:] = False
    return Snapshot(list(s.ldsos), list(s.days), uc, counts, disclosed)


# -- rounds --------------------------------------------------------------------------------------------------------

@dataclass
class Allocation:
    """One round's allocation; ``all_grants`` and ``baseline`` take in every round up to and including it, and the
    notified shortfalls (``ceded``) applied so far."""

    requests: np.ndarray
    grants: np.ndarray
    available: np.ndarray
    explained: list[Grant]
    baseline: Schedule
    breaches: list
    round: int = 1
    all_grants: np.ndarray | None = None
    ceded: np.ndarray | None = None

    def __post_init__(self):
        if self.all_grants is None:
            self.all_grants = self.grants
        if self.ceded is None:
            self.ceded = np.zeros_like(self.grants)


def allocate_cycle(s: Schedule, requests: np.ndarray, snap: Snapshot,
                   rule: AllocationRule | Sharing = AllocationRule.PRO_RATA,
                   limit: np.ndarray | None = None) -> Allocation:
    """Grants within the smaller of the published snapshot and the unused capacity now (plans accepted since the
    report may have used some), then the baseline with every limit checked again. ``limit`` (G, L, D): the most
    each group may be granted (its request form's figures, ``caps``); requests above it count as that much."""
    if limit is not None:
        requests = np.minimum(requests, limit)
    available = np.minimum(snap.unused, unused_capacity(s))
    grants = allocate(requests, available, s.groups, rule, snap.disclosed)
    base = baseline(s, grants)
    return Allocation(requests, grants, available, explain_grants(requests, grants, available, s, rule), base,
                      breaches(base))


def cede(s: Schedule, ceded: np.ndarray) -> Schedule:
    """The schedule with notified shortfalls taken off (never below nothing)."""
    return baseline(s, -np.minimum(ceded, s.daily))


@dataclass(frozen=True)
class Round:
    """What a round allocates: its snapshot, its accepted requests (G, L, D) and the shortfalls (G, L, D) notified
    before it was issued (not used by round 1, which hands out what the plans left)."""

    number: int
    snapshot: Snapshot
    requests: np.ndarray
    ceded_before: np.ndarray
    limit: np.ndarray | None = None  # (G, L, D) the most each group may be granted (``caps``)


def replay(s: Schedule, rounds: list[Round], rule: AllocationRule | Sharing = AllocationRule.PRO_RATA
           ) -> Allocation:
    """Every round in order, from the consolidated schedule ``s``: the latest round's allocation, with every
    round's grants and the shortfalls applied."""
    total = np.zeros_like(s.daily)
    applied = np.zeros_like(s.daily)
    alloc = None
    for r in rounds:
        if r.number > 1:  # shortfalls notified before this round was issued make room in it
            new = np.maximum(r.ceded_before - applied, 0)
            s = cede(s, new)
            applied = applied + new
        alloc = allocate_cycle(s, r.requests, r.snapshot, rule, r.limit)
        total = total + alloc.grants
        s = alloc.baseline
    alloc.round, alloc.all_grants, alloc.ceded = rounds[-1].number, total, applied
    return alloc


def standing(s: Schedule, ceded: np.ndarray, alloc: Allocation | None = None) -> Schedule:
    """The schedule as it stands: ``s`` (the latest baseline, or the consolidated plans when no round was
    allocated) with the shortfalls notified since (``ceded`` all of them, less those ``alloc`` applied)."""
    already = alloc.ceded if alloc is not None else np.zeros_like(s.daily)
    return cede(s, np.maximum(ceded - already, 0))
