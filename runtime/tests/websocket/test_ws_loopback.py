"""templates/tests/ws_loopback.py, the WebSocket API server every generated package's tests use:
the protocol as Binance speaks it (signatures, logon, user data stream), its scripting table
(answer, refuse, silence, drop_on, delay), its actions on connections (push, drop_all, ping_all)
and a clean stop. Driven by the runtime's own clients (WsClient, AsyncWsClient in asyncio.run)
and, where a client would refuse to send something wrong, by a raw aiohttp connection.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import hashlib
import hmac
import json
import logging
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import aiohttp
import pytest

TEMPLATES_TESTS = Path(__file__).resolve().parents[3] / "templates" / "tests"
if str(TEMPLATES_TESTS) not in sys.path:
    sys.path.insert(0, str(TEMPLATES_TESTS))  # the file generated packages ship as tests/

from ws_loopback import WsLoopback, make_ed25519_key, signature_payload  # noqa: E402

API_KEY = "test-api-key"
SECRET_KEY = "test-secret-key"
ED_PEM, ED_PUBLIC = make_ed25519_key()
REPORT = {"e": "executionReport", "E": 1, "s": "BTCUSDT", "i": 7, "X": "NEW"}


@pytest.fixture
def loopback() -> Iterator[WsLoopback]:
    with WsLoopback(ed25519_public_key=ED_PUBLIC) as server:
        yield server


@pytest.fixture(autouse=True)
def quiet_server(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """The server's libraries report nothing: no handler error, no task left pending."""
    yield
    noisy = [
        r
        for r in caplog.records
        if r.name.startswith(("aiohttp", "asyncio")) and r.levelno >= logging.WARNING
    ]
    assert not noisy, [r.getMessage() for r in noisy]


@pytest.fixture
def ops(ws: ModuleType) -> Any:
    op = ws.ws_operation.WsOperation

    class Ops:
        account = op("account.status", security="signed", executes=False)
        place = op("order.place", security="signed", executes=True)
        ticker = op("ticker.price")
        time = op("time")
        status = op("session.status")

    return Ops


def hmac_auth(ws: ModuleType) -> Any:
    return ws.auth.BinanceAuth(api_key=API_KEY, secret_key=SECRET_KEY)


def ed_auth(ws: ModuleType) -> Any:
    return ws.auth.BinanceAuth(api_key=API_KEY, private_key_pem=ED_PEM)


def client(ws: ModuleType, server: WsLoopback, auth: Any = None, **settings: Any) -> Any:
    """A blocking WsClient of `server`, with short timeouts and backoffs."""
    defaults: dict[str, Any] = {
        "request_timeout": 2.0,
        "connect_timeout": 2.0,
        "backoff_base": 0.05,
        "backoff_max": 0.2,
    }
    defaults.update(settings)
    config = ws.ws_operation.WsConfiguration(server.url, auth, **defaults)
    return ws.ws_client.WsClient(config, api=ws._ws_metadata.WS_API)


def exchange(url: str, *frames: dict[str, Any], arrival: bool = False) -> list[dict[str, Any]]:
    """Send `frames` on a raw connection; the answers in the order of the frames (of their
    arrival with `arrival`)."""

    async def run() -> list[dict[str, Any]]:
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as conn:
            for frame in frames:
                await conn.send_str(json.dumps(frame))
            answers: dict[Any, dict[str, Any]] = {}
            while len(answers) < len(frames):
                answer = json.loads(await conn.receive_str(timeout=2.0))
                answers[answer["id"]] = answer
            if arrival:
                return list(answers.values())
            return [answers[frame["id"]] for frame in frames]

    return asyncio.run(run())


def hmac_signed(params: dict[str, Any], secret: str = SECRET_KEY) -> dict[str, Any]:
    payload = signature_payload(params).encode()
    signature = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return {**params, "signature": signature}


def now_ms() -> int:
    return int(time.time() * 1000)


# -- the protocol ------------------------------------------------------------------------------


