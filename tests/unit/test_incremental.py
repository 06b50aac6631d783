"""The cache's tiers (generator/incremental/): each one skips work only where it cannot change the result.

Every run here is `generate` as the command runs it (cli.run, in process), into a folder an earlier
run wrote; what it skipped is seen by spying on the stages, and what it made is compared with a
run into a folder without the cache's record.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import cli, incremental, pipeline
from generator.emit import render
from generator.spec import validate
from tests.conftest import tree

COVERAGE = Path(__file__).resolve().parents[1] / "e2e" / "specs" / "coverage" / "openapi.yaml"


class Spy:
    """What the stages did in one run: templates rendered, the validator's calls (their `paths`)."""

    def __init__(self, patch: pytest.MonkeyPatch) -> None:
        self.rendered: list[str] = []
        self.validated: list[tuple[str, ...] | None] = []
        self.loaded = 0
        real_render, real_findings, real_run = render.Renderer.render, validate.findings, pipeline.run

        def spy_render(renderer: render.Renderer, template: str, **context: Any) -> str:
            self.rendered.append(template)
            return real_render(renderer, template, **context)

        def spy_findings(*args: Any, **kwargs: Any) -> Any:
            self.validated.append(args[4] if len(args) > 4 else kwargs.get("paths"))
            return real_findings(*args, **kwargs)

        def spy_run(*args: Any, **kwargs: Any) -> Any:
            self.loaded += 1
            return real_run(*args, **kwargs)

        patch.setattr(render.Renderer, "render", spy_render)
        patch.setattr(validate, "findings", spy_findings)
        patch.setattr(pipeline, "run", spy_run)
        patch.setattr(pipeline, "_forked", validate.inline)  # the spies see the children's calls too


def generate(spec: Path, out: Path, *options: str) -> Spy:
    with pytest.MonkeyPatch.context() as patch:
        spy = Spy(patch)
        code = cli.run(["generate", str(spec), "--out", str(out), "--package-name", "coverage.client", *options])
    assert code == 0
    return spy


def output(folder: Path) -> dict[str, bytes]:
    return {path: data for path, data in tree(folder).items() if path != incremental.CACHE_FILE}


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    copy = tmp_path / "spec" / "openapi.yaml"
    copy.parent.mkdir()
    shutil.copy(COVERAGE, copy)
    return copy


@pytest.fixture
def out(spec: Path, tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "out"
    generate(spec, folder)
    yield folder


def edit(spec: Path, old: str, new: str) -> None:
    text = spec.read_text(encoding="utf-8")
    assert old in text, old
    spec.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- tier 1: nothing changed ------------------------------------------------------------------------

def test_an_unchanged_spec_and_output_stop_before_loading(spec: Path, out: Path) -> None:
    before = tree(out)
    spy = generate(spec, out)
    assert spy.loaded == 0 and spy.rendered == []
    assert tree(out) == before


def test_an_edit_of_a_file_the_spec_refers_to_makes_a_run(tmp_path: Path) -> None:
    multi = tmp_path / "multi"
    shutil.copytree(Path(__file__).parent / "load_cases" / "multi", multi)
    out = tmp_path / "multi-out"
    generate(multi / "openapi.yaml", out)
    assert generate(multi / "openapi.yaml", out).loaded == 0
    pet = multi / "schemas" / "pet.yaml"
    pet.write_text(pet.read_text() + "\n")  # the same document, another file: read again
    assert generate(multi / "openapi.yaml", out).loaded == 1
    (multi / "unrelated.yaml").write_text("not: referenced\n")  # a file no $ref names changes nothing
    assert generate(multi / "openapi.yaml", out).loaded == 0


def test_a_spec_beside_a_symlink_loop_is_generated_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "looped"
    folder.mkdir()
    shutil.copy(COVERAGE, folder / "openapi.yaml")
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    out = tmp_path / "looped-out"
    generate(folder / "openapi.yaml", out)
    assert generate(folder / "openapi.yaml", out).loaded == 0


@pytest.mark.parametrize("change", ["output file edited", "output file removed", "ignore file added", "settings"])
def test_any_change_of_input_or_output_makes_a_run(spec: Path, out: Path, change: str) -> None:
    options: tuple[str, ...] = ()
    if change == "output file edited":
        (out / "README.md").write_text("edited by hand\n")
    elif change == "output file removed":
        (out / "README.md").unlink()
    elif change == "ignore file added":
        (out / ".generatorignore").write_text("notes/\n")
    else:
        options = ("--lenient",)
    spy = generate(spec, out, *options)
    assert spy.loaded == 1
    assert (out / "README.md").read_text().startswith("# coverage-client")


# -- tier 2: path items validated again only when they changed ----------------------------------------

def _document() -> dict[str, Any]:
    def operation(op_id: str) -> dict[str, Any]:
        return {"operationId": op_id, "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Thing"}}}}}}

    return {
        "openapi": "3.0.3",
        "info": {"title": "memo", "version": "1"},
        "paths": {f"/p{i}": {"get": operation(f"op{i}")} for i in range(6)},
        "components": {"schemas": {"Thing": {"type": "object", "properties": {
            "kind": {"type": "string", "enum": ["A", "B"], "default": "A"}}}}},
    }


