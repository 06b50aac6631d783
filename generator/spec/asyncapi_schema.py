"""The AsyncAPI 3.0 objects a generator reads, written down as one JSON Schema (draft 7): schema().

Fixed objects are closed: a key that is neither theirs nor an extension (`x-...`) is an error, so a
typo is reported where it is instead of being quietly ignored. A place that takes "an object of a
kind, or a Reference Object" is an if/then/else on `$ref` rather than a oneOf: the validator then
reports the one branch the node is, with that branch's own errors.

Payload schemas (the AsyncAPI Schema Object) are JSON Schema draft 7 plus `discriminator`,
`externalDocs`, `deprecated` and `example`: the draft 7 meta-schema jsonschema ships is embedded
with its `$ref`s pointed at its new place.

Every property that holds objects of a kind carries a marker (HOLDS: shape, kind, whether only a
Reference is allowed there); FIELDS is read off those markers, so the walk asyncapi.py makes over
the document (where each `$ref` is, what it must name) follows this schema and cannot drift from it.
"""

from __future__ import annotations

import copy
import functools
from typing import Any, Literal

Shape = Literal["one", "map", "list"]
HOLDS = "x-holds"  # ignored by validators: an unknown keyword
ROOT = "AsyncAPI"
# Kinds whose `$ref`s are JSON Schema's (to any schema), not Reference Objects.
SCHEMA_KINDS = frozenset({"Schema", "Payload"})
SECURITY_TYPES = (
    "userPassword", "apiKey", "X509", "symmetricEncryption", "asymmetricEncryption", "httpApiKey",
    "http", "oauth2", "openIdConnect", "plain", "scramSha256", "scramSha512", "gssapi",
)
# schemaFormat values whose schema is JSON Schema (draft 7) as this module checks it; a payload in
# any other format (Avro, RAML, Protobuf) is not read.
JSON_SCHEMA_FORMAT = (
    r"^application/(vnd\.aai\.asyncapi(\+json|\+yaml)?;version=3\.0\.[0-9]+"
    r"|schema\+(json|yaml);version=draft-07)$"
)
_EXTENSIONS: dict[str, Any] = {"^x-": {}}
_STRING = {"type": "string"}
_STRINGS = {"type": "array", "items": _STRING}
_IS_REFERENCE = {"type": "object", "required": ["$ref"]}
_REFERENCE = {"$ref": "#/definitions/Reference"}


def _definition(kind: str) -> dict[str, Any]:
    return {"$ref": f"#/definitions/{kind}"}


def _either(kind: str) -> dict[str, Any]:
    """An object of the kind, or a Reference Object (told apart by `$ref`)."""
    return {"if": _IS_REFERENCE, "then": _REFERENCE, "else": _definition(kind)}


def holds(kind: str, shape: Shape = "one", ref_only: bool = False, reference: bool = True) -> dict[str, Any]:
    """A property holding one object of a kind, a map of them or a list of them: each may be a
    Reference (not with reference=False, nor for a schema, whose `$ref` is JSON Schema's), or must
    be one (ref_only)."""
    if kind in SCHEMA_KINDS or not reference:
        item = _definition(kind)
    else:
        item = _REFERENCE if ref_only else _either(kind)
    schema: dict[str, Any]
    if shape == "map":
        schema = {"type": "object", "additionalProperties": item}
    elif shape == "list":
        schema = {"type": "array", "items": item}
    else:
        schema = dict(item)
    schema[HOLDS] = [shape, kind, ref_only]
    return schema


def _fixed(*required: str, **properties: Any) -> dict[str, Any]:
    """A closed object: these keys (a trailing underscore stands for `in`) and extensions."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {key.rstrip("_"): value for key, value in properties.items()},
        "patternProperties": _EXTENSIONS,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    return schema


_TEXT: dict[str, Any] = {"title": _STRING, "summary": _STRING, "description": _STRING}
_DOCS: dict[str, Any] = {"tags": holds("Tag", "list"), "externalDocs": holds("ExternalDocs")}


def _bindings() -> dict[str, Any]:
    """A map of protocol name -> that protocol's binding object (not read here: kept open)."""
    return {"type": "object", "additionalProperties": {"type": "object"}}