def test_time_answer_shape_and_the_record(loopback: WsLoopback) -> None:
    assert loopback.url.startswith("ws://127.0.0.1:") and loopback.url.endswith("/ws-api/v3")
    before = now_ms()
    (answer,) = exchange(loopback.url, {"id": "a-1", "method": "time"})
    assert answer["id"] == "a-1" and answer["status"] == 200
    assert before <= answer["result"]["serverTime"] <= now_ms()
    (weight,) = answer["rateLimits"]
    assert weight["rateLimitType"] == "REQUEST_WEIGHT" and weight["count"] == 1
    assert loopback.requests == [{"id": "a-1", "method": "time"}]
    assert loopback.methods == ["time"] and loopback.connections == 1


def test_unknown_method_and_malformed_frames(loopback: WsLoopback) -> None:
    unknown, malformed = exchange(
        loopback.url,
        {"id": 1, "method": "order.place", "params": {}},
        {"id": 2, "method": 7},
    )
    assert unknown["status"] == 400 and unknown["error"]["code"] == -1100
    assert unknown["error"]["msg"] == "Unknown method"
    assert malformed["status"] == 400 and malformed["error"]["code"] == -1100


def test_answer_overrides_built_ins_and_may_compute_the_result(loopback: WsLoopback) -> None:
    loopback.answer("time", {"serverTime": 1})
    loopback.answer("ticker.price", lambda params: {"symbol": params["symbol"], "price": "1.5"})
    loopback.answer("order.test", {"code": -2010, "msg": "no"}, status=400)
    clock, ticker, refused = exchange(
        loopback.url,
        {"id": 1, "method": "time"},
        {"id": 2, "method": "ticker.price", "params": {"symbol": "BNBBTC"}},
        {"id": 3, "method": "order.test"},
    )
    assert clock["result"] == {"serverTime": 1}
    assert ticker["result"] == {"symbol": "BNBBTC", "price": "1.5"}
    assert refused["status"] == 400 and refused["error"] == {"code": -2010, "msg": "no"}
    loopback.clear("time")
    (clock,) = exchange(loopback.url, {"id": 4, "method": "time"})
    assert clock["result"]["serverTime"] > 1


def test_payload_text_matches_the_client(ws: ModuleType) -> None:
    """The server reads a value for the signature as the client writes it (_ws_core)."""
    params = ws._ws_core.wire_params(
        {
            "symbol": "\uff22\uff34\uff23",  # full-width BTC: UTF-8 kept, not escaped
            "quantity": 0.00001,
            "flag": True,
            "off": False,
            "count": 3,
            "symbols": ["BTCUSDT", "BNBBTC"],
            "nested": {"a": [1.5, 1e20, None, "x"], "b": False},
        }
    )
    decoded = json.loads(json.dumps(params))  # what the server sees
    assert signature_payload(decoded) == ws._ws_core.signature_payload(params)
    assert "flag=true" in signature_payload(decoded)
    assert 'symbols=["BTCUSDT","BNBBTC"]' in signature_payload(decoded)


# -- signatures --------------------------------------------------------------------------------


def test_hmac_signed_request_verified(ws: ModuleType, loopback: WsLoopback, ops: Any) -> None:
    loopback.answer("account.status", {"canTrade": True})
    with client(ws, loopback, hmac_auth(ws), recv_window=7000) as c:
        assert c.request(ops.account, {"omitZeroBalances": True}) == {"canTrade": True}
        # Without a standing answer, a method the server does not know is refused after the check.
        with pytest.raises(ws.exceptions.ApiException) as refused:
            c.request(ops.place, {"symbol": "BTCUSDT", "quantity": 0.1})
    assert refused.value.code == -1100
    account, place = loopback.requests
    assert account["params"]["apiKey"] == API_KEY and account["params"]["recvWindow"] == 7000
    assert loopback.signed_ok(account) and loopback.signed_ok(place)
    tampered = {**account, "params": {**account["params"], "omitZeroBalances": False}}
    assert not loopback.signed_ok(tampered)
    assert not loopback.signed_ok(loopback.requests_for("account.status")[0] | {"params": {}})


def test_ed25519_signed_request_verified(ws: ModuleType, loopback: WsLoopback, ops: Any) -> None:
    loopback.answer("account.status", {"canTrade": True})
    with client(ws, loopback, ed_auth(ws), logon=False) as c:
        assert c.request(ops.account) == {"canTrade": True}
    (request,) = loopback.requests
    assert len(request["params"]["signature"]) == 88  # base64 of 64 bytes
    assert loopback.signed_ok(request)
    assert not WsLoopback(ed25519_public_key=make_ed25519_key()[1], secret_key=None).signed_ok(
        request
    )


