"""AsyncAPI 3.0 document -> model.MarketStreams: subscription-only streams (Binance's market data).

What is read is the shape of Binance's market streams: `send` operations whose request payload is
`{"method", "params", "id"}` with `method` a constant (`SUBSCRIBE`, `UNSUBSCRIBE`,
`LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, ...) and whose replies carry `result` and `id` but no
`status` (that is the WebSocket API's shape, model/websocket.py); channels whose addresses give the
raw (`/ws/{streamName}`) and combined (`/stream?streams={streams}`) connections; `receive`
operations listing the events, each told apart by a constant field (`e`), or, with none (bookTicker,
partial depth), by its required fields. A combined stream's wrapper `{"stream", "data"}` is not an
event: the runtime unwraps it. Anything else is left out with a located warning.
"""

from __future__ import annotations

import re
from typing import Any

from ..diagnostics import child_pointer, parts_from_pointer
from .api import MarketStreams, SpecText, StreamEventType, StreamMethod, StreamName
from .naming import Namer, constant, pascal, snake
from .schemas import ANY, Schemas, text
from .websocket import constant_of, mapping, server_url

# The methods the runtime's client sends itself (AsyncStreamClient.subscribe, ...).
RUNTIME_METHODS = ("SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS")
# The client's own attributes (runtime/streams/async_stream_client.py and stream_client.py).
CLIENT_ATTRIBUTES = frozenset({
    "api", "configuration", "url", "combined", "connected", "streams", "resubscriptions", "last_stream",
    "connect", "subscribe", "unsubscribe", "list_subscriptions", "request", "get", "close",
})
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
# Stream names the examples use when the document gives none.
_FALLBACK_STREAMS = ("btcusdt@trade", "ethusdt@trade")


def is_stream_document(document: dict[str, Any], schemas: Schemas) -> bool:
    """Whether the document's send operations are market streams' control requests: one sends a
    constant `SUBSCRIBE` method, and no reply declares a `status`."""
    subscribes = False
    for op_id, op in mapping(document.get("operations")).items():
        if not isinstance(op, dict) or op.get("action") != "send":
            continue
        pointer = child_pointer("#/operations", op_id)
        reply = mapping(op.get("reply"))
        for message, message_pointer in _messages(schemas, reply.get("messages"), f"{pointer}/reply/messages"):
            if "status" in mapping(_payload(schemas, message, message_pointer)[0].get("properties")):
                return False
        for message, message_pointer in _messages(schemas, op.get("messages"), f"{pointer}/messages"):
            payload, payload_pointer = _payload(schemas, message, message_pointer)
            method = mapping(payload.get("properties")).get("method")
            if constant_of(schemas.resolve(method, f"{payload_pointer}/properties/method")[0]) == "SUBSCRIBE":
                subscribes = True
    return subscribes


def build(document: dict[str, Any], schemas: Schemas, source: str) -> MarketStreams:
    """The market streams of an AsyncAPI document; `schemas` reads this document."""
    info = mapping(document.get("info"))
    client = schemas.class_names.claim("MarketStreamClient")  # before the models: the package exports both
    async_client = schemas.class_names.claim("Async" + client)
    raw_path, combined_path, channel_examples = _paths(document, schemas)
    names = Namer(CLIENT_ATTRIBUTES)  # the clients' methods: requests and stream-name helpers
    methods = _methods(document, schemas, names)
    events, event_key, stream_examples, stream_names = _events(document, schemas, names)
    examples = [name for name in (*stream_examples, *channel_examples) if _stream_name(name)]
    examples = list(dict.fromkeys(examples))[:2] or list(_FALLBACK_STREAMS)
    if len(examples) < 2:
        examples.append(_FALLBACK_STREAMS[1] if examples[0] != _FALLBACK_STREAMS[1] else _FALLBACK_STREAMS[0])
    return MarketStreams(
        title=SpecText(str(info.get("title") or "Market streams")),
        description=text(info.get("description")),
        source=source,
        url=SpecText(server_url(document, schemas)),
        raw_path=SpecText(raw_path),
        combined_path=SpecText(combined_path),
        class_name=client,
        async_class_name=async_client,
        module="market_streams",
        methods=tuple(methods),
        events=tuple(events),
        event_key=SpecText(event_key),
        example_streams=tuple(SpecText(name) for name in examples),
        names=tuple(stream_names),
    )


