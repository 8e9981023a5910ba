"""Issue 17: disclosure control counts contributors as groups (and groups of one owner as one), never as forecast
columns or with the recipient among them."""

from __future__ import annotations

import numpy as np

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
