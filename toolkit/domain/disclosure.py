"""Disclosure control of published aggregates (METHOD 8; what leaves the MCC is aggregated).

Primary suppression hides an aggregate built from fewer than the disclosure minimum of groups (but at least one).
That alone is not enough when the same publication also shows totals: a national figure minus the LDSOs shown
gives back the one LDSO hidden, and a week minus its days shown gives back the hidden day. Complementary
suppression closes that: every published aggregate is a cell, every exact sum between them (a total and its
members) is a relation, and cells are hidden until no sensitive cell can be worked out, by any chain of
subtractions, from what is shown.

Cells may also be unpublished (the UCA grants, known to the public only as the baseline minus the draft) and
fixed (already published in an earlier stage, so their state cannot change now).

Pure and deterministic: arrays in, masks out. The cell hidden next is the shown, changeable cell with the
smallest positive figure among those the leak was worked out from (ties by position), so as little as possible
is taken away.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from toolkit.domain.industry import Industry
from toolkit.domain.parameters import Parameters
from toolkit.domain.schedule import Schedule


@dataclass
class Cells:
    """The aggregates of a publication and the sums between them, on one flat index."""

    minimum: int
    values: list[np.ndarray] = field(default_factory=list)
    counts: list[np.ndarray] = field(default_factory=list)
    published: list[np.ndarray] = field(default_factory=list)
    fixed_hidden: list[np.ndarray | None] = field(default_factory=list)
    sensitive: list[np.ndarray] = field(default_factory=list)  # cells that must not be shown nor worked out
    shapes: dict[str, tuple[int, np.ndarray]] = field(default_factory=dict)  # name -> (part, flat indexes)
    relations: list[np.ndarray] = field(default_factory=list)  # [total, *members]
    size: int = 0

    def add(self, name: str, values: np.ndarray, counts: np.ndarray, published: bool = True,
            fixed_hidden: np.ndarray | None = None, sensitive: np.ndarray | None = None) -> np.ndarray:
        """Register a grid of aggregates; ``counts`` is how many groups each is built from. ``fixed_hidden``
        (same shape) marks a grid already published: its hidden cells stay hidden, its shown cells stay shown.
        Returns the grid's flat indexes (same shape), for relating its cells."""
        values, counts = np.asarray(values), np.asarray(counts)
        index = np.arange(self.size, self.size + values.size).reshape(values.shape)
        self.shapes[name] = (len(self.values), index)
        self.values.append(values.reshape(-1).astype(np.float64))
        self.counts.append(counts.reshape(-1).astype(np.int64))
        self.published.append(np.full(values.size, published))
        self.fixed_hidden.append(None if fixed_hidden is None else np.asarray(fixed_hidden, bool).reshape(-1))
        self.sensitive.append(((self.counts[-1] > 0) & (self.counts[-1] < self.minimum)) if sensitive is None
                              else np.asarray(sensitive, bool).reshape(-1))
        self.size += values.size
        return index

    def relate(self, total: int, members) -> None:
        """``total`` is exactly the sum of ``members`` (flat indexes)."""
        members = [int(m) for m in np.asarray(members).reshape(-1)]
        if members:
            self.relations.append(np.array([int(total), *members], dtype=np.int64))

    def suppress(self) -> dict[str, np.ndarray]:
        """The mask of hidden cells of every published grid, by name (same shapes as added)."""
        values = np.concatenate(self.values) if self.values else np.zeros(0)
        published = np.concatenate(self.published) if self.published else np.zeros(0, bool)
        fixed = np.zeros(self.size, bool)
        sensitive = np.concatenate(self.sensitive) if self.sensitive else np.zeros(0, bool)
        hidden = published & sensitive
        offset = 0
        for part, mask in zip(self.values, self.fixed_hidden, strict=True):
            if mask is not None:
                fixed[offset:offset + part.size] = True
                hidden[offset:offset + part.size] = mask
            offset += part.size
        of_cell: list[list[int]] = [[] for _ in range(self.size)]
        for r, cells in enumerate(self.relations):
            for c in cells:
                of_cell[int(c)].append(r)
        # every relation's cells as one flat array, to count a relation's unknown cells in one numpy call
        rel_of = np.repeat(np.arange(len(self.relations)), [len(c) for c in self.relations]) if self.relations \
            else np.zeros(0, np.int64)
        flat = np.concatenate(self.relations) if self.relations else np.zeros(0, np.int64)
        while True:
            shown = published & ~hidden
            derived_by = _derive(shown, self.relations, of_cell, rel_of, flat)
            leaks = sorted(c for c in derived_by if sensitive[c])
            if leaks:  # worked out by a chain of subtractions
                # leaks worked out through separate chains are mended in the same round (hiding a cell of one
                # chain leaves the other chain as it was); a leak sharing cells with one mended waits a round
                changeable = shown & ~fixed
                used: set[int] = set()
                chosen = []
                for leak in leaks:
                    choice, around = _cheapest(leak, derived_by, self.relations, changeable, values)
                    if around & used:
                        continue
                    used |= around
                    if choice is None:
                        if not chosen:
                            raise ValueError(f"cell {leak} can be worked out from cells already published; "
                                             "no cell left to hide")
                        continue
                    chosen.append(choice)
                hidden[chosen] = True
                continue
            # worked out only by combining sums (e.g. a hidden cell bridging two hidden cycles)
            known = shown.copy()
            known[list(derived_by)] = True
            leak, near = _combined_leak(known, sensitive, self.relations, of_cell)
            if leak is None:
                break
            leaks = [leak]
            choice = _pick(near & shown & ~fixed, values)
            if choice is None:
                raise ValueError(f"cell {min(leaks)} can be worked out from cells already published; "
                                 "no cell left to hide")
            hidden[choice] = True
        return {name: hidden[index] for name, (part, index) in self.shapes.items() if self.published[part].all()}


