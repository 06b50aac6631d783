"""Two APIs -> how the generated client changes between them: a list of Change, then Markdown.

What is compared is what users of the generated package touch, taken from the generator's own model
(pipeline.build_api), not the raw YAML: API classes and method names, parameters (as
the generated signatures have them), return types, models and their fields. An Api is first reduced to
its *surface*, plain JSON data (`surface()`); the changelog keeps the last one in the output folder.

Each change carries the version bump it implies: major for a breaking change (something removed or
renamed, a new required parameter or field, a type change, an optional parameter or field that became
required, a required parameter in a new position), minor for an addition or a deprecation, patch for the rest
(documentation, examples, documented responses, where a parameter travels). Parameters are compared
by their Python name; required ones may be passed positionally, so their order counts; optional ones
are taken to be passed by keyword.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any

from ..emit.escape import md, one_line
from ..model.api import Api, Model, Operation, WsMethod

SURFACE_FORMAT = 1


class Kind(StrEnum):
    """Keep a Changelog's sections, in the order they are printed."""

    ADDED = "Added"
    CHANGED = "Changed"
    DEPRECATED = "Deprecated"
    REMOVED = "Removed"


class Bump(IntEnum):
    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Change:
    kind: Kind
    text: str  # one Markdown line; spec text in it is already inside code spans
    bump: Bump

    @property
    def breaking(self) -> bool:
        return self.bump is Bump.MAJOR


# --- Api -> surface ------------------------------------------------------------------------------

def surface(api: Api) -> dict[str, Any]:
    """What a user of the generated package can touch, as JSON data with a stable layout."""
    digests: dict[str, str] = {}  # a spec repeats its docs (Spot: one recvWindow text, 300 times)

    def docs(value: Any) -> str:
        text = _JSON.encode(value)
        known = digests.get(text)
        if known is None:
            known = digests[text] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        return known

    operations = {f"{op.http_method} {op.path}{_query(op)}": _operation(api_class.class_name, op, docs)
                  for api_class in api.apis for op in api_class.operations}
    ws = api.websocket
    if ws is not None:  # WebSocket methods are keyed `WS <method>`: `WS order.place`
        operations.update((f"WS {m.method}", _ws_method(ws.class_name, m, docs)) for m in ws.methods)
    models = {model.class_name: _model(model, docs) for model in sorted(api.models, key=lambda m: m.class_name)}
    return {
        "format": SURFACE_FORMAT,
        "host": str(api.host),
        "operations": dict(sorted(operations.items())),
        "models": models,
        "helpers": _helpers(api),
    }


def _query(op: Operation) -> str:
    """The query pairs a path key carries (`?beta=true`): two operations may differ by them alone."""
    return "?" + "&".join(f"{name}={value}" for name, value in op.fixed_query) if op.fixed_query else ""


def _helpers(api: Api) -> dict[str, str]:
    """The stream helpers the package exports, and what each streams over."""
    helpers: dict[str, str] = {}
    over_ws = api.websocket is not None and bool(api.websocket.user_data)
    if api.listen_key_ops is not None:
        name = "ListenKeyStream" if over_ws else "UserDataStream"
        helpers.update({name: "listen_key", "Async" + name: "listen_key"})
    if over_ws:
        helpers.update({"UserDataStream": "websocket", "AsyncUserDataStream": "websocket"})
    return dict(sorted(helpers.items()))


def _ws_method(class_name: str, m: WsMethod, docs: Callable[[Any], str]) -> dict[str, Any]:
    return {
        "api": class_name,
        "method": m.python_name,
        "http": "WS",
        "path": str(m.method),
        "params": [{"name": p.python_name, "wire": str(p.wire_name), "in": p.location, "type": p.type.hint,
                    "required": p.required, "deprecated": p.deprecated,
                    "docs": docs([p.description, p.example.wire, p.default])} for p in m.parameters],
        "returns": m.result.hint,
        "deprecated": m.deprecated,
        "signed": m.security == "signed",
        "auth": list(m.security_names),
        "responses": [],
        "docs": docs([m.summary, m.description]),
    }


