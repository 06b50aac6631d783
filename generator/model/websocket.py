"""AsyncAPI 3.0 document -> model.WebSocketApi: the methods and events of a WebSocket API.

What is read is the request/reply shape Binance's WebSocket API uses (and JSON-RPC-like APIs
resemble): a `send` operation whose request payload is `{"id", "method", "params"}`, `method` a
constant naming the method, and a reply whose payload carries `result`; `receive` operations list
the events the server pushes, each told apart by a constant field (`e`). Anything else in the
document (a send without a reply, a request without a constant method, a receive-only channel of
market streams) is left out with a located warning.

Types and models come from the same Schemas as OpenAPI's (model/schemas.py), sharing the package's
one namespace of class and module names, so a package that carries a REST and a WebSocket API has
one `models` package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..diagnostics import GenerationError, child_pointer, error, parts_from_pointer
from ..profiles import Profile
from .api import Parameter, SpecText, WebSocketApi, WsEvent, WsMethod
from .naming import Namer, class_name, constant, pascal, snake
from .schemas import ANY, Schemas, text

# The client's own attributes (runtime/websocket/async_ws_client.py and ws_client.py): a method of
# the API may not take one of these names.
CLIENT_ATTRIBUTES = frozenset({
    "api", "configuration", "url", "connected", "logged_on", "rate_limits", "clock_offset_ms", "connect",
    "request", "call", "logon", "logout", "sync_clock", "subscribe_user_data", "close", "user_data_stream",
})
# Methods the client runs itself: logging on (and again after each reconnect) and the user data
# stream's subscriptions (restored after each reconnect). The first two get generated methods that
# go through the client's own; the subscription methods are what user_data_stream() sends.
LOGON, LOGOUT = "session.logon", "session.logout"
USER_DATA_METHODS = ("userDataStream.subscribe", "userDataStream.subscribe.signature",
                     "userDataStream.unsubscribe")
# Binance's security types (x-binance-security-type): how the runtime authenticates each, and
# whether a request of the type may have acted when its answer is lost.
_SECURITY_TYPES = {
    "TRADE": ("signed", True), "USER_DATA": ("signed", False), "USER_STREAM": ("user_stream", False),
    "MARKET_DATA": ("none", False), "NONE": ("none", False), "SIGNED": ("signed", False),
}
_HIDDEN = {"signed": ("apiKey", "signature", "timestamp"), "user_stream": ("apiKey",), "none": ()}

def is_asyncapi(document: dict[str, Any]) -> bool:
    return "asyncapi" in document


def build(document: dict[str, Any], schemas: Schemas, profile: Profile, source: str,
          parameter: Callable[..., Parameter]) -> WebSocketApi:
    """The WebSocket API of an AsyncAPI document; `schemas` reads this document (its models go to the
    package's namespace). `parameter` makes a Parameter as build.py makes one for OpenAPI."""
    info = mapping(document.get("info"))
    client = schemas.class_names.claim("WebSocketApiClient")  # before the models: the package exports both
    async_client = schemas.class_names.claim("Async" + client)
    reader = _Reader(document, schemas, profile, parameter)
    methods, events = reader.operations()
    if not methods:
        refused = error(
            "no request/reply method to generate: the generated WebSocket client speaks APIs whose send "
            "operations carry {id, method, params} and whose replies carry {id, status, result | error} "
            "(Binance's WebSocket API), or market streams' SUBSCRIBE answered {result, id}; the warnings with "
            "this error say why each operation was left out", *schemas.locate("#/operations"))
        raise GenerationError([refused, *schemas.diagnostics])
    names = {str(m.method) for m in methods}
    user_data = tuple(SpecText(m) for m in USER_DATA_METHODS if m in names or m in reader.managed)
    event_key = reader.event_key
    return WebSocketApi(
        title=SpecText(str(info.get("title") or "WebSocket API")),
        description=text(info.get("description")),
        source=source,
        url=SpecText(server_url(document, schemas)),
        class_name=client,
        async_class_name=async_client,
        module="websocket_api",
        methods=tuple(methods),
        events=tuple(events),
        event_key=SpecText(event_key),
        user_data=user_data,
    )


def server_url(document: dict[str, Any], schemas: Schemas) -> str:
    """The first server's URL (ws:// or wss://); "" with a warning when there is none to use."""
    servers = document.get("servers")
    for name, server in (servers.items() if isinstance(servers, dict) else ()):
        if not isinstance(server, dict):
            continue
        protocol = str(server.get("protocol", "")).lower()
        host = str(server.get("host", ""))
        pathname = str(server.get("pathname", "") or "")
        if protocol in ("ws", "wss") and host and all(c.isprintable() and not c.isspace() for c in host + pathname):
            return f"{protocol}://{host}{pathname if pathname.startswith('/') or not pathname else '/' + pathname}"
        schemas.warn(f"server {name!r} is not a ws:// or wss:// server: not used", child_pointer("#/servers", name))
    schemas.warn("no ws:// or wss:// server: a client must be given WsConfiguration(url=...)", "#")
    return ""


class _Reader:
    def __init__(self, document: dict[str, Any], schemas: Schemas, profile: Profile,
                 parameter: Callable[..., Parameter]) -> None:
        self.document = document
        self.schemas = schemas
        self.profile = profile
        self.parameter = parameter
        self.method_names = Namer(CLIENT_ATTRIBUTES)
        self.constants = Namer()
        self.event_key = "e"
        self.managed: set[str] = set()  # userDataStream.* methods the client sends itself

    def operations(self) -> tuple[list[WsMethod], list[WsEvent]]:
        operations = self.document.get("operations")
        operations = operations if isinstance(operations, dict) else {}
        methods: list[WsMethod] = []
        received: list[tuple[str, Any]] = []
        seen: dict[str, str] = {}
        for op_id, op in operations.items():
            pointer = child_pointer("#/operations", op_id)
            if not isinstance(op, dict):
                continue
            if op.get("action") == "receive":
                received.extend(self._messages(op.get("messages"), f"{pointer}/messages"))
                continue
            method = self._method(str(op_id), op, pointer)
            if method is None:
                continue
            if str(method.method) in seen:
                self.schemas.warn(f"method {method.method!r} is sent by operation {seen[str(method.method)]!r} "
                                  "too: this one is left out", pointer)
                continue
            seen[str(method.method)] = str(op_id)
            methods.append(method)
        return methods, self._events(received)

    # -- methods -------------------------------------------------------------------------------
    def _method(self, op_id: str, op: dict[str, Any], pointer: str) -> WsMethod | None:
        warn = self.schemas.warn
        requests = self._messages(op.get("messages"), f"{pointer}/messages")
        if not requests:
            warn(f"operation {op_id!r} sends no message: left out", pointer)
            return None
        reply = op.get("reply")
        replies = self._messages(reply.get("messages"), f"{pointer}/reply/messages") \
            if isinstance(reply, dict) else []
        if not replies:
            warn(f"operation {op_id!r} has no reply: only request/reply methods are generated, this one is "
                 "left out", pointer)
            return None
        reply_payload, reply_pointer = self._payload(*replies[0])
        if "status" not in mapping(reply_payload.get("properties")):
            warn(f"operation {op_id!r}: its reply declares no `status`, so it is not an answer in the "
                 "WebSocket API's shape ({id, status, result | error}) the generated client speaks: left out",
                 reply_pointer)
            return None
        payload, payload_pointer = self._payload(*requests[0])
        properties = mapping(payload.get("properties"))
        method_schema, _ = self.schemas.resolve(properties.get("method"), f"{payload_pointer}/properties/method")
        wire = constant_of(method_schema)
        if wire is None:
            warn(f"operation {op_id!r}: its request payload has no constant `method` (a `const` string): "
                 "left out", payload_pointer)
            return None
        if wire in USER_DATA_METHODS:  # sent by the client's user_data_stream(): no method of its own
            self.managed.add(wire)
            return None
        security, executes = self._security(op, pointer, properties, payload_pointer)
        params_pointer = f"{payload_pointer}/properties/params"
        params_schema, params_pointer = self.schemas.resolve(properties.get("params"), params_pointer)
        parameters, hidden = self._parameters(mapping(params_schema), params_pointer, security, wire)
        result_schema, result_pointer = self._result(*replies[0])
        stem = pascal(wire.replace(".", " "))
        result = self.schemas.type_of(result_schema, result_pointer, stem + "Result") \
            if result_schema is not None else ANY
        example = self.schemas.example_for(result_schema, result_pointer) if result_schema is not None else {}
        python_name = self.method_names.claim(snake(wire.replace(".", "_")))
        return WsMethod(
            method=SpecText(wire),
            operation_id=SpecText(op_id),
            python_name=python_name,
            constant="_" + self.constants.claim(constant(python_name)),
            summary=text(op.get("title") or op.get("summary")),
            description=text(op.get("description")),
            deprecated=bool(op.get("deprecated")),
            parameters=parameters,
            hidden_parameters=hidden,
            security=security,
            security_names=self._security_names(op),
            executes=executes,
            result=result,
            result_example=example,
            runtime_call={LOGON: "logon", LOGOUT: "logout"}.get(wire, "request"),
        )

    def _messages(self, messages: Any, pointer: str) -> list[tuple[Any, str]]:
        """The message objects a list of (references to) messages names, with their pointers."""
        found = []
        for index, message in enumerate(messages if isinstance(messages, list) else ()):
            resolved, target = self.schemas.resolve(message, f"{pointer}/{index}")
            if isinstance(resolved, dict):
                found.append((resolved, target))
        return found

    def _payload(self, message: dict[str, Any], pointer: str) -> tuple[dict[str, Any], str]:
        payload, target = self.schemas.resolve(message.get("payload"), f"{pointer}/payload")
        return (payload if isinstance(payload, dict) else {}), target

    def _result(self, message: dict[str, Any], pointer: str) -> tuple[Any, str]:
        payload, target = self._payload(message, pointer)
        result = mapping(payload.get("properties")).get("result")
        return result, f"{target}/properties/result"

    def _security(self, op: dict[str, Any], pointer: str, properties: dict[str, Any],
                  payload_pointer: str) -> tuple[str, bool]:
        """(none | user_stream | signed, executes): from Binance's security type where the document
        gives it; else from the request's params (a `signature` is signed, an `apiKey` alone is the
        key only)."""
        declared = op.get("x-binance-security-type")
        if isinstance(declared, str) and declared in _SECURITY_TYPES:
            return _SECURITY_TYPES[declared]
        if declared is not None:
            self.schemas.warn(f"unknown x-binance-security-type {declared!r}: security read from the params",
                              f"{pointer}/x-binance-security-type")
        params, _ = self.schemas.resolve(properties.get("params"), f"{payload_pointer}/properties/params")
        names = set(mapping(mapping(params).get("properties")))
        if "signature" in names:
            return "signed", True  # nothing says it only reads: a lost answer is treated as "may have acted"
        return ("user_stream" if "apiKey" in names else "none"), False

    def _security_names(self, op: dict[str, Any]) -> tuple[SpecText, ...]:
        names = []
        security = op.get("security")
        for requirement in security if isinstance(security, list) else ():
            ref = requirement.get("$ref") if isinstance(requirement, dict) else None
            if isinstance(ref, str) and parts_from_pointer(ref):
                names.append(SpecText(parts_from_pointer(ref)[-1]))
        return tuple(names)

    def _parameters(self, params: dict[str, Any], pointer: str, security: str,
                    wire: str) -> tuple[tuple[Parameter, ...], tuple[SpecText, ...]]:
        properties = mapping(params.get("properties"))
        listed = params.get("required")
        required = listed if isinstance(listed, list) else []
        hidden_names = _HIDDEN[security]
        names = Namer({"self", "timeout"})
        made: list[Parameter] = []
        hidden: list[SpecText] = []
        for name, schema in properties.items():
            if name in hidden_names:
                hidden.append(SpecText(name))
                continue
            prop_pointer = child_pointer(f"{pointer}/properties", name)
            type_ref = self.schemas.type_of(schema, prop_pointer, pascal(wire.replace(".", " ")) + class_name(name))
            param = self.parameter(self.schemas, name, "params", name in required, type_ref,
                                   mapping(schema), schema, prop_pointer, usual=self.profile.usual_sample(name),
                                   schema_pointer=prop_pointer)
            made.append(_renamed(param, names.claim(param.python_name)))
        made.sort(key=lambda p: not p.required)  # stable: the document's order within each group
        return tuple(made), tuple(hidden)

    # -- events --------------------------------------------------------------------------------
    def _events(self, received: list[tuple[Any, str]]) -> list[WsEvent]:
        """One event per message of the receive operations (the error message excepted), typed by
        the constant field most of them share (`e`)."""
        bodies: list[tuple[dict[str, Any], str, str]] = []
        keys: dict[str, int] = {}
        done: set[str] = set()
        for message, pointer in received:
            if pointer in done or message.get("x-error") is True:
                continue
            done.add(pointer)
            payload, payload_pointer = self._payload(message, pointer)
            properties = mapping(payload.get("properties"))
            if "event" in properties:  # Binance: {"subscriptionId", "event": {...}}
                body, body_pointer = self.schemas.resolve(properties["event"], f"{payload_pointer}/properties/event")
            else:
                body, body_pointer = payload, payload_pointer
            if not isinstance(body, dict):
                continue
            name = parts_from_pointer(pointer)[-1] if parts_from_pointer(pointer) else "Event"
            bodies.append((body, body_pointer, name))
            for key, schema in mapping(body.get("properties")).items():
                if isinstance(constant_of(self.schemas.resolve(schema, body_pointer)[0]), str):
                    keys[key] = keys.get(key, 0) + 1
        if keys:
            self.event_key = max(sorted(keys), key=lambda k: keys[k])
        events: list[WsEvent] = []
        seen: set[str] = set()
        for body, pointer, name in bodies:
            prop = mapping(body.get("properties")).get(self.event_key)
            kind = constant_of(self.schemas.resolve(prop, pointer)[0]) if prop is not None else None
            if kind is None:
                self.schemas.warn(f"event {name!r} has no constant {self.event_key!r} field: it arrives as a "
                                  "plain ApiModel", pointer)
                continue
            if kind in seen:
                self.schemas.warn(f"a second event of type {kind!r}: this one is left out", pointer)
                continue
            seen.add(kind)
            type_ref = self.schemas.type_of(body, pointer, pascal(kind))
            if not type_ref.models:
                continue
            example = self.schemas.example_for(body, pointer)
            example = {**(example if isinstance(example, dict) else {}), self.event_key: kind}
            events.append(WsEvent(SpecText(kind), type_ref.models[0], text(body.get("description")), example))
        return events


def constant_of(schema: Any) -> str | None:
    """The one string value a schema allows (`const`, or an enum of one), or None."""
    if not isinstance(schema, dict):
        return None
    value = schema.get("const")
    enum = schema.get("enum")
    if value is None and isinstance(enum, list) and len(enum) == 1:
        value = enum[0]
    return value if isinstance(value, str) and value else None


def _renamed(param: Parameter, python_name: str) -> Parameter:
    return param if param.python_name == python_name else replace(param, python_name=python_name)


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
