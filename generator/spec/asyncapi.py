"""Document (AsyncAPI 3.0, from load.py) -> every problem in it, located: what validate.py is for OpenAPI.

Three passes, all over the whole document every time:

1. The document against asyncapi_schema.schema() (our JSON Schema of the objects a generator reads,
   payload schemas checked against draft 7), with jsonschema, its errors turned into messages by
   validate.explain (the branch a node was meant for, "unknown key 'actoin' (did you mean
   'action'?)"). No reference is ever fetched: the schema's own `$ref`s are all local, and a
   document's `$ref`s are data to it.
2. A walk that follows asyncapi_schema.FIELDS from the top: where every Reference is and what it
   must name, every object of each kind, every payload schema. A node a `$ref` names in another
   file (bundled by load.py under x-generator-files, which pass 1 does not look into) is checked
   there, against the kind its `$ref` expects.
3. The rules JSON Schema cannot say (below, in `_own_checks`): a `$ref` names the kind of object
   its place wants; an operation's channel is one of #/channels and its messages are that channel's
   (a reply's likewise); two operations sending the same request `method` on one channel; channel
   addresses and server hosts against their parameters and variables; component names; correlation
   id locations; and, as warnings, payload schemas in formats that are not read and schema keys
   spelt like keywords (JSON Schema ignores unknown keys: `itemz` would quietly allow anything).

Dangling `$ref`s never get here: load.py refuses them (and remote ones) with their location.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..diagnostics import (
    Diagnostic,
    GenerationError,
    child_pointer,
    error,
    parts_from_pointer,
    pointer_from_parts,
    printable,
    warning,
)
from .asyncapi_schema import FIELDS, JSON_SCHEMA_FORMAT, ROOT, SCHEMA_KINDS, schema, schema_keywords
from .checks import Locate, resolve
from .load import BUNDLE_KEY
from .validate import Finding, explain, finish, located

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_VERSION = re.compile(r"3\.0\.(0|[1-9][0-9]*)")
_COMPONENT_NAME = re.compile(r"[a-zA-Z0-9.\-_]+")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_RUNTIME_EXPRESSION = re.compile(r"\$message\.(header|payload)(#(/([^/~]|~[01])*)*)?")
_IN_BUNDLE = f"#/{BUNDLE_KEY}/"
_CRASHED = "the validator could not check this document"
_LITERAL_KEYS = ("example", "examples", "default", "enum", "const")  # load.py's, and `examples`


def is_asyncapi(document: dict[str, Any]) -> bool:
    """Whether the document says it is AsyncAPI (of any version: check_version says which are read)."""
    return "asyncapi" in document


def check_version(document: dict[str, Any], locate: Locate) -> None:
    """Raise GenerationError unless the document is AsyncAPI 3.0.x: nothing can be read otherwise."""
    problem = _version_problem(document, locate)
    if problem is not None:
        raise GenerationError([problem])


def validate(document: dict[str, Any], locate: Locate, source: str) -> list[Diagnostic]:
    """Every problem of the document, errors and warnings, located, in file order; [] when it is
    valid. A document of another version gets that one problem only (its objects are not 3.0's)."""
    problem = _version_problem(document, locate)
    if problem is not None:
        return [problem]
    walk = _Walk(document)
    walk.run()
    crashed: list[Diagnostic] = []
    found = _findings(document, ROOT, "#", crashed, source)
    for pointer, kind in dict.fromkeys(walk.elsewhere):
        found += _findings(_at(document, pointer)[1], kind, pointer, crashed, source)
    own = _own_checks(document, walk, locate)
    diagnostics = located(found, locate) + own
    return finish(diagnostics + (crashed if not any(d.is_error for d in diagnostics) else []))


def _version_problem(document: dict[str, Any], locate: Locate) -> Diagnostic | None:
    if "asyncapi" not in document:
        return error("missing 'asyncapi' version; expected 3.0.x", *locate("#"), "#")
    version = document["asyncapi"]
    if isinstance(version, str) and _VERSION.fullmatch(version):
        return None
    if not isinstance(version, str):
        message = f"the 'asyncapi' version must be a string such as '3.0.0', not {version!r}"
    elif version.startswith("2."):
        message = (f"AsyncAPI 2 documents are not read (this one is {version!r}), only AsyncAPI 3.0: "
                   "`asyncapi convert` from the AsyncAPI CLI converts one to 3.0")
    else:
        message = f"unsupported 'asyncapi' version {version!r}; expected 3.0.x"
    return error(_short(message), *locate("#/asyncapi"), "#/asyncapi")


# -- pass 1: the schema ------------------------------------------------------------------------------
def _findings(node: Any, kind: str, pointer: str, crashed: list[Diagnostic], source: str) -> list[Finding]:
    """jsonschema's errors for one node checked as `kind` (ROOT: the whole document), explained."""
    found: list[Finding] = []
    try:
        for err in _validator(kind).iter_errors(node):
            for path, message in _explained(err):
                found.append((None, child_pointer(pointer, *path), _short(message)))
    except RecursionError:
        crashed.append(error(f"{_CRASHED}: it nests too deeply", source))
    except Exception as exc:  # third-party code on hostile input: a finding, never a crash
        crashed.append(error(_short(f"{_CRASHED}: {type(exc).__name__}: {exc}"), source))
    return found


def _explained(err: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    try:
        return explain(err)
    except Exception:
        return [(tuple(err.absolute_path), _short(str(err.message)))]


@functools.cache
def _validator(kind: str) -> Any:
    from jsonschema import Draft7Validator

    return Draft7Validator(schema(kind))


# -- pass 2: the walk --------------------------------------------------------------------------------
@dataclass
class _Walk:
    """Where everything is. Iterative (a hostile document may nest as deep as load.py allows)."""

    document: dict[str, Any]
    # (pointer of a Reference Object, the kind its place wants, its $ref)
    references: list[tuple[str, str, str]] = field(default_factory=list)
    # kind -> (pointer, object) of every object of that kind written out (not a Reference)
    objects: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    # (pointer, kind) of every node a `$ref` names in another file: pass 1 checks it there
    elsewhere: list[tuple[str, str]] = field(default_factory=list)
    # (pointer, schema) of every payload, headers and component schema, in JSON Schema
    schemas: list[tuple[str, Any]] = field(default_factory=list)
    # (pointer, schemaFormat) of every payload in a format that is not read
    unread: list[tuple[str, str]] = field(default_factory=list)

    def run(self) -> None:
        stack: list[tuple[str, Any, str]] = [("#", self.document, ROOT)]
        seen: set[tuple[str, str]] = set()
        while stack:
            pointer, node, kind = stack.pop()
            if (pointer, kind) in seen or not isinstance(node, dict):
                continue
            seen.add((pointer, kind))
            ref = node.get("$ref")
            if kind in SCHEMA_KINDS:
                if isinstance(ref, str):  # JSON Schema's: it may name any schema, inside others too
                    self.references.append((pointer, kind, ref))
                self._payload(pointer, node)
            elif isinstance(ref, str):
                self.references.append((pointer, kind, ref))
                found, target = _at(self.document, ref)
                if found and ref.startswith(_IN_BUNDLE):
                    self.elsewhere.append((ref, kind))
                    stack.append((ref, target, kind))
            else:
                self.objects.setdefault(kind, []).append((pointer, node))
                stack.extend(reversed(list(self._children(pointer, node, kind))))
        self._schema_refs()

    @staticmethod
    def _children(pointer: str, node: dict[str, Any], kind: str) -> Iterator[tuple[str, Any, str]]:
        for key, (shape, held, _) in FIELDS.get(kind, {}).items():
            if key not in node:
                continue
            value = node[key]
            if shape == "one":
                yield child_pointer(pointer, key), value, held
            elif shape == "map" and isinstance(value, dict):
                yield from ((child_pointer(pointer, key, name), item, held) for name, item in value.items())
            elif shape == "list" and isinstance(value, list):
                yield from ((child_pointer(pointer, key, index), item, held) for index, item in enumerate(value))

    def _payload(self, pointer: str, node: dict[str, Any]) -> None:
        if "schemaFormat" not in node:
            self.schemas.append((pointer, node))
            return
        form = node["schemaFormat"]
        if isinstance(form, str) and re.search(JSON_SCHEMA_FORMAT, form):
            self.schemas.append((child_pointer(pointer, "schema"), node.get("schema")))
        elif isinstance(form, str):
            self.unread.append((pointer, form))

    def _schema_refs(self) -> None:
        """Follow the `$ref`s of payload schemas into other files: what one names there is a payload
        schema too (a Multi Format Schema Object or a Schema Object), checked there."""
        seen: set[str] = set()
        index = 0
        while index < len(self.schemas):  # grows as schemas in other files are found
            root, payload = self.schemas[index]
            index += 1
            for _, node in _subschemas(root, payload):
                ref = node.get("$ref")
                if not isinstance(ref, str) or not ref.startswith(_IN_BUNDLE) or ref in seen:
                    continue
                seen.add(ref)
                found, target = _at(self.document, ref)
                if found:
                    self.elsewhere.append((ref, "Payload"))
                    if isinstance(target, dict):
                        self._payload(ref, target)


# JSON Schema draft 7's keywords whose values are schemas, maps of schemas, lists of schemas.
_SUBSCHEMA = ("items", "additionalItems", "contains", "additionalProperties", "propertyNames", "if",
              "then", "else", "not")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "definitions", "dependencies")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "items")


