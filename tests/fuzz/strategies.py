"""Hypothesis strategies: valid OpenAPI 3.0 documents, and documents broken on purpose.

`documents()` draws a document openapi-spec-validator accepts: component schemas (primitives with
formats, enums, defaults and examples, arrays, objects with required and nullable properties, allOf,
refs between components and back to themselves through properties), operations with parameters in
path, query, header and cookie, JSON and form bodies, typed responses with examples that may or may not
fit their schema, tags, security. Names come from a pool of troublemakers (keywords, builtins, the
runtime's names, case-folded twins, digits, symbols, non-ASCII) and from random text.

`broken_documents()` takes one and puts arbitrary JSON values in arbitrary places: what --lenient lets
through to the build stage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

JSON = dict[str, Any]

TROUBLE = [
    "class", "def", "None", "True", "match", "type", "_", "self", "cls", "print", "list", "dict", "id",
    "str", "int", "open", "model_config", "model_fields", "copy", "json", "schema", "validate", "to_dict",
    "from_json", "Field", "Any", "ApiClient", "Configuration", "ApiException", "BaseModel", "ApiModel",
    "Operation", "Param", "api_client", "timeout", "headers", "value", "Value", "VALUE", "a-b", "a_b",
    "A_B", "a.b", "a b", "1st", "2", "$", "@", "é", "名前", "ß", "😀", "__init__", "getItemWithHttpInfo",
]
# Letters, digits, the separators names use, and some of everything else: quotes, backslashes, line
# breaks, Jinja and Markdown syntax, non-ASCII. No braces (path templates) and no control characters
# (the YAML writer would have to escape them; payloads.py covers them).
TEXT = st.text(alphabet=st.sampled_from(list("aZ0_- .$é名😀\"'\\\n|<>*`#%{}[]()\u2028")), min_size=1, max_size=12)
NAMES = st.one_of(st.sampled_from(TROUBLE), TEXT.filter(lambda t: "{" not in t and "}" not in t))
PATH_PARAMETER_NAMES = NAMES.filter(lambda n: not set(n) & set("{}!:/"))
HEADER_NAMES = st.text(alphabet=st.sampled_from(list("abcXYZ019-_.!#$%&'*+^`|~")), min_size=1, max_size=10)
SEGMENTS = st.text(alphabet=st.sampled_from(list("az09-._~ é%+@:!$&'()*,;=\"<>\\^`|")), min_size=1, max_size=8)
FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)
ANY_EXAMPLE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAMES, inner, max_size=3),
    max_leaves=6,
)


def _maybe(draw: Callable[..., Any], strategy: st.SearchStrategy[Any], chance: float = 0.5) -> Any:
    return draw(strategy) if draw(st.floats(0, 1)) < chance else None


@st.composite
def primitive_schemas(draw: Callable[..., Any]) -> JSON:
    kind = draw(st.sampled_from(["string", "string", "integer", "number", "boolean"]))
    # int32 values: the validator checks a default against its format, and int32 is the narrower one
    values = {"string": TEXT, "integer": st.integers(-2**31, 2**31 - 1), "number": FINITE,
              "boolean": st.booleans()}[kind]
    schema: JSON = {"type": kind}
    if kind == "string":
        fmt = draw(st.sampled_from([None, None, "date-time", "date", "byte", "password"]))
        if fmt:
            schema["format"] = fmt
    elif kind == "integer":
        schema["format"] = draw(st.sampled_from(["int32", "int64"]))
    if kind != "boolean" and schema.get("format") in (None, "int32", "int64") and draw(st.booleans()):
        enum = draw(st.lists(values, min_size=1, max_size=3, unique=True))
        if draw(st.booleans()):
            schema["enum"] = enum
        if draw(st.booleans()):
            schema["default"] = enum[0]  # the validator checks defaults against their schema
    if draw(st.booleans()):
        schema["nullable"] = True
    example = _maybe(draw, st.one_of(values, ANY_EXAMPLE))  # it may not fit: the build must notice
    if example is not None:
        schema["example"] = example
    return schema


def _ref(name: str) -> JSON:
    return {"$ref": "#/components/schemas/" + name.replace("~", "~0").replace("/", "~1")}


def schemas(known: list[str]) -> st.SearchStrategy[JSON]:
    """A schema that may refer to the `known` components."""
    leaves = primitive_schemas()
    if known:
        leaves = leaves | st.sampled_from(known).map(_ref)
    return st.recursive(leaves, _compound, max_leaves=6)


def _compound(inner: st.SearchStrategy[JSON]) -> st.SearchStrategy[JSON]:
    arrays = st.builds(lambda items: {"type": "array", "items": items}, inner)
    return arrays | objects(inner) | st.builds(lambda a, b: {"allOf": [a, b]}, objects(inner), objects(inner))


def objects(inner: st.SearchStrategy[JSON]) -> st.SearchStrategy[JSON]:
    @st.composite
    def build(draw: Callable[..., Any]) -> JSON:
        properties = draw(st.dictionaries(NAMES, inner, min_size=1, max_size=4))
        schema: JSON = {"type": "object", "properties": properties}
        required = [name for name in properties if draw(st.booleans())]
        if required:
            schema["required"] = required
        if draw(st.floats(0, 1)) < 0.2:
            schema["nullable"] = True
        return schema

    return build()


@st.composite
def components(draw: Callable[..., Any]) -> dict[str, JSON]:
    """Schemas that refer to earlier ones, and to any one (themselves too) through a property."""
    names = draw(st.lists(NAMES, max_size=5, unique_by=lambda n: n))
    found: dict[str, JSON] = {}
    for name in names:
        found[name] = draw(schemas(list(found)))
    for schema in found.values():
        if schema.get("type") == "object" and draw(st.floats(0, 1)) < 0.3:
            target = draw(st.sampled_from(names))
            schema["properties"]["children"] = {"type": "array", "items": _ref(target)}
    return found


@st.composite
def parameters(draw: Callable[..., Any], where: str, known: list[str]) -> JSON:
    name = draw({"path": PATH_PARAMETER_NAMES, "header": HEADER_NAMES}.get(where, NAMES))
    schema = draw(primitive_schemas() if where in ("path", "header") else schemas(known))
    parameter: JSON = {"name": name, "in": where, "schema": schema}
    if where == "path" or draw(st.booleans()):
        parameter["required"] = True
    example = _maybe(draw, ANY_EXAMPLE, 0.2)
    if example is not None:
        parameter["example"] = example
    return parameter


@st.composite
def operations(draw: Callable[..., Any], method: str, path_parameters: list[JSON], known: list[str],
               operation_id: str, security: bool) -> JSON:
    operation: JSON = {"operationId": operation_id, "responses": draw(responses(known))}
    tag = _maybe(draw, NAMES)
    if tag is not None:
        operation["tags"] = [tag]
    summary = _maybe(draw, TEXT)
    if summary is not None:
        operation["summary"] = summary
    params = [*path_parameters]
    for where in draw(st.lists(st.sampled_from(["query", "query", "header", "cookie"]), max_size=4)):
        params.append(draw(parameters(where, known)))
    if draw(st.floats(0, 1)) < 0.15:  # a Binance SIGNED endpoint
        params.append({"name": "timestamp", "in": "query", "required": True,
                       "schema": {"type": "integer", "format": "int64"}})
    # A parameter is identified by name and location: keep the first of each.
    unique = {(p["name"], p["in"]): p for p in reversed(params)}
    operation["parameters"] = list(reversed(unique.values()))
    if method in ("post", "put", "patch") and draw(st.booleans()):
        operation["requestBody"] = draw(bodies(known))
    if security:
        operation["security"] = [{"key": []}]
    if draw(st.floats(0, 1)) < 0.1:
        operation["deprecated"] = True
    return operation


@st.composite
def bodies(draw: Callable[..., Any], known: list[str]) -> JSON:
    if draw(st.booleans()):
        fields = draw(st.dictionaries(NAMES, primitive_schemas(), min_size=1, max_size=4))
        schema: JSON = {"type": "object", "properties": fields}
        media = "application/x-www-form-urlencoded"
    else:
        schema, media = draw(schemas(known)), "application/json"
    return {"required": draw(st.booleans()), "content": {media: {"schema": schema}}}


@st.composite
def responses(draw: Callable[..., Any], known: list[str]) -> JSON:
    found: JSON = {}
    if draw(st.floats(0, 1)) < 0.2:
        found["204"] = {"description": "no content"}
    else:
        media: JSON = {"schema": draw(schemas(known))}
        example = _maybe(draw, ANY_EXAMPLE, 0.3)
        if example is not None:
            media["example"] = example
        found["200"] = {"description": draw(TEXT), "content": {"application/json": media}}
    for status in draw(st.lists(st.sampled_from(["400", "4XX", "5XX", "default"]), max_size=2, unique=True)):
        found[status] = {"description": "error", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"code": {"type": "integer"}, "msg": {"type": "string"}}}}}}
    return found


@st.composite
def documents(draw: Callable[..., Any]) -> JSON:
    known = draw(components())
    security = draw(st.booleans())
    operation_ids = iter(draw(st.lists(NAMES, min_size=9, max_size=9, unique_by=lambda n: n)))
    paths: JSON = {}
    for _ in range(draw(st.integers(1, 3))):
        names = draw(st.lists(PATH_PARAMETER_NAMES, max_size=2, unique=True))
        segments = [draw(SEGMENTS) for _ in range(draw(st.integers(1, 2)))]
        path = "/" + "/".join([*segments, *(f"{{{name}}}" for name in names)])
        path_parameters = [draw(parameters("path", [])) | {"name": name} for name in names]
        methods = draw(st.lists(st.sampled_from(["get", "post", "put", "delete", "patch"]), min_size=1,
                                max_size=3, unique=True))
        paths[path] = {method: draw(operations(method, path_parameters, list(known), next(operation_ids),
                                               security)) for method in methods}
    document: JSON = {
        "openapi": "3.0.3",
        "info": {"title": draw(NAMES), "version": draw(st.sampled_from(["1.0.0", "2", "v1", "0.1.0rc1"]))},
        "paths": paths,
        "components": {"schemas": known},
    }
    if security:
        document["components"]["securitySchemes"] = {
            "key": {"type": "apiKey", "in": "header", "name": draw(HEADER_NAMES)}}
    return document


@st.composite
def broken_documents(draw: Callable[..., Any]) -> JSON:
    """A valid document with a few of its values (anywhere, at any depth) replaced by arbitrary JSON."""
    document = draw(documents())
    slots: list[tuple[Any, Any]] = []
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            slots.append((node, key))
            stack.append(value)
    for _ in range(draw(st.integers(1, 4))):
        container, key = draw(st.sampled_from(slots))
        container[key] = draw(ANY_EXAMPLE)
    return document
