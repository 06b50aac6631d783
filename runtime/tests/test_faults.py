"""The runtime under faults (issue 14), on the wire: a raw-socket server on 127.0.0.1 (faults.py)
drops connections inside the headers, trickles bytes, sends gzip bombs, JSON nested 5,000 deep,
odd Retry-After headers, and closes idle pooled connections. Every test taking `connect` runs once
per client flavour (sync ApiClient, AsyncApiClient): the two must behave alike."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import traceback
import tracemalloc
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from .conftest import API_KEY, SECRET_KEY, Connect
from .faults import (
    FaultServer,
    RawRequest,
    cut_in_headers,
    deep_json,
    gzip_bomb,
    hang_up,
    reply,
    trickle,
)
from .test_client import make_op

LISTEN_KEY = "pqia91ma19a5s61cv6a81va65sdf19v8a65a1listenkey"


@pytest.fixture(autouse=True)
def quick_backoff(rt: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(rt._retry, "BACKOFF_BASE", 0.01)
    yield


def configure(rt: ModuleType, server: FaultServer, auth: Any = None, **settings: Any) -> Any:
    settings.setdefault("max_retries", 0)
    return rt.configuration.Configuration(host=server.url, auth=auth, **settings)


def chain_text(exc: BaseException) -> str:
    """Everything a traceback of `exc` prints (its causes and contexts too), and their reprs."""
    text = "".join(traceback.format_exception(exc))
    seen: BaseException | None = exc
    while seen is not None:
        text += repr(seen) + str(getattr(seen, "args", ""))
        seen = seen.__cause__ or seen.__context__
    return text


# 1. A connection dropped inside the response headers is never a success.


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_connection_dropped_inside_the_headers_is_an_error(rt: ModuleType, faults: FaultServer,
                                                            connect: Connect, auth: Any,
                                                            method: str) -> None:
    client = connect(configure(rt, faults, auth))
    faults.queue(cut_in_headers)
    # A SIGNED order may have been executed: never reported as a 200.
    expected = (rt.exceptions.ExecutionStatusUnknownError if method == "POST"
                else rt.exceptions.ApiConnectionError)
    with pytest.raises(expected) as raised:
        client.call(make_op(rt, method, "/api/v3/order", ("symbol", "query"), signed=True),
                    {"symbol": "BTCUSDT"})
    if method == "GET":
        assert raised.value.request_sent is True
        assert not isinstance(raised.value, rt.exceptions.ExecutionStatusUnknownError)
    else:
        assert raised.value.status == 0
    assert len(faults.requests) == 1


def test_a_get_whose_headers_were_cut_is_retried(rt: ModuleType, faults: FaultServer,
                                                 connect: Connect, auth: Any) -> None:
    client = connect(configure(rt, faults, auth, max_retries=1))
    faults.queue(cut_in_headers, reply(200, {"ok": 1}))
    assert client.call(make_op(rt, "GET", "/api/v3/account", signed=True), {}).data == {"ok": 1}
    assert len(faults.requests) == 2


# 3. Exception messages (and what they chain) never quote the query: signature, listen key.


def blackhole() -> Iterator[tuple[str, int]]:
    """A listening socket whose full backlog leaves connect() hanging (skips where refused)."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    try:
        for _ in range(16):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(listener.getsockname())
            fillers.append(filler)
        yield listener.getsockname()
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def bad_status_line(request: RawRequest, conn: Any) -> bool:
    conn.sendall(b"HTTP/1.1 2x0 Fine\r\nContent-Length: 2\r\n\r\n{}")
    return False


@pytest.mark.parametrize("fault", ["connect timeout", "protocol error", "read timeout",
                                   "dropped in headers"])
def test_network_errors_never_quote_secrets(rt: ModuleType, faults: FaultServer, connect: Connect,
                                            auth: Any, fault: str) -> None:
    operation = make_op(rt, "DELETE", "/api/v3/userDataStream", ("listenKey", "query"),
                        ("symbol", "query"), signed=True)
    holes = blackhole()
    if fault == "connect timeout":
        host, port = next(holes)
        config = rt.configuration.Configuration(host=f"http://{host}:{port}", auth=auth,
                                                max_retries=0, connect_timeout=0.2)
    else:
        config = configure(rt, faults, auth, read_timeout=0.3)
        faults.queue({"protocol error": bad_status_line, "read timeout": trickle(0.5),
                      "dropped in headers": cut_in_headers}[fault])
    client = connect(config)
    try:
        with pytest.raises(rt.exceptions.OpenApiException) as raised:
            client.call(operation, {"listenKey": LISTEN_KEY, "symbol": "BTCUSDT"})
    finally:
        holes.close()
    if fault == "connect timeout" and not isinstance(raised.value, rt.exceptions.ApiTimeoutError):
        pytest.skip("this kernel refuses instead of dropping when the backlog is full")
    text = chain_text(raised.value)
    assert "/api/v3/userDataStream" in str(raised.value)
    for secret in (LISTEN_KEY, "signature=", "timestamp=", API_KEY, SECRET_KEY):
        assert secret not in text, (secret, text[text.find(secret) - 3000:text.find(secret) + 50])