def _subschemas(pointer: str, schema: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, schema) of a schema and every schema inside it, not through `$ref`s."""
    stack = [(pointer, schema)]
    while stack:
        at, node = stack.pop()
        if not isinstance(node, dict):
            continue
        yield at, node
        for key in _SUBSCHEMA:
            if isinstance(node.get(key), dict):
                stack.append((child_pointer(at, key), node[key]))
        for key in _SUBSCHEMA_MAPS:
            if isinstance(node.get(key), dict):
                stack.extend((child_pointer(at, key, name), value) for name, value in node[key].items())
        for key in _SUBSCHEMA_LISTS:
            if isinstance(node.get(key), list):
                stack.extend((child_pointer(at, key, index), value) for index, value in enumerate(node[key]))


def _at(document: dict[str, Any], pointer: str) -> tuple[bool, Any]:
    """(whether it exists, the node) at a local pointer, without following `$ref`s on the way."""
    node: Any = document
    try:
        for part in parts_from_pointer(pointer):
            node = node[int(part)] if isinstance(node, list) else node[part]
    except (KeyError, IndexError, ValueError, TypeError):
        return False, None
    return True, node


def _kind_at(pointer: str) -> str | None:
    """The kind of object that lives at a pointer (`#/components/messages/x`: Message), None if
    none does there; "" for a node in another file, where anything may be."""
    try:
        parts = parts_from_pointer(pointer)
    except ValueError:
        return None
    if parts[:1] == (BUNDLE_KEY,):
        return ""
    kind, index = ROOT, 0
    while index < len(parts):
        entry = FIELDS.get(kind, {}).get(parts[index])
        if entry is None:
            return None
        shape, kind, _ = entry
        index += 1 if shape == "one" else 2
    return kind if index == len(parts) else None


# -- pass 3: the rules JSON Schema cannot say -------------------------------------------------------
def _own_checks(document: dict[str, Any], walk: _Walk, locate: Locate) -> list[Diagnostic]:
    problems = _reference_kinds(document, walk, locate)
    channels: dict[str, set[str]] = {}  # a channel's pointer -> where its messages are
    for kind, what in (("Operation", "an operation's"), ("OperationReply", "a reply's")):
        for pointer, holder in walk.objects.get(kind, []):
            problems += _messages_of_channel(document, pointer, holder, what, channels, locate)
    problems += _same_method(document, locate)
    problems += _placeholders(walk, locate)
    problems += _component_names(document, locate)
    problems += _runtime_expressions(walk, locate)
    for pointer, form in walk.unread:
        problems.append(_warning(f"a payload in schemaFormat {form!r} is not read: only JSON Schema "
                                 "and AsyncAPI schemas are checked and generated from",
                                 child_pointer(pointer, "schemaFormat"), locate))
    problems += _misspelt_schema_keys(walk, locate)
    return problems


def _error(message: str, pointer: str, locate: Locate) -> Diagnostic:
    return error(_short(message), *locate(pointer), printable(pointer))


def _warning(message: str, pointer: str, locate: Locate) -> Diagnostic:
    return warning(_short(message), *locate(pointer), printable(pointer))


def _short(message: str) -> str:
    """One printable line of a readable length: messages quote spec text (a name, a `$ref`)."""
    message = printable(message)
    return message if len(message) <= 500 else message[:497] + "..."


def _describe(kind: str) -> str:
    """"a channel", "an operation reply", "a schema": a kind as a message names it."""
    if kind in SCHEMA_KINDS:
        return "a schema"
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", kind).lower()
    if words.endswith("bindings"):
        words += " object"
    return ("an " if words[0] in "aeiou" else "a ") + words


def _reference_kinds(document: dict[str, Any], walk: _Walk, locate: Locate) -> list[Diagnostic]:
    """Each Reference names an object of the kind its place wants (a channel for an operation's
    `channel`, a message for its `messages`...); those of top-level operations name top-level
    channels, and a channel's servers are top-level servers (AsyncAPI 3.0's rules)."""
    problems = []
    for pointer, kind, ref in walk.references:
        where = child_pointer(pointer, "$ref")
        if not ref.startswith("#") or not _at(document, ref)[0]:
            # load.py follows every `$ref` but those it takes for example data: below a channel, an
            # operation or a message named `example` or `default`, say.
            literal = next((part for part in parts_from_pointer(pointer) if part in _LITERAL_KEYS), None)
            problems.append(_error(f"$ref {ref!r} is not followed: it is below a key named {literal!r}, "
                                   "where a $ref is taken for example data" if literal else
                                   f"$ref {ref!r} points to nothing", where, locate))
            continue
        actual = _kind_at(ref)
        parts = parts_from_pointer(pointer)
        if actual == "" or (kind in SCHEMA_KINDS and actual in (None, *SCHEMA_KINDS)):
            continue
        if actual is None:
            problems.append(_error(f"$ref {ref!r} does not name {_describe(kind)}", where, locate))
        elif actual != kind:
            problems.append(_error(f"$ref {ref!r} names {_describe(actual)}, not {_describe(kind)}",
                                   where, locate))
        elif (kind == "Channel" and parts[:1] == ("operations",) and parts[2:] in (("channel",), ("reply", "channel"))
              and len(parts_from_pointer(ref)) != 2):
            problems.append(_error(f"$ref {ref!r} is not a channel under #/channels: an operation under "
                                   "#/operations must name one of the document's channels", where, locate))
        elif (kind == "Server" and len(parts) >= 2 and parts[-2] == "servers"
              and _kind_at(pointer_from_parts(parts[:-2])) == "Channel"
              and parts_from_pointer(ref)[:1] != ("servers",)):
            problems.append(_error(f"$ref {ref!r} is not a server under #/servers: a channel's servers "
                                   "must be the document's servers", where, locate))
    return problems


def _messages_of_channel(document: dict[str, Any], pointer: str, holder: dict[str, Any], what: str,
                         channels: dict[str, set[str]], locate: Locate) -> list[Diagnostic]:
    """An operation's (or a reply's) messages must be messages of its channel."""
    channel_ref = holder.get("channel")
    messages = holder.get("messages")
    if not isinstance(channel_ref, dict) or not isinstance(channel_ref.get("$ref"), str) or not isinstance(messages, list):
        return []
    channel, channel_at = resolve(document, channel_ref, "")
    if not isinstance(channel, dict) or _kind_at(channel_ref["$ref"]) not in ("Channel", ""):
        return []
    listed = channel.get("messages")
    own: dict[str, Any] = listed if isinstance(listed, dict) else {}
    if channel_at not in channels:
        channels[channel_at] = {resolve(document, message, child_pointer(channel_at, "messages", name))[1]
                                for name, message in own.items()}
    theirs = channels[channel_at]
    problems = []
    for index, message in enumerate(messages):
        ref = message.get("$ref") if isinstance(message, dict) else None
        if not isinstance(ref, str) or _kind_at(ref) not in ("Message", "") or resolve(document, message, "")[1] in theirs:
            continue
        close = difflib.get_close_matches(parts_from_pointer(ref)[-1], [str(key) for key in own], n=1)
        hint = f" (did you mean {child_pointer(channel_ref['$ref'], 'messages', close[0])!r}?)" if close else ""
        problems.append(_error(f"$ref {ref!r} is not a message of channel {channel_ref['$ref']!r}: {what} "
                               f"messages must be its channel's{hint}",
                               child_pointer(pointer, "messages", index, "$ref"), locate))
    return problems


def _same_method(document: dict[str, Any], locate: Locate) -> list[Diagnostic]:
    """Two top-level send operations whose request payloads have the same `method` const on one channel:
    a request names its operation by its method, so one of them could never be told apart."""
    operations = document.get("operations")
    first: dict[tuple[str, str], tuple[str, str]] = {}  # (channel, method) -> (operation, pointer)
    problems = []
    for name, raw in operations.items() if isinstance(operations, dict) else ():
        pointer = child_pointer("#", "operations", name)
        operation, _ = resolve(document, raw, pointer)
        if not isinstance(operation, dict) or operation.get("action") != "send":
            continue
        channel = operation.get("channel")
        messages = operation.get("messages")
        if not isinstance(channel, dict) or not isinstance(messages, list):
            continue
        channel_at = resolve(document, channel, "")[1]
        for value in dict.fromkeys(_method(document, message) for message in messages):
            if value is None:
                continue
            key = (channel_at, value)
            if key in first and first[key][0] != name:
                other, other_at = first[key]
                file, line, _ = locate(other_at)
                there = file if line is None else f"{file}:{line}"
                problems.append(_error(
                    f"operation {name!r} sends method {json.loads(value)!r} on channel {channel_at!r}, as "
                    f"operation {other!r} does ({there}): a channel's request methods must each "
                    "belong to one operation", pointer, locate))
            first.setdefault(key, (name, pointer))
    return problems


def _method(document: dict[str, Any], message: Any) -> str | None:
    """The request payload's `method` const (as JSON), if it has one."""
    message, _ = resolve(document, message, "")
    payload, _ = resolve(document, message.get("payload") if isinstance(message, dict) else None, "")
    if isinstance(payload, dict) and "schemaFormat" in payload:
        payload, _ = resolve(document, payload.get("schema"), "")
    properties = payload.get("properties") if isinstance(payload, dict) else None
    method, _ = resolve(document, properties.get("method") if isinstance(properties, dict) else None, "")
    if not isinstance(method, dict) or "const" not in method:
        return None
    return json.dumps(method["const"], sort_keys=True, default=repr)