def _derive(shown: np.ndarray, relations: list[np.ndarray], of_cell: list[list[int]], rel_of: np.ndarray,
            flat: np.ndarray) -> dict[int, int]:
    """Every cell not shown that can be worked out from the shown ones: cell -> the relation that gives it."""
    known = shown.copy()
    unknown = np.bincount(rel_of, weights=~known[flat], minlength=len(relations)).astype(np.int64).tolist()
    queue = deque(r for r, n in enumerate(unknown) if n == 1)
    derived_by: dict[int, int] = {}
    while queue:
        r = queue.popleft()
        if unknown[r] != 1:
            continue
        cells = relations[r]
        c = int(cells[~known[cells]][0])
        known[c] = True
        derived_by[c] = r
        for other in of_cell[c]:
            unknown[other] -= 1
            if unknown[other] == 1:
                queue.append(other)
    return derived_by


def _cheapest(leak: int, derived_by: dict[int, int], relations: list[np.ndarray], changeable: np.ndarray,
              values: np.ndarray) -> tuple[int | None, set[int]]:
    """The changeable shown cell, among those the leak was worked out from, to hide next; and every cell of the
    chain that worked it out."""
    seen, stack, candidates = {leak}, [leak], set()
    while stack:
        c = stack.pop()
        if c not in derived_by:
            continue
        for x in relations[derived_by[c]]:
            x = int(x)
            if x in seen:
                continue
            seen.add(x)
            if changeable[x]:
                candidates.add(x)
            stack.append(x)
    mask = np.zeros(len(values), bool)
    mask[list(candidates)] = True
    return _pick(mask, values), seen


def _pick(mask: np.ndarray, values: np.ndarray) -> int | None:
    """The cell of ``mask`` with the smallest positive figure (zeros last), ties by position."""
    found = np.flatnonzero(mask)
    if not len(found):
        return None
    return int(min(found, key=lambda x: (values[x] <= 0, values[x], x)))