def test_signature_checks_refuse_as_binance(loopback: WsLoopback) -> None:
    good = hmac_signed({"apiKey": API_KEY, "timestamp": now_ms()})
    bad_signature = {**good, "signature": "0" * 64}
    wrong_key = hmac_signed({"apiKey": "other-key", "timestamp": now_ms()})
    stale = hmac_signed({"apiKey": API_KEY, "timestamp": now_ms() - 6000})
    wide = hmac_signed({"apiKey": API_KEY, "timestamp": now_ms() - 6000, "recvWindow": 9000})
    future = hmac_signed({"apiKey": API_KEY, "timestamp": now_ms() + 5000})
    no_timestamp = hmac_signed({"apiKey": API_KEY})
    loopback.answer("account.status", {"ok": True})
    frames = [good, bad_signature, wrong_key, stale, wide, future, no_timestamp]
    answers = exchange(
        loopback.url,
        *({"id": i, "method": "account.status", "params": p} for i, p in enumerate(frames)),
    )
    outcome = [(a["status"], a.get("error", {}).get("code")) for a in answers]
    assert outcome == [
        (200, None),
        (400, -1022),
        (401, -2015),
        (400, -1021),
        (200, None),
        (400, -1021),
        (400, -1102),
    ]
    assert answers[1]["error"]["msg"] == "Signature for this request is not valid."


def test_api_key_alone_is_checked(loopback: WsLoopback) -> None:
    loopback.answer("userDataStream.start", {"listenKey": "k"})
    good, bad = exchange(
        loopback.url,
        {"id": 1, "method": "userDataStream.start", "params": {"apiKey": API_KEY}},
        {"id": 2, "method": "userDataStream.start", "params": {"apiKey": "nope"}},
    )
    assert good["result"] == {"listenKey": "k"}
    assert (bad["status"], bad["error"]["code"]) == (401, -2015)


def test_server_clock_offset(ws: ModuleType, loopback: WsLoopback, ops: Any) -> None:
    """A server clock ahead of the client's: -1021, and the client's repair (read `time`)."""
    loopback.clock_offset_ms = 60_000
    loopback.answer("account.status", {"canTrade": True})
    with client(ws, loopback, hmac_auth(ws)) as c:
        assert c.request(ops.account) == {"canTrade": True}
    assert loopback.methods == ["account.status", "time", "account.status"]


# -- logon and the user data stream ------------------------------------------------------------


def test_ed25519_logon_then_unsigned_requests(
    ws: ModuleType, loopback: WsLoopback, ops: Any
) -> None:
    loopback.answer("account.status", {"canTrade": True})
    with client(ws, loopback, ed_auth(ws)) as c:  # logs on by itself: the key is Ed25519
        status = c.request(ops.status)
        assert c.request(ops.account) == {"canTrade": True}
        c.logout()
        after = c.request(ops.status)
    logon = loopback.requests[0]
    assert logon["method"] == "session.logon" and loopback.signed_ok(logon)
    assert status["apiKey"] == API_KEY and status["returnRateLimits"] is True
    assert status["authorizedSince"] >= status["connectedSince"]
    assert after["apiKey"] is None and after["authorizedSince"] is None
    account = loopback.requests_for("account.status")[0]
    assert "signature" not in account["params"] and "apiKey" not in account["params"]


def test_hmac_logon_refused(loopback: WsLoopback) -> None:
    params = hmac_signed({"apiKey": API_KEY, "timestamp": now_ms()})
    logon, subscribe = exchange(
        loopback.url,
        {"id": 1, "method": "session.logon", "params": params},
        {"id": 2, "method": "userDataStream.subscribe"},
    )
    assert (logon["status"], logon["error"]["code"]) == (400, -4056)
    assert (subscribe["status"], subscribe["error"]["code"]) == (401, -2015)