def _placeholders(walk: _Walk, locate: Locate) -> list[Diagnostic]:
    """A channel's `{name}`s in its address and its parameters, a server's in its host and pathname
    and its variables: each defined, and each used."""
    problems = []
    for pointer, channel in walk.objects.get("Channel", []):
        problems += _defined_and_used(pointer, channel, ("address",), "parameters", "channel", locate)
    for pointer, server in walk.objects.get("Server", []):
        problems += _defined_and_used(pointer, server, ("host", "pathname"), "variables", "server", locate)
    return problems


def _defined_and_used(pointer: str, node: dict[str, Any], texts: tuple[str, ...], section: str,
                      owner: str, locate: Locate) -> list[Diagnostic]:
    declared = node.get(section)
    defined: dict[str, Any] = declared if isinstance(declared, dict) else {}
    noun = section.removesuffix("s")
    used: set[str] = set()
    problems = []
    for key in texts:
        text = node.get(key)
        for name in dict.fromkeys(_PLACEHOLDER.findall(text) if isinstance(text, str) else ()):
            used.add(name)
            if name not in defined:
                problems.append(_error(f"{key} {text!r} has a {noun} {name!r} that the {owner}'s {section} "
                                       "do not define", child_pointer(pointer, key), locate))
    written = [f"the {key} {node[key]!r}" for key in texts if isinstance(node.get(key), str)]
    if not written:
        where = f"the {owner} has no {' or '.join(texts)}"
    elif len(written) == 1:
        where = f"it is not in {written[0]}"
    else:
        where = f"it is in neither {' nor '.join(written)}"
    for name in defined:
        if name not in used:
            problems.append(_error(f"{noun} {name!r} is used nowhere: {where}",
                                   child_pointer(pointer, section, name), locate))
    return problems