def _stream_name(name: str) -> bool:
    return bool(name) and name.isprintable() and not any(c in name for c in "/?&#'\"\\ ")


def _paths(document: dict[str, Any], schemas: Schemas) -> tuple[str, str, list[str]]:
    """(raw path, combined path, stream names the channels' parameters give as examples): the part
    of each channel address before its placeholder (`/ws/`, `/stream?streams=`)."""
    raw = combined = ""
    examples: list[str] = []
    for name, channel in mapping(document.get("channels")).items():
        address = channel.get("address") if isinstance(channel, dict) else None
        if not isinstance(address, str) or "{" not in address:
            continue
        pointer = child_pointer("#/channels", name)
        prefix = address[:address.index("{")]
        if not (prefix.startswith("/") and prefix.isprintable() and " " not in prefix and "#" not in prefix):
            schemas.warn(f"channel {name!r}: its address does not start with a path: not used", f"{pointer}/address")
            continue
        if "?" in prefix:
            combined = combined or prefix
        else:
            raw = raw or prefix
        for parameter in mapping(channel.get("parameters")).values():
            listed = mapping(parameter).get("examples")
            examples.extend(e for e in (listed if isinstance(listed, list) else ()) if isinstance(e, str))
    if not raw and not combined:
        schemas.warn("no channel address names a stream (`/ws/{streamName}`): connections go to /ws/ and "
                     "/stream?streams=", "#/channels")
        raw, combined = "/ws/", "/stream?streams="
    return raw, combined, examples


def _methods(document: dict[str, Any], schemas: Schemas, names: Namer) -> list[StreamMethod]:
    """The control requests besides the runtime's own, once each (both channels list them)."""
    constants = Namer()
    made: list[StreamMethod] = []
    seen = set(RUNTIME_METHODS)
    for op_id, op in mapping(document.get("operations")).items():
        if not isinstance(op, dict) or op.get("action") != "send":
            continue
        pointer = child_pointer("#/operations", op_id)
        requests = _messages(schemas, op.get("messages"), f"{pointer}/messages")
        if not requests:
            schemas.warn(f"operation {op_id!r} sends no message: left out", pointer)
            continue
        payload, payload_pointer = _payload(schemas, *requests[0])
        properties = mapping(payload.get("properties"))
        wire = constant_of(schemas.resolve(properties.get("method"), f"{payload_pointer}/properties/method")[0])
        if wire is None:
            schemas.warn(f"operation {op_id!r}: its request has no constant `method`: left out", payload_pointer)
            continue
        if wire in seen:
            continue
        seen.add(wire)
        params, params_pointer = schemas.resolve(properties.get("params"), f"{payload_pointer}/properties/params")
        params = mapping(params)
        items, items_pointer = schemas.resolve(params.get("items"), f"{params_pointer}/items")
        stem = pascal(wire.lower().replace("_", " "))
        item = schemas.type_of(items, items_pointer, stem + "Param") if items is not None else ANY
        low, high = params.get("minItems"), params.get("maxItems")
        low = low if isinstance(low, int) and not isinstance(low, bool) and low >= 0 else 0
        high = high if isinstance(high, int) and not isinstance(high, bool) and high >= low else None
        example = schemas.example_for(items, items_pointer) if items is not None else "value"
        reply = mapping(op.get("reply"))
        replies = _messages(schemas, reply.get("messages"), f"{pointer}/reply/messages")
        result, result_pointer = (None, pointer)
        if replies:
            reply_payload, reply_pointer = _payload(schemas, *replies[0])
            result, result_pointer = mapping(reply_payload.get("properties")).get("result"), \
                f"{reply_pointer}/properties/result"
        result_type = schemas.type_of(result, result_pointer, stem + "Result") if result is not None else ANY
        python_name = names.claim(snake(wire.lower()))
        made.append(StreamMethod(
            method=SpecText(wire),
            python_name=python_name,
            constant="_" + constants.claim(constant(python_name)),
            summary=text(op.get("summary") or op.get("title")),
            item=item,
            takes_params="params" in properties,
            counts=(low, high),
            result=result_type,
            example_params=tuple([example] * max(low, 1 if "params" in properties else 0)),
            result_example=schemas.example_for(result, result_pointer) if result is not None else None,
        ))
    return made


