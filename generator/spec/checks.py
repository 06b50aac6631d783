"""Document -> the problems openapi-spec-validator misses or trips over, located.

Checked here, over the whole document every time (they take milliseconds): that it is OpenAPI 3 at
all; path templates the validator cannot parse; header parameter names, media types and API key
headers no HTTP client could send; operationIds used twice (the validator's own check, made here so
that it also holds when only some path items go to the validator); schemas that contain
themselves through allOf/anyOf/oneOf/not, which would make the validator recurse until the stack
runs out; and (a warning) a key of an OpenAPI 3.1 schema that is a misspelt keyword: JSON Schema
ignores unknown keys, so `itemz:` would quietly make a list of anything.
"""

from __future__ import annotations

import difflib
import json
import re
import string
from collections.abc import Callable, Iterator
from typing import Any

from ..diagnostics import (
    Diagnostic,
    GenerationError,
    error,
    parts_from_pointer,
    pointer_from_parts,
    printable,
    warning,
)
from .load import BUNDLE_KEY

Locate = Callable[[str], tuple[str, int | None, int | None]]
OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def check_version(document: dict[str, Any], locate: Locate) -> None:
    """Raise if the document is not OpenAPI 3.0 or 3.1: there is nothing to generate from it,
    lenient or not."""
    problem = _version_problem(document, locate)
    if problem is not None:
        raise GenerationError([problem])


def openapi_version(document: dict[str, Any]) -> str:
    """"3.0" or "3.1" (check_version has passed)."""
    return "3.0" if str(document.get("openapi")).startswith("3.0") else "3.1"


# A path template as the runtime reads it: text, and `{name}` placeholders with no brace in the name.
_TEMPLATE = re.compile(r"[^{}]*(?:\{[^{}]+\}[^{}]*)*")
# RFC 9110 token: what http.client accepts as a header name; and a header value it sends unchanged.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_SELF_CONTAINED = "schema contains itself"
_SAME_INSTANCE_LISTS = ("allOf", "anyOf", "oneOf")
_LITERAL_KEYS = frozenset({"example", "examples", "default", "enum", "const"})


def unreadable_paths(document: dict[str, Any]) -> set[str]:
    """The paths the validator cannot be shown (their templates are broken: _own_checks says how)."""
    paths = document.get("paths")
    return {path for path in (paths if isinstance(paths, dict) else ()) if _template_problem(path) is not None}


def run(document: dict[str, Any], locate: Locate, unreadable: set[str]) -> list[Diagnostic]:
    """Every problem of ours in the document (`unreadable`: its paths whose templates are broken)."""
    problems: list[Diagnostic] = []
    for path in sorted(unreadable, key=list(document["paths"]).index) if unreadable else ():
        reason = _template_problem(path)
        problems.append(_located(f"path {path!r} {reason}", pointer_from_parts(("paths", path)), locate))
    for pointer, param in _parameters(document):
        name = param.get("name")
        if param.get("in") == "header" and isinstance(name, str) and not _TOKEN.fullmatch(name):
            problems.append(_located(f"header parameter name {name!r} is not an HTTP header name (letters, "
                                     "digits and !#$%&'*+-.^_`|~ only)", f"{pointer}/name", locate))
    for pointer, body in _request_bodies(document):
        content = body.get("content")
        for media in content if isinstance(content, dict) else ():
            if not _HEADER_VALUE.fullmatch(media):
                where = pointer_from_parts((*parts_from_pointer(pointer), "content", media))
                problems.append(_located(f"media type {media!r} cannot be sent as a Content-Type header "
                                         "(printable ASCII only)", where, locate))
    components = document.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    for key, scheme in schemes.items() if isinstance(schemes, dict) else ():
        name = scheme.get("name") if isinstance(scheme, dict) else None
        if isinstance(name, str) and scheme.get("in") == "header" and not _TOKEN.fullmatch(name):
            where = pointer_from_parts(("components", "securitySchemes", key, "name"))
            problems.append(_located(f"API key header name {name!r} is not an HTTP header name",
                                     where, locate))
    problems += _referenced_operations(document, locate)
    problems += _duplicate_operation_ids(document, unreadable, locate)
    problems += _self_contained_schemas(document, locate)
    problems += _misspelt_schema_keys(document, locate)
    return problems


def blocks_validator(problems: list[Diagnostic]) -> bool:
    """Whether the validator must not see the document: a schema contains itself."""
    return any(d.message.startswith(_SELF_CONTAINED) for d in problems)


def _duplicate_operation_ids(document: dict[str, Any], unreadable: set[str], locate: Locate) -> list[Diagnostic]:
    """Every operation whose operationId an earlier one already has."""
    problems = []
    seen: set[Any] = set()
    paths = document.get("paths")
    for url, raw in paths.items() if isinstance(paths, dict) else ():
        if url in unreadable:
            continue
        item, _ = resolve(document, raw, pointer_from_parts(("paths", url)))
        for name, operation in item.items() if isinstance(item, dict) else ():
            if name not in OPERATIONS or not isinstance(operation, dict) or "operationId" not in operation:
                continue
            value = operation["operationId"]
            if value is not None and _hashable(value) in seen:
                problems.append(_located(f"Operation ID '{value}' for '{name}' in '{url}' is not unique",
                                         pointer_from_parts(("paths", url, name)), locate))
            seen.add(_hashable(value))
    return problems


