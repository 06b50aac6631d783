"""Templates: one template -> expected text, the spec-text guard, and hostile text kept inert."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from generator.config import Config
from generator.diagnostics import GenerationError, Kind
from generator.emit.format import format_files
from generator.emit.render import Renderer, render
from generator.model.api import Field, Model, SpecText, TypeRef
from generator.model.build import build


def small_api(info_title: str = "Tiny", description: str = "A thing.") -> Any:
    document = {
        "openapi": "3.0.3",
        "info": {"title": info_title, "version": "1.0.0", "description": description},
        "paths": {"/things/{id}": {"get": {
            "operationId": "getThing", "summary": description, "description": description,
            "tags": [description],
            "parameters": [{"name": "id", "in": "path", "required": True, "description": description,
                            "schema": {"type": "string", "example": description}}],
            "responses": {"200": {"description": description, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Thing"}}}}}}}},
        "components": {"schemas": {"Thing": {
            "type": "object", "description": description,
            "properties": {description: {"type": "string", "description": description, "example": description}},
        }}},
    }
    api, _ = build(document, Config(package_name="tiny.client"), "tiny.yaml", lambda p: ("tiny.yaml", None, None))
    return api


def test_model_template_output() -> None:
    model = Model(
        class_name="Order", module="order", schema_name=SpecText("Order"), description=SpecText("An order."),
        fields=(
            Field("order_id", SpecText("orderId"), TypeRef("int", "**int**"), True, False, SpecText("Its id.")),
            Field("price", SpecText("price"), TypeRef("str", "**str**"), False, False, None),
        ),
        imports=(), late_imports=(), uses_any=False, example=None,
    )
    text = Renderer().render("package/models/model.py.jinja", api=small_api(), model=model)
    assert text == '''"""The Order model (schema Order)."""

from __future__ import annotations

from pydantic import Field

from ..base_model import ApiModel


class Order(ApiModel):
    """An order."""

    order_id: int = Field(alias="orderId")
    """Its id."""

    price: str | None = None
'''


def test_spec_text_without_a_filter_is_refused() -> None:
    renderer = Renderer()
    template = renderer.env.from_string("{{ text }}")
    with pytest.raises(TypeError, match="without an escaping filter"):
        template.render(text=SpecText("x"))
    assert renderer.env.from_string("{{ text|md }}").render(text=SpecText("a|b")) == "a\\|b"


HOSTILE = [
    '"""; import os; os.system("id"); """',
    "'; __import__('os').system('id'); '",
    "line\nbreak\rreturn\u2028sep",
    "{{ 7*7 }} {% raw %}",
    "| cell | break |",
    "\\",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_spec_text_never_becomes_code(text: str) -> None:
    rendered = render(small_api(text, text))
    files, _ = format_files(rendered, {})  # black parses every file: none is broken
    for path, source in files.items():
        if not path.endswith(".py"):
            continue
        tree = ast.parse(source)
        calls = {node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                 for node in ast.walk(tree) if isinstance(node, ast.Call)}
        assert "system" not in calls and "__import__" not in calls, path
    assert "49" not in files["docs/Thing.md"]  # Jinja syntax in spec text is not evaluated
    api_docs = [text for path, text in files.items() if path.startswith("docs/") and path.endswith("Api.md")]
    for line in api_docs[0].splitlines():  # table rows keep their columns: 3 in the method table, 4 for parameters
        if line.startswith("[**") and ") | **" in line:
            assert line.replace("\\|", "").count("|") == 2, line
        elif line.startswith(" **"):
            assert line.replace("\\|", "").count("|") == 3, line


def test_render_names_the_failing_template() -> None:
    renderer = Renderer()
    with pytest.raises(GenerationError) as raised:
        renderer.render("README.md.jinja")  # no `api` in the context
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.file.endswith("README.md.jinja") and diagnostic.line is not None
    assert diagnostic.kind is Kind.TEMPLATE and not raised.value.is_spec_problem