def _write(path: Path, document: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def _problems(spec: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[list[str], Spy]:
    capsys.readouterr()
    spy = generate(spec, out, "--lenient")
    return [line for line in capsys.readouterr().err.splitlines() if ": warning: " in line], spy


def _validation_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    spec = tmp_path / "memo" / "openapi.yaml"
    spec.parent.mkdir()
    _write(spec, _document())
    out = tmp_path / "memo-out"
    problems, spy = _problems(spec, out, capsys)
    assert problems == [] and None in spy.validated
    return spec, out


def _full_problems(spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    fresh = tmp_path / f"fresh-{time.monotonic_ns()}"
    return _problems(spec, fresh, capsys)[0]


def test_an_unchanged_document_is_not_validated_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = _validation_case(tmp_path, capsys)
    (out / "README.md").write_text("edited by hand\n")  # a run, with the same document
    problems, spy = _problems(spec, out, capsys)
    assert spy.loaded == 1 and spy.validated == [] and problems == []


def test_an_edited_path_item_is_the_only_one_validated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = _validation_case(tmp_path, capsys)
    edited = _document()
    edited["paths"]["/p3"]["get"]["parameters"][0]["in"] = "body"  # not a parameter location
    _write(spec, edited)
    problems, spy = _problems(spec, out, capsys)
    assert spy.validated == [("/p3",)]
    assert problems == _full_problems(spec, tmp_path, capsys) and any("~1p3" in line for line in problems)
    _write(spec, _document())  # fixed again: the error goes, from the record too
    problems, spy = _problems(spec, out, capsys)
    assert spy.validated == [("/p3",)] and problems == []


def test_a_change_outside_paths_validates_everything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = _validation_case(tmp_path, capsys)
    edited = _document()
    edited["components"]["schemas"]["Thing"]["properties"]["kind"]["default"] = "C"  # not in the enum
    _write(spec, edited)
    problems, spy = _problems(spec, out, capsys)
    assert spy.validated and set(spy.validated) == {None}
    assert problems == _full_problems(spec, tmp_path, capsys) and len(problems) == 1


def test_a_duplicate_operation_id_with_an_unchanged_item_is_found(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = _validation_case(tmp_path, capsys)
    edited = _document()
    edited["paths"]["/p1"]["get"]["operationId"] = "op4"
    _write(spec, edited)
    problems, spy = _problems(spec, out, capsys)
    assert spy.validated == [("/p1",)]
    assert problems == _full_problems(spec, tmp_path, capsys)
    assert [line.split(": ", 1)[1] for line in problems if "not unique" in line] == [
        "warning: Operation ID 'op4' for 'get' in '/p4' is not unique (at #/paths/~1p4/get)"]


def test_a_schema_made_to_contain_itself_in_a_changed_item_is_found(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = _validation_case(tmp_path, capsys)
    edited = _document()
    here = "#/paths/~1p2/get/responses/200/content/application~1json/schema"
    edited["paths"]["/p2"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "allOf": [{"$ref": here}]}
    _write(spec, edited)
    problems, _ = _problems(spec, out, capsys)
    assert problems == _full_problems(spec, tmp_path, capsys)
    assert any("schema contains itself" in line for line in problems)


@pytest.mark.parametrize("tamper", ["another generator", "a finding that drives the terminal", "not a record"])
def test_a_record_from_elsewhere_means_a_full_validation(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         tamper: str) -> None:
    spec, out = _validation_case(tmp_path, capsys)
    path = out / incremental.CACHE_FILE
    record = json.loads(path.read_text())
    if tamper == "another generator":
        record["code"] = "0" * 64
    elif tamper == "a finding that drives the terminal":
        record["validation"]["rest_findings"] = [[None, "#/info", "\x1b[2Jcleared"]]
    else:
        record = ["not", "a", "record"]
    path.write_text(json.dumps(record))
    (out / "README.md").write_text("edited by hand\n")
    problems, spy = _problems(spec, out, capsys)
    assert set(spy.validated) == {None} and problems == []


# -- tier 3: files of unchanged units not rendered or formatted again ------------------------------------

MODEL_TEMPLATES = ("package/models/model.py.jinja", "docs/model.md.jinja")


def test_an_operation_edit_renders_no_model(spec: Path, out: Path, tmp_path: Path) -> None:
    first = generate(spec, tmp_path / "whole")
    models = first.rendered.count("package/models/model.py.jinja")
    assert models >= 8
    edit(spec, "summary: One owner, with pets of every kind", "summary: One owner (edited)")
    spy = generate(spec, out)
    assert [t for t in spy.rendered if t in MODEL_TEMPLATES] == []
    assert spy.rendered.count("package/api/api.py.jinja") == 1
    _matches_a_run_without_the_record(spec, out, tmp_path)


def test_a_changed_schema_is_rendered_again_alone(spec: Path, out: Path, tmp_path: Path) -> None:
    edit(spec, "description: Owners, their pets, and photos of them.", "description: Edited by the test.")
    spy = generate(spec, out)
    assert spy.rendered.count("package/api/api.py.jinja") == 1  # the tag's description is in the class
    model_spec = yaml.safe_load(spec.read_text())
    owner = model_spec["components"]["schemas"]["Owner"]
    owner["description"] = "An owner, edited"
    spec.write_text(yaml.safe_dump(model_spec, sort_keys=False))
    spy = generate(spec, out)
    assert spy.rendered.count("package/models/model.py.jinja") == 1
    _matches_a_run_without_the_record(spec, out, tmp_path)


def test_a_file_edited_by_hand_is_rendered_again(spec: Path, out: Path, tmp_path: Path) -> None:
    path = next(p for p in sorted(output(out)) if "/models/" in p and not p.endswith("__init__.py"))
    (out / path).write_text("# changed by hand\n", encoding="utf-8")
    spy = generate(spec, out)
    assert spy.rendered.count("package/models/model.py.jinja") == 1
    _matches_a_run_without_the_record(spec, out, tmp_path)


def test_other_settings_render_everything(spec: Path, out: Path, tmp_path: Path) -> None:
    before = generate(spec, tmp_path / "whole").rendered
    spy = generate(spec, out, "--lenient")
    assert sorted(spy.rendered) == sorted(before)


def _matches_a_run_without_the_record(spec: Path, out: Path, tmp_path: Path) -> None:
    """Run again into a copy of `out` whose record is deleted: the same files, byte for byte."""
    copy = tmp_path / f"copy-{time.monotonic_ns()}"
    shutil.copytree(out, copy)
    (copy / incremental.CACHE_FILE).unlink()
    (out / "README.md").write_text("edited by hand\n")  # both runs run
    (copy / "README.md").write_text("edited by hand\n")
    generate(spec, out)
    generate(spec, copy)
    assert output(out) == output(copy)