def _hashable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True, default=repr) if isinstance(value, (dict, list)) else value


def _located(message: str, pointer: str, locate: Locate) -> Diagnostic:
    return error(printable(message), *locate(pointer), printable(pointer))


def _template_problem(path: str) -> str | None:
    if not _TEMPLATE.fullmatch(path):
        return "has a '{' or '}' that does not enclose a path parameter's name, as in /orders/{orderId}"
    try:
        for _ in string.Formatter().parse(path):  # how the validator reads it
            pass
    except ValueError as exc:
        return f"cannot be read as a template: {exc}"
    return None


def resolve(document: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow local `$ref`s (load.py made them all local) to what they name; ({}, ref) if nothing."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        pointer = node["$ref"]
        seen.add(pointer)
        node = document
        try:
            for part in parts_from_pointer(pointer):
                node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            return {}, pointer
    return node, pointer


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, object) of every path item and operation: where parameters and bodies are found."""
    paths = document.get("paths")
    for path, item in paths.items() if isinstance(paths, dict) else ():
        item, item_pointer = resolve(document, item, pointer_from_parts(("paths", path)))
        if isinstance(item, dict):
            yield item_pointer, item
            for method, operation in item.items():
                if isinstance(operation, dict):
                    yield f"{item_pointer}/{_pointer_part(method)}", operation


_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _referenced_operations(document: dict[str, Any], locate: Locate) -> list[Diagnostic]:
    """An operation written as a `$ref` (DigitalOcean's specs): OpenAPI allows `$ref` on a path item
    only. With --lenient the generator reads the operation it names (model/build.py)."""
    problems = []
    paths = document.get("paths")
    for path, item in paths.items() if isinstance(paths, dict) else ():
        item, item_pointer = resolve(document, item, pointer_from_parts(("paths", path)))
        for method in _HTTP_METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if isinstance(operation, dict) and isinstance(operation.get("$ref"), str):
                problems.append(_located(
                    f"{method.upper()} {path}: an operation cannot be a $ref (OpenAPI allows one on a path item, "
                    "not on an operation): put the $ref on the path item, or pass --lenient to read the "
                    "operation it names", f"{item_pointer}/{method}/$ref", locate))
    return problems


def _pointer_part(part: str) -> str:
    return pointer_from_parts((part,))[2:]


def _parameters(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, Parameter Object) of every parameter the paths use or the components declare, once."""
    found: list[tuple[Any, str]] = []  # (parameter or $ref, where it is)
    for pointer, holder in _operations(document):
        items = holder.get("parameters")
        if isinstance(items, list):
            found += [(raw, f"{pointer}/parameters/{index}") for index, raw in enumerate(items)]
    components = document.get("components")
    declared = components.get("parameters") if isinstance(components, dict) else None
    for key, raw in declared.items() if isinstance(declared, dict) else ():
        found.append((raw, pointer_from_parts(("components", "parameters", key))))
    yield from _resolved_once(document, found)


def _request_bodies(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    found = [(holder["requestBody"], f"{pointer}/requestBody") for pointer, holder in _operations(document)
             if "requestBody" in holder]
    yield from _resolved_once(document, found)


def _resolved_once(document: dict[str, Any], found: list[tuple[Any, str]]) -> Iterator[tuple[str, dict[str, Any]]]:
    seen: set[str] = set()
    for raw, start in found:
        node, pointer = resolve(document, raw, start)
        if isinstance(node, dict) and pointer not in seen:
            seen.add(pointer)
            yield pointer, node


def _self_contained_schemas(document: dict[str, Any], locate: Locate) -> list[Diagnostic]:
    """Schemas that contain themselves through allOf/anyOf/oneOf/not: no value can be checked against
    one (checking it means checking it again, first). Containing itself through properties or items
    is recursion, and fine: those describe other, smaller values."""
    targets = sorted(_ref_targets(document))
    edges = {target: _same_instance_refs(resolve(document, {"$ref": target}, target)[0]) for target in targets}
    problems = []
    done: set[str] = set()
    for start in targets:  # iterative depth-first search: a cycle is a step back onto the current path
        if start in done:
            continue
        path, stack = [start], [iter(edges[start])]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                done.add(path.pop())
                stack.pop()
            elif step in path:
                loop = [*path[path.index(step):], step]
                names = " -> ".join(_display(p) for p in loop)
                problems.append(_located(f"{_SELF_CONTAINED} through allOf/anyOf/oneOf/not: {names}",
                                         loop[0], locate))
            elif step not in done and step in edges:
                path.append(step)
                stack.append(iter(edges[step]))
    return problems


def _ref_targets(document: dict[str, Any]) -> set[str]:
    """Every local pointer a `$ref` names, outside literal data (examples, defaults, enums)."""
    found = set()
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                found.add(ref)
            stack.extend(value for key, value in node.items() if key not in _LITERAL_KEYS)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _same_instance_refs(schema: Any) -> list[str]:
    """The refs a schema applies to the very value it checks: its own and those of its allOf/anyOf/
    oneOf/not members, inline members included."""
    found = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            found.append(ref)
        for keyword in _SAME_INSTANCE_LISTS:
            if isinstance(node.get(keyword), list):
                stack.extend(node[keyword])
        stack.append(node.get("not"))
    return sorted(set(found))


# The keywords of an OpenAPI 3.1 schema: JSON Schema 2020-12's and OpenAPI's own.
_KEYWORDS_31 = frozenset({
    "$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary", "$comment", "$defs",
    "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "prefixItems", "items",
    "contains", "properties", "patternProperties", "additionalProperties", "propertyNames",
    "unevaluatedItems", "unevaluatedProperties", "type", "const", "enum", "multipleOf", "maximum",
    "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems",
    "minItems", "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties", "required",
    "dependentRequired", "title", "description", "default", "deprecated", "readOnly", "writeOnly",
    "examples", "format", "contentEncoding", "contentMediaType", "contentSchema",
    "discriminator", "xml", "externalDocs", "example",
})
_SUBSCHEMA = ("items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
              "unevaluatedItems", "unevaluatedProperties", "contentSchema")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


def _misspelt_schema_keys(document: dict[str, Any], locate: Locate) -> list[Diagnostic]:
    """A warning for each key of a 3.1 schema that is not a keyword but is spelt like one (`itemz`,
    `requried`, `maxlength`). OpenAPI 3.0's schema object is closed: there the validator reports
    every unknown key. Keys close to no keyword are annotations 3.1 allows, and pass."""
    if openapi_version(document) != "3.1":
        return []
    stack = _schema_roots(document)
    seen: set[int] = set()
    problems = []
    while stack:
        parts, schema = stack.pop()
        if not isinstance(schema, dict) or id(schema) in seen:
            continue
        seen.add(id(schema))
        for key in schema:
            if not isinstance(key, str) or key in _KEYWORDS_31 or key.startswith("x-"):
                continue
            close = difflib.get_close_matches(key, _KEYWORDS_31, n=1, cutoff=0.8)
            # A keyword with letters added at its end is more likely a word of its own: `note`.
            if close and not key.startswith(close[0]):
                where = pointer_from_parts((*parts, key))
                problems.append(warning(printable(f"unknown key {key!r} in a schema, ignored (did you mean "
                                                  f"{close[0]!r}?)"), *locate(where), where))
        for keyword in _SUBSCHEMA:
            if keyword in schema:
                stack.append(((*parts, keyword), schema[keyword]))
        for keyword in _SUBSCHEMA_LISTS:
            members = schema.get(keyword)
            if isinstance(members, list):
                stack.extend(((*parts, keyword, index), member) for index, member in enumerate(members))
        for keyword in _SUBSCHEMA_MAPS:
            members = schema.get(keyword)
            if isinstance(members, dict):
                stack.extend(((*parts, keyword, name), member) for name, member in members.items())
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith(f"#/{BUNDLE_KEY}/"):  # a schema in another file
            target, pointer = resolve(document, {"$ref": ref}, ref)
            stack.append((parts_from_pointer(pointer), target))
    return sorted(problems, key=lambda d: (d.file, d.line or 0, d.column or 0))


def _schema_roots(document: dict[str, Any]) -> list[tuple[tuple[Any, ...], Any]]:
    """(path, schema) of each schema outside schemas: the components' and every `schema` of a
    parameter, header or media type (example values and defaults are data, not searched)."""
    roots: list[tuple[tuple[Any, ...], Any]] = []
    components = document.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    for name, schema in schemas.items() if isinstance(schemas, dict) else ():
        roots.append((("components", "schemas", name), schema))
    stack: list[tuple[tuple[Any, ...], Any]] = [((), document)]
    while stack:
        parts, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "schema" and isinstance(value, dict):
                    roots.append(((*parts, key), value))
                elif key not in _LITERAL_KEYS and parts[:2] != ("components", "schemas"):
                    stack.append(((*parts, key), value))
        elif isinstance(node, list):
            stack.extend(((*parts, index), item) for index, item in enumerate(node))
    return roots


def _display(pointer: str) -> str:
    """A pointer as a person reads it: `schemas/pet.yaml#/Pet` for one into a bundled file."""
    parts = parts_from_pointer(pointer)
    if len(parts) >= 2 and parts[0] == BUNDLE_KEY:
        return parts[1] + pointer_from_parts(parts[2:])
    return pointer


def _version_problem(document: dict[str, Any], locate: Locate) -> Diagnostic | None:
    if "swagger" in document:
        return error("Swagger 2.0 documents are not supported, only OpenAPI 3.0 and 3.1; convert it "
                     "first (for example with swagger2openapi)", *locate("#/swagger"), "#/swagger")
    version = str(document.get("openapi", ""))
    if version.startswith(("3.0", "3.1")):
        return None
    where = "#/openapi" if "openapi" in document else "#"
    return error(f"unsupported or missing 'openapi' version {printable(repr(version))}; expected "
                 "3.0.x or 3.1.x", *locate(where), where)
