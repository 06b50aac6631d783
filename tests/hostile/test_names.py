"""Names that fight back: keywords, builtins, the runtime's own names, names equal after case folding,
names of digits, symbols or non-ASCII letters. They come out deterministic, importable and documented,
and no two output paths are one file on a case-insensitive file system.

tests/unit/test_naming.py pins the rules one function at a time; this drives a whole spec of such names
through the pipeline and pins what each became.
"""

from __future__ import annotations

import keyword
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline
from generator.config import Config
from generator.model.api import Api
from tests.conftest import run_cli
from tests.hostile import inspect_output
from tests.hostile.harness import generate_into, import_everything, run_generated_tests, write_spec

KEYWORDS = ["class", "def", "from", "import", "None", "True", "match", "case", "type", "_", "lambda"]
BUILTINS = ["print", "list", "dict", "id", "object", "str", "int", "open", "self", "cls"]
BASE_MODEL = ["model_config", "model_fields", "copy", "json", "dict", "schema", "validate", "to_dict",
              "from_json", "Field", "Any", "annotations"]
CASE_FOLDED = ["value", "Value", "VALUE", "vAlUe"]
ODD = ["1st", "2", "$", "@x", "a-b", "a_b", "A_B", "a.b", "a b", "名前", "é", "😀", "ß", "SS", "", "__init__",
       "__class__", "x" * 300]
RUNTIME = ["ApiClient", "Configuration", "ApiException", "BaseModel", "ApiModel", "Operation", "Param",
           "ApiResponse", "AsyncApiClient", "BinanceAuth"]
SCHEMAS = [*RUNTIME, "Foo", "foo", "FOO", "FooApi", "class", "None", "1st", "123", "$$$", "@@@", "名前", "é",
           "😀", "list", "print", "Field", "Any", "x" * 300]
# operationId -> tag: the first five collide within one API class; the tags collide among themselves.
OPERATIONS = {"getItem": "pets", "get_item": "pets", "GetItem": "pets", "getItemWithHttpInfo": "pets",
              "api_client": "pets", "class": "Pets", "__init__": "PETS", "1st": "Foo", "名前": "ApiClient",
              "$$$": "class", "call": "1st", "self": "名前"}


def names_document() -> dict[str, Any]:
    properties = {name: {"type": "string", "example": f"v-{index}"}
                  for index, name in enumerate([*KEYWORDS, *BUILTINS, *BASE_MODEL, *CASE_FOLDED, *ODD])}
    schemas = {name: {"type": "object", "properties": dict(list(properties.items())[index % 7::7])}
               for index, name in enumerate(SCHEMAS)}
    schemas["Everything"] = {"type": "object", "required": ["class", "value"], "properties": properties}
    parameters = [{"name": name, "in": "query", "schema": {"type": "string"}}
                  for name in ["self", "class", "_request_timeout", "_headers", "timeout", "headers", "str",
                               "a-b", "a_b", "A_B", "1st", "名前", "type", "id", "", "api_client"]]
    paths = {}
    for index, (operation_id, tag) in enumerate(OPERATIONS.items()):
        paths[f"/op/{index}"] = {"get": {
            "operationId": operation_id, "tags": [tag],
            "parameters": parameters if index == 0 else parameters[index % 5::5],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/" + SCHEMAS[index % len(SCHEMAS)].replace("~", "~0")
                           .replace("/", "~1")}}}}},
        }}
    paths["/everything"] = {"post": {"operationId": "postEverything", "tags": ["pets"], "requestBody": {
        "required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Everything"}}}},
        "responses": {"200": {"description": "ok"}}}}
    return {"openapi": "3.0.3", "info": {"title": "class", "version": "1.0.0"}, "paths": paths,
            "components": {"schemas": schemas}}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, pipeline.Result]:
    root = tmp_path_factory.mktemp("names")
    spec = write_spec(root / "spec", names_document())
    return spec, root / "out", generate_into(spec, root / "out")