# 4. Secrets never reach a log record, the HTTP libraries' own loggers included.


def malformed_header(request: RawRequest, conn: Any) -> bool:
    # A header line without a colon: urllib3 logs a WARNING naming the URL it was answering.
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX: y\r\nnonsense\r\n\r\n{}")
    return False


def test_no_log_record_shows_a_secret(rt: ModuleType, faults: FaultServer, connect: Connect,
                                      auth: Any, caplog: pytest.LogCaptureFixture) -> None:
    client = connect(configure(rt, faults, auth, max_retries=1))
    signed = make_op(rt, "GET", "/api/v3/order", ("symbol", "query"), signed=True)
    close = make_op(rt, "DELETE", "/api/v3/userDataStream", ("listenKey", "query"))
    with caplog.at_level(logging.DEBUG):  # the root logger: every library's records
        client.call(signed, {"symbol": "BTCUSDT"})
        client.call(close, {"listenKey": LISTEN_KEY})
        faults.queue(malformed_header)
        client.call(close, {"listenKey": LISTEN_KEY})
        faults.queue(hang_up)
        client.call(signed, {"symbol": "BTCUSDT"})  # retried: a warning-worthy path
    text = caplog.text + "".join(str(r.args) + str(r.msg) for r in caplog.records)
    signatures = [r.target.rpartition("signature=")[2] for r in faults.requests
                  if "signature=" in r.target]
    assert len(signatures) == 3
    for secret in (*signatures, LISTEN_KEY, API_KEY, SECRET_KEY):
        assert secret not in text
    assert "/api/v3/order" in text


