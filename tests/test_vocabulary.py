"""One vocabulary: statuses and kinds are the enums of ``toolkit.domain.status`` (and the mail send record's
``MailStatus``), rule ids those of the catalogue; no code compares, passes or queries them as bare strings."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from toolkit.domain.status import Kind, Status
from toolkit.store.ledger import MailStatus

TOOLKIT = Path(__file__).resolve().parent.parent / "toolkit"
WORDS = {m.value for enum in (Status, Kind, MailStatus) for m in enum}
# "plan" is also a kind of calendar event (toolkit.domain.calendar), compared as such: only passing it is checked
COMPARED = WORDS - {Kind.PLAN.value}
DEFINED_IN = {TOOLKIT / "domain" / "status.py", TOOLKIT / "store" / "ledger.py"}
SQL_LITERAL = re.compile(r"(status|kind)\s*(=|IN\s*\()\s*'", re.I)


def _status_literals(path: Path) -> list[str]:
    out = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for op in operands:
                items = op.elts if isinstance(op, ast.Tuple | ast.List | ast.Set) else [op]
                out += [f"{path.name}:{node.lineno} compares with {i.value!r}" for i in items
                        if isinstance(i, ast.Constant) and i.value in COMPARED]
        elif isinstance(node, ast.keyword) and node.arg in ("status", "kind"):
            if isinstance(node.value, ast.Constant) and node.value.value in WORDS:
                out.append(f"{path.name}:{node.value.lineno} passes {node.arg}={node.value.value!r}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_LITERAL.search(node.value):
            out.append(f"{path.name}:{node.lineno} queries a status as text")
    return sorted(out, key=lambda x: int(x.split(":")[1].split()[0]))


def test_statuses_and_kinds_are_never_bare_strings():
    found = [x for p in sorted(TOOLKIT.rglob("*.py")) if p not in DEFINED_IN for x in _status_literals(p)]
    assert found == []


def test_the_check_finds_a_planted_literal(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text('if row.status == "accepted":\n    pass\nledger.update(1, status="rejected")\n'
                       'SQL = "SELECT * FROM submissions WHERE status = \'accepted\'"\n', encoding="utf-8")
    assert _status_literals(planted) == ["planted.py:1 compares with 'accepted'",
                                         "planted.py:3 passes status='rejected'",
                                         "planted.py:4 queries a status as text"]


def test_the_ledger_records_every_status_but_the_verdict_word():
    from toolkit.store.ledger import SCHEMA

    recorded = re.search(r"submissions \(.*?status TEXT NOT NULL CHECK \(status IN \(([^)]*)\)\)", SCHEMA, re.S)
    assert [w.strip(" '") for w in recorded.group(1).split(",")] == [s.value for s in Status
                                                                     if s is not Status.UNREADABLE]
    assert Status.UNREADABLE.recorded is Status.QUARANTINED