def test_logon_answer(loopback: WsLoopback) -> None:
    import base64

    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(ED_PEM.encode(), None)
    params = {"apiKey": API_KEY, "timestamp": now_ms()}
    signature = key.sign(signature_payload(params).encode())  # type: ignore[call-arg, union-attr]
    params["signature"] = base64.b64encode(signature).decode()
    (logon,) = exchange(loopback.url, {"id": 1, "method": "session.logon", "params": params})
    assert logon["status"] == 200
    assert set(logon["result"]) == {
        "apiKey",
        "authorizedSince",
        "connectedSince",
        "returnRateLimits",
        "serverTime",
        "userDataStream",
    }
    assert logon["result"]["apiKey"] == API_KEY and logon["result"]["userDataStream"] is False


@pytest.mark.parametrize("key", ["ed25519", "hmac"])
def test_subscribe_and_push_in_order(ws: ModuleType, loopback: WsLoopback, key: str) -> None:
    auth = ed_auth(ws) if key == "ed25519" else hmac_auth(ws)
    with client(ws, loopback, auth) as c, c.subscribe_user_data() as events:
        assert loopback.push({"e": "outboundAccountPosition", "B": []}) == 1
        for i in range(20):
            loopback.push({"e": "executionReport", "E": i, "s": "BTCUSDT", "i": i, "X": "NEW"})
        first = events.get(2.0)
        assert first.event_type == "outboundAccountPosition"
        assert [events.get(2.0).order_id for _ in range(20)] == list(range(20))
    expected = (
        "userDataStream.subscribe" if key == "ed25519" else ("userDataStream.subscribe.signature")
    )
    assert expected in loopback.methods
    assert "userDataStream.unsubscribe" in loopback.methods
    assert loopback.push({"e": "executionReport"}) == 0  # unsubscribed: nobody left


def test_unsubscribe_without_id_ends_every_subscription(loopback: WsLoopback) -> None:
    params = hmac_signed({"apiKey": API_KEY, "timestamp": now_ms()})

    async def run() -> tuple[int, int]:
        async with aiohttp.ClientSession() as session, session.ws_connect(loopback.url) as conn:
            for i in range(2):
                frame = {"id": i, "method": "userDataStream.subscribe.signature", "params": params}
                await conn.send_str(json.dumps(frame))
                assert (
                    json.loads(await conn.receive_str(timeout=2))["result"]["subscriptionId"] == i
                )
            pushed = await loopback.push_async({"e": "x"})
            for _ in range(pushed):
                assert json.loads(await conn.receive_str(timeout=2))["event"] == {"e": "x"}
            await conn.send_str(json.dumps({"id": 9, "method": "userDataStream.unsubscribe"}))
            assert json.loads(await conn.receive_str(timeout=2))["result"] == {}
            return pushed, await loopback.push_async({"e": "y"})

    assert asyncio.run(run()) == (2, 0)


# -- the table: refuse, silence, drop_on, delay -------------------------------------------------


def test_refuse_then_answer_again(ws: ModuleType, loopback: WsLoopback, ops: Any) -> None:
    loopback.refuse("ticker.price", 429, -1003, "Too many requests.", times=2, data={"a": 1})
    loopback.answer("ticker.price", {"price": "1"})
    with client(ws, loopback) as c:
        for _ in range(2):
            with pytest.raises(ws.exceptions.RateLimitException) as refused:
                c.request(ops.ticker, {"symbol": "X"})
            assert (refused.value.code, refused.value.msg) == (-1003, "Too many requests.")
        assert c.request(ops.ticker, {"symbol": "X"}) == {"price": "1"}


def test_silence_leaves_a_request_unanswered(
    ws: ModuleType, loopback: WsLoopback, ops: Any
) -> None:
    loopback.silence("ticker.price")
    loopback.answer("ticker.price", {"price": "1"})
    with client(ws, loopback) as c:
        with pytest.raises(ws.exceptions.ApiTimeoutError):
            c.request(ops.ticker, {"symbol": "X"}, timeout=0.3)
        assert c.request(ops.ticker, {"symbol": "X"}) == {"price": "1"}
    assert loopback.connections == 1


def test_drop_on_aborts_and_the_client_reconnects(
    ws: ModuleType, loopback: WsLoopback, ops: Any
) -> None:
    loopback.drop_on("order.place")
    loopback.answer("order.place", {"orderId": 1})
    with client(ws, loopback, hmac_auth(ws)) as c:
        with pytest.raises(ws.exceptions.ExecutionStatusUnknownError):
            c.request(ops.place, {"symbol": "X"})
        loopback.wait_for(lambda: loopback.connections == 2)
        assert c.request(ops.place, {"symbol": "X"}) == {"orderId": 1}
    assert loopback.methods == ["order.place", "order.place"]