def test_urllib3_debug_lines_are_redacted_not_dropped(rt: ModuleType, faults: FaultServer,
                                                      auth: Any,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    client = rt.api_client.ApiClient(configure(rt, faults, auth))
    close = make_op(rt, "DELETE", "/api/v3/userDataStream", ("listenKey", "query"))
    faults.queue(reply(), malformed_header)
    with caplog.at_level(logging.DEBUG, logger="urllib3"):
        client.call(close, {"listenKey": LISTEN_KEY})
        client.call(close, {"listenKey": LISTEN_KEY})
    lines = [r.getMessage() for r in caplog.records]
    assert any("/api/v3/userDataStream?listenKey=[redacted]" in line for line in lines), lines
    assert any("Failed to parse headers" in line and "listenKey=[redacted]" in line
               for line in lines), lines
    assert LISTEN_KEY not in "".join(lines)
    client.close()


# 5. Every call has a total deadline, per call or configured, whatever the server trickles.


@pytest.mark.parametrize("where", ["body", "headers"])
@pytest.mark.parametrize("how", ["per call", "configured"])
def test_a_trickling_server_cannot_hold_a_call_past_its_deadline(
        rt: ModuleType, faults: FaultServer, connect: Connect, auth: Any, where: str,
        how: str) -> None:
    settings: dict[str, Any] = {"read_timeout": 2.0, "max_retries": 2}
    if how == "configured":
        settings["total_timeout"] = 1.0
    client = connect(configure(rt, faults, auth, **settings))
    faults.serve(trickle(0.2, b'{"x": "' + b"y" * 40 + b'"}', in_headers=where == "headers"))
    options = {"timeout": 1.0} if how == "per call" else {}
    started = time.monotonic()
    with pytest.raises(rt.exceptions.ApiTimeoutError) as raised:
        client.call(make_op(rt, "GET", "/api/v3/account", signed=True), {}, **options)
    elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 1.6, elapsed
    assert "deadline" in str(raised.value)


def test_an_async_deadline_leaves_the_task_as_it_was(rt: ModuleType, faults: FaultServer,
                                                     auth: Any) -> None:
    # The async deadline cancels the request's task, then takes the cancellation back: the caller
    # sees ApiTimeoutError, and its task is not left half-cancelled (asyncio.timeout, TaskGroup).
    faults.serve(trickle(0.1, b'{"x": "' + b"y" * 40 + b'"}'))
    operation = make_op(rt, "GET", "/api/v3/account", signed=True)

    async def main() -> int:
        async with rt.async_api_client.AsyncApiClient(configure(rt, faults, auth)) as client:
            with pytest.raises(rt.exceptions.ApiTimeoutError, match="deadline"):
                await client.call(operation, {}, timeout=0.4)
            task = asyncio.current_task()
            assert task is not None and getattr(task, "cancelling", lambda: 0)() == 0
            await asyncio.sleep(0.01)  # no cancellation is pending either
            faults.serve(reply())
            return int((await client.call(operation, {})).status_code)

    assert asyncio.run(main()) == 200


def test_the_deadline_stops_retries_and_pauses(rt: ModuleType, faults: FaultServer,
                                               connect: Connect, auth: Any) -> None:
    client = connect(configure(rt, faults, auth, max_retries=5, total_timeout=0.8))
    faults.serve(reply(503, {"code": -1, "msg": "busy"}, [("Retry-After", "0.5")]))
    started = time.monotonic()
    with pytest.raises(rt.exceptions.ServiceException):
        client.call(make_op(rt, "GET", "/api/v3/account"), {})
    assert time.monotonic() - started < 0.8
    assert len(faults.requests) == 2  # a third would have to start after the deadline


def test_a_per_call_timeout_pair_keeps_its_meaning(rt: ModuleType, faults: FaultServer,
                                                   connect: Connect, auth: Any) -> None:
    client = connect(configure(rt, faults, auth, read_timeout=0.2))
    faults.queue(trickle(0.1, b"{}"))
    assert client.call(make_op(rt, "GET", "/x"), {}, timeout=(1.0, 1.0)).data == {}
    for bad in (0, -1.0, float("nan"), float("inf"), (1.0, 0), True):
        with pytest.raises(rt.exceptions.ApiValueError, match="invalid timeout"):
            client.call(make_op(rt, "GET", "/x"), {}, timeout=bad)
    assert len(faults.requests) == 1


def pause_then_answer(pause: float) -> Any:
    """A script: the status line, `pause` seconds of silence, then the rest of the answer."""
    def script(request: RawRequest, conn: Any) -> bool:
        data = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'
        conn.sendall(data[:17])
        time.sleep(pause)
        conn.sendall(data[17:])
        return True

    return script


def test_the_read_timeout_is_the_longest_silence(rt: ModuleType, faults: FaultServer,
                                                 connect: Connect, auth: Any) -> None:
    # A byte every 0.1 s for about 1.5 s: never 0.4 s of silence, so no read timeout.
    client = connect(configure(rt, faults, auth, read_timeout=0.4))
    faults.queue(trickle(0.1, b'{"x": "' + b"y" * 8 + b'"}'))
    assert client.call(make_op(rt, "GET", "/x"), {}).data == {"x": "y" * 8}
    # On the same connection, a shorter read timeout for one call, and 0.6 s of silence.
    faults.queue(pause_then_answer(0.6))
    started = time.monotonic()
    with pytest.raises(rt.exceptions.ApiTimeoutError, match="timed out waiting") as raised:
        client.call(make_op(rt, "GET", "/x"), {}, timeout=(1.0, 0.2))
    assert 0.15 < time.monotonic() - started < 0.5
    assert raised.value.request_sent is True
    faults.queue(pause_then_answer(0.2))  # silence shorter than the read timeout: answered
    assert client.call(make_op(rt, "GET", "/x"), {}).data == {}
    assert len(faults.requests) == 3


# 6. Exactly 1 + max_retries sends (aiohttp's own retry of idempotent requests is off).


@pytest.mark.parametrize("max_retries", [0, 2])
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_exactly_one_plus_max_retries_sends(rt: ModuleType, faults: FaultServer, connect: Connect,
                                            auth: Any, max_retries: int, method: str) -> None:
    client = connect(configure(rt, faults, auth, max_retries=max_retries))
    faults.serve(hang_up)
    with pytest.raises(rt.exceptions.ApiConnectionError):
        client.call(make_op(rt, method, "/api/v3/order"), {})
    assert len(faults.requests) == 1 + max_retries


# 9. A body nested thousands deep is an answer the client cannot read, never a RecursionError.


@pytest.mark.parametrize("hint", ["dict[str, Any]", "Any", "list[Any]", "APIError"])
def test_deeply_nested_json_never_raises_recursion_error(rt: ModuleType, faults: FaultServer,
                                                         connect: Connect, hint: str) -> None:
    client = connect(configure(rt, faults))
    operation = make_op(rt, "GET", "/x", responses={"200": hint, "4XX": hint, "5XX": hint})
    faults.queue(reply(400, deep_json(5000)), reply(503, deep_json(100_000)),
                 reply(200, deep_json(5000)))
    with pytest.raises(rt.exceptions.BadRequestException) as bad:
        client.call(operation, {})
    assert bad.value.data is None and bad.value.code is None
    with pytest.raises(rt.exceptions.ServiceException):
        client.call(operation, {})
    with pytest.raises(rt.exceptions.ResponseValidationError, match=r"nested too deep|recursion limit"):
        client.call(operation, {})


# 10. Credentials are checked when made; the message never quotes them.


@pytest.mark.parametrize("bad", ["key-with-newline\n", " padded-key", "tab\tkey", "nul\x00key",
                                 "snow\u2603key", ""])
def test_a_malformed_api_key_is_refused_when_configured(rt: ModuleType, bad: str) -> None:
    if bad == "":  # os.getenv's empty string: not configured, not an error
        assert rt.auth.BinanceAuth(api_key=bad).api_key is None
        return
    for make in (lambda: rt.auth.BinanceAuth(api_key=bad, secret_key=SECRET_KEY),
                 lambda: rt.configuration.Configuration(auth=rt.credentials.ApiKeyAuth(bad))):
        with pytest.raises(rt.exceptions.ApiValueError, match="api_key") as raised:
            make()
        assert bad.strip() not in str(raised.value) and bad not in repr(raised.value)
        assert raised.value.__cause__ is None and raised.value.__context__ is None


def test_a_malformed_secret_is_refused_when_configured(rt: ModuleType) -> None:
    for bad in (SECRET_KEY + "\n", SECRET_KEY + " ", "\r" + SECRET_KEY):
        with pytest.raises(rt.exceptions.ApiValueError, match="secret_key") as raised:
            rt.auth.BinanceAuth(api_key=API_KEY, secret_key=bad)
        assert SECRET_KEY not in str(raised.value)


def test_a_bad_key_set_later_is_refused_before_traffic(rt: ModuleType, faults: FaultServer,
                                                       connect: Connect) -> None:
    config = configure(rt, faults)
    client = connect(config)
    auth = rt.credentials.ApiKeyAuth("late-key")
    auth._api_key = "late-key\n"  # past the constructors' checks (ApiKeyAuth's and Configuration's)
    config.auth = auth
    with pytest.raises(rt.exceptions.ApiValueError) as raised:
        client.call(make_op(rt, "GET", "/x"), {})
    assert "late-key" not in chain_text(raised.value)
    assert faults.requests == []


# 11. Retry-After: clamped, and read alike by both transports.


@pytest.fixture
def short_clamps(rt: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rt.exceptions, "RETRY_AFTER_MIN", 0.3)


@pytest.mark.parametrize("value", ["-1", "nan", "-inf", "Thu, 01 Jan 1970 00:00:00 GMT"])
def test_a_negative_or_nan_retry_after_waits_the_minimum(rt: ModuleType, faults: FaultServer,
                                                         connect: Connect, short_clamps: None,
                                                         value: str) -> None:
    client = connect(configure(rt, faults, max_retries=2))
    faults.queue(reply(429, {"code": -1003}, [("Retry-After", value)]))
    started = time.monotonic()
    assert client.call(make_op(rt, "POST", "/api/v3/order"), {}).status_code == 200
    assert time.monotonic() - started >= 0.3
    assert len(faults.requests) == 2


@pytest.mark.parametrize("value", ["inf", "999999", "1e308"])
def test_a_huge_ban_is_clamped_to_the_documented_maximum(rt: ModuleType, faults: FaultServer,
                                                         connect: Connect, value: str) -> None:
    client = connect(configure(rt, faults))
    faults.queue(reply(418, {"code": -1003}, [("Retry-After", value)]))
    with pytest.raises(rt.exceptions.IPBannedException) as banned:
        client.call(make_op(rt, "GET", "/x"), {})
    assert banned.value.retry_after == rt.exceptions.RETRY_AFTER_MAX
    with pytest.raises(rt.exceptions.IPBannedException) as refused:
        client.call(make_op(rt, "GET", "/x"), {})
    assert 0 < refused.value.retry_after <= rt.exceptions.RETRY_AFTER_MAX
    assert len(faults.requests) == 1


def test_two_retry_after_headers_are_read_alike(rt: ModuleType, faults: FaultServer,
                                                connect: Connect) -> None:
    client = connect(configure(rt, faults, max_retries=1))
    faults.queue(reply(429, {"code": -1003}, [("Retry-After", "0.1"), ("Retry-After", "0.4")]))
    started = time.monotonic()
    assert client.call(make_op(rt, "GET", "/x"), {}).status_code == 200
    assert time.monotonic() - started >= 0.4  # the longer of the two
    faults.queue(reply(429, {"code": -1003}, [("Retry-After", "1"), ("Retry-After", "60")]))
    with pytest.raises(rt.exceptions.RateLimitException) as raised:
        client.call(make_op(rt, "GET", "/x"), {})
    assert raised.value.retry_after == 60.0
    assert len(faults.requests) == 3


def test_retry_after_parsing_table(rt: ModuleType) -> None:
    read = rt.exceptions.retry_after
    low, high = rt.exceptions.RETRY_AFTER_MIN, rt.exceptions.RETRY_AFTER_MAX
    assert read({}) is None and read({"Retry-After": "soon"}) is None
    assert read({"Retry-After": "0"}) == 0.0 and read({"Retry-After": "2.5"}) == 2.5
    assert read({"Retry-After": "-1"}) == low and read({"Retry-After": "nan"}) == low
    assert read({"Retry-After": "inf"}) == high and read({"Retry-After": "1e9"}) == high
    assert read({"Retry-After": "3, 7"}) == 7.0
    assert read({"Retry-After": "soon, 4"}) == 4.0
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert read({"Retry-After": date}) == low  # in the past
    assert read({"Retry-After": f"{date}, 5"}) == 5.0


# 12. A maximum (decoded) body size, with a clear error past it.


def test_a_gzip_bomb_is_refused_without_inflating_it(rt: ModuleType, faults: FaultServer,
                                                     connect: Connect) -> None:
    bomb = gzip_bomb(200)  # 200 MiB of zeros in about 200 KB
    assert len(bomb) < 400_000
    client = connect(configure(rt, faults, max_response_size=1 << 20))
    faults.queue(reply(200, bomb, [("Content-Encoding", "gzip")]))
    tracemalloc.start()
    try:
        with pytest.raises(rt.exceptions.ResponseTooLargeError) as raised:
            client.call(make_op(rt, "GET", "/api/v3/exchangeInfo"), {})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, peak
    assert raised.value.status == 200 and raised.value.limit == 1 << 20
    assert "max_response_size" in str(raised.value) and "/api/v3/exchangeInfo" in str(raised.value)
    # The client goes on working (the refused answer's connection was not pooled).
    assert client.call(make_op(rt, "GET", "/x"), {}).data == {}


def test_plain_answers_past_the_limit_are_refused(rt: ModuleType, faults: FaultServer,
                                                  connect: Connect) -> None:
    client = connect(configure(rt, faults, max_response_size=1000, max_retries=2))
    big = b'"' + b"x" * 2000 + b'"'
    exact = b'"' + b"x" * 998 + b'"'

    def unframed(request: RawRequest, conn: Any) -> bool:  # no Content-Length: read to the close
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + big)
        return False

    faults.queue(reply(200, big), unframed, reply(200, exact), reply(503, big))
    for _ in range(2):
        with pytest.raises(rt.exceptions.ResponseTooLargeError):
            client.call(make_op(rt, "GET", "/x", responses={"200": "str"}), {})
    assert client.call(make_op(rt, "GET", "/x", responses={"200": "str"}), {}).data == "x" * 998
    with pytest.raises(rt.exceptions.ResponseTooLargeError):  # not retried: not a server hiccup
        client.call(make_op(rt, "GET", "/x"), {})
    assert len(faults.requests) == 4