def _combined_leak(known: np.ndarray, sensitive: np.ndarray, relations: list[np.ndarray],
                   of_cell: list[list[int]]) -> tuple[int | None, np.ndarray]:
    """A sensitive cell that the sums fix although no single one gives it, and the cells of the sums around it.
    Linear algebra per connected group of unknown cells: a cell is fixed when the null space of the sums
    (restricted to the unknowns) has no component along it."""
    unknown = ~known
    seen = np.zeros(len(known), bool)
    for start in np.flatnonzero(unknown & sensitive):
        if seen[start]:
            continue
        # the component of unknowns linked to ``start`` through sums with two or more unknowns
        comp, rels, stack = {int(start)}, set(), [int(start)]
        while stack:
            c = stack.pop()
            for r in of_cell[c]:
                if r in rels:
                    continue
                rels.add(r)
                for x in relations[r]:
                    x = int(x)
                    if unknown[x] and x not in comp:
                        comp.add(x)
                        stack.append(x)
        seen[list(comp)] = True
        if not rels:
            continue  # in no sum: nothing fixes it
        cols = sorted(comp)
        at = {c: k for k, c in enumerate(cols)}
        matrix = np.zeros((len(rels), len(cols)))
        for row, r in enumerate(sorted(rels)):
            for x in relations[r]:
                if int(x) in at:
                    matrix[row, at[int(x)]] = 1.0
        _, sv, vt = np.linalg.svd(matrix)
        rank = int((sv > 1e-9 * max(1.0, sv.max(initial=0.0))).sum())
        free = vt[rank:]
        for c in cols:
            if sensitive[c] and np.abs(free[:, at[c]]).max(initial=0.0) < 1e-9:
                near = np.zeros(len(known), bool)
                for r in rels:
                    near[relations[r]] = True
                return c, near
    return None, np.zeros(len(known), bool)


GRIDS = ("national_daily", "national_weekly", "ldso_daily", "ldso_weekly")


DOMINANCE = 0.85  # no single other group may contribute more than this share of what a recipient cannot see
PROTECTION = 0.10  # no group's figure may be bounded within this share of it either side by a recipient


@dataclass(frozen=True)
class DisclosureRule:
    """When an aggregate built from groups' plans may be shown to a group (issue 17): at least ``minimum`` groups
    other than the recipient contribute, and no single other contributor makes more than ``dominance`` of the
    residual (the aggregate minus the recipient's own part). Groups of one owner (``owner_of``: group -> owner)
    count as one contributor. The same masks go to every party, so a cell is shown only where this holds for every
    possible recipient."""

    minimum: int
    dominance: float = DOMINANCE
    owner_of: tuple[tuple[str, str], ...] = ()
    protection: float = PROTECTION

    @staticmethod
    def of(rule: DisclosureRule | int) -> DisclosureRule:
        return rule if isinstance(rule, DisclosureRule) else DisclosureRule(int(rule))

    def parties(self, groups: list[str], per_group: np.ndarray) -> np.ndarray:
        """``per_group`` (groups first) summed per contributor: groups of one owner together."""
        owner = dict(self.owner_of)
        keys = [owner.get(g, g) for g in groups]
        order = sorted(set(keys))
        out = np.zeros((len(order), *per_group.shape[1:]), dtype=np.int64)
        np.add.at(out, [order.index(k) for k in keys], np.abs(per_group))
        return out

    def sensitive(self, groups: list[str], per_group: np.ndarray, atoms: np.ndarray | None = None) -> np.ndarray:
        """Cells that must be neither shown nor worked out, from each group's part (groups first) and the number of
        finer plan cells each part is the sum of (``atoms``, same shape; default one per positive part)."""
        parts = self.parties(groups, per_group)
        pieces = self.parties(groups, (np.asarray(per_group) > 0) if atoms is None else np.asarray(atoms))
        n = (parts > 0).sum(axis=0)
        if parts.shape[0] == 0:
            return np.zeros(per_group.shape[1:], bool)
        top = -np.sort(-parts, axis=0)
        total = parts.sum(axis=0)
        v1, v2 = top[0], top[1] if parts.shape[0] > 1 else np.zeros_like(top[0])
        # the worst recipients: the second largest contributor (the largest is the one other dominating the
        # residual), and the largest (the second then dominates)
        dominated = (v1 > self.dominance * (total - v2)) | (v2 > self.dominance * (total - v1))
        return (n > 0) & ((n < self.minimum + 1) | dominated | self._bounded(parts, pieces, total))

    def _bounded(self, parts: np.ndarray, pieces: np.ndarray, total: np.ndarray) -> np.ndarray:
        """Some recipient (a contributor, or an outsider) could bound another contributor's figure, or one of the
        plan cells it is the sum of, within ``protection`` of it either side from this aggregate alone, knowing
        every plan cell that contributes holds a whole number of at least 1: a part of ``a`` cells lies between
        ``a`` and the residual less 1 for each other cell, and one cell between 1 and the residual less the others."""
        out = np.zeros(total.shape, bool)
        low, high = 1 - self.protection, 1 + self.protection
        small = np.floor(1 / low) if low > 0 else np.inf  # the largest cell value 1 is within the interval of
        for r in range(-1, parts.shape[0]):  # -1: an outsider
            own = parts[r] if r >= 0 else np.zeros_like(total)
            residual = total - own
            cells = pieces.sum(axis=0) - (pieces[r] if r >= 0 else 0)  # the others' plan cells
            high_part = residual[None] - (cells[None] - pieces)  # the most a part can be
            bounded = (parts > 0) & (low * parts <= pieces) & (high_part <= high * parts)
            if r >= 0:
                bounded[r] = False
            one_cell = (cells > 0) & (residual - cells + 1 <= high * np.minimum(small, residual - cells + 1))
            out |= bounded.any(axis=0) | one_cell
        return out


