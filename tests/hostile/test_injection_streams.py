"""Hostile text in a market streams document stays data: in every title, summary and description, in
the stream names and patterns it gives as examples, and at the end of a control request's method name
(GET_PROPERTY: the wire string the client sends, and the name its method is made from). Generated under
the sandbox, the package compiles, imports without side effects, is written only inside the output
folder, and passes its own tests; nothing announces itself when run.
"""

from __future__ import annotations

import sys
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

STREAMS_SPEC = SPECS / "market_streams" / "asyncapi.yaml"
TEXT_KEYS = frozenset({"title", "summary", "description"})
LISTS = frozenset({"x-stream-pattern", "x-stream-example", "examples"})


def _poisoned(marker: str) -> tuple[dict[str, Any], int]:
    document: dict[str, Any] = yaml.safe_load(STREAMS_SPEC.read_text(encoding="utf-8"))
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
                elif key in LISTS and isinstance(value, list) and all(isinstance(v, str) for v in value):
                    value.append(text(f"field {changed}"))
                    changed += 1
                elif key == "method" and isinstance(value, dict) and value.get("const") == "GET_PROPERTY":
                    value["const"] += text(f"field {changed}")[:40]
                    changed += 1
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    document["info"]["title"] = f"Streams {text('title')}"
    return document, changed


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, Run]:
    root = tmp_path_factory.mktemp("hostile_streams")
    marker = root / "INJECTED"
    document, changed = _poisoned(str(marker))
    assert changed > 5
    spec = write_spec(root / "spec", document, "streams.yaml")
    out = root / "out"
    run = sandboxed_cli(["generate", spec.name, "--out", str(out), "--package-name", "acme.streams"], spec.parent,
                        root / "audit.log", timeout=120)
    assert run.code == 0, run.stderr
    return spec, out, marker, run


def test_generated_within_bounds_writing_only_inside_the_output_folder(generated: tuple[Path, Path, Path, Run]) -> None:
    spec, out, _, run = generated
    assert violations(run, spec.parent, [spec.parent, out], [out]) == []
    assert "Traceback" not in run.stderr
    assert "4 operations" in run.stdout, run.stdout  # the poisoned GET_PROPERTY is generated, not left out


def test_every_module_compiles_and_imports_without_side_effects(generated: tuple[Path, Path, Path, Run]) -> None:
    _, out, marker, _ = generated
    for path in sorted(out.rglob("*.py")):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    import_everything(out, "acme.streams")
    assert not marker.exists()


def test_no_template_evaluated_the_text(generated: tuple[Path, Path, Path, Run]) -> None:
    _, out, _, _ = generated
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".md"):
            assert JINJA_RESULT not in path.read_text(encoding="utf-8"), path


def test_the_package_tests_pass(generated: tuple[Path, Path, Path, Run]) -> None:
    _, out, marker, _ = generated
    try:
        assert run_generated_tests(out, "acme_streams") == 0
    finally:
        for name in [n for n in sys.modules if n == "acme" or n.startswith(("acme.", "acme_streams_tests"))]:
            del sys.modules[name]
    assert not marker.exists()