# 13. pool_maxsize bounds the sockets, sync and async alike.


def test_pool_maxsize_bounds_open_sockets(rt: ModuleType, faults: FaultServer, flavour: str) -> None:
    faults.serve(trickle(0.02, b"{}"))
    config = configure(rt, faults, pool_maxsize=2)
    operation = make_op(rt, "GET", "/x", auth=())
    if flavour == "sync":
        client = rt.api_client.ApiClient(config)
        answers: list[int] = []
        threads = [threading.Thread(target=lambda: answers.append(
            client.call(operation, {}).status_code)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        client.close()
    else:
        async def main() -> list[int]:
            async with rt.async_api_client.AsyncApiClient(config) as client:
                done = await asyncio.gather(*(client.call(operation, {}) for _ in range(8)))
                return [response.status_code for response in done]

        answers = asyncio.run(main())
    assert answers == [200] * 8
    assert faults.max_open <= 2 and len(faults.requests) == 8


def test_a_full_pool_waits_no_longer_than_the_deadline(rt: ModuleType, faults: FaultServer) -> None:
    faults.serve(trickle(0.1, b"{}" + b" " * 10))
    client = rt.api_client.ApiClient(configure(rt, faults, pool_maxsize=1))
    operation = make_op(rt, "GET", "/x", auth=())
    slow = threading.Thread(target=client.call, args=(operation, {}))
    slow.start()
    time.sleep(0.2)
    started = time.monotonic()
    with pytest.raises(rt.exceptions.ApiTimeoutError) as raised:
        client.call(operation, {}, timeout=0.3)
    assert time.monotonic() - started < 0.8
    assert raised.value.request_sent is False and "connection" in str(raised.value)
    slow.join()
    client.close()


def test_an_async_call_waiting_for_the_pool_past_its_deadline_was_not_sent(
        rt: ModuleType, faults: FaultServer) -> None:
    faults.serve(trickle(0.1, b"{}" + b" " * 10))
    post = make_op(rt, "POST", "/api/v3/order", auth=())

    async def main() -> None:
        async with rt.async_api_client.AsyncApiClient(configure(rt, faults, pool_maxsize=1)) as client:
            slow = asyncio.create_task(client.call(make_op(rt, "GET", "/x", auth=()), {}))
            await asyncio.sleep(0.2)
            started = time.monotonic()
            # Not ExecutionStatusUnknownError: the POST never had a connection to be sent on.
            with pytest.raises(rt.exceptions.ApiTimeoutError, match="deadline") as raised:
                await client.call(post, {}, timeout=0.3)
            assert time.monotonic() - started < 0.8
            assert raised.value.request_sent is False
            await slow

    asyncio.run(main())
    assert [r.method for r in faults.requests] == ["GET"]


# 14. A request on a pooled connection the server had already closed never left: safe to retry.


def test_an_idle_connection_the_server_closed_is_not_used(rt: ModuleType, connect: Connect,
                                                          auth: Any) -> None:
    with FaultServer(idle_close=0.2) as faults:
        client = connect(configure(rt, faults, auth))
        operation = make_op(rt, "POST", "/api/v3/order", ("symbol", "form"),
                            content_type="application/x-www-form-urlencoded", signed=True)
        assert client.call(operation, {"symbol": "BTCUSDT"}).status_code == 200
        # Nothing runs the client meanwhile (for the async one: no event loop is running).
        time.sleep(0.6)
        assert client.call(operation, {"symbol": "BTCUSDT"}).status_code == 200
        assert [r.connection for r in faults.requests] == [1, 2]


def test_a_blocked_event_loop_does_not_reuse_a_dead_connection(rt: ModuleType, auth: Any) -> None:
    with FaultServer(idle_close=0.2) as faults:
        operation = make_op(rt, "POST", "/api/v3/order", signed=True)

        async def main() -> list[int]:
            async with rt.async_api_client.AsyncApiClient(configure(rt, faults, auth)) as client:
                first = await client.call(operation, {})
                time.sleep(0.6)  # the loop is blocked: it has not seen the server's FIN
                second = await client.call(operation, {})
                return [first.status_code, second.status_code]

        assert asyncio.run(main()) == [200, 200]
        assert [r.connection for r in faults.requests] == [1, 2]


# 16. A required request body is enforced before any traffic.


def test_a_required_body_is_enforced(rt: ModuleType, faults: FaultServer, connect: Connect) -> None:
    client = connect(configure(rt, faults))
    operation = make_op(rt, "POST", "/orders", ("body", "json", True),
                        content_type="application/json")
    with pytest.raises(rt.exceptions.ApiValueError, match="required parameter 'body'"):
        client.call(operation, {})
    assert client.call(operation, {"body": {}}).status_code == 200
    assert [r.body for r in faults.requests] == [b"{}"]