def _events(document: dict[str, Any], schemas: Schemas, names: Namer
            ) -> tuple[list[StreamEventType], str, list[str], list[StreamName]]:
    """(events, the event key, stream names the messages give as examples, stream-name helpers)."""
    bodies: list[tuple[dict[str, Any], str, str]] = []
    sources: list[tuple[str, dict[str, Any], str, str]] = []  # (pattern, message, its pointer, body pointer)
    keys: dict[str, int] = {}
    streams_of: dict[str, list[str]] = {}  # body pointer -> the stream patterns that send it
    in_arrays: set[str] = set()  # body pointers some stream sends in an array
    examples: list[str] = []
    for op_id, op in mapping(document.get("operations")).items():
        if not isinstance(op, dict) or op.get("action") != "receive":
            continue
        pointer = child_pointer("#/operations", op_id)
        for message, message_pointer in _messages(schemas, op.get("messages"), f"{pointer}/messages"):
            if message.get("x-error") is True:
                continue
            payload, payload_pointer = _payload(schemas, message, message_pointer)
            if {"stream", "data"} <= set(mapping(payload.get("properties"))):
                continue  # a combined stream's wrapper: unwrapped by the runtime
            array = payload.get("type") == "array" or "items" in payload
            body, body_pointer = schemas.resolve(payload.get("items"), f"{payload_pointer}/items") if array \
                else (payload, payload_pointer)
            if not isinstance(body, dict):
                continue
            patterns = message.get("x-stream-pattern")
            patterns = [p for p in (patterns if isinstance(patterns, list) else ()) if isinstance(p, str)]
            if array:
                in_arrays.add(body_pointer)
            sources.extend((pattern, message, message_pointer, body_pointer) for pattern in patterns)
            if body_pointer in streams_of:  # an array of events met before (`!ticker@arr`): its streams join them
                streams_of[body_pointer].extend(patterns)
                continue
            streams_of[body_pointer] = patterns
            listed = message.get("x-stream-example")
            examples.extend(e for e in (listed if isinstance(listed, list) else ()) if isinstance(e, str))
            name = parts_from_pointer(message_pointer)[-1] if parts_from_pointer(message_pointer) else "Event"
            bodies.append((body, body_pointer, name))
            for key, schema in mapping(body.get("properties")).items():
                if _kinds(schemas.resolve(schema, body_pointer)[0]):
                    keys[key] = keys.get(key, 0) + 1
    event_key = max(sorted(keys), key=lambda k: keys[k]) if keys else "e"
    events: list[StreamEventType] = []
    class_of: dict[str, str] = {}  # body pointer -> its model
    seen_kinds: set[str] = set()
    seen_shapes: set[tuple[str, ...]] = set()
    for body, pointer, name in bodies:
        prop = mapping(body.get("properties")).get(event_key)
        kinds = _kinds(schemas.resolve(prop, pointer)[0]) if prop is not None else ()
        required = tuple(sorted(r for r in body.get("required", ()) if isinstance(r, str))) \
            if isinstance(body.get("required"), list) else ()
        if not kinds:
            if not required or required in seen_shapes:
                schemas.warn(f"event {name!r} has no constant {event_key!r} field and no required fields of its "
                             "own: it arrives as a plain ApiModel", pointer)
                continue
            schemas.warn(f"event {name!r} has no constant {event_key!r} field: it is told apart by its required "
                         f"fields ({', '.join(required)})", pointer)
            seen_shapes.add(required)
        elif any(kind in seen_kinds for kind in kinds):
            schemas.warn(f"a second event of type {kinds[0]!r}: this one is left out", pointer)
            continue
        seen_kinds.update(kinds)
        type_ref = schemas.type_of(body, pointer, pascal(name))
        if not type_ref.models:
            continue
        example = schemas.example_for(body, pointer)
        example = dict(example) if isinstance(example, dict) else {}
        if kinds:
            example[event_key] = kinds[0]
        class_of[pointer] = type_ref.models[0]
        events.append(StreamEventType(
            class_name=type_ref.models[0],
            kinds=tuple(SpecText(kind) for kind in kinds),
            required=tuple(SpecText(r) for r in required),
            streams=tuple(SpecText(p) for p in dict.fromkeys(streams_of[pointer])),
            example=example,
            array=pointer in in_arrays,
        ))
    return events, event_key, examples, _names(sources, class_of, schemas, names)