def disclosure_rule(parameters: Parameters, industry: Industry) -> DisclosureRule:
    """The rule of the configuration: ``[capacity] disclosure_minimum`` and ``disclosure_dominance``, and the
    owners of ``config/suppliers.csv``."""
    capacity = parameters.capacity
    return DisclosureRule(capacity.disclosure_minimum, capacity.disclosure_dominance,
                          tuple((g.mpid, g.owner) for g in industry.groups if g.owner), capacity.disclosure_protection)


def _atoms(s: Schedule) -> dict[str, np.ndarray]:
    """How many plan cells (a group's figure for one LDSO and day, or one LDSO and week outside the sprint) each
    group's part of each aggregate is the sum of."""
    day_week = np.array([(d - s.weeks[0]).days // 7 for d in s.days], dtype=np.int64)
    ldso_weekly = np.zeros(s.weekly.shape, dtype=np.int64)
    in_sprint = np.zeros(s.weekly.shape, dtype=np.int64)
    for k, w in enumerate(day_week):
        if 0 <= w < s.weekly.shape[2]:
            ldso_weekly[:, :, w] += s.daily[:, :, k] > 0
            in_sprint[:, :, w] += s.daily[:, :, k]
    ldso_weekly += (s.weekly - in_sprint) > 0  # the part of the week outside the sprint's days
    return {"national_daily": (s.daily > 0).sum(axis=1), "national_weekly": ldso_weekly.sum(axis=1),
            "ldso_daily": (s.daily > 0).astype(np.int64), "ldso_weekly": ldso_weekly}


def _grids(s: Schedule, rule: DisclosureRule) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The aggregates a publication shows, with how many groups each is built from and which are sensitive."""
    def n(values: np.ndarray) -> np.ndarray:
        return (values > 0).sum(axis=0)

    parts = {"national_daily": s.daily.sum(axis=1), "national_weekly": s.weekly.sum(axis=1),
             "ldso_daily": s.daily, "ldso_weekly": s.weekly}
    totals = {"national_daily": s.national_daily, "national_weekly": s.national_weekly,
              "ldso_daily": s.ldso_daily, "ldso_weekly": s.ldso_weekly}
    atoms = _atoms(s)
    return {name: (totals[name], n(parts[name]), rule.sensitive(list(s.groups), parts[name], atoms[name]))
            for name in GRIDS}


def _relate_schedule(cells: Cells, s: Schedule, idx: dict[str, np.ndarray]) -> None:
    """National = the sum of the LDSOs; a week = the sum of its days in the sprint (for the LDSOs and nationally).
    A week only partly inside the sprint is related too: hiding a little more is safe, missing a sum is not."""
    for k in range(len(s.days)):
        cells.relate(idx["national_daily"][k], idx["ldso_daily"][:, k])
    for w in range(len(s.weeks)):
        cells.relate(idx["national_weekly"][w], idx["ldso_weekly"][:, w])
    week_of = np.array([(d - s.weeks[0]).days // 7 for d in s.days], dtype=np.int64)
    for w in np.unique(week_of):
        days = np.flatnonzero(week_of == w)
        cells.relate(idx["national_weekly"][w], idx["national_daily"][days])
        for j in range(len(s.ldsos)):
            cells.relate(idx["ldso_weekly"][j, w], idx["ldso_daily"][j, days])


def publication_masks(s: Schedule, minimum: DisclosureRule | int, draft: Schedule | None = None
                      ) -> dict[str, np.ndarray]:
    """Which aggregates of a publication of ``s`` to suppress: ``national_daily`` (D,), ``national_weekly`` (W,),
    ``ldso_daily`` (L, D) and ``ldso_weekly`` (L, W), by the disclosure rule (or a minimum alone, the other
    settings by default). For the baseline, ``draft`` is the schedule of the draft publication: its cells are
    already out, and the baseline minus the draft (the UCA grants) must not give away a grant the rule protects."""
    rule = DisclosureRule.of(minimum)
    cells = Cells(rule.minimum)
    grids = _grids(s, rule)
    idx = {name: cells.add(name, v, n, sensitive=sens) for name, (v, n, sens) in grids.items()}
    _relate_schedule(cells, s, idx)
    if draft is not None:
        before = publication_masks(draft, rule)
        old = _grids(draft, rule)
        idx_old = {name: cells.add(f"draft {name}", v, n, fixed_hidden=before[name], sensitive=sens)
                   for name, (v, n, sens) in old.items()}
        _relate_schedule(cells, draft, idx_old)
        granted = {"national_daily": s.daily.sum(axis=1) - draft.daily.sum(axis=1),
                   "national_weekly": s.weekly.sum(axis=1) - draft.weekly.sum(axis=1),
                   "ldso_daily": s.daily - draft.daily, "ldso_weekly": s.weekly - draft.weekly}
        for name in GRIDS:
            g = granted[name]
            # the change since the draft: grants, and shortfalls groups ceded (a group whose figure changed counts)
            grant = cells.add(f"grants {name}", g.sum(axis=0), (g != 0).sum(axis=0), published=False,
                              sensitive=rule.sensitive(list(s.groups), g))
            for total, part, rest in zip(idx[name].reshape(-1), idx_old[name].reshape(-1), grant.reshape(-1),
                                         strict=True):
                cells.relate(total, [part, rest])
    masks = cells.suppress()
    return {name: masks[name] for name in GRIDS}


def agent_figures(forecasts: list[tuple[str, str, str, np.ndarray]], weeks: int, minimum: int,
                  owner_of: dict[str, str] | None = None) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """Per service provider (MPID, role): the weekly volumes all groups forecast for it, and which weeks to
    suppress. ``forecasts`` holds (group, provider MPID, role, weekly forecast) per forecast column; a week is
    built from the distinct groups forecasting for the provider (issue 17: one group naming a provider in three
    columns is one contributor, not three), groups of one owner counting as one (``owner_of``: group -> owner)."""
    owner_of = owner_of or {}
    by_provider: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    for group, mpid, role, weekly in forecasts:
        series = np.zeros(weeks, dtype=np.int64)
        w = np.asarray(weekly, dtype=np.int64)[:weeks]
        series[:len(w)] = w
        mine = by_provider.setdefault((mpid, role), {})
        who = owner_of.get(group, group)
        mine[who] = mine.get(who, 0) + series
    out = {}
    for key, contributors in sorted(by_provider.items()):
        stacked = np.array(list(contributors.values()), dtype=np.int64).reshape(len(contributors), weeks)
        n = (stacked > 0).sum(axis=0)
        out[key] = (stacked.sum(axis=0), (n > 0) & (n < minimum))
    return out
