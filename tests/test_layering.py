"""The house has one-way layers (docs/architecture.md; STYLE.md, "Our shape"): every import of every module, those
inside functions included, is checked against an allow-list of its layer; no modules import each other in a
circle; the domain reads no files and no clock, and only ``toolkit/clock.py`` reads the system time."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

TOOLKIT = Path(__file__).resolve().parent.parent / "toolkit"

# the layer of each part of the toolkit, by module prefix (the longest prefix wins)
LAYER_OF = {
    "toolkit": "base", "toolkit.errors": "base", "toolkit.clock": "base",
    "toolkit.domain": "domain", "toolkit.config": "config", "toolkit.store": "store", "toolkit.excel": "excel",
    "toolkit.mail": "mail", "toolkit.inbox": "inbox", "toolkit.services": "services", "toolkit.demo": "demo",
    "toolkit.xl": "xl", "toolkit.cli": "cli", "toolkit.__main__": "cli",
}
# the layers each layer may import (its own always); arrows point down only
MAY_IMPORT = {
    "base": {"base"},
    "domain": {"domain", "toolkit.errors"},
    "config": {"domain", "base"},
    "store": {"domain", "base"},
    "excel": {"domain", "toolkit.errors"},
    "mail": {"domain", "store", "base"},
    "inbox": {"domain", "store", "excel", "base"},
    "services": {"domain", "config", "store", "excel", "mail", "inbox", "base"},
    "demo": {"services", "domain", "config", "store", "excel", "mail", "base"},
    "xl": {"services", "domain", "base", "toolkit.excel.writers.control"},
    "cli": {"services", "demo", "domain", "base"},
}
# the packages each layer may use besides the standard library
THIRD_PARTY = {
    "base": set(), "domain": {"numpy", "pydantic", "holidays"}, "config": {"pydantic"}, "store": {"numpy", "pandas"},
    "excel": {"numpy", "xlsxwriter", "openpyxl", "python_calamine", "defusedxml"}, "mail": {"jinja2"},
    "inbox": {"watchdog", "python_calamine"}, "services": {"numpy"}, "demo": {"numpy"}, "xl": set(),
    "cli": {"typer", "rich"},
}
# the domain is pure: of the standard library only what computes (no files, sockets, processes, clock or time)
DOMAIN_STDLIB = {"__future__", "abc", "bisect", "collections", "copy", "dataclasses", "datetime", "decimal", "enum",
                 "fractions", "functools", "hashlib", "heapq", "itertools", "json", "math", "numbers", "operator",
                 "re", "statistics", "string", "textwrap", "types", "typing"}


def module_name(path: Path, root: Path = TOOLKIT) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str, module: str, known: set[str]) -> list[tuple[int, str]]:
    """Every module ``source`` imports, anywhere in it, as (line, full module name); ``from toolkit import x``
    names the module ``toolkit.x`` when there is one."""
    out = []
    package = module if module + ".__init__" in known else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base
                                                                                              else []))
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.append((node.lineno, sub if sub in known else base))
    return out


def layer(module: str) -> str:
    best = max((p for p in LAYER_OF if module == p or module.startswith(p + ".")), key=len)
    return LAYER_OF[best]


def allowed(importer: str, imported: str) -> bool:
    if imported.split(".")[0] != "toolkit":
        top = imported.split(".")[0]
        if layer(importer) == "domain":
            return top in DOMAIN_STDLIB or top in THIRD_PARTY["domain"]
        return top in sys.stdlib_module_names or top in THIRD_PARTY[layer(importer)]
    own, other = layer(importer), layer(imported)
    grants = MAY_IMPORT[own] | {own}
    return other in grants or any(imported == g or imported.startswith(g + ".") for g in grants if "." in g)


def violations(sources: dict[str, str]) -> list[str]:
    """Forbidden imports among ``sources`` (module name -> text)."""
    known = set(sources) | {m + ".__init__" for m in sources}
    out = []
    for module, text in sorted(sources.items()):
        for line, imported in imports(text, module, known):
            if not allowed(module, imported):
                out.append(f"{module}:{line} ({layer(module)}) imports {imported}")
    return out


def cycles(sources: dict[str, str]) -> list[list[str]]:
    """Groups of toolkit modules that import each other in a circle (strongly connected components)."""
    known = set(sources) | {m + ".__init__" for m in sources}
    graph = {m: {i for _, i in imports(t, m, known) if i in sources and i != m} for m, t in sources.items()}
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def toolkit_sources() -> dict[str, str]:
    return {module_name(p): p.read_text(encoding="utf-8") for p in TOOLKIT.rglob("*.py")}


def test_every_import_is_allowed_by_its_layer():
    assert violations(toolkit_sources()) == []


def test_no_modules_import_each_other_in_a_circle():
    assert cycles(toolkit_sources()) == []


@pytest.mark.parametrize(("module", "planted", "expected"), [
    ("toolkit.domain.planted", "import pathlib\n", "toolkit.domain.planted:1 (domain) imports pathlib"),
    ("toolkit.domain.planted", "def f():\n    from toolkit.services import uca\n",
     "toolkit.domain.planted:2 (domain) imports toolkit.services.uca"),
    ("toolkit.domain.planted", "import pandas\n", "toolkit.domain.planted:1 (domain) imports pandas"),
    ("toolkit.store.planted", "from toolkit import services\n", "toolkit.store.planted:1 (store) imports "
                                                                  "toolkit.services"),
    ("toolkit.mail.planted", "from toolkit.inbox.intake import Inbox\n",
     "toolkit.mail.planted:1 (mail) imports toolkit.inbox.intake"),
    ("toolkit.inbox.planted", "def judge():\n    from toolkit.services.uca import snapshot\n",
     "toolkit.inbox.planted:2 (inbox) imports toolkit.services.uca"),
    ("toolkit.services.planted", "from toolkit.cli.common import app\n",
     "toolkit.services.planted:1 (services) imports toolkit.cli.common"),
    ("toolkit.xl.planted", "from toolkit.inbox.watcher import run_once\n",
     "toolkit.xl.planted:1 (xl) imports toolkit.inbox.watcher"),
])
def test_a_planted_forbidden_import_is_found(module, planted, expected):
    sources = toolkit_sources()
    sources[module] = planted
    assert violations(sources) == [expected]


def test_a_planted_circle_is_found():
    sources = toolkit_sources()
    sources["toolkit.services.planted"] = "from toolkit.services.context import Context\n"
    sources["toolkit.services.context"] += "\ndef f():\n    from toolkit.services import planted\n"
    assert ["toolkit.services.context", "toolkit.services.planted"] in cycles(sources)


def _calls(tree: ast.AST) -> Iterable[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            yield node.lineno, f"{node.value.id}.{node.attr}"


CLOCK_READS = {"datetime.now", "datetime.utcnow", "datetime.today", "date.today", "time.time", "time.time_ns"}


def test_only_the_clock_module_reads_the_system_time():
    found = [f"{module_name(p)}:{line} {name}" for p in TOOLKIT.rglob("*.py") if p.name != "clock.py"
             for line, name in _calls(ast.parse(p.read_text(encoding="utf-8"))) if name in CLOCK_READS]
    assert found == []


def test_the_domain_opens_no_file():
    for path in (TOOLKIT / "domain").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
                raise AssertionError(f"{path.name} opens a file")
            if isinstance(node, ast.Attribute) and node.attr in ("read_text", "read_bytes", "write_text",
                                                                 "write_bytes", "open"):
                raise AssertionError(f"{path.name} reads or writes a file ({node.attr})")
