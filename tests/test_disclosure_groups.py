"""Issue 17: disclosure control counts contributors as groups (and groups of one owner as one), never as forecast
columns or with the recipient among them."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from tests.test_disclosure import cases
from toolkit.domain.disclosure import agent_figures


def test_an_agent_figure_from_one_group_naming_the_provider_in_three_columns_is_suppressed():
    # case 4: one group naming provider QQQ9 in 3 columns; on the old code each column counted as a group
    weeks = 4
    forecasts = [("AAUC", "QQQ9", "DS", np.array([5, 0, 7, 1])), ("AAUC", "QQQ9", "DS", np.array([3, 0, 2, 1])),
                 ("AAUC", "QQQ9", "DS", np.array([1, 0, 9, 1]))]
    total, hidden = agent_figures(forecasts, weeks, minimum=3)[("QQQ9", "DS")]
    assert total.tolist() == [9, 0, 18, 3] and hidden.tolist() == [True, False, True, True]
    # three distinct groups: shown where all three forecast
    three = [("AAUC", "QQQ9", "DS", np.array([5, 0, 7, 1])), ("AFCF", "QQQ9", "DS", np.array([3, 0, 2, 0])),
             ("XDNO", "QQQ9", "DS", np.array([1, 4, 9, 1]))]
    assert agent_figures(three, weeks, 3)[("QQQ9", "DS")][1].tolist() == [False, True, False, True]
    # two of them of one owner: two contributors
    owned = agent_figures(three, weeks, 3, owner_of={"AFCF": "AAUC"})
    assert owned[("QQQ9", "DS")][1].tolist() == [True, True, True, True]


# -- group publications: the minimum counts the groups other than the recipient, and a dominance rule ---------------

def _one_day(parts_by_ldso: list[list[int]]):
    """A schedule of one day (and its week) with each LDSO's plans by group (G00, G01, ...)."""
    from datetime import date

    from toolkit.domain.schedule import Schedule

    n_g = max(len(p) for p in parts_by_ldso)
    daily = np.zeros((n_g, len(parts_by_ldso), 1), dtype=np.int64)
    for j, parts in enumerate(parts_by_ldso):
        daily[:len(parts), j, 0] = parts
    n_l = len(parts_by_ldso)
    return Schedule(groups=[f"G{k:02d}" for k in range(n_g)], ldsos=[f"L{k:02d}" for k in range(n_l)],
                    weeks=[date(2027, 1, 4)], days=[date(2027, 1, 6)], weekly=daily.copy(), daily=daily,
                    planned=np.ones(n_g, bool), daily_limit=np.zeros((n_l, 1)), national_limit=np.zeros(1),
                    weekly_limit=np.zeros((n_l, 1)), national_weekly_limit=np.zeros(1),
                    de_minimis_ldso=np.zeros(n_l, bool))


def test_an_aggregate_of_three_groups_is_hidden_from_each_of_them():
    # case 3: AAUC, ID12, 10 Dec: 1 + 1 + 1 = 3; AAUC's workbook showed 3, so AAUC knew the other two planned 1 each
    from toolkit.domain.disclosure import publication_masks

    s = _one_day([[1, 1, 1], [40, 50, 60, 70, 80]])
    hidden = publication_masks(s, 3)["ldso_daily"][:, 0]
    assert hidden[0]  # shown on the old code: 3 groups met a minimum that counted the recipient
    assert hidden[1]  # and the other LDSO with it, or the national figure minus it would give it back
    assert not publication_masks(_one_day([[1, 2, 2, 3], [40, 50, 60, 70, 80]]), 3)["ldso_daily"].any()


def test_an_aggregate_that_bounds_a_figure_within_the_protection_interval_is_hidden():
    # four groups of 1: any of them sees 3 left for its 3 others, each at least 1, so each planned exactly 1
    from toolkit.domain.disclosure import publication_masks

    assert publication_masks(_one_day([[1, 1, 1, 1], [40, 50, 60, 70, 80]]), 3)["ldso_daily"][0, 0]
    # with two 2s, the group of 2 sees 4 for its three others: the other 2 might have planned 1 or 2
    assert not publication_masks(_one_day([[1, 1, 2, 2], [40, 50, 60, 70, 80]]), 3)["ldso_daily"].any()


def test_an_aggregate_one_other_group_dominates_is_hidden():
    from toolkit.domain.disclosure import DisclosureRule, publication_masks

    dominated = _one_day([[1000, 10, 10, 10, 10], [40, 50, 60, 70, 80], [45, 55, 65, 75, 85]])
    assert publication_masks(dominated, 3)["ldso_daily"][0, 0]
    # the residual the largest group cannot see (40) is dominated by no one; the second largest's residual (1,030)
    # is: 1,000 > 85% of it. With the rule switched off (dominance 1), four others suffice
    assert not publication_masks(dominated, DisclosureRule(3, dominance=1.0))["ldso_daily"].any()


def test_groups_of_one_owner_count_as_one_contributor():
    from toolkit.domain.disclosure import DisclosureRule, publication_masks

    s = _one_day([[10, 20, 30, 40], [40, 50, 60, 70, 80], [45, 55, 65, 75, 85]])
    assert not publication_masks(s, DisclosureRule(3))["ldso_daily"].any()
    owned = DisclosureRule(3, owner_of=(("G01", "G00"),))
    assert publication_masks(s, owned)["ldso_daily"][0, 0]


