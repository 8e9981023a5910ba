"""Shared fixtures: a workspace holding the demo configuration, made by the real generator."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from toolkit.store.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
RESOURCES = Path(__file__).resolve().parent / "resources"


def read_answer_csv(name: str) -> list[dict[str, str]]:
    """Rows of a reviewed answer file; lines starting with '#' are comments."""
    lines = [ln for ln in (RESOURCES / name).read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines))


def make_workspace(root: Path, key: bool = True) -> Workspace:
    """A copy of the repository's demo configuration at ``root`` (never the local signing key) with a signing key of
    its own, as ``mcc init`` makes (``key=False``: none, as on a second machine)."""
    from toolkit.store.keys import create_key

    shutil.copytree(REPO / "config", root / "config", ignore=shutil.ignore_patterns("signing.key"))
    for name in ("inbox", "outbox", "workbooks", "templates"):
        (root / name).mkdir()
    if key:
        create_key(root / "config")
    return Workspace(root)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A copy of the repository's demo workspace configuration, safe to edit."""
    return make_workspace(tmp_path / "ws")


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    """A workspace with S8 templates issued to JONV, AAUC and XDNO (one per test module)."""
    from tests.inbox_helpers import Returns

    ws = make_workspace(tmp_path_factory.mktemp("inbox") / "ws")
    return Returns(ws, ["JONV", "AAUC", "XDNO"])


@pytest.fixture
def fresh(returns, tmp_path):
    """The module's templates in a workspace of the test's own (an empty inbox, outbox and ledger)."""
    from tests.inbox_helpers import Returns, context
    from toolkit.services.judge import make_judge

    root = tmp_path / "ws"
    shutil.copytree(returns.ws.root, root)
    for name in ("inbox", "outbox"):
        shutil.rmtree(root / name)
        (root / name).mkdir()
    for p in (root / "workbooks").glob("ledger.sqlite*"):
        p.unlink()
    r = Returns.__new__(Returns)
    r.ws, r.config, r.sprint = type(returns.ws)(root), returns.config, returns.sprint
    r.judge = make_judge(context(r.ws, r.config))
    return r


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A small generated industry (30 groups, 3 LDSOs) with S8 templates issued, and a group whose sample plan
    fits its envelopes: for the bulk inbox tests."""
    from tests.inbox_helpers import Returns, small_workspace
    from toolkit.domain.sample_plan import sample_plan
    from toolkit.domain.template import self_checks
    from toolkit.services.context import load

    ws = small_workspace(tmp_path_factory.mktemp("small") / "ws")
    r = Returns(ws, [g.mpid for g in load(ws).industry.groups])

    def plannable(group: str) -> bool:  # its sample plan fits its envelopes in S8
        content = r.judge.content(group, r.sprint)
        plan = sample_plan(content, r.config.parameters)
        return all(not chk.problems(r.config.parameters, col, content.ramp_checked(col), content.core_checked(col))
                   for col, chk in zip(content.ldsos, self_checks(content, plan.weekly, plan.daily), strict=True))

    return r, next(g.mpid for g in r.config.industry.groups if plannable(g.mpid))


def fresh_small(small, tmp_path: Path):
    """A copy of the small workspace to spoil."""
    from tests.inbox_helpers import Returns, context
    from toolkit.services.judge import make_judge

    r, _ = small
    root = tmp_path / "ws"
    shutil.copytree(r.ws.root, root)
    copy = Returns.__new__(Returns)
    copy.ws, copy.config, copy.sprint = type(r.ws)(root), r.config, r.sprint
    copy.judge = make_judge(context(copy.ws, copy.config))
    return copy