def test_names_are_pinned(generated: tuple[Path, Path, pipeline.Result]) -> None:
    api = generated[2].api
    models = {str(m.schema_name): m.class_name for m in api.models}
    assert {name: models[name] for name in RUNTIME} == {name: name + "Model" for name in RUNTIME}
    # Equal after case folding: the first in name order keeps the name, the others are numbered.
    assert [models["FOO"], models["Foo"], models["foo"]] == ["FOO", "Foo2", "Foo3"]
    assert [models[n] for n in ("class", "None", "1st", "123", "$$$", "@@@", "名前", "é", "😀")] == [
        "Class", "NoneModel", "Model1st", "Model123", "Empty", "Empty2", "U540dU524d", "U00e9", "U1f600"]
    long_name = models["x" * 300]
    assert len(long_name) <= 130 and long_name.startswith("X" + "x" * 100)
    classes = {str(a.tag): a.class_name for a in api.apis}
    # Classes are claimed in name order, equal names in the order the spec first uses them.
    assert [classes[t] for t in ("PETS", "pets", "Pets", "Foo", "ApiClient")] == [
        "PETSApi", "PetsApi2", "PetsApi3", "FooApi2", "ApiClientApi"]  # FooApi is a model's name
    methods = {str(op.operation_id): op.python_name for op in api.operations}
    assert [methods[o] for o in OPERATIONS] == [
        "get_item", "get_item_2", "get_item_3", "get_item_with_http_info_2", "api_client_2", "class_",
        "init", "call_1st", "u540d_u524d", "empty", "call", "self"]
    fields = {str(f.wire_name): f.python_name for f in api.model("Everything").fields}
    assert fields == {
        "class": "class_", "def": "def_", "from": "from_", "import": "import_", "None": "none", "True": "true",
        "match": "match_", "case": "case_", "type": "type", "_": "empty", "lambda": "lambda_",
        "print": "print", "list": "list_", "dict": "dict_", "id": "id", "object": "object_", "str": "str_",
        "int": "int_", "open": "open", "self": "self_", "cls": "cls_", "model_config": "model_config_",
        "model_fields": "model_fields_", "copy": "copy_", "json": "json_", "schema": "schema_",
        "validate": "validate_", "to_dict": "to_dict_", "from_json": "from_json_", "Field": "field",
        "Any": "any", "annotations": "annotations_", "value": "value", "Value": "Value", "VALUE": "VALUE",
        "vAlUe": "v_al_ue", "1st": "field_1st", "2": "field_2", "$": "empty2", "@x": "x", "a-b": "a_b",
        "a_b": "a_b2", "A_B": "A_B", "a.b": "a_b3", "a b": "a_b4", "名前": "u540d_u524d", "é": "u00e9",
        "😀": "u1f600", "ß": "u00df", "SS": "ss", "": "empty3", "__init__": "init", "__class__": "class_2",
        "x" * 300: fields["x" * 300],
    }
    assert fields["x" * 300].startswith("x" * 100) and len(fields["x" * 300]) == 120
    (first,) = [op for op in api.operations if op.operation_id == "getItem"]
    parameters = {str(p.wire_name): p.python_name for p in first.parameters}
    assert parameters == {
        "self": "self_", "class": "class_", "_request_timeout": "request_timeout", "_headers": "headers",
        "timeout": "timeout", "headers": "headers_2", "str": "str_", "a-b": "a_b", "a_b": "a_b_2",
        "A_B": "a_b_3", "1st": "field_1st", "名前": "u540d_u524d", "type": "type", "id": "id", "": "empty",
        "api_client": "api_client",
    }
    assert api.package.name == "class_client"  # a package named after a keyword could not be imported


def test_every_name_is_an_ascii_identifier_and_no_two_paths_are_one_file(
        generated: tuple[Path, Path, pipeline.Result]) -> None:
    result = generated[2]
    for name in inspect_output.decided_names(result.api):
        assert name.isidentifier() and name.isascii() and not keyword.iskeyword(name), name
    paths = list(result.files)
    assert len({p.casefold() for p in paths}) == len(paths)
    assert max(len(part.encode()) for p in paths for part in p.split("/")) < 200
    facts = inspect_output.python_facts(result.files)
    assert facts.stray == []
    assert inspect_output.redefinitions(result.files) == []


def test_output_is_the_same_on_every_run(generated: tuple[Path, Path, pipeline.Result], tmp_path: Path) -> None:
    spec, _, first = generated
    again = pipeline.run(spec, Config())
    assert again.files == first.files
    out = tmp_path / "out"
    done = run_cli("generate", spec, "--out", out, env={"PYTHONHASHSEED": "12345"})
    assert done.code == 0, done.stderr
    on_disk = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*")
               if p.is_file() and p.name != ".generator-cache.json"}
    assert on_disk == first.files


def test_every_name_is_documented(generated: tuple[Path, Path, pipeline.Result]) -> None:
    result = generated[2]
    api: Api = result.api
    readme = result.files["README.md"]
    for api_class in api.apis:
        page = result.files[f"docs/{api_class.class_name}.md"]
        assert api_class.class_name in readme
        for op in api_class.operations:
            assert f"# **{op.python_name}**" in page and f"**{op.python_name}**" in readme
    for model in api.models:
        page = result.files[f"docs/{model.class_name}.md"]
        for field in model.fields:
            assert f"**{field.python_name}**" in page
            if field.has_alias:  # the name on the wire, where the Python name differs
                assert "[wire name: `" in page


def test_importable_and_its_own_tests_pass(generated: tuple[Path, Path, pipeline.Result]) -> None:
    _, out, result = generated
    import_everything(out, result.api.package.name)
    assert run_generated_tests(out, result.api.package.name) == 0


def test_the_runtime_names_stay_the_runtimes(generated: tuple[Path, Path, pipeline.Result]) -> None:
    """`package.ApiClient` is the client, not a model that took its name."""
    _, out, result = generated
    names = {m.class_name for m in result.api.models} | {a.class_name for a in result.api.apis}
    assert names.isdisjoint(RUNTIME)
    init = (out / result.api.package.path / "__init__.py").read_text()
    assert '"ApiClient": ".api_client"' in init

