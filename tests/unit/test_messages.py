"""Validation messages name the node that is wrong and what is wrong with it: a failed oneOf/anyOf of
the OpenAPI schema becomes the error of the branch the node was meant for, a closed object's unknown
key is named (with the key it was likely meant to be), a component's mistake is reported where the
component is written, and a `$ref` to a misspelt name offers the close one."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import GenerationError
from generator.spec import validate
from generator.spec.load import load


def _problems(tmp_path: Path, text: str) -> list[str]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    loaded = load(spec, "spec.yaml")
    return [str(d) for d in validate.validate(loaded.document, loaded.locate, loaded.source)]


def _spec(version: str, parameter: str = "{name: q, in: query, schema: {type: string}}",
          schema: str = "{type: string}", components: str = "{}") -> str:
    return (f"openapi: {version}\ninfo: {{title: t, version: '1'}}\npaths:\n  /a/{{id}}:\n    get:\n"
            f"      parameters:\n        - {parameter}\n"
            "        - {name: id, in: path, required: true, schema: {type: string}}\n"
            "      responses:\n        '200':\n          description: ok\n          content:\n"
            f"            application/json:\n              schema: {schema}\n"
            f"components: {components}\n")


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_a_misspelt_location_is_named_at_the_in_node(tmp_path: Path, version: str) -> None:
    problems = _problems(tmp_path, _spec(version, parameter="{name: q, in: querry, schema: {type: string}}"))
    assert len(problems) == 1, problems
    assert problems[0].startswith("spec.yaml:7:25: error: 'querry' is not one of [")
    assert problems[0].endswith("(at #/paths/~1a~1{id}/get/parameters/0/in)")
    for location in ("query", "header", "path", "cookie"):
        assert f"'{location}'" in problems[0]
    assert "$ref" not in problems[0]


def test_a_path_parameter_without_required_is_told_so(tmp_path: Path) -> None:
    # `in: path` is right: the branch for path parameters is the one meant, and it wants `required`.
    problems = _problems(tmp_path, _spec("3.0.3", parameter="{name: id2, in: path, schema: {type: string}}"))
    assert "spec.yaml:7:11: error: 'required' is a required property (at #/paths/~1a~1{id}/get/parameters/0)" in problems
    assert not any("$ref" in problem or "'path'" in problem for problem in problems), problems


def test_an_unknown_key_of_a_3_0_schema_is_named_with_the_key_meant(tmp_path: Path) -> None:
    problems = _problems(tmp_path, _spec("3.0.3", schema="{type: array, itemz: {type: string}}"))
    assert problems == ["spec.yaml:14:44: error: unknown key 'itemz' (did you mean 'items'?) "
                        "(at #/paths/~1a~1{id}/get/responses/200/content/application~1json/schema/itemz)"]


def test_an_unknown_key_without_a_close_one_says_where_keys_come_from(tmp_path: Path) -> None:
    problems = _problems(tmp_path, _spec("3.0.3", schema="{type: string, zzzzzz: 1}"))
    assert problems == ["spec.yaml:14:46: error: unknown key 'zzzzzz': not a key of this object (extension keys "
                        "start with x-) (at #/paths/~1a~1{id}/get/responses/200/content/application~1json/schema/zzzzzz)"]
    # An object with few keys lists them.
    few = _problems(tmp_path, _spec("3.0.3", parameter="{name: q, in: query, schema: {type: string}, zzzzzz: 1}"))
    assert len(few) == 1 and "unknown key 'zzzzzz': not one of ['allowEmptyValue', " in few[0], few


def test_a_3_1_keyword_in_a_3_0_schema_says_what_3_0_writes_instead(tmp_path: Path) -> None:
    problems = _problems(tmp_path, _spec("3.0.3", schema="{type: string, const: a}"))
    assert len(problems) == 1, problems
    assert "unknown key 'const': OpenAPI 3.0 schemas have no 'const' (write enum: [value])" in problems[0]


def test_a_misspelt_keyword_of_a_3_1_schema_is_a_warning(tmp_path: Path) -> None:
    # 3.1 schemas may hold any key (JSON Schema ignores unknown ones): valid, but `itemz` is surely a
    # typo (the list would take anything), while `note` or `x-itemz` are annotations of the user's.
    components = ("\n  schemas:\n    A:\n      type: object\n      requried: [a]\n      note: mine\n"
                  "      x-itemz: 1\n      example: {itemz: 1}\n      properties:\n        itemz: {maxlength: 3}\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text(_spec("3.1.0", schema="{type: array, itemz: {type: string}}", components=components))
    loaded = load(spec, "spec.yaml")
    problems = validate.validate(loaded.document, loaded.locate, loaded.source)
    assert [(d.level.value, d.message, d.pointer) for d in problems] == [
        ("warning", "unknown key 'itemz' in a schema, ignored (did you mean 'items'?)",
         "#/paths/~1a~1{id}/get/responses/200/content/application~1json/schema/itemz"),
        ("warning", "unknown key 'requried' in a schema, ignored (did you mean 'required'?)",
         "#/components/schemas/A/requried"),
        ("warning", "unknown key 'maxlength' in a schema, ignored (did you mean 'maxLength'?)",
         "#/components/schemas/A/properties/itemz/maxlength"),
    ]


def test_several_unknown_keys_are_each_reported(tmp_path: Path) -> None:
    problems = _problems(tmp_path, _spec("3.0.3", schema="{type: array, itemz: {}, formt: date}"))
    assert [p.split(": error: ")[1].split(" (at")[0] for p in problems] == [
        "unknown key 'itemz' (did you mean 'items'?)", "unknown key 'formt' (did you mean 'format'?)"]


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_a_components_mistake_is_reported_where_it_is_written(tmp_path: Path, version: str) -> None:
    components = "\n  schemas:\n    Ticker:\n      type: object\n      properties:\n        price:\n          type: int\n"
    problems = _problems(tmp_path, _spec(version, schema="{$ref: '#/components/schemas/Ticker'}",
                                         components=components))
    # Once (the OpenAPI schema and the keyword checks both see it), at the `type` node.
    assert len(problems) == 1, problems
    assert problems[0].startswith("spec.yaml:21:17: error: 'int' is not one of [")
    assert problems[0].endswith("(at #/components/schemas/Ticker/properties/price/type)")


def test_a_mapping_where_a_boolean_or_schema_is_allowed_is_checked_as_a_schema(tmp_path: Path) -> None:
    # additionalProperties is oneOf [Schema, Reference, boolean]: not "is not of type 'boolean'".
    problems = _problems(tmp_path, _spec("3.0.3", schema="{type: object, additionalProperties: {typ: string}}"))
    assert len(problems) == 1, problems
    assert "unknown key 'typ' (did you mean 'type'?)" in problems[0]
    assert problems[0].endswith("/schema/additionalProperties/typ)")


def test_a_ref_to_a_misspelt_name_offers_the_close_one(tmp_path: Path) -> None:
    components = "\n  schemas:\n    Ticker: {type: object}\n    Other: {type: object}\n"
    with pytest.raises(GenerationError) as raised:
        _problems(tmp_path, _spec("3.0.3", schema="{$ref: '#/components/schemas/Tiker'}", components=components))
    (problem,) = raised.value.diagnostics
    assert problem.message.endswith("no 'Tiker' in #/components/schemas (did you mean 'Ticker'?)")


def test_a_ref_to_a_name_nothing_is_close_to_offers_nothing(tmp_path: Path) -> None:
    components = "\n  schemas:\n    Ticker: {type: object}\n"
    with pytest.raises(GenerationError) as raised:
        _problems(tmp_path, _spec("3.0.3", schema="{$ref: '#/components/schemas/Missing'}", components=components))
    (problem,) = raised.value.diagnostics
    assert problem.message.endswith("no 'Missing' in #/components/schemas")


def test_a_missing_key_is_not_echoed_by_the_alternatives_it_leaves_open(tmp_path: Path) -> None:
    # No `in` at all: the parameter also fits every location branch that does not require it (oneOf
    # wants exactly one), which only repeats the missing `in` (and jsonschema's message for it would
    # print the node and every branch's schema).
    problems = _problems(tmp_path, _spec("3.0.3", parameter="{name: q, schema: {type: string}}"))
    assert problems == ["spec.yaml:7:11: error: 'in' is a required property (at #/paths/~1a~1{id}/get/parameters/0)"]


def test_a_node_that_fits_several_alternatives_alone_is_told_so_briefly(tmp_path: Path) -> None:
    # jsonschema's own message prints the node and every alternative's schema, whole.
    from jsonschema import Draft4Validator

    (err,) = Draft4Validator({"oneOf": [{"type": "string"}, {"minLength": 1}]}).iter_errors("ab")
    assert validate.explain(err) == [((), "fits more than one of the alternatives its place allows (oneOf): "
                                          "it must fit exactly one")]


def test_the_branch_meant_is_the_one_its_discriminator_names(tmp_path: Path) -> None:
    # `matrix` is a path style, but `in: query` says which branch this is: its style is wrong.
    problems = _problems(tmp_path, _spec("3.0.3", parameter="{name: q, in: query, style: matrix, schema: {type: string}}"))
    assert problems == ["spec.yaml:7:39: error: 'matrix' is not one of ['form', 'spaceDelimited', 'pipeDelimited', "
                        "'deepObject'] (at #/paths/~1a~1{id}/get/parameters/0/style)"]


def test_swagger_style_required_says_what_to_write_and_hides_nothing_else(tmp_path: Path) -> None:
    """`required: optional` on an object and `required: true` on a property: each is told what
    `required` is, and the spec's other mistakes are still reported beside them."""
    schema = ("{type: object, required: optional, properties: {a: {type: string, required: true}, "
              "b: {type: integer, minimum: x}}}")
    problems = _problems(tmp_path, _spec("3.0.3", schema=schema))
    assert len(problems) == 3, problems
    listed, minimum, flag = sorted(problems, key=lambda p: ("/a/required" in p, "minimum" in p))
    assert "'optional' is not of type 'array'; `required` lists the names of the properties" in listed
    assert listed.endswith("application~1json/schema/required)")
    assert "True is not of type 'array'; in a schema, `required` is the list of the object's" in flag
    assert "'x' is not of type 'number'" in minimum
    # OpenAPI 3.1 checks a schema with its JSON Schema dialect, which reports one mistake of a schema
    # (which one depends on set order); `required` gets its hint there too.
    (only,) = _problems(tmp_path, _spec("3.1.0", schema="{type: object, required: optional}"))
    assert "'optional' is not of type 'array'; `required` lists the names of the properties" in only