def test_delayed_answers_overtake(ws: ModuleType, loopback: WsLoopback, ops: Any) -> None:
    loopback.delay("ticker.price", 0.3)
    loopback.delay("ticker.price", 0.15)
    loopback.answer("ticker.price", lambda params: {"symbol": params["symbol"]})
    answers = exchange(
        loopback.url,
        *(
            {"id": i, "method": "ticker.price", "params": {"symbol": symbol}}
            for i, symbol in enumerate(["SLOWEST", "SLOW", "FAST"])
        ),
        arrival=True,
    )
    assert [a["result"]["symbol"] for a in answers] == ["FAST", "SLOW", "SLOWEST"]
    assert [r["params"]["symbol"] for r in loopback.requests] == ["SLOWEST", "SLOW", "FAST"]


def test_rules_queue_in_order_and_times_must_be_positive(loopback: WsLoopback) -> None:
    loopback.refuse("time", 400, -1, "first")
    loopback.refuse("time", 400, -2, "second")
    first, second, third = exchange(
        loopback.url,
        {"id": 1, "method": "time"},
        {"id": 2, "method": "time"},
        {"id": 3, "method": "time"},
    )
    assert [first["error"]["code"], second["error"]["code"]] == [-1, -2]
    assert third["status"] == 200
    with pytest.raises(ValueError):
        loopback.silence("time", times=0)


# -- connections: drop_all, ping_all, wait_for -------------------------------------------------


def test_drop_all_and_the_subscription_comes_back(ws: ModuleType, loopback: WsLoopback) -> None:
    with client(ws, loopback, ed_auth(ws)) as c, c.subscribe_user_data() as events:
        assert loopback.connections == 1 and loopback.open_connections == 1
        loopback.drop_all()
        loopback.wait_for(lambda: loopback.push(REPORT) == 1, what="resubscribed")
        assert loopback.connections == 2 and loopback.open_connections == 1
        assert events.get(2.0).event_type == "executionReport"
        assert events.resubscriptions == 1
    assert loopback.methods.count("session.logon") == 2


def test_ping_all(ws: ModuleType, loopback: WsLoopback, ops: Any) -> None:
    assert loopback.ping_all() is False  # nobody to answer
    with client(ws, loopback) as c, client(ws, loopback) as d:
        c.request(ops.time)
        d.request(ops.time)
        assert loopback.ping_all(timeout=2.0) is True
        assert loopback.open_connections == 2


def test_ping_all_false_when_a_client_does_not_answer(loopback: WsLoopback) -> None:
    async def run() -> bool:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(loopback.url, autoping=False) as conn,
        ):
            await conn.send_str(json.dumps({"id": 1, "method": "time"}))
            await conn.receive_str(timeout=2)
            # This client reads the ping and does not answer it.
            return await loopback.ping_all_async(timeout=0.2)

    assert asyncio.run(run()) is False


def test_client_pings_are_answered(ws: ModuleType, loopback: WsLoopback, ops: Any) -> None:
    """The server answers the client's keepalive pings: a client that sees no pong drops."""
    # aiohttp waits half the interval for the pong.
    with client(ws, loopback, ping_interval=0.3, ping_timeout=0.3) as c:
        c.request(ops.time)
        time.sleep(1.0)
        c.request(ops.time)
    assert loopback.connections == 1


def test_keys_configured_are_the_keys_accepted(loopback: WsLoopback) -> None:
    request = {"id": 1, "method": "x", "params": hmac_signed({"apiKey": API_KEY, "timestamp": 1})}
    assert loopback.signed_ok(request)
    assert not WsLoopback(secret_key=None).signed_ok(request)  # Ed25519 only (none here)
    assert not WsLoopback(secret_key="other").signed_ok(request)
    assert not WsLoopback(api_key="other").signed_ok(request)


def test_wait_for_names_what_it_awaited(loopback: WsLoopback) -> None:
    with pytest.raises(AssertionError, match="connections == 3"):
        loopback.wait_for(lambda: loopback.connections == 3, timeout=0.05)
    with pytest.raises(AssertionError, match="three connections"):
        loopback.wait_for(lambda: False, timeout=0.01, what="three connections")


