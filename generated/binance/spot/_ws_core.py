"""Sans-I/O core of the WebSocket API clients: request frames in, typed outcomes and events out.

In: an operation (WsOperation), its parameters, the session's state (credentials, clock offset,
logged on or not); later, each text frame the server sends. Out: the request frame (JSON text,
signed when the method needs it) with its id; for each received frame, a `Reply` (matched to its
pending request by id, turned into a WsResponse or the typed exception REST would raise) or an
`Event` (a user-data event, parsed into the package's model for its type). No sockets, no event
loop: both clients (asyncio and blocking) drive this, and tests can exercise it frame by frame.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import itertools
import json
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError

from ._serialize import number_text, to_json
from ._types import parse_hint
from .base_model import ApiModel
from .credentials import ApiKeyAuth
from .exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    ApiTypeError,
    ApiValueError,
    ErrorFields,
    ExecutionStatusUnknownError,
    IPBannedException,
    OpenApiException,
    ResponseValidationError,
    ServiceException,
)
from .ws_operation import WsApi, WsOperation, WsResponse

# The WebSocket API's error answers, `{"code": -1021, "msg": "..."}` (Binance's shape, which its
# WebSocket API defines for every package that speaks it, whatever the REST profile): the code an
# integer; CLOCK_ERROR, a request stamped outside the server's window.
ERRORS = ErrorFields("code", "msg", integer_code=True)
CLOCK_ERROR = -1021

logger = logging.getLogger(__package__)
# Compact, UTF-8 as it is; made once (json.dumps with options builds an encoder per call).
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

T = TypeVar("T")
W = TypeVar("W")

# The parameters a client fills in itself on SIGNED methods: a caller's value is never sent.
SIGNING_PARAMS = frozenset({"apiKey", "signature"})
# How exceptions name a WebSocket request: ExecutionStatusUnknownError says "WS order.place".
WS_METHOD = "WS"
LOGON: WsOperation[Any] = WsOperation("session.logon", security="signed", executes=False)
LOGOUT: WsOperation[Any] = WsOperation("session.logout", executes=False)
SERVER_TIME: WsOperation[Any] = WsOperation("time")
USER_DATA_SUBSCRIBE: WsOperation[Any] = WsOperation("userDataStream.subscribe", executes=False)
USER_DATA_SUBSCRIBE_SIGNED: WsOperation[Any] = WsOperation(
    "userDataStream.subscribe.signature", security="signed", executes=False
)
USER_DATA_UNSUBSCRIBE: WsOperation[Any] = WsOperation("userDataStream.unsubscribe")
# Binance's WebSocket API says a server is about to restart with this event: move elsewhere early.
SERVER_SHUTDOWN = "serverShutdown"


class RequestIds:
    """Request ids unique per client and across reconnects: a random prefix and a counter.

    Binance echoes the id back; ids are strings of at most 36 characters. A counter makes each
    id cheap (no uuid4 per call); the random prefix keeps two clients (or two processes sharing
    a log) apart.
    """

    __slots__ = ("_counter", "_prefix")

    def __init__(self) -> None:
        self._prefix = secrets.token_hex(6)
        self._counter = itertools.count(1)

    def next(self) -> str:
        return f"{self._prefix}-{next(self._counter)}"


class Session:
    """What one client knows across its connections: credentials, clock offset, bans, limits."""

    __slots__ = (
        "auth",
        "banned_until",
        "clock_offset_ms",
        "ids",
        "last_rate_limits",
        "recv_window",
    )

    def __init__(self, auth: ApiKeyAuth | None, recv_window: int | None) -> None:
        self.auth = auth
        self.recv_window = recv_window
        self.clock_offset_ms = 0  # server clock minus local clock
        self.banned_until = 0.0  # a time.monotonic() value; 0: not banned
        self.last_rate_limits: Any = ()  # the last answer's `rateLimits`, as received
        self.ids = RequestIds()

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.clock_offset_ms

    def check_ban(self) -> None:
        """Refuse, before any traffic, while an IP ban (418) lasts: as the REST client does."""
        if self.banned_until:
            remaining = self.banned_until - time.monotonic()
            if remaining > 0:
                raise IPBannedException.refused(remaining)
            self.banned_until = 0.0

    def build(
        self,
        op: WsOperation[Any],
        params: Mapping[str, Any] | None,
        *,
        logged_on: bool = False,
        sign_always: bool = False,
    ) -> tuple[str, str]:
        """(id, frame text) for one request. Raises ApiValueError/ApiTypeError before any traffic.

        SIGNED methods get `recvWindow` (the configuration's unless passed), `timestamp` (the
        caller's, else the server's time as the session knows it) and, unless the connection is
        `logged_on` (session.logon) and not `sign_always`, `apiKey` and the `signature` of every
        other parameter. USER_STREAM methods get `apiKey`, unless `logged_on`.
        """
        request_id = self.ids.next()
        wire = wire_params(params) if params else {}
        security = op.security
        if security == "signed":
            self._sign(op, wire, sign_always or not logged_on)
        elif security == "user_stream" and not logged_on:
            wire["apiKey"] = self._api_key(op)
        frame: dict[str, Any] = {"id": request_id, "method": op.method}
        if wire:
            frame["params"] = wire
        return request_id, _encode(frame)

    def _sign(self, op: WsOperation[Any], wire: dict[str, Any], with_signature: bool) -> None:
        for name in SIGNING_PARAMS:
            wire.pop(name, None)
        if self.recv_window is not None and "recvWindow" not in wire:
            wire["recvWindow"] = self.recv_window
        if "timestamp" not in wire:
            wire["timestamp"] = self.now_ms()
        if not with_signature:
            return
        auth = self.auth
        if auth is None or not auth.can_sign:
            raise ApiValueError(
                f"{op.method} is a SIGNED method: configure BinanceAuth(api_key=..., "
                "secret_key=...) or an API key and a private key, or log the session on "
                "with an Ed25519 key"
            )
        wire["apiKey"] = self._api_key(op)
        wire["signature"] = auth.sign(signature_payload(wire))

    def _api_key(self, op: WsOperation[Any]) -> str:
        key = self.auth.api_key if self.auth is not None else None
        if not key:
            raise ApiValueError(f"{op.method} needs an API key: configure auth=BinanceAuth(...)")
        return key


def wire_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as JSON values: None dropped; decimals and floats as plain-notation strings
    (Binance wants DECIMAL parameters as JSON strings, never 1e-05); enums by value; models
    by wire name; ints and bools as JSON numbers and booleans."""
    return {name: _wire_value(value) for name, value in params.items() if value is not None}