def _security_scheme() -> dict[str, Any]:
    """`type` from AsyncAPI 3.0's list; each type then a closed object of its own keys."""
    own: dict[str, dict[str, Any]] = {
        "apiKey": {"in_": {"enum": ["user", "password"]}, "required": ("in",)},
        "httpApiKey": {"name": _STRING, "in_": {"enum": ["query", "header", "cookie"]},
                       "required": ("name", "in")},
        "http": {"scheme": _STRING, "bearerFormat": _STRING, "required": ("scheme",)},
        "oauth2": {"flows": _definition("OAuthFlows"), "scopes": _STRINGS, "required": ("flows",)},
        "openIdConnect": {"openIdConnectUrl": _STRING, "scopes": _STRINGS,
                          "required": ("openIdConnectUrl",)},
    }
    branches = []
    for kind in SECURITY_TYPES:
        keys = dict(own.get(kind, {}))
        required = tuple(keys.pop("required", ()))
        branches.append({
            "if": {"properties": {"type": {"const": kind}}, "required": ["type"]},
            "then": _fixed(*required, type=True, description=_STRING, **keys),
        })
    return {"type": "object", "required": ["type"],
            "properties": {"type": {"enum": list(SECURITY_TYPES)}}, "allOf": branches}


def _oauth_flow(*required: str) -> dict[str, Any]:
    return _fixed(*required, "availableScopes", authorizationUrl=_STRING, tokenUrl=_STRING,
                  refreshUrl=_STRING, availableScopes={"type": "object", "additionalProperties": _STRING})


def _draft7() -> dict[str, dict[str, Any]]:
    """The draft 7 meta-schema as definitions of this schema: the Schema Object (draft 7 and
    AsyncAPI's own keywords) and the meta-schema's helpers, renamed `draft7-...`."""
    from jsonschema import Draft7Validator  # here: importing this module costs no jsonschema import

    meta = copy.deepcopy(Draft7Validator.META_SCHEMA)
    stack: list[Any] = [meta]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref == "#":
                node["$ref"] = "#/definitions/Schema"
            elif isinstance(ref, str) and ref.startswith("#/definitions/"):
                node["$ref"] = "#/definitions/draft7-" + ref.removeprefix("#/definitions/")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    helpers = {f"draft7-{name}": value for name, value in meta.pop("definitions").items()}
    for key in ("$schema", "$id", "title"):  # an $id here would move the base of every $ref below
        meta.pop(key, None)
    meta["properties"].update({
        "discriminator": _STRING,
        "externalDocs": _either("ExternalDocs"),
        "deprecated": {"type": "boolean"},
        "example": True,
    })
    return {"Schema": meta, **helpers}


_MESSAGE_COMMON: dict[str, Any] = {
    "headers": holds("Payload"),
    "correlationId": holds("CorrelationId"),
    "contentType": _STRING,
    "name": _STRING,
    **_TEXT,
    **_DOCS,
    "bindings": holds("MessageBindings"),
    "examples": {"type": "array", "items": _definition("MessageExample")},
}
_OPERATION_COMMON: dict[str, Any] = {**_TEXT, "security": holds("SecurityScheme", "list"), **_DOCS,
                     "bindings": holds("OperationBindings")}