def _operation(class_name: str, op: Operation, docs: Callable[[Any], str]) -> dict[str, Any]:
    # Response examples are left out of `docs`: most are made from the schemas, which are compared anyway.
    return {
        "api": class_name,
        "method": op.python_name,
        "http": op.http_method,
        "path": str(op.path),
        "params": [{"name": p.python_name, "wire": str(p.wire_name), "in": p.location, "type": p.type.hint,
                    "required": p.required, "deprecated": p.deprecated,
                    "docs": docs([p.description, p.example.wire, p.default])} for p in op.parameters],
        "returns": op.return_type.hint,
        "deprecated": op.deprecated,
        "signed": op.signed,
        "auth": list(op.auth),
        "responses": [str(r.status) for r in op.responses],
        "docs": docs([op.summary, op.description, op.content_type, [(r.status, r.description) for r in op.responses]]),
    }


def _model(model: Model, docs: Callable[[Any], str]) -> dict[str, Any]:
    example = model.example if isinstance(model.example, dict) else {}  # sample data by wire name
    return {
        "fields": [{"name": f.python_name, "wire": str(f.wire_name), "type": f.type.hint, "required": f.required,
                    "nullable": f.nullable, "deprecated": f.deprecated,
                    "docs": docs([f.description, example.get(str(f.wire_name))])} for f in model.fields],
        "docs": docs([model.description]),
    }


# json.dumps(value, sort_keys=True, default=str, ensure_ascii=False), one encoder for all calls.
_JSON = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False)



def is_surface(data: Any) -> bool:
    return (isinstance(data, dict) and data.get("format") == SURFACE_FORMAT
            and isinstance(data.get("operations"), dict) and isinstance(data.get("models"), dict))


# --- surface x surface -> changes ----------------------------------------------------------------