def _wire_value(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return value
    if kind is float or kind is Decimal:
        return number_text(value)
    if isinstance(value, Enum):
        return _wire_value(value.value)
    if isinstance(value, ApiModel):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_wire_value(item) for item in value if item is not None]
    if isinstance(value, Mapping):
        return wire_params(value)
    if isinstance(value, (str, int)):
        return value
    raise ApiTypeError(f"cannot send a value of type {kind.__name__} as a parameter")


def signature_payload(wire: Mapping[str, Any]) -> str:
    """What a WebSocket request's signature covers: every parameter but `signature`, sorted by
    name, as `name=value` joined by `&` (Binance's WebSocket API rule). Values as text: strings
    as they are, booleans true/false, lists and objects as compact JSON."""
    return "&".join(
        f"{name}={_payload_text(wire[name])}" for name in sorted(wire) if name != "signature"
    )


def _payload_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    return to_json(value)


def key_is_ed25519(auth: ApiKeyAuth | None) -> bool:
    """Whether `auth` signs with an Ed25519 key (the only kind session.logon accepts).

    BinanceAuth does not say which kind of key it holds; an Ed25519 signature is always 64 bytes
    (base64, 88 characters), an HMAC one is 64 hex digits and an RSA one is at least 128 bytes
    for the key sizes Binance accepts, so one signature of a probe tells them apart. A
    `key_type` attribute, when BinanceAuth grows one, is trusted instead.
    """
    if auth is None or not auth.can_sign:
        return False
    declared = getattr(auth, "key_type", None)
    if isinstance(declared, str):
        return declared.lower() == "ed25519"
    signature = auth.sign(b"key-type-probe")
    if len(signature) != 88:
        return False
    try:
        return len(base64.b64decode(signature, validate=True)) == 64
    except (binascii.Error, ValueError):
        return False