def test_async_client_in_asyncio_run(ws: ModuleType, loopback: WsLoopback, ops: Any) -> None:
    """How generated async tests use it: asyncio.run inside a sync test, *_async to wait."""
    loopback.answer("account.status", {"canTrade": True})
    config = ws.ws_operation.WsConfiguration(
        loopback.url, ed_auth(ws), request_timeout=2.0, backoff_base=0.05, backoff_max=0.2
    )

    async def run() -> None:
        async with (
            ws.async_ws_client.AsyncWsClient(config, api=ws._ws_metadata.WS_API) as c,
            c.subscribe_user_data() as events,
        ):
            assert await c.request(ops.account) == {"canTrade": True}
            with pytest.raises(RuntimeError, match="wait_for_async"):
                loopback.wait_for(lambda: True)
            with pytest.raises(RuntimeError, match="ping_all_async"):
                loopback.ping_all()
            assert await loopback.ping_all_async() is True
            loopback.drop_all()
            await loopback.wait_for_async(lambda: loopback.connections == 2)
            await loopback.wait_for_async(lambda: events.resubscriptions == 1)
            assert await loopback.push_async(REPORT) == 1
            assert (await events.get(2.0)).event_type == "executionReport"

    asyncio.run(run())


def test_async_client_over_websockets(ws: ModuleType, loopback: WsLoopback, ops: Any) -> None:
    """The other transport the runtime offers talks to it alike: logon, requests, pings."""
    loopback.answer("ticker.price", lambda params: {"symbol": params["symbol"]})
    config = ws.ws_operation.WsConfiguration(
        loopback.url, ed_auth(ws), request_timeout=2.0, library="websockets"
    )

    async def run() -> None:
        async with ws.async_ws_client.AsyncWsClient(config, api=ws._ws_metadata.WS_API) as c:
            symbols = [f"S{i}" for i in range(50)]
            calls = [c.request(ops.ticker, {"symbol": s}) for s in symbols]
            assert [r["symbol"] for r in await asyncio.gather(*calls)] == symbols
            assert c.logged_on and await loopback.ping_all_async() is True

    asyncio.run(run())
    assert loopback.methods[0] == "session.logon" and loopback.signed_ok(loopback.requests[0])


def test_send_all_reaches_every_connection(ws: ModuleType, loopback: WsLoopback, ops: Any) -> None:
    """A raw message: Binance's serverShutdown event, which makes the client move on."""
    with client(ws, loopback, hmac_auth(ws)) as c:
        c.request(ops.time)
        assert loopback.send_all({"event": {"e": "serverShutdown"}}) == 1
        loopback.wait_for(lambda: loopback.connections == 2)
        loopback.wait_for(lambda: loopback.open_connections == 1)
        c.request(ops.time)


# -- lifecycle ---------------------------------------------------------------------------------


def test_clean_stop(ws: ModuleType, ops: Any) -> None:
    """Leaving the block ends every connection (a pending request fails at once), the answer
    tasks still sleeping, the listening socket and the loop thread; nothing warns."""
    threads_before = set(threading.enumerate())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        server = WsLoopback()
        with server, concurrent.futures.ThreadPoolExecutor(1) as pool:
            loop = server._loop
            assert loop is not None
            server.delay("time", 30.0)  # an answer task still sleeping at the stop
            c = client(ws, server, reconnect=False)
            c.connect()
            pending = pool.submit(c.request, ops.time, timeout=10.0)
            server.wait_for(lambda: server.methods == ["time"])
            started = time.monotonic()
            server.stop()
            assert time.monotonic() - started < 3.0  # not the 30 s of the sleeping answer
            with pytest.raises(ws.exceptions.ApiConnectionError):
                pending.result(5.0)
        started = time.monotonic()
        server.stop()  # idempotent
        assert time.monotonic() - started < 0.5
        assert loop.is_closed()
        assert not asyncio.all_tasks(loop)  # the sleeping answer too
        c.close()
        del loop
        gc.collect()  # a task still pending would complain now
    assert not [t for t in threading.enumerate() if t.name == "ws-loopback"]
    assert set(threading.enumerate()) <= threads_before
    assert not [w for w in caught if issubclass(w.category, (ResourceWarning, RuntimeWarning))]