def _names(sources: list[tuple[str, dict[str, Any], str, str]], class_of: dict[str, str], schemas: Schemas,
           names: Namer) -> list[StreamName]:
    """One helper per stream pattern of an event (Binance's `x-stream-pattern`): named after the
    pattern, its placeholders in it (`{symbol}@kline_{interval}` -> `kline_interval_stream`), its
    arguments the placeholders, typed by the message's `x-stream-params` (str unless an integer)."""
    made: list[StreamName] = []
    for pattern, message, pointer, body_pointer in sources:
        placeholders = list(dict.fromkeys(_PLACEHOLDER.findall(pattern)))
        event = class_of.get(body_pointer)
        if event is None or not _stream_name(_PLACEHOLDER.sub("x", pattern)) or "{" in _PLACEHOLDER.sub("", pattern):
            continue
        words = [w for w in snake(_PLACEHOLDER.sub(r"_\1_", pattern)).split("_") if w]
        words = words[1:] if words[:1] == ["symbol"] else words
        python_name = names.claim(snake("_".join([*words, "stream"])))
        given = mapping(message.get("x-stream-params"))
        arguments: list[tuple[str, SpecText, str]] = []
        example_args: list[Any] = []
        values: dict[str, str] = {}
        argument_names = Namer()
        for placeholder in placeholders:
            schema, schema_pointer = schemas.resolve(given.get(placeholder), child_pointer(
                f"{pointer}/x-stream-params", placeholder))
            integer = isinstance(schema, dict) and schema.get("type") == "integer"
            example = schemas.example_for(schema, schema_pointer) if isinstance(schema, dict) else None
            if integer:
                example = example if isinstance(example, int) and not isinstance(example, bool) else 1
            elif not (isinstance(example, str) and _stream_name(example)):
                example = "x"
            arguments.append((argument_names.claim(snake(placeholder)), SpecText(placeholder),
                              "int" if integer else "str"))
            example_args.append(example)
            values[placeholder] = str(example)
        made.append(StreamName(
            python_name=python_name,
            pattern=SpecText(pattern),
            arguments=tuple(arguments),
            event=event,
            example_args=tuple(example_args),
            example_name=SpecText(_filled(pattern, values)),
        ))
    return made


def _filled(pattern: str, values: dict[str, str]) -> str:
    """The name the runtime's stream_name writes: symbols in lowercase, the rest as given."""
    return _PLACEHOLDER.sub(lambda match: values[match[1]].lower() if match[1].lower().endswith("symbol")
                            else values[match[1]], pattern)


def _kinds(schema: Any) -> tuple[str, ...]:
    """The string values a type field allows: its `const`, or its enum's strings."""
    single = constant_of(schema)
    if single is not None:
        return (single,)
    enum = schema.get("enum") if isinstance(schema, dict) else None
    if isinstance(enum, list) and enum and all(isinstance(v, str) and v for v in enum):
        return tuple(enum)
    return ()


def _messages(schemas: Schemas, messages: Any, pointer: str) -> list[tuple[dict[str, Any], str]]:
    found = []
    for index, message in enumerate(messages if isinstance(messages, list) else ()):
        resolved, target = schemas.resolve(message, f"{pointer}/{index}")
        if isinstance(resolved, dict):
            found.append((resolved, target))
    return found


def _payload(schemas: Schemas, message: dict[str, Any], pointer: str) -> tuple[dict[str, Any], str]:
    payload, target = schemas.resolve(message.get("payload"), f"{pointer}/payload")
    return (payload if isinstance(payload, dict) else {}), target
