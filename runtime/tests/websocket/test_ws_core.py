"""The sans-I/O core, frame by frame: ids, parameters on the wire, the signature payload, replies
and their errors, events, settings. No server, no event loop."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from decimal import Decimal
from enum import Enum
from types import ModuleType
from typing import Any

import pytest

from .conftest import HMAC_KEY, SECRET_KEY


@pytest.fixture
def core(ws: ModuleType) -> ModuleType:
    return ws._ws_core


def test_request_ids_unique_short_and_per_client(core: ModuleType) -> None:
    first, second = core.RequestIds(), core.RequestIds()
    ids = {first.next() for _ in range(1000)} | {second.next() for _ in range(1000)}
    assert len(ids) == 2000 and max(len(i) for i in ids) <= 36


class Side(Enum):
    BUY = "BUY"


def test_wire_params(ws: ModuleType, core: ModuleType) -> None:
    model = ws.models.TickerPrice(symbol="A", price="1")
    wire = core.wire_params(
        {
            "price": Decimal("0.00001"),
            "qty": 1e-07,
            "side": Side.BUY,
            "n": 3,
            "flag": True,
            "none": None,
            "symbols": ["A", "B"],
            "model": model,
        }
    )
    assert wire == {
        "price": "0.00001",
        "qty": "0.0000001",
        "side": "BUY",
        "n": 3,
        "flag": True,
        "symbols": ["A", "B"],
        "model": {"symbol": "A", "price": "1"},
    }
    with pytest.raises(ws.exceptions.ApiTypeError):
        core.wire_params({"x": object()})


def test_signature_payload_is_sorted_name_value_pairs(core: ModuleType) -> None:
    wire = {
        "symbol": "BTCUSDT",
        "apiKey": "k",
        "timestamp": 1,
        "signature": "x",
        "flag": False,
        "symbols": ["A", "B"],
    }
    assert core.signature_payload(wire) == (
        'apiKey=k&flag=false&symbol=BTCUSDT&symbols=["A","B"]&timestamp=1'
    )


def test_signed_frame(ws: ModuleType, core: ModuleType) -> None:
    auth = ws.auth.BinanceAuth(api_key=HMAC_KEY, secret_key=SECRET_KEY)
    session = core.Session(auth, 5000)
    op = ws.ws_operation.WsOperation("order.place", security="signed")
    request_id, text = session.build(op, {"symbol": "BTCUSDT", "timestamp": 1499827319559})
    frame = json.loads(text)
    assert frame["id"] == request_id and frame["method"] == "order.place"
    params = frame["params"]
    payload = f"apiKey={HMAC_KEY}&recvWindow=5000&symbol=BTCUSDT&timestamp=1499827319559"
    expected = hmac.new(SECRET_KEY.encode(), payload.encode(), hashlib.sha256).hexdigest()
    assert params["signature"] == expected
    _, text = session.build(
        op, {"symbol": "BTCUSDT", "apiKey": "x", "signature": "y"}, logged_on=True
    )
    assert set(json.loads(text)["params"]) == {"symbol", "recvWindow", "timestamp"}


def test_user_stream_frame_carries_the_key_only(ws: ModuleType, core: ModuleType) -> None:
    session = core.Session(ws.auth.BinanceAuth(api_key=HMAC_KEY), None)
    op = ws.ws_operation.WsOperation("userDataStream.start", security="user_stream")
    assert json.loads(session.build(op, None)[1])["params"] == {"apiKey": HMAC_KEY}
    with pytest.raises(ws.exceptions.ApiValueError, match="API key"):
        core.Session(None, None).build(op, None)


def test_key_types(ws: ModuleType, core: ModuleType, ed_pem: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    rsa_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    auth = ws.auth.BinanceAuth
    assert core.key_is_ed25519(auth(api_key="k", private_key_pem=ed_pem))
    assert not core.key_is_ed25519(auth(api_key="k", private_key_pem=rsa_pem))
    assert not core.key_is_ed25519(auth(api_key="k", secret_key=SECRET_KEY))
    assert not core.key_is_ed25519(auth(api_key="k")) and not core.key_is_ed25519(None)
    signature = auth(api_key="k", private_key_pem=ed_pem).sign(b"x")
    assert len(base64.b64decode(signature)) == 64


def test_parse_frame_shapes(core: ModuleType) -> None:
    reply = core.parse_frame(
        '{"id":"a","status":200,"result":{"x":1},"rateLimits":[{"rateLimitType":'
        '"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,'
        '"count":3},{"bad":1}]}'
    )
    assert (reply.id, reply.status, reply.result) == ("a", 200, {"x": 1})
    # Kept as received; parsed (malformed entries skipped) only when someone reads them.
    response = core.WsResponse("a", 200, {"x": 1}, reply.rate_limits)
    assert [limit.key for limit in response.rate_limit_usage] == ["x-mbx-used-weight-1m"]
    event = core.parse_frame('{"subscriptionId":3,"event":{"e":"x"}}')
    assert (event.subscription_id, event.payload) == (3, {"e": "x"})
    assert core.parse_frame('{"event":{"e":"x"}}').subscription_id is None
    for junk in ("not json", "[1]", '{"status":"200","id":"a"}', '{"hello":1}'):
        assert core.parse_frame(junk) is None


def reply(core: ModuleType, status: int, error: Any = None, result: Any = None) -> Any:
    return core.Reply("a", status, result, error, (), json.dumps({"error": error}))


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (400, "BadRequestException"),
        (401, "UnauthorizedException"),
        (403, "ForbiddenException"),
        (404, "NotFoundException"),
        (409, "ConflictException"),
        (429, "RateLimitException"),
        (418, "IPBannedException"),
        (500, "ServiceException"),
        (422, "ApiException"),
    ],
)
def test_error_classes_by_status(ws: ModuleType, core: ModuleType, status: int, name: str) -> None:
    session = core.Session(None, None)
    op = ws.ws_operation.WsOperation("ticker.price")
    with pytest.raises(getattr(ws.exceptions, name)) as raised:
        core.outcome(session, op, reply(core, status, {"code": -1, "msg": "m"}))
    assert type(raised.value).__name__ == name
    assert (raised.value.status, raised.value.code, raised.value.msg) == (status, -1, "m")


def test_5xx_of_an_order_is_execution_status_unknown(ws: ModuleType, core: ModuleType) -> None:
    op = ws.ws_operation.WsOperation("order.place", security="signed")
    with pytest.raises(ws.exceptions.ExecutionStatusUnknownError) as raised:
        core.outcome(core.Session(None, None), op, reply(core, 503, {"code": -1001, "msg": "m"}))
    assert raised.value.code == -1001 and "WS order.place" in str(raised.value)


def test_result_validation(ws: ModuleType, core: ModuleType) -> None:
    op = ws.ws_operation.WsOperation("ticker.price", result=list[ws.models.TickerPrice])
    session = core.Session(None, None)
    good = core.outcome(session, op, reply(core, 200, result=[{"symbol": "A", "price": "1"}]))
    assert good.result[0].symbol == "A"
    with pytest.raises(ws.exceptions.ResponseValidationError):
        core.outcome(session, op, reply(core, 200, result=[{"symbol": "A"}]))


def test_event_parser_never_raises(ws: ModuleType, core: ModuleType) -> None:
    parser = core.EventParser(ws._ws_metadata.WS_API)
    assert (
        parser.parse({"e": "executionReport", "E": 1, "s": "A", "i": 2, "X": "NEW"}).order_id == 2
    )
    assert type(parser.parse({"e": "executionReport"})) is ws.base_model.ApiModel
    assert parser.parse("text").to_dict() == {"value": "text"}
    missing = core.EventParser(ws.ws_operation.WsApi(events={"x": "NoSuchModel", "y": int}))
    assert type(missing.parse({"e": "x"})) is ws.base_model.ApiModel
    assert type(missing.parse({"e": "y"})) is ws.base_model.ApiModel


def test_settings_are_checked(ws: ModuleType) -> None:
    config = ws.ws_operation.WsConfiguration
    exc = ws.exceptions
    for bad in (
        {"request_timeout": 0},
        {"request_timeout": float("inf")},
        {"recv_window": 60_001},
        {"library": "tornado"},
        {"max_connection_age": 90_000.0},
    ):
        with pytest.raises(exc.ApiValueError):
            config("wss://x", **bad)
    with pytest.raises(exc.ApiValueError):
        config("https://x")
    with pytest.raises(exc.ApiTypeError):
        config("wss://x", auth="key")
    shown = repr(config("wss://x", ws.auth.BinanceAuth("k", "s"), proxy="http://u:p@h"))
    assert "u:p" not in shown and "'s'" not in shown
    with pytest.raises(exc.ApiValueError):
        ws.ws_operation.WsOperation("x", security="admin")
    assert ws.ws_operation.WsOperation("x", security="signed").may_execute
    assert not ws.ws_operation.WsOperation("x", security="signed", executes=False).may_execute
