"""Hostile text, and one document that carries text in every field that reaches the output.

`document(text, name)` builds the same spec whatever the text: `text(role)` fills each free-text field
(descriptions, summaries, examples, enum values ...), `name(role)` each name (tags, operationIds,
parameters, properties ...). The injection tests build it twice, with hostile text and with benign
text, and hold the hostile output to what the benign one contains.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# What would break out of each output context: string literals (quotes, triple quotes, backslashes),
# docstrings, comments and Markdown (line breaks of every kind), templates (Jinja syntax), tables
# (pipes), code fences, HTML, terminals (escape sequences), plus code that announces itself when run.
PAYLOADS = (
    '"""; open({marker!r}, "w").write("docstring"); """',
    "'''; print('INJECTED'); open({marker!r}, 'w'); '''",
    "\\\"; __import__('os').system('touch {marker}'); \\\"",
    "'); open({marker!r}, 'w'); ('",
    "line\nbreak\r\ncarriage\rreturn\u2028line\u2029paragraph\x85next\x0bvtab\x0cfeed",
    "{{ 7*7 }}{% for x in range(3) %}{{ x }}{% endfor %}{# comment #}${{x}}",
    "| cell | break |\n|---|---|\n| forged | row |",
    "```\nimport os\nos.system('id')\n```\n~~~\n",
    "<script>alert(1)</script> &amp; [link](javascript:alert(1)) *bold* _it_ \\|",
    "trailing backslash\\",
    'ends in a quote"',
    "\\N{BULLET} \\x41 \\u0041 \\N{NO SUCH NAME} \\",
    "nul\x00bell\x07escape\x1b[2J\x1b]0;title\x07",
    "# not a comment\n)]}\n# -*- coding: latin-1 -*-",
    "bidi \u202eeviL\u202c \u2066isolate\u2069 zero\u200bwidth \ufeffbom",
    "é 名前 😀 Ω ß",
)
JINJA_RESULT = "49012"  # what the Jinja payload would print if a template evaluated it


def hostile_text(marker: str) -> Callable[[str], str]:
    """Every payload in every field: each field starts with a different one (they reach different
    places first) and then carries all of them."""
    payloads = [p.replace("{marker!r}", repr(marker)).replace("{marker}", marker) for p in PAYLOADS]
    everything = " ".join(payloads)
    order: dict[str, int] = {}

    def text(role: str) -> str:
        index = order.setdefault(role, len(order))
        return f"{payloads[index % len(payloads)]} {everything} #{index}"  # the number keeps names apart

    return text


def benign_text(role: str) -> str:
    """Plain text; names need an alias (a space) as hostile ones do, so both outputs have one shape."""
    return f"benign {role}"


def _path_safe(text: str) -> str:
    """A path parameter's name in a template: no braces, and none of the `!` and `:` that
    openapi-spec-validator reads as format specifiers."""
    return "".join("_" if char in "{}!:" else char for char in text)


def _pointer(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def document(text: Callable[[str], str], name: Callable[[str], str],
             schema_name: Callable[[str], str] | None = None) -> dict[str, Any]:
    """A valid OpenAPI 3.0 document with `text`/`name` in every field that reaches the output.

    Schema names (component keys) are names too, but printed by a template that is not safe yet (see
    test_injection.py); `schema_name` puts hostile text there as well.
    """
    thing = schema_name("Thing") if schema_name else "Thing"
    ref = {"$ref": "#/components/schemas/" + _pointer(thing)}
    path_param = _path_safe(name("path parameter"))
    path = "/" + _path_safe(text("path")).replace("/", "-") + "/{" + path_param + "}"
    scheme = name("security scheme")
    return {
        "openapi": "3.0.3",
        "info": {
            "title": text("title"), "version": text("version"), "description": text("info description"),
            "license": {"name": text("license")}, "contact": {"name": text("contact")},
        },
        "servers": [{"url": "https://{region}.example.invalid/" + text("server url"),
                     "description": text("server description"),
                     "variables": {"region": {"default": text("server variable")}}}],
        "tags": [{"name": name(f"tag {n}"), "description": text(f"tag {n} description")} for n in (1, 2, 3)],
        "security": [{scheme: []}],
        "paths": {path: {
            "parameters": [{"name": path_param, "in": "path", "required": True,
                            "description": text("path parameter description"),
                            "schema": {"type": "string", "example": text("path parameter example")}}],
            "get": {
                "tags": [name("tag 1")], "operationId": name("get operation"), "summary": text("get summary"),
                "description": text("get description"),
                "parameters": [
                    {"name": name("query parameter"), "in": "query", "description": text("query description"),
                     "example": text("enum 2"),
                     "schema": {"type": "string", "enum": [text("enum 1"), text("enum 2")],
                                "default": text("enum 1")}},
                    {"name": "X-Header_token.chars!#$%&'*+^`|~", "in": "header",
                     "description": text("header description"),
                     "schema": {"type": "string", "example": text("header example")}},
                    {"name": name("cookie parameter"), "in": "cookie", "schema": {"type": "integer"}},
                ],
                "responses": {
                    "200": {"description": text("200 description"),
                            "content": {"application/json": {"schema": ref}}},
                    "400": {"description": text("400 description"),
                            "content": {"application/json; " + text("media type"): {"schema": {
                                "type": "object", "properties": {
                                    "code": {"type": "integer"},
                                    "msg": {"type": "string", "example": text("error example")}}}}}},
                    "default": {"description": text("default description")},
                },
            },
            "post": {
                "tags": [name("tag 2")], "operationId": name("post operation"), "summary": text("post summary"),
                "requestBody": {"description": text("form description"), "content": {
                    "application/x-www-form-urlencoded": {"schema": {
                        "type": "object", "required": [name("form field 1")], "properties": {
                            name("form field 1"): {"type": "string", "description": text("form field 1"),
                                                   "example": text("form example")},
                            name("form field 2"): {"type": "number", "example": 1.5},
                        }}}}},
                "responses": {"201": {"description": text("201 description"), "content": {
                    "application/json": {"schema": {"type": "array", "items": {"type": "string"}},
                                         "example": [text("array example")]}}}},
            },
            "put": {
                "tags": [name("tag 3")], "operationId": name("put operation"), "deprecated": True,
                "requestBody": {"required": True, "description": text("json body description"), "content": {
                    "application/vnd.payload+json; q=\"'''|\\\\\"": {"schema": {
                        "type": "object", "properties": {
                            name("body property"): {"type": "string", "example": text("body example")},
                            name("nested"): {"type": "object", "properties": {
                                name("inner"): {"type": "boolean", "description": text("inner")}}},
                        }}}}},
                "responses": {"204": {"description": text("204 description")}},
            },
        }},
        "components": {
            "securitySchemes": {scheme: {"type": "apiKey", "in": "header", "name": "X-Api-Key",
                                         "description": text("scheme description")}},
            "schemas": {thing: {
                "type": "object", "description": text("schema description"), "required": [name("property 1")],
                "properties": {
                    name("property 1"): {"type": "string", "description": text("property 1"),
                                         "example": text("property example"), "default": text("default")},
                    name("property 2"): {"type": "string", "enum": [text("enum 3"), text("enum 4")],
                                         "description": text("property 2")},
                    name("property 3"): {"type": "integer", "format": "int64", "example": 7},
                    name("property 4"): {"type": "array", "items": {"type": "string", "example": text("item")}},
                    name("property 5"): {"type": "string", "nullable": True, "example": None},
                    name("property 6"): {"type": "object", "properties": {
                        name("property 7"): {"type": "string", "example": text("nested example")}}},
                },
            }},
        },
    }