def _component_names(document: dict[str, Any], locate: Locate) -> list[Diagnostic]:
    components = document.get("components")
    problems = []
    for section, entries in components.items() if isinstance(components, dict) else ():
        if section not in FIELDS["Components"] or not isinstance(entries, dict):
            continue
        for key in entries:
            if not _COMPONENT_NAME.fullmatch(str(key)):
                problems.append(_error(f"component name {key!r} may hold only letters, digits, '.', '-' "
                                       "and '_'", child_pointer("#", "components", section, key), locate))
    return problems


def _runtime_expressions(walk: _Walk, locate: Locate) -> list[Diagnostic]:
    problems = []
    for kind in ("CorrelationId", "OperationReplyAddress"):
        for pointer, node in walk.objects.get(kind, []):
            location = node.get("location")
            if isinstance(location, str) and not _RUNTIME_EXPRESSION.fullmatch(location):
                problems.append(_error(f"location {location!r} is not a runtime expression such as "
                                       "'$message.payload#/id' or '$message.header#/name'",
                                       child_pointer(pointer, "location"), locate))
    return problems


def _misspelt_schema_keys(walk: _Walk, locate: Locate) -> list[Diagnostic]:
    """A warning for each key of a payload schema that is no keyword but is spelt like one (`itemz`,
    `requried`). Keys close to no keyword are annotations JSON Schema allows, and pass."""
    keywords = schema_keywords()
    problems = []
    for root, payload in walk.schemas:
        for pointer, node in _subschemas(root, payload):
            for key in node:
                if not isinstance(key, str) or key in keywords or key.startswith("x-"):
                    continue
                close = difflib.get_close_matches(key, keywords, n=1, cutoff=0.8)
                # A keyword with letters added at its end is more likely a word of its own: `note`.
                if close and not key.startswith(close[0]):
                    problems.append(_warning(f"unknown key {key!r} in a schema, ignored (did you mean "
                                             f"{close[0]!r}?)", child_pointer(pointer, key), locate))
    return problems