# Every definition but the Schema Object's (schema() adds those).
OBJECTS: dict[str, dict[str, Any]] = {
    ROOT: _fixed(
        "asyncapi", "info",
        asyncapi=_STRING,  # which versions are read: asyncapi.check_version, with a better message
        id=_STRING,
        info=holds("Info", reference=False),
        servers=holds("Server", "map"),
        defaultContentType=_STRING,
        channels=holds("Channel", "map"),
        operations=holds("Operation", "map"),
        components=holds("Components"),
    ),
    "Reference": {"type": "object", "required": ["$ref"], "properties": {"$ref": _STRING}},
    "Info": _fixed("title", "version", title=_STRING, version=_STRING, description=_STRING,
                   termsOfService=_STRING, contact=_definition("Contact"),
                   license=_definition("License"), **_DOCS),
    "Contact": _fixed(name=_STRING, url=_STRING, email=_STRING),
    "License": _fixed("name", name=_STRING, url=_STRING),
    "Server": _fixed("host", "protocol", host=_STRING, protocol=_STRING, protocolVersion=_STRING,
                     pathname=_STRING, **_TEXT, variables=holds("ServerVariable", "map"),
                     security=holds("SecurityScheme", "list"), **_DOCS,
                     bindings=holds("ServerBindings")),
    "ServerVariable": _fixed(enum=_STRINGS, default=_STRING, description=_STRING, examples=_STRINGS),
    "Channel": _fixed(address={"type": ["string", "null"]}, messages=holds("Message", "map"), **_TEXT,
                      servers=holds("Server", "list", ref_only=True),
                      parameters=holds("Parameter", "map"), **_DOCS,
                      bindings=holds("ChannelBindings")),
    "Parameter": _fixed(enum=_STRINGS, default=_STRING, description=_STRING, examples=_STRINGS,
                        location=_STRING),
    "Operation": _fixed("action", "channel", action={"enum": ["send", "receive"]},
                        channel=holds("Channel", ref_only=True), **_OPERATION_COMMON,
                        traits=holds("OperationTrait", "list"),
                        messages=holds("Message", "list", ref_only=True),
                        reply=holds("OperationReply")),
    "OperationTrait": _fixed(**_OPERATION_COMMON),
    "OperationReply": _fixed(address=holds("OperationReplyAddress"),
                             channel=holds("Channel", ref_only=True),
                             messages=holds("Message", "list", ref_only=True)),
    "OperationReplyAddress": _fixed("location", location=_STRING, description=_STRING),
    "Message": _fixed(payload=holds("Payload"), **_MESSAGE_COMMON,
                      traits=holds("MessageTrait", "list")),
    "MessageTrait": _fixed(**_MESSAGE_COMMON),
    "MessageExample": {**_fixed(headers={"type": "object"}, payload=True, name=_STRING,
                                summary=_STRING),
                       "anyOf": [{"required": ["payload"]}, {"required": ["headers"]}]},
    "CorrelationId": _fixed("location", location=_STRING, description=_STRING),
    "Tag": _fixed("name", name=_STRING, description=_STRING, externalDocs=holds("ExternalDocs")),
    "ExternalDocs": _fixed("url", url=_STRING, description=_STRING),
    "SecurityScheme": _security_scheme(),
    "OAuthFlows": _fixed(implicit=_oauth_flow("authorizationUrl"), password=_oauth_flow("tokenUrl"),
                         clientCredentials=_oauth_flow("tokenUrl"),
                         authorizationCode=_oauth_flow("authorizationUrl", "tokenUrl")),
    "ServerBindings": _bindings(),
    "ChannelBindings": _bindings(),
    "OperationBindings": _bindings(),
    "MessageBindings": _bindings(),
    # A payload (or headers, or a component schema): a Multi Format Schema Object when it says its
    # schemaFormat, else a Schema Object.
    "Payload": {"if": {"type": "object", "required": ["schemaFormat"]},
                "then": _definition("MultiFormatSchema"), "else": _definition("Schema")},
    "MultiFormatSchema": {
        **_fixed("schemaFormat", "schema", schemaFormat=_STRING, schema=True),
        "if": {"properties": {"schemaFormat": {"pattern": JSON_SCHEMA_FORMAT}}},
        "then": {"properties": {"schema": _definition("Schema")}},
    },
    "Components": _fixed(
        schemas=holds("Payload", "map"),
        servers=holds("Server", "map"),
        channels=holds("Channel", "map"),
        operations=holds("Operation", "map"),
        messages=holds("Message", "map"),
        securitySchemes=holds("SecurityScheme", "map"),
        serverVariables=holds("ServerVariable", "map"),
        parameters=holds("Parameter", "map"),
        correlationIds=holds("CorrelationId", "map"),
        replies=holds("OperationReply", "map"),
        replyAddresses=holds("OperationReplyAddress", "map"),
        externalDocs=holds("ExternalDocs", "map"),
        tags=holds("Tag", "map"),
        operationTraits=holds("OperationTrait", "map"),
        messageTraits=holds("MessageTrait", "map"),
        serverBindings=holds("ServerBindings", "map"),
        channelBindings=holds("ChannelBindings", "map"),
        operationBindings=holds("OperationBindings", "map"),
        messageBindings=holds("MessageBindings", "map"),
    ),
}


@functools.cache
def schema(kind: str = ROOT) -> dict[str, Any]:
    """The JSON Schema of a whole document; with another kind, of an object of that kind or a
    Reference to one (a node a `$ref` names in another file, checked where it is)."""
    if kind != ROOT:
        return {**schema(), "allOf": [holds(kind)]}
    return {"$schema": "http://json-schema.org/draft-07/schema#",
            "definitions": {**OBJECTS, **_draft7()}, "allOf": [_definition(ROOT)]}


@functools.cache
def schema_keywords() -> tuple[str, ...]:
    """The keywords of a payload schema: JSON Schema draft 7's and AsyncAPI's own."""
    return tuple(sorted(schema()["definitions"]["Schema"]["properties"]))


def _fields() -> dict[str, dict[str, tuple[Shape, str, bool]]]:
    found: dict[str, dict[str, tuple[Shape, str, bool]]] = {}
    for kind, definition in OBJECTS.items():
        for key, value in (definition.get("properties") or {}).items():
            if isinstance(value, dict) and HOLDS in value:
                shape, held, ref_only = value[HOLDS]
                found.setdefault(kind, {})[key] = (shape, held, ref_only)
    return found


# kind -> {key: (shape, kind of what it holds, only References)}: where a walk over the document goes.
FIELDS = _fields()
