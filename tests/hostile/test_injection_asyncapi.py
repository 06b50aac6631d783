"""Hostile text in an AsyncAPI document stays data, for both kinds of client it can generate:

- a WebSocket API (tests/e2e/specs/websocket/): every title, summary and description, and the end of
  every request method name (the wire string the client sends, and the name its method is made from);
- market streams (tests/e2e/specs/market_streams/): the same text fields, the stream names and
  patterns it gives as examples, and the end of a control request's method name (GET_PROPERTY).

Generated under the sandbox, the package compiles, imports without side effects, is written only
inside the output folder, and passes its own tests; nothing announces itself when run.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import SPECS
from tests.hostile.harness import (
    Run,
    import_everything,
    run_generated_tests,
    sandboxed_cli,
    violations,
    write_spec,
)
from tests.hostile.payloads import JINJA_RESULT, hostile_text

TEXT_KEYS = frozenset({"title", "summary", "description"})


@dataclass(frozen=True)
class Case:
    spec: Path
    package: str
    lists: frozenset[str]  # keys of lists of strings that get one hostile item more
    poisons_method: Callable[[str], bool]  # which constant `method` names get hostile text at their end
    least_changed: int
    operations: Callable[[int], bool]  # the methods whose names carry the text are generated, not left out


CASES = {
    "websocket-api": Case(SPECS / "websocket" / "websocket-api.yaml", "acme.ws", frozenset(),
                          lambda method: True, 20, lambda made: made >= 6),
    "market-streams": Case(SPECS / "market_streams" / "asyncapi.yaml", "acme.streams",
                           frozenset({"x-stream-pattern", "x-stream-example", "examples"}),
                           lambda method: method == "GET_PROPERTY", 5, lambda made: made == 4),
}


def _poisoned(case: Case, marker: str) -> tuple[dict[str, Any], int]:
    """The case's spec with hostile text in its text fields, lists and method names; (document, how
    many fields were changed)."""
    document: dict[str, Any] = yaml.safe_load(case.spec.read_text(encoding="utf-8"))
    text = hostile_text(marker)
    changed = 0
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in TEXT_KEYS and isinstance(value, str):
                    node[key] = f"{value} {text(f'field {changed}')}"
                    changed += 1
                elif key in case.lists and isinstance(value, list) and all(isinstance(v, str) for v in value):
                    value.append(text(f"field {changed}"))
                    changed += 1
                elif (key == "method" and isinstance(value, dict) and isinstance(value.get("const"), str)
                      and case.poisons_method(value["const"])):
                    value["const"] += text(f"field {changed}")[:40]  # a method name, however odd
                    changed += 1
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return document, changed


@pytest.fixture(scope="module", params=sorted(CASES))
def generated(request: pytest.FixtureRequest,
              tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, Path, Path, Path, Run]:
    case = CASES[request.param]
    root = tmp_path_factory.mktemp(f"hostile_{request.param}")
    marker = root / "INJECTED"
    document, changed = _poisoned(case, str(marker))
    assert changed > case.least_changed
    spec = write_spec(root / "spec", document, case.spec.name)
    out = root / "out"
    run = sandboxed_cli(["generate", spec.name, "--out", str(out), "--package-name", case.package], spec.parent,
                        root / "audit.log", timeout=120)
    assert run.code == 0, run.stderr
    return case, spec, out, marker, run


def test_generated_within_bounds_writing_only_inside_the_output_folder(
        generated: tuple[Case, Path, Path, Path, Run]) -> None:
    case, spec, out, _, run = generated
    assert violations(run, spec.parent, [spec.parent, out], [out]) == []
    assert "Traceback" not in run.stderr
    made = re.search(r"(\d+) operations", run.stdout)
    assert made is not None and case.operations(int(made[1])), run.stdout


def test_every_module_compiles_and_imports_without_side_effects(
        generated: tuple[Case, Path, Path, Path, Run]) -> None:
    case, _, out, marker, _ = generated
    for path in sorted(out.rglob("*.py")):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    import_everything(out, case.package)
    assert not marker.exists()


def test_no_template_evaluated_the_text(generated: tuple[Case, Path, Path, Path, Run]) -> None:
    _, _, out, _, _ = generated
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".md"):
            assert JINJA_RESULT not in path.read_text(encoding="utf-8"), path


def test_the_package_tests_pass(generated: tuple[Case, Path, Path, Path, Run]) -> None:
    case, _, out, marker, _ = generated
    prefix = case.package.replace(".", "_")
    try:
        assert run_generated_tests(out, prefix) == 0
    finally:
        for name in [n for n in sys.modules if n == "acme" or n.startswith(("acme.", f"{prefix}_tests"))]:
            del sys.modules[name]
    assert not marker.exists()
