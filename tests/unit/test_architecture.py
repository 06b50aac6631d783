"""The layout the README describes, held: stages import only downward, no import cycles, no stage
knows the cache, and templates only lay out what they are handed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import REPO

GENERATOR = REPO / "generator"
# Lower ranks are imported by higher ones, never the other way round.
RANKS = {
    "diagnostics": 0, "profiles": 1, "config": 2, "spec": 3, "model": 4, "emit": 5, "output": 6,
    "incremental": 7, "pipeline": 8, "cli": 9, "__main__": 10,
}


def _module(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """generator module -> the generator modules it imports (anywhere in it, functions included)."""
    modules = {_module(p): p for p in sorted(GENERATOR.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[:len(package.split(".")) - node.level + 1], *filter(None, [base])])
                for alias in node.names:
                    target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    if target in modules:
                        found.add(target)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names if alias.name in modules)
        graph[name] = found - {name}
    return graph


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "generator"


def test_stages_import_only_downward() -> None:
    upward = [(module, target) for module, targets in _imports().items() for target in targets
              if _stage(module) in RANKS and _stage(target) in RANKS and _stage(module) != _stage(target)
              and RANKS[_stage(target)] > RANKS[_stage(module)]]
    assert upward == []


def test_no_import_cycles() -> None:
    graph = _imports()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target):], target] if target in path else [node, target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    # A package's __init__ re-exporting its modules is no cycle of the stages.
    assert [c for c in cycles if not any(m.count(".") == 1 and (GENERATOR / m.split(".")[1] / "__init__.py").is_file()
                                         and m in (c[0], c[-1]) for m in c)] == []


def test_only_the_command_line_knows_the_cache() -> None:
    knowing = sorted(module for module, targets in _imports().items()
                     if any(t.startswith("generator.incremental") for t in targets)
                     and not module.startswith("generator.incremental"))
    assert knowing == ["generator.cli"]


TEMPLATES = sorted((REPO / "templates").rglob("*.jinja"))
# Filters and statements that compute (select, map, collect) rather than lay out.
_COMPUTING = re.compile(r"\|\s*(selectattr|rejectattr|select|reject|map|groupby|sum|unique)\b|\.append\(|module_of")
_SLICE = re.compile(r"\{[{%][^}]*\[[^\]]*:[^\]]*\][^}]*[}%]\}")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.relative_to(REPO / "templates").as_posix())
def test_templates_compute_no_name_type_or_import(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    assert _COMPUTING.findall(text) == []
    assert _SLICE.findall(text) == []
