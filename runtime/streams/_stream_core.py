"""Sans-I/O core of the market stream clients: stream names in, request frames and typed events out.

In: the package's StreamApi (server, the paths of raw and combined streams, the event models),
the streams a client follows, and each text frame the server sends. Out: the URL to connect to,
request frames `{"method", "params", "id"}` with integer ids, and for each received frame an
`Answer` (matched to its request by id; an error answer becomes the REST client's typed
exception) or `Data` (an event, unwrapped from a combined stream's `{"stream", "data"}`, parsed into
the package's model by its event type, or by its shape when it has no type field). No sockets:
both clients (asyncio and blocking) drive this; the connection itself is the WebSocket API's
(`_ws_transport`), and event parsing by type is its `EventParser`.
"""

from __future__ import annotations

import importlib
import itertools
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import typing_extensions
from pydantic import ValidationError

from ._ws_core import ERRORS, WS_METHOD, EventParser, Reply, parse_result
from .base_model import ApiModel
from .exceptions import ApiConnectionError, ApiException, ApiValueError
from .ws_operation import WsApi, WsOperation

logger = logging.getLogger(__package__)
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

T = TypeVar("T")
# What a stream delivers: one event, or the array an all-market stream (`!ticker@arr`) sends.
StreamEvent: typing_extensions.TypeAlias = ApiModel | list[ApiModel]

SUBSCRIBE: WsOperation[Any] = WsOperation("SUBSCRIBE")
UNSUBSCRIBE: WsOperation[Any] = WsOperation("UNSUBSCRIBE")
LIST_SUBSCRIPTIONS: WsOperation[list[str]] = WsOperation("LIST_SUBSCRIPTIONS", result=list[str])
# The status an error answer is given: the server refused the request (market streams answer
# without an HTTP-like status), so it raises BadRequestException with Binance's code and msg.
ERROR_STATUS = 400
# Binance accepts at most this many streams on one connection.
MAX_STREAMS = 1024


@dataclass(frozen=True, slots=True)
class StreamApi:
    """What a package's market streams share.

    url: the server (`wss://stream.binance.com:9443`), replaced by a configuration's.
    raw_path: the path a raw stream's name is appended to (`/ws/`); combined_path: the path the
    names of combined streams are appended to, joined by `/` (`/stream?streams=`); "" when the
    server offers no such connection. events: event type (the value of `event_key`) -> its model
    (a class, or the name of one in the package's `models`). shapes: (required fields, model) of
    the events that carry no type field (bookTicker, partial depth), told apart by their fields.
    """

    url: str = ""
    raw_path: str = "/ws/"
    combined_path: str = "/stream?streams="
    events: Mapping[str, Any] = field(default_factory=dict)
    shapes: tuple[tuple[Sequence[str], Any], ...] = ()
    event_key: str = "e"
    distribution: str = "openapi-client"
    version: str = "0"

    def as_ws_api(self) -> WsApi:
        return WsApi(self.url, self.events, self.event_key, self.distribution, self.version)


UNNAMED_STREAMS = StreamApi()


def stream_url(base: str, api: StreamApi, streams: Sequence[str], combined: bool) -> str:
    """The URL of a connection to `streams`: combined (`/stream?streams=a/b`) or raw (`/ws/a`, only
    the first; the client subscribes the others). No streams: the bare path (`/ws`, `/stream`),
    to SUBSCRIBE on."""
    path = api.combined_path if combined else api.raw_path
    if not path:
        kind = "combined" if combined else "raw"
        raise ApiValueError(f"this server offers no {kind} stream connection")
    root = base.rstrip("/")
    chosen = list(streams) if combined else list(streams[:1])
    if not chosen:
        return root + path.partition("?")[0].rstrip("/")
    return root + path + "/".join(chosen)


def checked_streams(streams: Sequence[str]) -> list[str]:
    """Stream names as given, each a non-empty string without `/`, `?`, `&`, `#` or whitespace."""
    names: list[str] = []
    for name in streams:
        if not isinstance(name, str) or not name or any(c in name for c in "/?&# \t\r\n"):
            raise ApiValueError(f"not a stream name: {name!r} (such as 'btcusdt@trade')")
        if name not in names:
            names.append(name)
    if len(names) > MAX_STREAMS:
        raise ApiValueError(f"at most {MAX_STREAMS} streams on one connection, got {len(names)}")
    return names


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def stream_name(pattern: str, values: Mapping[str, str | int]) -> str:
    """A stream's name from its pattern (`{symbol}@kline_{interval}`) and the placeholders' values:
    a symbol in lowercase, as Binance names streams (`BTCUSDT` -> `btcusdt@kline_1m`), the others
    as given (an interval's case is its meaning: `1m` is a minute, `1M` a month)."""

    def value(match: re.Match[str]) -> str:
        text = str(values[match[1]])
        return text.lower() if match[1].lower().endswith("symbol") else text

    return checked_streams([_PLACEHOLDER.sub(value, pattern)])[0]


