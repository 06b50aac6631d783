"""Every WebSocket API method and event, through the client, against a loopback WebSocket server
that speaks the API's protocol and checks each request's signature with the test's own keys."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

import binance.spot as package
from binance.spot.base_model import ApiModel
from binance.spot.exceptions import ApiException

from .ws_loopback import WsLoopback

API_KEY = "test-api-key"
SECRET_KEY = "test-secret-key"
# Signing parameters the client fills in: never part of a method's own parameters.
FILLED_IN = ("apiKey", "timestamp", "signature")
EVENT_KEY = "e"  # the field that names an event's type


@dataclass(frozen=True)
class MethodCase:
    name: str  # the client method
    wire: str  # the WebSocket method
    security: str  # none | user_stream | signed
    args: dict[str, Any]
    params: dict[str, Any]  # what goes in `params` for args, without what the client fills in
    required: list[str]  # the arguments a call cannot leave out
    required_params: list[str]  # their wire names
    result: Any  # the loopback's answer


CASES = [
    MethodCase(
        "session_logon",
        "session.logon",
        "signed",
        {"recv_window": 5000},
        {"recvWindow": 5000},
        [],
        [],
        {
            "apiKey": "example",
            "authorizedSince": 1499827319559,
            "connectedSince": 1499827319559,
            "returnRateLimits": True,
            "serverTime": 1499827319559,
            "userDataStream": True,
        },
    ),
    MethodCase(
        "session_status",
        "session.status",
        "none",
        {},
        {},
        [],
        [],
        {
            "apiKey": "example",
            "authorizedSince": 1499827319559,
            "connectedSince": 1499827319559,
            "returnRateLimits": True,
            "serverTime": 1499827319559,
            "userDataStream": True,
        },
    ),
    MethodCase(
        "session_logout",
        "session.logout",
        "none",
        {},
        {},
        [],
        [],
        {
            "apiKey": "example",
            "authorizedSince": 1499827319559,
            "connectedSince": 1499827319559,
            "returnRateLimits": True,
            "serverTime": 1499827319559,
            "userDataStream": True,
        },
    ),
]
# Methods the client sends itself (session.logon, session.logout) are tested on their own.
REQUESTS = [case for case in CASES if case.wire not in ("session.logon", "session.logout")]
EVENTS: list[tuple[str, dict[str, Any]]] = [
    (
        "OutboundAccountPosition",
        {
            "e": "outboundAccountPosition",
            "E": 1499827319559,
            "u": 1499827319559,
            "B": [{"a": "ETH", "f": "10000.000000", "l": "0.000000"}],
        },
    ),
    (
        "BalanceUpdate",
        {
            "e": "balanceUpdate",
            "E": 1499827319559,
            "a": "BTC",
            "d": "100.00000000",
            "T": 1499827319559,
        },
    ),
    (
        "ExecutionReport",
        {
            "e": "executionReport",
            "E": 1499827319559,
            "s": "ETHBTC",
            "c": "example",
            "S": "BUY",
            "o": "LIMIT",
            "f": "GTC",
            "q": "1.00000000",
            "p": "0.10264410",
            "P": "example",
            "F": "example",
            "g": 1499827319559,
            "C": "example",
            "x": "NEW",
            "X": "NEW",
            "r": "NONE",
            "i": 1499827319559,
            "l": "example",
            "z": "example",
            "L": "example",
            "n": "example",
            "N": "example",
            "T": 1499827319559,
            "t": 1499827319559,
            "w": True,
            "m": True,
            "O": 1499827319559,
            "Z": "example",
            "Y": "example",
            "Q": "example",
            "W": 1499827319559,
            "V": "example",
        },
    ),
    (
        "ListStatus",
        {
            "e": "listStatus",
            "E": 1499827319559,
            "s": "ETHBTC",
            "g": 1499827319559,
            "c": "OCO",
            "l": "EXEC_STARTED",
            "L": "EXECUTING",
            "r": "NONE",
            "C": "example",
            "T": 1499827319559,
            "O": [{"s": "example", "i": 1499827319559, "c": "example"}],
        },
    ),
    (
        "ExternalLockUpdate",
        {
            "e": "externalLockUpdate",
            "E": 1499827319559,
            "a": "NEO",
            "d": "10.00000000",
            "T": 1499827319559,
        },
    ),
    ("EventStreamTerminated", {"e": "eventStreamTerminated", "E": 1499827319559}),
]


def plain(value: Any) -> Any:
    """A parsed result as JSON-like data (models by wire name, unset fields left out)."""
    if isinstance(value, ApiModel):
        return value.to_dict()
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None}
    return value


def own(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k not in FILLED_IN}


@pytest.fixture
def server() -> Iterator[WsLoopback]:
    with WsLoopback(api_key=API_KEY, secret_key=SECRET_KEY) as running:
        yield running


def configuration(server: WsLoopback, **settings: Any) -> package.WsConfiguration:
    auth = settings.pop("auth", None) or package.BinanceAuth(api_key=API_KEY, secret_key=SECRET_KEY)
    return package.WsConfiguration(url=server.url, auth=auth, logon=False, **settings)


@pytest.fixture
def client(server: WsLoopback) -> Iterator[package.WebSocketApiClient]:
    with package.WebSocketApiClient(configuration(server)) as ws:
        yield ws


def sent(server: WsLoopback, wire: str) -> dict[str, Any]:
    found = [r for r in server.requests if r.get("method") == wire]
    assert len(found) == 1, f"{wire}: {len(found)} requests"
    return found[0]


@pytest.mark.parametrize("case", REQUESTS, ids=lambda case: case.name)
def test_request_and_result_on_the_wire(
    case: MethodCase, server: WsLoopback, client: package.WebSocketApiClient
) -> None:
    server.answer(case.wire, case.result)
    result = getattr(client, case.name)(**case.args)

    request = sent(server, case.wire)
    params = request.get("params", {})
    assert own(params) == case.params
    if case.security == "signed":
        assert params["apiKey"] == API_KEY and isinstance(params["timestamp"], int)
        assert server.signed_ok(request)
    elif case.security == "user_stream":
        assert params["apiKey"] == API_KEY and "signature" not in params
    else:
        assert not set(FILLED_IN) & set(params)
    assert plain(result) == plain(case.result)


@pytest.mark.parametrize("case", REQUESTS, ids=lambda case: case.name)
def test_unset_optional_parameters_are_not_sent(
    case: MethodCase, server: WsLoopback, client: package.WebSocketApiClient
) -> None:
    server.answer(case.wire, case.result)
    getattr(client, case.name)(**{name: case.args[name] for name in case.required})
    params = own(sent(server, case.wire).get("params", {}))
    assert set(params) == set(case.required_params)


@pytest.mark.parametrize("case", REQUESTS, ids=lambda case: case.name)
def test_error_answers_raise_the_typed_exception(
    case: MethodCase, server: WsLoopback, client: package.WebSocketApiClient
) -> None:
    server.refuse(case.wire, 400, -1100, "Illegal characters found in a parameter.")
    with pytest.raises(package.BadRequestException) as raised:
        getattr(client, case.name)(**case.args)
    error = raised.value
    assert isinstance(error, ApiException)
    assert (error.status, error.code, error.msg) == (
        400,
        -1100,
        "Illegal characters found in a parameter.",
    )


def test_many_requests_in_flight_on_one_connection(server: WsLoopback) -> None:
    case = REQUESTS[0]
    server.answer(case.wire, case.result)

    async def main() -> list[Any]:
        async with package.AsyncWebSocketApiClient(configuration(server)) as ws:
            method = getattr(ws, case.name)
            return list(await asyncio.gather(*(method(**case.args) for _ in range(20))))

    results = asyncio.run(main())
    assert [plain(r) for r in results] == [plain(case.result)] * 20
    assert server.connections == 1


def test_user_data_events_arrive_in_order_as_their_models(server: WsLoopback) -> None:
    with package.WebSocketApiClient(configuration(server)) as ws, ws.user_data_stream() as events:
        sent_events = [body for _, body in EVENTS] + [{EVENT_KEY: "neverHeardOf", "x": 1}]
        for body in sent_events:
            assert server.push(body) == 1
        received = [events.get(timeout=5) for _ in sent_events]
    for (model, body), event in zip(EVENTS, received[:-1], strict=True):
        assert type(event).__name__ == model
        assert isinstance(event, getattr(package, model))
        assert plain(event)[EVENT_KEY] == body[EVENT_KEY]
    unknown = received[-1]
    assert type(unknown) is ApiModel and plain(unknown)["x"] == 1
    assert "userDataStream.unsubscribe" in [r.get("method") for r in server.requests]


def test_user_data_stream_helper_sync_and_async(server: WsLoopback) -> None:
    model, body = EVENTS[0]
    with package.UserDataStream(configuration(server)) as events:
        assert server.push(body) == 1
        assert type(events.get(timeout=5)).__name__ == model
        assert events.subscription_id is not None

    async def main() -> str:
        async with package.AsyncUserDataStream(configuration(server)) as events:
            await server.push_async(body)
            return type(await events.get(timeout=5)).__name__

    assert asyncio.run(main()) == model
    methods = [r.get("method") for r in server.requests]
    assert methods.count("userDataStream.unsubscribe") == 2


def test_the_stream_survives_a_dropped_connection(server: WsLoopback) -> None:
    body = EVENTS[0][1]
    with (
        package.WebSocketApiClient(configuration(server, backoff_base=0.05)) as ws,
        ws.user_data_stream() as events,
    ):
        server.drop_all()
        server.wait_for(lambda: server.connections == 2 and server.push(body) == 1)
        event = events.get(timeout=5)
    assert type(event).__name__ == EVENTS[0][0]


def test_session_logon_with_an_ed25519_key(server: WsLoopback, tmp_path: Path) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    pem = tmp_path / "ed25519.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    with WsLoopback(api_key=API_KEY, secret_key=None, ed25519_public_key=public) as ed_server:
        auth = package.BinanceAuth(api_key=API_KEY, private_key_path=str(pem))
        with package.WebSocketApiClient(configuration(ed_server, auth=auth)) as ws:
            ws.session_logon()
            assert ws.logged_on
        logon = sent(ed_server, "session.logon")
        assert ed_server.signed_ok(logon)
