"""Hostile text in every field that reaches the output stays data: the package parses, imports without
side effects, holds only what the templates write, keeps its Markdown tables whole, is written only
inside the output folder, and passes its own tests.

The same document is generated twice, with hostile text (payloads.py) and with benign text. The benign
output says what the templates write; the hostile one may differ only in names that naming.py made.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generator.config import Config
from generator.model.api import Api
from generator.model.build import build
from generator.spec.load import load
from tests.conftest import REPO
from tests.hostile import inspect_output
from tests.hostile.harness import (
    Run,
    generate_into,
    import_everything,
    run_generated_tests,
    sandboxed_cli,
    violations,
    write_spec,
)
from tests.hostile.payloads import JINJA_RESULT, benign_text, document, hostile_text

SKIPPED = {".generator-manifest.json", ".generator-cache.json"}  # a manifest and a cache, not code
TEMPLATES = REPO / "templates"
RUNTIME = REPO / "runtime"


@dataclass
class Output:
    spec: Path
    out: Path
    files: dict[str, str]
    api: Api
    marker: Path
    run: Run | None = None


def _files(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*"))
            if p.is_file() and p.name not in SKIPPED and "__pycache__" not in p.parts}


def _api(spec: Path, lenient: bool = False) -> Api:
    loaded = load(spec)
    return build(loaded.document, Config(lenient=lenient), str(spec), loaded.locate)[0]


def _generate_by_cli(root: Path, doc: dict[str, Any], marker: Path, *options: str) -> Output:
    spec = write_spec(root / "spec", doc)
    out = root / "out"
    run = sandboxed_cli(["generate", spec.name, "--out", str(out), *options], spec.parent, root / "audit.log")
    assert run.code == 0, run.stderr
    return Output(spec, out, _files(out), _api(spec, "--lenient" in options), marker, run)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Output:
    root = tmp_path_factory.mktemp("hostile")
    text = hostile_text(str(root / "INJECTED"))
    return _generate_by_cli(root, document(text, text), root / "INJECTED")


@pytest.fixture(scope="module")
def benign(tmp_path_factory: pytest.TempPathFactory) -> Output:
    root = tmp_path_factory.mktemp("benign")
    spec = write_spec(root / "spec", document(benign_text, benign_text))
    result = generate_into(spec, root / "out")
    return Output(spec, root / "out", _files(root / "out"), result.api, root / "INJECTED")


def _rendered(output: Output) -> dict[str, str]:
    """The files templates made from the spec; the runtime (copied as it is) is checked to be a copy."""
    runtime = [p for p in RUNTIME.glob("*.py") if p.name != "__init__.py"]
    if output.api.vendor.runtime:
        runtime += (RUNTIME / output.api.vendor.runtime).glob("*.py")
    copies = {f"{output.api.package.path}/{p.name}": p for p in runtime}
    copies["tests/loopback.py"] = TEMPLATES / "tests" / "loopback.py"
    copies["tests/cases/_types.py"] = TEMPLATES / "tests" / "cases" / "_types.py"
    for path, source in copies.items():
        assert output.files[path] == source.read_text(encoding="utf-8"), path
    return {path: text for path, text in output.files.items() if path not in copies}


def assert_holds_only_what_the_templates_write(output: Output, benign: Output) -> None:
    facts = inspect_output.python_facts(_rendered(output))
    expected = inspect_output.python_facts(_rendered(benign))
    assert expected.stray == []  # the rule holds for the templates themselves
    assert facts.stray == []
    decided = inspect_output.decided_names(output.api) | inspect_output.decided_names(benign.api)
    assert {call for call in facts.calls - expected.calls if call.rpartition(".")[2] not in decided} == set()
    own = inspect_output.own_modules(output.files)
    assert {m for m in facts.imports if m not in own} - expected.imports == set()
    assert facts.names - expected.names - inspect_output.decided_names(output.api) == set()


def test_generated_within_bounds_writing_only_inside_the_output_folder(hostile: Output) -> None:
    assert hostile.run is not None
    assert violations(hostile.run, hostile.spec.parent, [hostile.spec.parent, hostile.out], [hostile.out]) == []
    assert "Traceback" not in hostile.run.stderr


def test_every_module_holds_only_what_the_templates_write(hostile: Output, benign: Output) -> None:
    assert_holds_only_what_the_templates_write(hostile, benign)


def test_markdown_tables_keep_their_columns_and_code_fences_their_count(hostile: Output, benign: Output) -> None:
    def fences(output: Output) -> dict[str, int]:
        api_docs = {f"docs/{a.class_name}.md" for a in output.api.apis}
        counts: dict[str, int] = {}
        for path, text in output.files.items():
            if path.endswith(".md"):
                kind = "api" if path in api_docs else "model" if path.startswith("docs/") else path
                counts[kind] = counts.get(kind, 0) + len(inspect_output.fence_lines(text))
        return counts

    for output in (benign, hostile):
        for path, text in output.files.items():
            if path.endswith(".md"):
                assert inspect_output.malformed_tables(text) == [], path
                assert "<script" not in inspect_output.outside_fences(text), path
    assert fences(hostile) == fences(benign)


def test_spec_text_is_never_evaluated_as_a_template(hostile: Output) -> None:
    assert all(JINJA_RESULT not in text for text in hostile.files.values())
    assert any("{{ 7*7 }}" in text for path, text in hostile.files.items() if path.endswith(".md"))


def test_pyproject_is_valid_toml(hostile: Output) -> None:
    project = tomllib.loads(hostile.files["pyproject.toml"])["project"]
    assert project["name"] == hostile.api.package.distribution and project["version"] == "0.1.0"


def test_importing_every_module_has_no_side_effect(hostile: Output) -> None:
    import_everything(hostile.out, hostile.api.package.name)
    assert not hostile.marker.exists()


def test_the_generated_tests_pass(hostile: Output) -> None:
    assert run_generated_tests(hostile.out, hostile.api.package.name) == 0


# -- --lenient: fields validation would have refused ---------------------------------------------------

def lenient_document(marker: str) -> dict[str, Any]:
    """Values that only validation keeps out of fields the templates print as they are (`in`), or the
    runtime sends as they are (header names, media types)."""
    inject = f'query"), open({marker!r}, "w"), Param("x'
    return {
        "openapi": "3.0.3",
        "info": {"title": "Lenient", "version": "1.0.0"},
        "security": [{"key": []}, {"forged": []}],
        "paths": {"/items/{id}": {"post": {
            "operationId": "postItem",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "q", "in": inject, "schema": {"type": "string"}},
                {"name": "X-Ok", "in": "header", "schema": {"type": "string", "example": "a\r\nX-Forged: 1"}},
                {"name": "Bad Header\r\nX-Forged: 1", "in": "header", "schema": {"type": "string"}},
                {"name": "Accept", "in": "header", "schema": {"type": "string"}},
                {"name": "absent", "in": "path", "required": True, "schema": {"type": "string"}},
            ],
            "requestBody": {"content": {"application/json\r\nX-Forged: 1": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}},
        }}},
        "components": {"securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "forged": {"type": "apiKey", "in": inject, "name": "X-Forged"},
        }},
    }


@pytest.fixture(scope="module")
def lenient(tmp_path_factory: pytest.TempPathFactory) -> Output:
    root = tmp_path_factory.mktemp("lenient")
    output = _generate_by_cli(root, lenient_document(str(root / "INJECTED")), root / "INJECTED", "--lenient")
    assert output.run is not None and "warning:" in output.run.stderr
    return output


def test_lenient_output_holds_only_what_the_templates_write(lenient: Output, benign: Output) -> None:
    assert_holds_only_what_the_templates_write(lenient, benign)
    assert "Forged" not in "".join(t for p, t in lenient.files.items() if p.endswith(".py"))


def test_lenient_output_imports_without_side_effects_and_passes_its_tests(lenient: Output) -> None:
    import_everything(lenient.out, lenient.api.package.name)
    assert not lenient.marker.exists()
    assert run_generated_tests(lenient.out, lenient.api.package.name) == 0


# -- names that reach docstrings ---------------------------------------------------------------------

@pytest.mark.parametrize("where", ["schema name", "spec file name"])
def test_hostile_schema_and_file_names_stay_data(tmp_path: Path, benign: Output, where: str) -> None:
    marker = tmp_path / "INJECTED"
    text = hostile_text(str(marker))
    if where == "schema name":
        spec = write_spec(tmp_path / "spec", document(benign_text, benign_text, schema_name=text))
    else:  # no "/" may be in a file name, so the payload names no path
        spec = write_spec(tmp_path / "spec", document(benign_text, benign_text),
                          name='x"""+__import__("os").system("touch INJECTED")+"""y.yaml')
    result = generate_into(spec, tmp_path / "out")
    output = Output(spec, tmp_path / "out", _files(tmp_path / "out"), result.api, marker)
    assert_holds_only_what_the_templates_write(output, benign)