class RequestIds:
    """Integer request ids, unique per client and across its reconnects."""

    __slots__ = ("_counter",)

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def next(self) -> int:
        return next(self._counter)


def request_frame(request_id: int, method: str, params: Sequence[Any] | None) -> str:
    frame: dict[str, Any] = {"method": method}
    if params is not None:
        frame["params"] = list(params)
    frame["id"] = request_id
    return _encode(frame)


@dataclass(slots=True)
class Answer:
    """The answer to a request: `{"result", "id"}`, or an error `{"error": {"code", "msg"}, "id"}`
    (Binance also sends `{"code", "msg", "id"}`)."""

    id: Any
    result: Any
    error: dict[str, Any] | None
    text: str


@dataclass(slots=True)
class Data:
    """An event: its payload, and the stream it came on (a combined stream says; a raw one not)."""

    stream: str | None
    payload: Any


def parse_frame(text: str) -> Answer | Data | None:
    """One received text frame -> Answer, Data, or None (not JSON)."""
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(message, dict):
        if "id" in message and ("result" in message or "error" in message or "code" in message):
            error = message.get("error")
            if error is None and "code" in message:
                error = {"code": message.get("code"), "msg": message.get("msg")}
            return Answer(
                message.get("id"),
                message.get("result"),
                error if isinstance(error, dict) else None,
                text,
            )
        if len(message) == 2 and isinstance(message.get("stream"), str) and "data" in message:
            return Data(message["stream"], message["data"])
        return Data(None, message)
    if isinstance(message, list):
        return Data(None, message)
    return None


def error_of(op: WsOperation[Any], answer: Answer) -> ApiException:
    """The typed exception of an error answer: BadRequestException with Binance's code and msg."""
    error = answer.error or {}
    body = json.dumps(error, separators=(",", ":")).encode("utf-8")
    return ApiException.from_response(
        ERROR_STATUS, f"{op.method} failed", body=body, data=error, errors=ERRORS
    )


def result_of(op: WsOperation[T], answer: Answer) -> T:
    """The parsed result of an answer; raises the exception of an error answer."""
    if answer.error is not None:
        raise error_of(op, answer)
    return parse_result(op, Reply(answer.id, 200, answer.result, None, None, answer.text))


def lost_request(op: WsOperation[Any], why: str) -> ApiConnectionError:
    """The error of a request sent on a connection that dropped before its answer came."""
    return ApiConnectionError(f"{op.method}: {why}", method=WS_METHOD, path=op.method)


_UNKNOWN = object()


class StreamEvents:
    """Event payloads -> the package's models. Never raises: a payload of an unknown type, or one
    that fits no model, becomes a plain ApiModel that keeps every field."""

    __slots__ = ("_api", "_by_type", "_shapes")

    def __init__(self, api: StreamApi) -> None:
        self._api = api
        self._by_type = EventParser(api.as_ws_api())
        self._shapes: list[tuple[frozenset[str], Any]] | None = None

    def parse(self, payload: Any) -> StreamEvent:
        if isinstance(payload, list):
            return [self._one(item) for item in payload]
        return self._one(payload)

    def _one(self, payload: Any) -> ApiModel:
        if isinstance(payload, dict) and self._api.event_key not in payload:
            for required, model in self._shape_models():
                if required <= payload.keys():
                    try:
                        parsed: ApiModel = model.model_validate(payload)
                        return parsed
                    except ValidationError:
                        continue
            return ApiModel.model_validate(payload)
        return self._by_type.parse(payload)

    def _shape_models(self) -> list[tuple[frozenset[str], Any]]:
        """The shapes, most required fields first, their models resolved on first use."""
        if self._shapes is None:
            shapes: list[tuple[frozenset[str], Any]] = []
            for required, model in self._api.shapes:
                if isinstance(model, str):
                    try:
                        model = getattr(importlib.import_module(".models", __package__), model)
                    except (ImportError, AttributeError):
                        logger.warning("no model %s in the package", model)
                        continue
                if isinstance(model, type) and issubclass(model, ApiModel):
                    shapes.append((frozenset(required), model))
            shapes.sort(key=lambda shape: -len(shape[0]))
            self._shapes = shapes
        return self._shapes


__all__ = [
    "LIST_SUBSCRIPTIONS",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "Answer",
    "Data",
    "RequestIds",
    "StreamApi",
    "StreamEvent",
    "StreamEvents",
    "checked_streams",
    "error_of",
    "lost_request",
    "parse_frame",
    "request_frame",
    "result_of",
    "stream_name",
    "stream_url",
]