def test_the_owner_column_of_suppliers_csv_is_read(workspace):
    from toolkit.domain.disclosure import disclosure_rule
    from toolkit.services.context import load

    path = workspace.config / "suppliers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    owners = {"AAUC": "Pioneer Holdings", "AFCF": "Pioneer Holdings"}
    out = [lines[0] + ",owner"] + [f"{ln},{owners.get(ln.split(',')[1], '')}" for ln in lines[1:]]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    config = load(workspace)
    assert config.industry.group_by_mpid["AFCF"].owner == "Pioneer Holdings"
    rule = disclosure_rule(config.parameters, config.industry)
    assert dict(rule.owner_of) == owners and rule.dominance == 0.85 and rule.minimum == 3


def _protected(parts: np.ndarray, minimum: int, dominance: float) -> bool:
    """The test's own reading of the rule, recipient by recipient: some group (or an outsider, None) receiving this
    aggregate would see it built from fewer than ``minimum`` other groups, or one other group making more than
    ``dominance`` of what it cannot see."""
    groups = [k for k, v in enumerate(parts) if v > 0]
    if not groups:
        return False
    for recipient in [None, *groups]:
        others = [parts[k] for k in groups if k != recipient]
        residual = sum(others)
        if len(others) < minimum or max(others) > dominance * residual:
            return True
    return False


def _oracle_grid(oracle, values, per_group, hidden, minimum):
    """A grid for the linear-algebra oracle of test_disclosure, each cell marked sensitive by ``_protected``."""
    flat = per_group.reshape(per_group.shape[0], -1)
    sens = np.array([_protected(list(flat[:, c]), minimum, 0.85) for c in range(flat.shape[1])])
    from tests.test_disclosure import MINIMUM

    # the oracle counts a cell as sensitive when 0 < count < its MINIMUM: 1 for sensitive, MINIMUM otherwise
    return oracle.grid(values, np.where(sens, 1, MINIMUM).reshape(np.shape(values)), hidden), sens


@settings(max_examples=80, deadline=None)
@given(cases())
def test_complementary_suppression_holds_for_the_rule_of_other_groups_and_dominance(case):
    from tests.test_disclosure import MINIMUM, Oracle
    from toolkit.domain.disclosure import publication_masks

    s, _ = case
    masks = publication_masks(s, MINIMUM)
    oracle = Oracle()
    n = {}
    for key, name, values, parts in (("nd", "national_daily", s.national_daily, s.daily.sum(axis=1)),
                                     ("nw", "national_weekly", s.national_weekly, s.weekly.sum(axis=1)),
                                     ("ld", "ldso_daily", s.ldso_daily, s.daily),
                                     ("lw", "ldso_weekly", s.ldso_weekly, s.weekly)):
        n[key], sens = _oracle_grid(oracle, values, parts, masks[name], MINIMUM)
        assert masks[name].reshape(-1)[sens].all()  # every protected aggregate is hidden
    _relate(oracle, s, n)
    assert oracle.worked_out() == []  # and none can be worked out from what is shown


def _relate(oracle, s, n) -> None:
    from datetime import timedelta

    for k in range(len(s.days)):
        oracle.rows.append((n["nd"][k], list(n["ld"][:, k])))
    for w in range(len(s.weeks)):
        oracle.rows.append((n["nw"][w], list(n["lw"][:, w])))
    for w, monday in enumerate(s.weeks):
        ks = [k for k, d in enumerate(s.days) if monday <= d < monday + timedelta(days=7)]
        oracle.rows.append((n["nw"][w], list(n["nd"][ks])))
        for j in range(len(s.ldsos)):
            oracle.rows.append((n["lw"][j, w], list(n["ld"][j, ks])))


@settings(max_examples=60, deadline=None)
@given(cases())
def test_the_baseline_against_the_draft_gives_away_no_grant_the_rule_protects(case):
    from tests.test_disclosure import MINIMUM, Oracle
    from toolkit.domain.disclosure import publication_masks
    from toolkit.domain.schedule import baseline

    s, rng = case
    grants = (rng.integers(1, 300, s.daily.shape) * (rng.random(s.daily.shape) < 0.2)).astype(np.int64)
    base = baseline(s, grants)
    draft_masks, masks = publication_masks(s, MINIMUM), publication_masks(base, MINIMUM, draft=s)
    oracle = Oracle()
    grids = {}
    for tag, sched, hidden in (("new", base, masks), ("old", s, draft_masks)):
        n = {}
        for key, name, values, parts in (("nd", "national_daily", sched.national_daily, sched.daily.sum(axis=1)),
                                         ("nw", "national_weekly", sched.national_weekly, sched.weekly.sum(axis=1)),
                                         ("ld", "ldso_daily", sched.ldso_daily, sched.daily),
                                         ("lw", "ldso_weekly", sched.ldso_weekly, sched.weekly)):
            n[key], sens = _oracle_grid(oracle, values, parts, hidden[name], MINIMUM)
            assert hidden[name].reshape(-1)[sens].all()
        _relate(oracle, sched, n)
        grids[tag] = n
    for key, g in (("nd", grants.sum(axis=1)), ("ld", grants)):
        cells, _ = _oracle_grid(oracle, g.sum(axis=0), g, False, MINIMUM)
        for total, part, rest in zip(grids["new"][key].reshape(-1), grids["old"][key].reshape(-1),
                                     cells.reshape(-1), strict=True):
            oracle.rows.append((total, [part, rest]))
    assert oracle.worked_out() == []