@dataclass(slots=True)
class Reply:
    """An answer to a request: its id, status, and result or error, as received."""

    id: Any
    status: int
    result: Any
    error: Any
    rate_limits: Any  # the `rateLimits` list as received (parse_rate_limits reads it)
    text: str


@dataclass(slots=True)
class Event:
    """A message that answers no request: a user-data event `{"subscriptionId", "event"}`."""

    subscription_id: int | None
    payload: Any


def parse_frame(text: str | bytes) -> Reply | Event | None:
    """One received text frame -> Reply, Event, or None (not JSON, or of no known shape)."""
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(message, dict):
        return None
    if "status" in message and ("result" in message or "error" in message or "id" in message):
        status = message.get("status")
        if isinstance(status, bool) or not isinstance(status, int):
            return None
        return Reply(
            message.get("id"),
            status,
            message.get("result"),
            message.get("error"),
            message.get("rateLimits"),
            text if isinstance(text, str) else text.decode("utf-8", "replace"),
        )
    if "event" in message:
        subscription = message.get("subscriptionId")
        return Event(subscription if isinstance(subscription, int) else None, message.get("event"))
    return None


def outcome(session: Session, op: WsOperation[T], reply: Reply) -> WsResponse[T]:
    """The WsResponse of a successful reply; raises the exception of an error reply.

    Errors are the REST client's: ApiException.from_response by status (400 -> BadRequest,
    429 -> RateLimitException, 418 -> IPBannedException, ...), carrying Binance's `code` and
    `msg`; a 5xx for a method that may have executed is ExecutionStatusUnknownError. A 418 also
    locks the session out until the ban ends.
    """
    session.last_rate_limits = reply.rate_limits
    if reply.status >= 400:
        raise error_of(session, op, reply)
    return WsResponse(str(reply.id), reply.status, parse_result(op, reply), reply.rate_limits)


def outcome_result(session: Session, op: WsOperation[T], reply: Reply) -> T:
    """`outcome(...).result`, without the WsResponse: what `request()` returns."""
    session.last_rate_limits = reply.rate_limits
    if reply.status >= 400:
        raise error_of(session, op, reply)
    return parse_result(op, reply)


def error_of(session: Session, op: WsOperation[Any], reply: Reply) -> ApiException:
    error = reply.error if isinstance(reply.error, dict) else {}
    body = json.dumps(error, separators=(",", ":")).encode("utf-8")
    reason = f"{op.method} failed"
    exc = ApiException.from_response(reply.status, reason, body=body, data=error, errors=ERRORS)
    retry_after = _retry_after(error.get("data"))
    if retry_after is not None:
        exc.retry_after = retry_after
    if reply.status == 418:
        ban = exc.retry_after if exc.retry_after is not None else 120.0
        session.banned_until = time.monotonic() + ban
        logger.warning(
            "%s: HTTP 418, the IP is banned; this client refuses every call for %.0f s",
            op.method,
            ban,
        )
    if isinstance(exc, ServiceException) and op.may_execute:
        return ExecutionStatusUnknownError(
            exc.status,
            reason,
            body=body,
            data=error,
            method=WS_METHOD,
            path=op.method,
            errors=ERRORS,
        )
    return exc


def _retry_after(data: Any) -> float | None:
    """Seconds until a 429/418 ends: Binance's `error.data.retryAfter` is a time in ms, best
    compared with the `serverTime` beside it (the local clock may be off)."""
    if not isinstance(data, dict):
        return None
    until = data.get("retryAfter")
    if isinstance(until, bool) or not isinstance(until, int):
        return None
    now = data.get("serverTime")
    if isinstance(now, bool) or not isinstance(now, int):
        now = int(time.time() * 1000)
    return max(0.0, (until - now) / 1000)


def is_clock_error(reply: Reply) -> bool:
    """-1021: the timestamp was outside recvWindow; Binance refused the request unexecuted."""
    return (
        reply.status == 400
        and isinstance(reply.error, dict)
        and reply.error.get("code") == CLOCK_ERROR
    )


