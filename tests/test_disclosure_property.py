"""Issue 17: no figure a group receives lets it work out another group's plan value for a cell, nor bound it within
the protection interval (10% of the value either side), using its own figures, integrality and non-negativity
(every contributor planned at least 1; the attacker is even granted who contributed where). Checked by exact
integer reasoning on small schedules: every plan of the other groups consistent with what the recipient knows is
enumerated, and each other group's feasible values for each cell are collected."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.domain.disclosure import publication_masks
from toolkit.domain.schedule import Schedule

MINIMUM = 3
PROTECTION = 0.10


@st.composite
def schedules(draw) -> Schedule:
    """Up to 5 groups, 1 or 2 LDSOs by 1 or 2 days of one week (at most two cells), plans of 0 to 3 a cell."""
    n_g = draw(st.integers(2, 5))
    n_l, n_d = draw(st.sampled_from([(1, 1), (1, 2), (2, 1)]))
    values = draw(st.lists(st.integers(0, 3), min_size=n_g * n_l * n_d, max_size=n_g * n_l * n_d))
    daily = np.array(values, dtype=np.int64).reshape(n_g, n_l, n_d)
    days = [date(2027, 1, 6) + timedelta(days=k) for k in range(n_d)]
    return Schedule(groups=[f"G{k}" for k in range(n_g)], ldsos=[f"L{k}" for k in range(n_l)],
                    weeks=[date(2027, 1, 4)], days=days, weekly=daily.sum(axis=2, keepdims=True), daily=daily,
                    planned=np.ones(n_g, bool), daily_limit=np.zeros((n_l, n_d)), national_limit=np.zeros(n_d),
                    weekly_limit=np.zeros((n_l, 1)), national_weekly_limit=np.zeros(1),
                    de_minimis_ldso=np.zeros(n_l, bool))


def _compositions(total: int, parts: int):
    """Every way of writing ``total`` as ``parts`` whole numbers of at least 1."""
    if parts == 0:
        if total == 0:
            yield ()
        return
    for first in range(1, total - parts + 2):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


def _feasible(s: Schedule, masks: dict, r: int) -> dict[tuple[int, int, int], set[int]] | None:
    """Every value each other group can have planned in each cell, as recipient ``r`` reasons; None for a value
    in no shown sum (unbounded)."""
    n_l, n_d = s.daily.shape[1:]
    cells = [(j, k) for j in range(n_l) for k in range(n_d)]
    who = {c: [h for h in range(len(s.groups)) if h != r and s.daily[h, c[0], c[1]] > 0] for c in cells}
    own = s.daily[r]
    # the shown sums, each as (cells, what the others planned there in total)
    sums = [([(j, k)], int(s.ldso_daily[j, k] - own[j, k])) for j, k in cells if not masks["ldso_daily"][j, k]]
    sums += [([(j, k) for j in range(n_l)], int(s.national_daily[k] - own[:, k].sum())) for k in range(n_d)
             if not masks["national_daily"][k]]
    sums += [([(j, k) for k in range(n_d)], int(s.ldso_weekly[j, 0] - own[j].sum())) for j in range(n_l)
             if not masks["ldso_weekly"][j, 0]]
    if not masks["national_weekly"][0]:
        sums.append((cells, int(s.national_weekly[0] - own.sum())))
    bounded = {c for members, _ in sums for c in members}
    options = {}
    for c in cells:
        k = len(who[c])
        caps = [total - sum(len(who[m]) for m in members if m != c) for members, total in sums if c in members]
        options[c] = [t for total in range(k, min(caps) + 1) for t in _compositions(total, k)] if caps else [()]
    found: dict[tuple[int, int, int], set[int]] = {}
    for choice in product(*(options[c] for c in cells)):
        plan = dict(zip(cells, choice, strict=True))
        if all(sum(sum(plan[m]) for m in members) == total for members, total in sums):
            for c in cells:
                if c in bounded:
                    for h, v in zip(who[c], plan[c], strict=True):
                        found.setdefault((h, *c), set()).add(v)
    return found


@settings(max_examples=200, deadline=None)
@given(schedules())
def test_no_group_can_work_out_or_bound_another_groups_plan(s):
    masks = publication_masks(s, MINIMUM)
    for r in range(len(s.groups)):
        found = _feasible(s, masks, r)
        for (h, j, k), values in found.items():
            x = int(s.daily[h, j, k])
            assert x in values  # the true plan is among the consistent ones
            assert not (min(values) >= (1 - PROTECTION) * x and max(values) <= (1 + PROTECTION) * x), (
                f"G{r} bounds G{h}'s plan in L{j} day {k} ({x}) within {sorted(values)}")
