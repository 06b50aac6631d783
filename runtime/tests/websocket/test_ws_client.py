"""The WebSocket API clients against a Binance-like loopback server: requests, signing, logon,
errors, events, drops and reconnects, timeouts, closing, and what reaches the logs.

Every test runs for each client kind (conftest.KINDS): the blocking WsClient and the asyncio
AsyncWsClient, over websockets and aiohttp.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .conftest import ED_KEY, HMAC_KEY, SECRET_KEY, Connect
from .ws_server import BinanceWsServer, Rule


@pytest.fixture
def ops(ws: ModuleType) -> Any:
    """The descriptors a generated package would declare."""
    op = ws.ws_operation.WsOperation
    models = ws.models

    class Ops:
        ticker = op("ticker.price", result=models.TickerPrice)
        ticker_raw = op("ticker.price")
        place = op("order.place", security="signed", result=models.OrderResult, executes=True)
        account = op("account.status", security="signed", executes=False)
        ping = op("ping")

    return Ops


def test_many_requests_in_flight_answered_out_of_order(
    connect: Connect, server: BinanceWsServer, ops: Any
) -> None:
    client = connect()
    client.connect()
    symbols = [f"S{i}" for i in range(8)]
    # The first request is answered last: each reply must still reach its own caller.
    server.delays = {symbol: 0.04 * (len(symbols) - i) for i, symbol in enumerate(symbols)}
    started = time.perf_counter()
    results = client.many(ops.ticker, [{"symbol": s} for s in symbols])
    elapsed = time.perf_counter() - started
    assert [r.symbol for r in results] == symbols
    # Concurrent: about the longest delay (0.32 s), far from their sum (1.44 s).
    assert elapsed < 0.8
    ids = [r["id"] for r in server.requests if r["method"] == "ticker.price"]
    assert len(set(ids)) == len(symbols)


def test_hmac_signed_request_verified_by_the_server(
    connect: Connect, server: BinanceWsServer, ops: Any, hmac_auth: Any
) -> None:
    client = connect(hmac_auth, recv_window=7000)
    order = client.request(
        ops.place,
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "price": Decimal("0.00001"),
            "quantity": 1e-05,
            "signature": "ignored",
            "newClientOrderId": None,
        },
    )
    assert (order.symbol, order.order_id, order.status) == ("BTCUSDT", 1, "NEW")
    (sent,) = [r for r in server.requests if r["method"] == "order.place"]
    params = sent["params"]
    # Decimals as plain strings, None dropped, the caller's signature replaced by the client's.
    assert params["price"] == "0.00001" and params["quantity"] == "0.00001"
    assert "newClientOrderId" not in params
    assert params["apiKey"] == HMAC_KEY and params["recvWindow"] == 7000
    assert isinstance(params["timestamp"], int) and len(params["signature"]) == 64


def test_ed25519_signed_request_without_logon(
    connect: Connect, server: BinanceWsServer, ops: Any, ed_auth: Any
) -> None:
    client = connect(ed_auth, logon=False)
    assert client.request(ops.account)["apiKey"] == ED_KEY
    (sent,) = [r for r in server.requests if r["method"] == "account.status"]
    assert sent["params"]["apiKey"] == ED_KEY and len(sent["params"]["signature"]) == 88
    assert "session.logon" not in server.methods()


def test_ed25519_key_logs_on_then_signed_requests_carry_no_key_or_signature(
    connect: Connect, server: BinanceWsServer, ops: Any, ed_auth: Any
) -> None:
    client = connect(ed_auth)  # logon=None: log on because the key is Ed25519
    assert client.request(ops.account)["apiKey"] == ED_KEY
    assert client.logged_on
    assert server.methods()[:2] == ["session.logon", "account.status"]
    params = server.requests[1]["params"]
    assert set(params) == {"timestamp"}  # Binance still wants the timestamp after logon
    client.logout()
    client.request(ops.account)
    assert "signature" in server.requests[-1]["params"]


def test_logon_needs_an_ed25519_key(
    ws: ModuleType, connect: Connect, server: BinanceWsServer, hmac_auth: Any
) -> None:
    with pytest.raises(ws.exceptions.ApiValueError, match="Ed25519"):
        connect(hmac_auth).logon()
    with pytest.raises(ws.exceptions.ApiValueError, match="Ed25519"):
        connect(hmac_auth, logon=True).connect()
    assert "session.logon" not in server.methods()


def test_signed_method_without_credentials_is_refused_before_sending(
    ws: ModuleType, connect: Connect, server: BinanceWsServer, ops: Any
) -> None:
    client = connect(ws.auth.BinanceAuth(api_key=HMAC_KEY))
    with pytest.raises(ws.exceptions.ApiValueError, match="SIGNED"):
        client.request(ops.place, {"symbol": "BTCUSDT"})
    assert "order.place" not in server.methods()


def test_errors_are_the_rest_clients_exceptions(
    ws: ModuleType, connect: Connect, server: BinanceWsServer, ops: Any, hmac_auth: Any
) -> None:
    exc = ws.exceptions
    client = connect(hmac_auth)
    server.fail("order.place", 400, -2010, "Account has insufficient balance for requested action.")
    with pytest.raises(exc.BadRequestException) as bad:
        client.request(ops.place, {"symbol": "BTCUSDT"})
    assert (bad.value.status, bad.value.code) == (400, -2010)
    assert "insufficient balance" in str(bad.value.msg)
    server.fail("account.status", 401, -2015, "Invalid API-key, IP, or permissions for action.")
    with pytest.raises(exc.UnauthorizedException) as unauthorized:
        client.request(ops.account)
    assert unauthorized.value.code == -2015
    now = server.now_ms()
    server.fail(
        "ticker.price",
        429,
        -1003,
        "Too many requests.",
        {"serverTime": now, "retryAfter": now + 30_000},
    )
    with pytest.raises(exc.RateLimitException) as limited:
        client.request(ops.ticker, {"symbol": "BTCUSDT"})
    assert limited.value.retry_after == pytest.approx(30.0)
    server.fail("order.place", 503, -1001, "Internal error; unable to process your request.")
    with pytest.raises(exc.ExecutionStatusUnknownError) as unknown:
        client.request(ops.place, {"symbol": "BTCUSDT"})
    assert unknown.value.status == 503 and "order.place" in str(unknown.value)
    assert server.methods().count("order.place") == 2  # never re-sent


def test_ip_ban_refuses_calls_without_traffic(
    ws: ModuleType, connect: Connect, server: BinanceWsServer, ops: Any
) -> None:
    client = connect()
    now = server.now_ms()
    server.fail(
        "ping",
        418,
        -1003,
        "Way too much request weight used; IP banned.",
        {"serverTime": now, "retryAfter": now + 60_000},
    )
    with pytest.raises(ws.exceptions.IPBannedException) as banned:
        client.request(ops.ping)
    assert banned.value.request_sent and banned.value.retry_after == pytest.approx(60.0)
    sent = len(server.requests)
    with pytest.raises(ws.exceptions.IPBannedException) as refused:
        client.request(ops.ticker, {"symbol": "BTCUSDT"})
    assert not refused.value.request_sent and len(server.requests) == sent


def test_clock_error_resyncs_and_resends_once(
    connect: Connect, server: BinanceWsServer, ops: Any, hmac_auth: Any
) -> None:
    client = connect(hmac_auth)
    server.skew_ms = 30_000  # the server's clock is 30 s ahead: our timestamps are too old
    order = client.request(ops.place, {"symbol": "BTCUSDT"})
    assert order.order_id == 1
    assert server.methods() == ["order.place", "time", "order.place"]
    assert 29_000 < client.clock_offset_ms < 31_000


def test_rate_limits_by_rest_names(connect: Connect, ops: Any) -> None:
    client = connect()
    response = client.call(ops.ticker, {"symbol": "BTCUSDT"})
    expected = {"x-mbx-used-weight-1m": 7, "x-mbx-order-count-10s": 1}
    assert response.rate_limits == expected and client.rate_limits == expected
    assert response.status == 200 and response.result.price == "1.5"
    assert response.rate_limit_usage[0].limit == 6000


def test_untyped_result_is_the_json(connect: Connect, ops: Any) -> None:
    assert connect().request(ops.ticker_raw, {"symbol": "X"}) == {"symbol": "X", "price": "1.5"}


EXECUTION = {"e": "executionReport", "E": 1, "s": "BTCUSDT", "i": 7, "X": "NEW", "x": "NEW"}
POSITION = {
    "e": "outboundAccountPosition",
    "E": 2,
    "u": 2,
    "B": [{"a": "BTC", "f": "1.0", "l": "0"}],
}


def test_user_data_events_typed_in_order_unknown_kept(
    ws: ModuleType, connect: Connect, server: BinanceWsServer, hmac_auth: Any
) -> None:
    models = ws.models
    client = connect(hmac_auth)
    with client.subscribe() as events:
        # HMAC keys cannot log on: the subscription is signed instead.
        assert "userDataStream.subscribe.signature" in server.methods()
        assert events.subscription_id == 0
        unknown = {"e": "somethingNew", "E": 3, "z": [1, 2]}
        broken = {"e": "executionReport", "E": 4}  # misses required fields
        for event in (EXECUTION, POSITION, unknown, broken):
            assert server.push(event) == 1
        first, second, third, fourth = (events.get() for _ in range(4))
    assert isinstance(first, models.ExecutionReport) and first.order_id == 7
    assert first.to_dict()["x"] == "NEW"  # fields the model does not declare are kept
    assert isinstance(second, models.OutboundAccountPosition)
    assert second.balances[0].asset == "BTC"
    assert type(third) is ws.base_model.ApiModel and third.to_dict() == unknown
    assert type(fourth) is ws.base_model.ApiModel and fourth.to_dict() == broken
    assert server.requests[-1]["method"] == "userDataStream.unsubscribe"
    assert server.requests[-1]["params"] == {"subscriptionId": 0}


def test_logged_on_session_subscribes_its_own_account(
    connect: Connect, server: BinanceWsServer, ed_auth: Any
) -> None:
    client = connect(ed_auth)
    with client.subscribe() as events:
        assert server.methods() == ["session.logon", "userDataStream.subscribe"]
        server.push(EXECUTION)
        assert events.get().symbol == "BTCUSDT"


def test_drop_fails_pending_then_reconnect_logs_on_and_resubscribes(
    ws: ModuleType, connect: Connect, server: BinanceWsServer, ops: Any, ed_auth: Any
) -> None:
    exc = ws.exceptions
    client = connect(ed_auth)
    with client.subscribe() as events:
        server.push(EXECUTION)
        assert events.get().order_id == 7
        # The server cuts the connection on receiving the order: did it execute? Unknown.
        server.on("order.place", Rule(drop=True))
        with pytest.raises(exc.ExecutionStatusUnknownError) as unknown:
            client.request(ops.place, {"symbol": "BTCUSDT"})
        assert isinstance(unknown.value.__cause__, exc.ApiConnectionError)
        assert unknown.value.status == 0
        # A query lost the same way is a plain connection error (request_sent: it went out).
        server.on("ticker.price", Rule(drop=True))
        with pytest.raises(exc.ApiConnectionError) as dropped:
            client.request(ops.ticker, {"symbol": "BTCUSDT"})
        assert dropped.value.request_sent
        assert not isinstance(dropped.value, exc.ExecutionStatusUnknownError)
        # Next calls wait for the new connection, logged on, with the subscription restored.
        assert client.request(ops.ticker, {"symbol": "ETHUSDT"}).symbol == "ETHUSDT"
        assert client.logged_on
        latest = server.open_connections()[-1]
        assert latest.logged_on_key == ED_KEY and latest.subscriptions
        assert events.resubscriptions == 2
        server.push({**EXECUTION, "i": 8})
        assert events.get().order_id == 8
    assert server.methods().count("order.place") == 1  # never re-sent
    assert server.methods().count("session.logon") == 3


def test_drop_with_requests_in_flight(
    ws: ModuleType, connect: Connect, server: BinanceWsServer, ops: Any, hmac_auth: Any
) -> None:
    client = connect(hmac_auth)
    client.connect()
    server.on("order.place", Rule(silent=True, times=3))
    server.on("ticker.price", Rule(silent=True, times=3))
    cutter = threading.Timer(0.3, server.drop_all)
    cutter.start()
    try:
        orders = client.many(ops.place, [{"symbol": "A"}, {"symbol": "B"}, {"symbol": "C"}])
    finally:
        cutter.join()
    assert all(isinstance(o, ws.exceptions.ExecutionStatusUnknownError) for o in orders)
    cutter = threading.Timer(0.3, server.drop_all)
    cutter.start()
    try:
        prices = client.many(ops.ticker, [{"symbol": "A"}, {"symbol": "B"}, {"symbol": "C"}])
    finally:
        cutter.join()
    assert all(type(p) is ws.exceptions.ApiConnectionError and p.request_sent for p in prices)
    assert client.request(ops.ping) == {}


def test_request_timeout(
    ws: ModuleType, connect: Connect, server: BinanceWsServer, ops: Any, hmac_auth: Any
) -> None:
    exc = ws.exceptions
    client = connect(hmac_auth, request_timeout=0.3)
    server.on("ticker.price", Rule(delay=0.6))
    started = time.perf_counter()
    with pytest.raises(exc.ApiTimeoutError):
        client.request(ops.ticker, {"symbol": "BTCUSDT"})
    assert 0.25 < time.perf_counter() - started < 0.55
    server.on("order.place", Rule(silent=True))
    with pytest.raises(exc.ExecutionStatusUnknownError) as unknown:
        client.request(ops.place, {"symbol": "BTCUSDT"}, timeout=0.1)
    assert isinstance(unknown.value.__cause__, exc.ApiTimeoutError)
    client.pause(0.4)  # the late answer to the first request arrives and is dropped quietly
    assert client.request(ops.ticker, {"symbol": "ETHUSDT"}).symbol == "ETHUSDT"


def test_requests_never_sent_are_safe_to_retry(
    ws: ModuleType, connect: Connect, server: BinanceWsServer, ops: Any, hmac_auth: Any
) -> None:
    client = connect(hmac_auth, reconnect=False)
    client.connect()
    server.drop_all()
    client.pause(0.2)
    with pytest.raises(ws.exceptions.ApiConnectionError) as not_sent:
        client.request(ops.place, {"symbol": "BTCUSDT"})
    assert not not_sent.value.request_sent
    assert not isinstance(not_sent.value, ws.exceptions.ExecutionStatusUnknownError)
    assert "order.place" not in server.methods()


def test_gives_up_after_max_reconnect_attempts(
    ws: ModuleType, connect: Connect, server: BinanceWsServer, ops: Any, hmac_auth: Any
) -> None:
    client = connect(hmac_auth, max_reconnect_attempts=2, connect_timeout=0.5)
    with client.subscribe() as events:
        server.stop_accepting()
        client.pause(0.8)
        with pytest.raises(ws.exceptions.ApiConnectionError) as stopped:
            client.request(ops.ping)
        assert not stopped.value.request_sent and "stopped reconnecting" in str(stopped.value)
        with pytest.raises(ws.exceptions.ApiConnectionError):
            events.get(0.5)


def test_answers_server_pings(connect: Connect, server: BinanceWsServer) -> None:
    client = connect()
    client.connect()
    answered: list[bool] = []
    pinger = threading.Thread(target=lambda: answered.append(server.ping_all()))
    pinger.start()
    client.pause(0.5)  # the asyncio client answers while its loop runs
    pinger.join()
    assert answered == [True]


def test_connection_replaced_before_max_age(
    connect: Connect, server: BinanceWsServer, ops: Any, ed_auth: Any
) -> None:
    client = connect(ed_auth, max_connection_age=0.4)
    with client.subscribe() as events:
        client.pause(0.7)
        assert client.request(ops.ping) == {}
        assert len(server.connections) >= 2
        latest = server.open_connections()
        assert len(latest) == 1 and latest[0].logged_on_key == ED_KEY and latest[0].subscriptions
        server.push(EXECUTION)
        assert events.get().order_id == 7
        assert events.resubscriptions == 0  # a planned replacement loses nothing


def test_server_shutdown_event_moves_to_a_new_connection(
    connect: Connect, server: BinanceWsServer, ops: Any, hmac_auth: Any
) -> None:
    client = connect(hmac_auth)
    with client.subscribe() as events:
        server.push({"e": "serverShutdown", "E": 1})
        assert events.get().to_dict()["e"] == "serverShutdown"
        client.pause(0.3)
        assert client.request(ops.ping) == {}
        assert len(server.connections) == 2 and len(server.open_connections()) == 1
        server.push(EXECUTION)
        assert events.get().order_id == 7


def test_clean_close(
    ws: ModuleType, connect: Connect, server: BinanceWsServer, ops: Any, hmac_auth: Any
) -> None:
    client = connect(hmac_auth)
    events = client.subscribe()
    events.__enter__()
    client.close()
    assert server.requests[-1]["method"] == "userDataStream.unsubscribe"
    deadline = time.monotonic() + 2
    while server.connections[0].ws.close_code is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.connections[0].ws.close_code == 1000  # a close frame, not a cut connection
    with pytest.raises(ws.exceptions.ApiConnectionError) as closed:
        client.request(ops.ping)
    assert not closed.value.request_sent
    events.__exit__(None, None, None)
    client.close()  # twice is fine


def test_no_secret_in_logs_or_errors(
    ws: ModuleType,
    connect: Connect,
    server: BinanceWsServer,
    ops: Any,
    hmac_auth: Any,
    ed_auth: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, websockets' and aiohttp's included
    errors: list[str] = []
    hmac_client = connect(hmac_auth)
    ed_client = connect(ed_auth)
    for client in (hmac_client, ed_client):
        client.request(ops.account)
        with client.subscribe() as events:
            server.push(EXECUTION)
            events.get()
            server.fail("order.place", 400, -1022, "Signature for this request is not valid.")
            server.on("order.place", Rule(drop=True))
            for _ in range(2):
                try:
                    client.request(ops.place, {"symbol": "BTCUSDT"})
                except ws.exceptions.OpenApiException as error:
                    errors.append(f"{error!s} {error!r} {error.__cause__!s}")
            client.request(ops.ping)
    secrets = {HMAC_KEY, ED_KEY, SECRET_KEY, "PRIVATE KEY"}
    secrets |= {
        r["params"]["signature"] for r in server.requests if "signature" in r.get("params", {})
    }
    assert len(secrets) > 6
    texts = [
        f"{record.name} {record.getMessage()} {record.exc_text or ''}"
        for record in caplog.records
        if not record.name.startswith("tests.ws_server")
    ]
    assert any("order.place" in text for text in texts)  # the client does log its requests
    assert len(errors) == 4
    # Pieces too: a library that shortens what it logs ("...<last 20 characters>") still leaks.
    pieces = {piece for secret in secrets for piece in (secret[:16], secret[-16:])}
    for text in texts + errors + [repr(hmac_auth), repr(ed_auth), repr(hmac_client.configuration)]:
        for piece in pieces:
            assert piece not in text


def test_no_request_fails_and_no_event_is_lost_while_the_connection_is_replaced(
    ws: ModuleType, connect: Connect, server: BinanceWsServer, ops: Any, ed_auth: Any
) -> None:
    client = connect(ed_auth, max_connection_age=0.25)
    with client.subscribe() as events:
        pushed = 0
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            pushed += 1
            assert server.push({**EXECUTION, "i": pushed}) >= 1  # always someone subscribed
            assert client.request(ops.ping) == {}
            client.pause(0.005)
        received: set[int] = set()
        while True:
            try:
                received.add(events.get(0.3).order_id)
            except ws.exceptions.ApiTimeoutError:
                break
    assert len(server.connections) >= 3
    assert received == set(range(1, pushed + 1))  # each at least once


def test_time_sync_on_start(
    connect: Connect, server: BinanceWsServer, ops: Any, hmac_auth: Any
) -> None:
    server.skew_ms = -20_000  # the server's clock is 20 s behind: our timestamps are "future"
    client = connect(hmac_auth, time_sync_on_start=True)
    assert client.request(ops.place, {"symbol": "BTCUSDT"}).order_id == 1
    assert server.methods() == ["time", "order.place"]
    assert -21_000 < client.clock_offset_ms < -19_000


def test_non_ascii_values_are_signed_as_sent(
    connect: Connect, server: BinanceWsServer, ops: Any, hmac_auth: Any, ed_auth: Any
) -> None:
    symbol = "\uff11\uff12\uff13\uff14\uff15\uff16"  # Binance's example: full-width digits
    for auth in (hmac_auth, ed_auth):
        order = connect(auth, logon=False).request(ops.place, {"symbol": symbol})
        assert order.symbol == symbol


def test_without_aiohttp_the_client_names_the_extra_to_install(ws: ModuleType) -> None:
    """aiohttp is the `async` extra: a WebSocket client without it says what to install."""
    root = Path(ws.__file__).resolve().parent.parent
    code = (
        "import sys\n"
        "sys.modules['aiohttp'] = None\n"
        f"from {ws.__name__}.ws_client import WsClient\n"
        f"from {ws.__name__}.ws_operation import WsConfiguration\n"
        "try:\n"
        "    WsClient(WsConfiguration(url='ws://127.0.0.1:9/ws-api/v3')).connect()\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "needs aiohttp, which is not installed" in done.stdout
    assert "[async] extra" in done.stdout, done.stdout
