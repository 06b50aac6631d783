"""allOf with a $ref to a schema that has a discriminator: the model subclasses it, and the base knows
the subclasses its discriminator names (schemas.py's decisions, asserted on the model)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import Config
from generator.diagnostics import Diagnostic
from generator.emit.render import render
from generator.model.api import Api
from generator.model.build import build

ANIMAL: dict[str, Any] = {
    "type": "object",
    "required": ["className"],
    "discriminator": {"propertyName": "className", "mapping": {"dog": "#/components/schemas/Dog"}},
    "properties": {"className": {"type": "string"}, "color": {"type": "string"}},
}


def child(base: str = "Animal", **properties: Any) -> dict[str, Any]:
    extra = {"type": "object", "properties": properties or {"breed": {"type": "string"}}}
    return {"allOf": [{"$ref": f"#/components/schemas/{base}"}, extra]}


def built(schemas: dict[str, Any]) -> tuple[Api, list[Diagnostic]]:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1.0.0"},
        "paths": {"/animals": {"get": {"operationId": "GetAnimal", "responses": {"200": {
            "description": "ok",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Animal"}}}}}}}},
        "components": {"schemas": schemas},
    }
    return build(document, Config(), "test.yaml", lambda pointer: ("test.yaml", None, None))


def messages(warnings: list[Diagnostic]) -> list[str]:
    return [f"{w.message} (at {w.pointer})" for w in warnings]


def test_members_subclass_the_base_which_names_them_by_mapping_else_schema_name() -> None:
    api, warnings = built({"Animal": ANIMAL, "Dog": child(), "Cat": child(declawed={"type": "boolean"})})
    assert warnings == []
    animal, dog, cat = api.model("Animal"), api.model("Dog"), api.model("Cat")
    assert (dog.base, cat.base, animal.base) == (("Animal", "animal"), ("Animal", "animal"), None)
    assert animal.subclasses is not None
    assert [(str(v), m, c) for v, m, c in animal.subclasses.mapping] == [("dog", "dog", "Dog"), ("Cat", "cat", "Cat")]
    assert (animal.subclasses.prop, animal.subclasses.python_name) == ("className", "class_name")
    # The base's fields first, as the base declares them (pydantic reads a class's annotations in its module).
    assert [f.python_name for f in dog.fields] == ["class_name", "color", "breed"]
    assert ("Animal", "animal") in dog.imports and dog.parent_class == "Animal"
    assert dog.subclasses is None and animal.parent_class == "ApiModel"
    assert "ConfigDict" in animal.pydantic_imports and "Field" in animal.pydantic_imports
    # Each subclass's example carries the value that names it.
    assert dog.example is not None and dog.example["className"] == "dog"
    assert cat.example is not None and cat.example["className"] == "Cat"


def test_a_mapping_that_names_no_subclass_is_a_located_warning() -> None:
    animal = {**ANIMAL, "discriminator": {"propertyName": "className", "mapping": {
        "dog": "Dog", "rock": "#/components/schemas/Rock", "ghost": "#/components/schemas/Nothing"}}}
    api, warnings = built({"Animal": animal, "Dog": child(), "Rock": {"type": "object", "properties": {
        "weight": {"type": "number"}}}})
    assert messages(warnings) == [
        "discriminator mapping 'rock' names '#/components/schemas/Rock', which is not a subclass of this schema "
        "(an allOf with a $ref to it): left out (at #/components/schemas/Animal/discriminator/mapping/rock)",
        "discriminator mapping 'ghost' names '#/components/schemas/Nothing', which is not a subclass of this "
        "schema (an allOf with a $ref to it): left out (at #/components/schemas/Animal/discriminator/mapping/ghost)",
    ]
    subclasses = api.model("Animal").subclasses
    assert subclasses is not None and [str(v) for v, _, _ in subclasses.mapping] == ["dog"]  # by a bare name too
    assert api.model("Rock").base is None


def test_an_allof_of_the_base_alone_is_a_subclass_and_others_still_merge() -> None:
    plain = {"type": "object", "properties": {"id": {"type": "string"}}}
    api, _ = built({"Animal": ANIMAL, "Dog": {"allOf": [{"$ref": "#/components/schemas/Animal"}]},
                    "Plain": plain, "Merged": child("Plain")})
    assert api.model("Dog").base == ("Animal", "animal")
    assert [f.python_name for f in api.model("Dog").fields] == ["class_name", "color"]
    merged = api.model("Merged")
    assert merged.base is None and [f.python_name for f in merged.fields] == ["id", "breed"]
    assert api.model("Plain").subclasses is None


def test_an_inline_ref_to_the_base_with_modifiers_is_the_base_made_nullable() -> None:
    owner = {"type": "object", "properties": {"pet": {"allOf": [
        {"$ref": "#/components/schemas/Animal"}, {"nullable": True, "description": "the pet"}]}}}
    api, _ = built({"Animal": ANIMAL, "Dog": child(), "Owner": owner})
    (pet,) = api.model("Owner").fields
    assert pet.annotation == "Animal | None"
    assert [m.class_name for m in api.models] == ["Animal", "Dog", "Owner"]


def test_descendants_at_any_depth_are_named_by_the_root() -> None:
    api, _ = built({"Animal": ANIMAL, "Dog": child(), "Puppy": child("Dog", age={"type": "integer"})})
    puppy = api.model("Puppy")
    assert puppy.base == ("Dog", "dog")
    assert [f.python_name for f in puppy.fields] == ["class_name", "color", "breed", "age"]
    subclasses = api.model("Animal").subclasses
    assert subclasses is not None
    assert [(str(v), c) for v, _, c in subclasses.mapping] == [("dog", "Dog"), ("Puppy", "Puppy")]
    assert api.model("Dog").subclasses is None  # the root's discriminator names them


def test_a_base_that_refers_back_to_its_subclass_makes_it_one_model() -> None:
    # Animal -> Dog (a field) and Dog -> Animal (its base): the class statement would need a module
    # still being imported. Dog keeps every field, typed as before, and is no subclass.
    animal = {**ANIMAL, "properties": {**ANIMAL["properties"], "friend": {"$ref": "#/components/schemas/Dog"}}}
    api, warnings = built({"Animal": animal, "Dog": child(), "Cat": child(declawed={"type": "boolean"})})
    assert messages(warnings) == [
        "Dog and its base Animal refer to each other: Dog is one model of all its properties, not a subclass "
        "of Animal (at #/components/schemas/Dog)"]
    dog = api.model("Dog")
    assert dog.base is None and [f.python_name for f in dog.fields] == ["class_name", "color", "friend", "breed"]
    assert dog.imports == dog.late_imports == ()  # its fields' types: str and Dog
    assert api.model("Animal").imports == (("Dog", "dog"),)  # no cycle left: at the top
    assert api.model("Cat").base == ("Animal", "animal")
    subclasses = api.model("Animal").subclasses
    assert subclasses is not None and [c for _, _, c in subclasses.mapping] == ["Cat"]


def test_a_property_the_subclass_changes_keeps_its_base_declaration_with_a_warning() -> None:
    dog = {"allOf": [{"$ref": "#/components/schemas/Animal"}, {
        "type": "object", "required": ["color"],
        "properties": {"className": {"type": "string", "enum": ["dog"]}, "color": {"type": "integer"}}}]}
    api, warnings = built({"Animal": ANIMAL, "Dog": dog})
    assert messages(warnings) == [
        "property 'color' is declared by the base 'Animal' too, required: the base's declaration is kept "
        "(at #/components/schemas/Dog/allOf/1/properties/color)"]  # className: a string still, not warned
    assert [(f.python_name, f.annotation) for f in api.model("Dog").fields] == [
        ("class_name", "str"), ("color", "str | None")]


def test_an_example_that_names_a_subclass_must_fit_the_subclass() -> None:
    # The spec's example names Dog but lacks Dog's required breed: parsed, it would be a Dog and fail.
    animal = {**ANIMAL, "example": {"className": "dog", "color": "red"}}
    dog = {"allOf": [{"$ref": "#/components/schemas/Animal"},
                     {"type": "object", "required": ["breed"], "properties": {"breed": {"type": "string"}}}]}
    api, _ = built({"Animal": animal, "Dog": dog})
    example = api.model("Animal").example
    assert example is not None and (example.get("className") != "dog" or "breed" in example)
    fitting = {**ANIMAL, "example": {"className": "dog", "color": "red", "breed": "beagle"}}
    api, _ = built({"Animal": fitting, "Dog": dog})
    assert api.model("Animal").example == {"className": "dog", "color": "red", "breed": "beagle"}


NAMES = ["S0", "S1", "S2", "S3"]


@st.composite
def hierarchies(draw: st.DrawFn) -> dict[str, Any]:
    """Schemas S0..S3, each perhaps with a discriminator (and a mapping naming any schema), an allOf
    with a $ref to another (or itself), and properties that refer to others: subclasses, import
    cycles through a base, mappings that name no subclass."""
    schemas: dict[str, Any] = {}
    for name in NAMES:
        properties: dict[str, Any] = {"kind": {"type": "string"}}
        for target in draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True)):
            properties[f"to_{target.lower()}"] = {"$ref": f"#/components/schemas/{target}"}
        own: dict[str, Any] = {"type": "object", "properties": properties}
        if draw(st.booleans()):
            mapping = draw(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.sampled_from(NAMES), max_size=2))
            own["discriminator"] = {"propertyName": "kind",
                                    "mapping": {k: f"#/components/schemas/{v}" for k, v in mapping.items()}}
        parent = draw(st.none() | st.sampled_from(NAMES))
        schemas[name] = own if parent is None else {"allOf": [{"$ref": f"#/components/schemas/{parent}"}, own]}
    return schemas


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(hierarchies())
def test_any_hierarchy_builds_classes_that_can_be_imported_in_any_order(schemas: dict[str, Any]) -> None:
    api, _ = built(schemas)  # never an exception: a problem is a warning
    models = {m.class_name: m for m in api.models}
    for model in models.values():
        if model.base is not None:
            base = models[model.base[0]]
            assert model.base == (base.class_name, base.module)
            assert model.base in model.imports  # at the top: the class statement needs it
            # The base's fields come first, declared as the base declares them.
            assert model.fields[:len(base.fields)] == base.fields
        for value, module, name in model.subclasses.mapping if model.subclasses else ():
            ancestor = models[name]
            while ancestor.base is not None and ancestor.class_name != model.class_name:
                ancestor = models[ancestor.base[0]]
            assert ancestor.class_name == model.class_name and models[name].module == module, value
    for path, source in render(api).items():
        if "/models/" in path:
            compile(source, path, "exec")  # laid out as valid Python