def parse_result(op: WsOperation[T], reply: Reply) -> T:
    hint = op.result
    if hint is None:
        return reply.result  # type: ignore[no-any-return]
    adapter = op._adapter
    if adapter is None:
        # Generated descriptors name their result as the REST operations name a response type
        # (`list[Order]`): the models module is imported only when a result is first parsed.
        adapter = TypeAdapter(parse_hint(hint) if isinstance(hint, str) else hint)
        object.__setattr__(op, "_adapter", adapter)  # a private cache on a frozen descriptor
    try:
        return adapter.validate_python(reply.result)  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise ResponseValidationError(
            f"{op.method}: the result does not match {getattr(hint, '__name__', hint)}: "
            f"{exc.error_count()} error(s)",
            status=reply.status,
            body=reply.text.encode("utf-8"),
        ) from exc


def subscription_id(reply_result: Any) -> int:
    """The subscriptionId of a userDataStream.subscribe(.signature) result."""
    value = reply_result.get("subscriptionId") if isinstance(reply_result, dict) else None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ResponseValidationError(
            "userDataStream.subscribe: the result has no integer subscriptionId", status=200
        )
    return value


_UNKNOWN = object()


class EventParser:
    """User-data event payloads -> the package's models, picked by the event type.

    Never raises: an unknown type, or a body that does not fit its model, becomes a plain
    ApiModel that keeps every field (the second case is logged: the package's model is out of
    date). Model names are resolved in the package's `models` on first use.
    """

    __slots__ = ("_api", "_models")

    def __init__(self, api: WsApi) -> None:
        self._api = api
        self._models: dict[str, Any] = {}

    def parse(self, payload: Any) -> ApiModel:
        if not isinstance(payload, dict):
            return ApiModel.model_validate({"value": payload})
        kind = payload.get(self._api.event_key)
        model = self._model(kind) if isinstance(kind, str) else None
        if model is not None:
            try:
                parsed: ApiModel = model.model_validate(payload)
                return parsed
            except ValidationError as exc:
                logger.warning(
                    "event %s does not fit %s (%d error(s)); delivered as a plain ApiModel",
                    kind,
                    model.__name__,
                    exc.error_count(),
                )
        return ApiModel.model_validate(payload)

    def _model(self, kind: str) -> Any:
        model = self._models.get(kind, _UNKNOWN)
        if model is _UNKNOWN:
            model = self._api.events.get(kind)
            if isinstance(model, str):
                try:
                    models = importlib.import_module(".models", __package__)
                    model = getattr(models, model)
                except (ImportError, AttributeError):
                    logger.warning("event %s: no model %s in the package", kind, model)
                    model = None
            if model is not None and not (isinstance(model, type) and issubclass(model, ApiModel)):
                model = None
            self._models[kind] = model
        return model


class Pending(Generic[W]):
    """Requests sent and not yet answered: id -> (operation, the transport's waiter)."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[str, tuple[WsOperation[Any], W]] = {}

    def add(self, request_id: str, op: WsOperation[Any], waiter: W) -> None:
        self._entries[request_id] = (op, waiter)

    def pop(self, request_id: Any) -> tuple[WsOperation[Any], W] | None:
        return self._entries.pop(request_id, None) if isinstance(request_id, str) else None

    def drain(self) -> list[tuple[WsOperation[Any], W]]:
        entries = list(self._entries.values())
        self._entries.clear()
        return entries

    def __len__(self) -> int:
        return len(self._entries)


def lost(op: WsOperation[Any], why: str, *, timeout: bool = False) -> OpenApiException:
    """The error for a request that was sent and whose answer will never come (drop, timeout).

    A method that may have executed (an order placed) gets ExecutionStatusUnknownError: look it
    up before sending it again. Any other gets ApiConnectionError (request_sent=True).
    """
    error = ApiTimeoutError if timeout else ApiConnectionError
    cause = error(f"{op.method}: {why}", method=WS_METHOD, path=op.method)
    if op.may_execute:
        unknown = ExecutionStatusUnknownError(0, why, method=WS_METHOD, path=op.method)
        unknown.__cause__ = cause
        return unknown
    return cause


def not_sent(op: WsOperation[Any], why: str) -> ApiConnectionError:
    """The error for a request that never left: always safe to send again."""
    return ApiConnectionError(
        f"{op.method}: {why}; the request was not sent",
        method=WS_METHOD,
        path=op.method,
        request_sent=False,
    )