def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every difference users feel, in a stable order: by section, breaking first, then as found."""
    changes: list[Change] = []
    if old.get("host") != new.get("host"):
        changes.append(Change(Kind.CHANGED, f"Default host is {code(new.get('host'))} "
                                            f"(was {code(old.get('host'))}).", Bump.PATCH))
    changes += _operations(old["operations"], new["operations"])
    changes += _models(old["models"], new["models"])
    changes += _helper_changes(_old_helpers(old), new.get("helpers", {}))
    order = list(Kind)
    return sorted(changes, key=lambda c: (order.index(c.kind), not c.breaking))


_OVER = {"listen_key": "a REST listen key", "websocket": "the WebSocket API"}


def _old_helpers(old: dict[str, Any]) -> dict[str, str]:
    """The helpers of a recorded surface; one recorded before helpers were had the listen-key
    helper exactly when it had the listen-key operations (POST .../userDataStream)."""
    recorded = old.get("helpers")
    if isinstance(recorded, dict):
        return {str(name): str(over) for name, over in recorded.items()}
    if any(key.startswith("POST ") and key.endswith("/userDataStream") for key in old["operations"]):
        return {"AsyncUserDataStream": "listen_key", "UserDataStream": "listen_key"}
    return {}


def _helper_changes(old: dict[str, str], new: dict[str, str]) -> list[Change]:
    changes: list[Change] = []
    for name, over in new.items():
        if name not in old:
            changes.append(Change(Kind.ADDED, f"{code(name)}: the user data stream over {_OVER.get(over, over)}.",
                                  Bump.MINOR))
        elif old[name] != over:
            changes.append(Change(Kind.CHANGED, f"{code(name)} streams over {_OVER.get(over, over)} (was over "
                                                f"{_OVER.get(old[name], old[name])}).", Bump.MAJOR))
    for name in old:
        if name not in new:
            changes.append(Change(Kind.REMOVED, f"{code(name)} removed.", Bump.MAJOR))
    return changes


def _operations(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    pairs = [(old[key], new[key]) for key in old if key in new]
    removed = {key: old[key] for key in old if key not in new}
    added = {key: new[key] for key in new if key not in old}
    # The same method on a new path or HTTP method: callers do not notice.
    for key, was in list(removed.items()):
        moved = [k for k, now in added.items() if (now["api"], now["method"]) == (was["api"], was["method"])]
        if len(moved) == 1:
            pairs.append((was, added.pop(moved[0])))
            del removed[key]
    for was in removed.values():
        changes.append(Change(Kind.REMOVED, f"{_op(was)} removed.", Bump.MAJOR))
    for now in added.values():
        changes.append(Change(Kind.ADDED, f"{_op(now)}.", Bump.MINOR))
    changed = [(was, now) for was, now in pairs if was != now]  # most are the same: one comparison settles them
    for was, now in sorted(changed, key=lambda pair: (pair[1]["api"], pair[1]["method"])):
        changes += _operation_changes(was, now)
    return changes


def _operation_changes(was: dict[str, Any], now: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    where = _op(now)
    if (was["api"], was["method"]) != (now["api"], now["method"]):
        changes.append(Change(Kind.CHANGED, f"{code(was['api'] + '.' + was['method'])} is now {where}: "
                                            "renamed.", Bump.MAJOR))
    if (was["http"], was["path"]) != (now["http"], now["path"]):
        changes.append(Change(Kind.CHANGED, f"{where}: was {code(was['http'] + ' ' + was['path'])}.", Bump.PATCH))
    if was["returns"] != now["returns"]:
        changes.append(Change(Kind.CHANGED, f"{where} returns {code(now['returns'])} "
                                            f"(was {code(was['returns'])}).", Bump.MAJOR))
    if now["deprecated"] and not was["deprecated"]:
        changes.append(Change(Kind.DEPRECATED, f"{where} is deprecated.", Bump.MINOR))
    elif was["deprecated"] and not now["deprecated"]:
        changes.append(Change(Kind.CHANGED, f"{where} is no longer deprecated.", Bump.PATCH))
    if now["signed"] and not was["signed"]:
        changes.append(Change(Kind.CHANGED, f"{where} is now SIGNED: it needs a secret or private key.",
                              Bump.MAJOR))
    elif was["signed"] and not now["signed"]:
        changes.append(Change(Kind.CHANGED, f"{where} is no longer SIGNED.", Bump.PATCH))
    if set(now["auth"]) - set(was["auth"]):
        changes.append(Change(Kind.CHANGED, f"{where} now needs {_names(sorted(set(now['auth']) - set(was['auth'])))}.",
                              Bump.MAJOR))
    if set(was["auth"]) - set(now["auth"]):
        changes.append(Change(Kind.CHANGED, f"{where} no longer needs "
                                            f"{_names(sorted(set(was['auth']) - set(now['auth'])))}.", Bump.PATCH))
    changes += _parameters(where, was["params"], now["params"])
    if was["responses"] != now["responses"]:
        changes.append(Change(Kind.CHANGED, f"{where}: documented responses are "
                                            f"{_names(now['responses']) or 'none'} "
                                            f"(were {_names(was['responses']) or 'none'}).", Bump.PATCH))
    # A parameter's generated example follows its type: a changed type is reported already.
    same_type = {p["name"]: p for p in was["params"]}
    if was["docs"] != now["docs"] or any(_docs_differ(same_type.get(p["name"]), p) for p in now["params"]):
        changes.append(Change(Kind.CHANGED, f"{where}: documentation or examples changed.", Bump.PATCH))
    return changes


def _parameters(where: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
    changes: list[Change] = []
    before = {p["name"]: p for p in old}
    after = {p["name"]: p for p in new}
    for p in old:
        if p["name"] not in after:
            changes.append(Change(Kind.REMOVED, f"Parameter {code(p['name'])} of {where} removed.", Bump.MAJOR))
    for p in new:
        was = before.get(p["name"])
        if was is None:
            required = "required" if p["required"] else "optional"
            changes.append(Change(Kind.ADDED, f"{required.capitalize()} parameter "
                                              f"{code(p['name'] + ': ' + p['type'])} ({md(p['in'])}) of {where}.",
                                  Bump.MAJOR if p["required"] else Bump.MINOR))
            continue
        name = f"Parameter {code(p['name'])} of {where}"
        if was["type"] != p["type"]:
            changes.append(Change(Kind.CHANGED, f"{name} is {code(p['type'])} (was {code(was['type'])}).",
                                  Bump.MAJOR))
        if p["required"] and not was["required"]:
            changes.append(Change(Kind.CHANGED, f"{name} is now required.", Bump.MAJOR))
        elif was["required"] and not p["required"]:
            changes.append(Change(Kind.CHANGED, f"{name} is now optional.", Bump.MINOR))
        if was["in"] != p["in"] or was["wire"] != p["wire"]:
            changes.append(Change(Kind.CHANGED, f"{name} is sent as {code(p['wire'])} in {md(p['in'])} "
                                                f"(was {code(was['wire'])} in {md(was['in'])}).", Bump.PATCH))
        if p["deprecated"] and not was["deprecated"]:
            changes.append(Change(Kind.DEPRECATED, f"{name} is deprecated.", Bump.MINOR))
    # Required parameters may be passed by position: each must keep its place.
    positional = [p["name"] for p in old if p["required"]]
    now_first = [p["name"] for p in new][:len(positional)]
    untouched = all(n in after for n in positional) and not any(p["required"] and p["name"] not in before
                                                                 for p in new)
    if untouched and now_first != positional:
        changes.append(Change(Kind.CHANGED, f"Parameters of {where} take new positions: "
                                            f"{code(', '.join(now_first))} (was {code(', '.join(positional))}); "
                                            "positional calls break.", Bump.MAJOR))
    return changes


def _models(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    for name in old:
        if name not in new:
            changes.append(Change(Kind.REMOVED, f"Model {code(name)} removed.", Bump.MAJOR))
    for name in new:
        if name not in old:
            changes.append(Change(Kind.ADDED, f"Model {code(name)}.", Bump.MINOR))
    for name in sorted(set(old) & set(new)):
        if old[name] != new[name]:
            changes += _fields(name, old[name], new[name])
    return changes


def _fields(model: str, was_model: dict[str, Any], now_model: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    before = {f["name"]: f for f in was_model["fields"]}
    after = {f["name"]: f for f in now_model["fields"]}
    for f in was_model["fields"]:
        if f["name"] not in after:
            changes.append(Change(Kind.REMOVED, f"Field {code(f['name'])} of {code(model)} removed.", Bump.MAJOR))
    for f in now_model["fields"]:
        was = before.get(f["name"])
        if was is None:
            required = "required" if f["required"] else "optional"
            changes.append(Change(Kind.ADDED, f"{required.capitalize()} field {code(f['name'] + ': ' + f['type'])} "
                                              f"of {code(model)}.", Bump.MAJOR if f["required"] else Bump.MINOR))
            continue
        name = f"Field {code(f['name'])} of {code(model)}"
        if was["type"] != f["type"]:
            changes.append(Change(Kind.CHANGED, f"{name} is {code(f['type'])} (was {code(was['type'])}).",
                                  Bump.MAJOR))
        if f["required"] and not was["required"]:
            changes.append(Change(Kind.CHANGED, f"{name} is now required.", Bump.MAJOR))
        elif was["required"] and not f["required"]:
            changes.append(Change(Kind.CHANGED, f"{name} is now optional (it may be `None`).", Bump.MINOR))
        if f["nullable"] != was["nullable"]:
            changes.append(Change(Kind.CHANGED, f"{name} is {'now' if f['nullable'] else 'no longer'} nullable.",
                                  Bump.MINOR))
        if f["wire"] != was["wire"]:
            changes.append(Change(Kind.CHANGED, f"{name} maps the JSON key {code(f['wire'])} "
                                                f"(was {code(was['wire'])}).", Bump.PATCH))
        if f["deprecated"] and not was["deprecated"]:
            changes.append(Change(Kind.DEPRECATED, f"{name} is deprecated.", Bump.MINOR))
    if was_model["docs"] != now_model["docs"] or any(_docs_differ(before.get(f["name"]), f)
                                                     for f in now_model["fields"]):
        changes.append(Change(Kind.CHANGED, f"Model {code(model)}: documentation or examples changed.", Bump.PATCH))
    return changes


def _docs_differ(was: dict[str, Any] | None, now: dict[str, Any]) -> bool:
    """Whether a parameter's or field's description or example changed (and nothing bigger did)."""
    return was is not None and was["type"] == now["type"] and was.get("docs") != now.get("docs")


def _op(op: dict[str, Any]) -> str:
    return f"{code(op['api'] + '.' + op['method'])} ({code(op['http'] + ' ' + op['path'])})"


def _names(values: Iterable[str]) -> str:
    return ", ".join(code(v) for v in values)


def code(value: Any) -> str:
    """An inline code span that no text can break out of: one line, fenced by more backticks than it has."""
    text = one_line(str(value))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# --- changes -> Markdown -------------------------------------------------------------------------

def bump_of(changes: Iterable[Change]) -> Bump:
    return max((c.bump for c in changes), default=Bump.NONE)


_RELEASE = re.compile(r"^(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?(?:\.(0|[1-9][0-9]*))?$")


def next_version(version: str, bump: Bump) -> str | None:
    """The version after `version` for a bump (SemVer; a 0.x version moves its minor number for a
    breaking change and its patch number for anything else), or None if it is not a plain X.Y.Z."""
    match = _RELEASE.match(version)
    if match is None or bump is Bump.NONE:
        return None
    major, minor, patch = (int(part or 0) for part in match.groups())
    if major == 0:
        return f"0.{minor + 1}.0" if bump is Bump.MAJOR else f"0.{minor}.{patch + 1}"
    if bump is Bump.MAJOR:
        return f"{major + 1}.0.0"
    return f"{major}.{minor + 1}.0" if bump is Bump.MINOR else f"{major}.{minor}.{patch + 1}"


def bump_sentence(changes: list[Change], version: str | None) -> str:
    """One paragraph: the bump the changes imply and, from `version`, the next version."""
    bump = bump_of(changes)
    if bump is Bump.NONE:
        return "No changes to the generated API."
    breaking = sum(1 for c in changes if c.breaking)
    reason = {Bump.MAJOR: f"{breaking} breaking change{'s' if breaking != 1 else ''}, marked **Breaking**",
              Bump.MINOR: "additions or deprecations, nothing breaking",
              Bump.PATCH: "no addition, nothing breaking"}[bump]
    sentence = f"**{bump.label.capitalize()}** change: {reason}."
    following = next_version(version, bump) if version else None
    if version and following:
        sentence += f" Next version: {code(following)}"
        if version.startswith("0."):
            sentence += " (before 1.0, a breaking change moves the minor number and anything else the patch number)"
        sentence += "."
    return sentence


def markdown(changes: list[Change], level: int = 3) -> str:
    """The changes grouped under Keep a Changelog headings (`level` #s), breaking ones first and marked."""
    lines: list[str] = []
    for kind in Kind:
        group = [c for c in changes if c.kind is kind]
        if not group:
            continue
        lines += ["", f"{'#' * level} {kind.value}", ""]
        lines += [f"- {'**Breaking:** ' if c.breaking else ''}{c.text}" for c in group]
    return "\n".join(lines).lstrip("\n") + ("\n" if lines else "")


def report(old: Api, new: Api, old_name: str, new_name: str) -> str:
    """The `diff` command's output: a titled Markdown document."""
    changes = compare(surface(old), surface(new))
    version = str(old.package.version)
    head = [f"# API changes: {code(old_name)} -> {code(new_name)}", "",
            f"Package {code(new.package.distribution)} (import {code(new.package.name)}), "
            f"from version {code(version)}.", "", bump_sentence(changes, version)]
    body = markdown(changes, level=2)
    return "\n".join(head) + "\n" + ("\n" + body if body else "")
