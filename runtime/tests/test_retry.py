"""The retry policy, through both clients: what is re-sent, the waits, 418 lockout, clock resync."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from loopback import LoopbackServer, RecordedRequest

from .conftest import Connect
from .test_client import free_port, hmac_hex, make_op, signed_parts

CLOCK_ERROR = {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}


@pytest.fixture(autouse=True)
def quick_backoff(rt: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(rt._retry, "BACKOFF_BASE", 0.01)
    yield


@pytest.fixture
def retrying(rt: ModuleType, server: LoopbackServer, connect: Connect, auth: Any) -> Any:
    return connect(rt.configuration.Configuration(host=server.url, auth=auth, max_retries=2,
                                                  read_timeout=0.3))


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_idempotent_methods_retry_5xx(rt: ModuleType, server: LoopbackServer, retrying: Any,
                                      method: str, status: int) -> None:
    server.reply(status, {"code": -1001, "msg": "Internal error"})
    server.reply(status, "bad gateway", headers={"Content-Type": "text/plain"})
    assert retrying.call(make_op(rt, method, "/api/v3/order"), {}).status_code == 200
    assert [r.method for r in server.requests] == [method] * 3


def test_a_post_is_never_sent_twice_after_a_5xx(rt: ModuleType, server: LoopbackServer,
                                                retrying: Any) -> None:
    server.reply(503, {"code": -1001, "msg": "Internal error; unable to process your request."})
    with pytest.raises(rt.exceptions.ExecutionStatusUnknownError) as raised:
        retrying.call(make_op(rt, "POST", "/api/v3/order"), {})
    error = raised.value
    assert len(server.requests) == 1
    assert isinstance(error, rt.exceptions.ServiceException)
    assert (error.status, error.code, error.method, error.path) == (503, -1001, "POST", "/api/v3/order")
    assert isinstance(error.data, rt.models.APIError)
    assert "may or may not have been executed" in str(error) and "(503)" in str(error)


def test_a_post_whose_answer_is_lost_is_not_sent_again(rt: ModuleType, server: LoopbackServer,
                                                       retrying: Any) -> None:
    server.reply(200, {}, delay=1.0)
    with pytest.raises(rt.exceptions.ExecutionStatusUnknownError) as raised:
        retrying.call(make_op(rt, "POST", "/api/v3/order", signed=True), {})
    assert len(server.requests) == 1
    assert raised.value.status == 0
    assert isinstance(raised.value.__cause__, rt.exceptions.ApiTimeoutError)
    assert "may or may not have been executed" in str(raised.value)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_idempotent_methods_retry_timeouts(rt: ModuleType, server: LoopbackServer, retrying: Any,
                                           method: str) -> None:
    server.reply(200, {"late": True}, delay=1.0)
    assert retrying.call(make_op(rt, method, "/api/v3/order"), {}).data == {}
    assert len(server.requests) == 2


def test_a_request_that_never_left_is_retried_whatever_its_method(rt: ModuleType,
                                                                  connect: Connect) -> None:
    config = rt.configuration.Configuration(host=f"http://127.0.0.1:{free_port()}", max_retries=2)
    started = time.monotonic()
    with pytest.raises(rt.exceptions.ApiConnectionError) as raised:
        connect(config).call(make_op(rt, "POST", "/api/v3/order", auth=()), {})
    assert raised.value.request_sent is False
    assert not isinstance(raised.value, rt.exceptions.ExecutionStatusUnknownError)
    assert time.monotonic() - started >= 0.005 + 0.01  # two backoff pauses (with jitter) happened


def test_429_waits_for_retry_after_for_any_method(rt: ModuleType, server: LoopbackServer,
                                                  retrying: Any) -> None:
    server.reply(429, {"code": -1003, "msg": "Too many requests."}, headers={"Retry-After": "0.4"})
    started = time.monotonic()
    assert retrying.call(make_op(rt, "POST", "/api/v3/order"), {}).status_code == 200
    assert time.monotonic() - started >= 0.4
    assert len(server.requests) == 2


def test_429_with_a_long_or_no_retry_after_is_raised(rt: ModuleType, server: LoopbackServer,
                                                     retrying: Any) -> None:
    for headers in ({"Retry-After": "30"}, {}):
        server.reply(429, {"code": -1003, "msg": "Too many requests."}, headers=headers)
        with pytest.raises(rt.exceptions.RateLimitException):
            retrying.call(make_op(rt, "GET", "/api/v3/order"), {})
    assert len(server.requests) == 2


def test_gives_up_after_max_retries(rt: ModuleType, server: LoopbackServer, retrying: Any) -> None:
    for _ in range(3):
        server.reply(500, {})
    with pytest.raises(rt.exceptions.ServiceException) as raised:
        retrying.call(make_op(rt, "GET", "/x"), {})
    assert not isinstance(raised.value, rt.exceptions.ExecutionStatusUnknownError)
    assert len(server.requests) == 3


def test_other_errors_are_not_retried(rt: ModuleType, server: LoopbackServer, retrying: Any) -> None:
    for status in (400, 401, 403, 404, 409):
        server.reply(status, {"code": -2010, "msg": "no"})
        with pytest.raises(rt.exceptions.ApiException):
            retrying.call(make_op(rt, "GET", "/x"), {})
    assert len(server.requests) == 5


def test_418_is_never_retried_and_locks_the_client_out(rt: ModuleType, server: LoopbackServer,
                                                       retrying: Any, connect: Connect) -> None:
    server.reply(418, {"code": -1003, "msg": "Way too many requests; IP banned until 1700000000000."},
                 headers={"Retry-After": "0.6"})
    with pytest.raises(rt.exceptions.IPBannedException) as banned:
        retrying.call(make_op(rt, "GET", "/x"), {})
    assert banned.value.request_sent is True and len(server.requests) == 1
    # Refused before any traffic, saying how long is left, for every method.
    for method in ("GET", "POST"):
        with pytest.raises(rt.exceptions.IPBannedException) as refused:
            retrying.call(make_op(rt, method, "/x"), {})
        assert refused.value.request_sent is False
        assert 0 < refused.value.retry_after <= 0.6
        assert "no request was sent" in str(refused.value) and "Retry-After" in str(refused.value)
    assert len(server.requests) == 1
    # Another client (its own state) is not locked; this one is again once the ban has passed.
    other = connect(rt.configuration.Configuration(host=server.url))
    assert other.call(make_op(rt, "GET", "/y"), {}).status_code == 200
    time.sleep(0.6)
    assert retrying.call(make_op(rt, "GET", "/x"), {}).status_code == 200
    assert len(server.requests) == 3


def test_signed_retries_are_signed_afresh(rt: ModuleType, server: LoopbackServer,
                                          retrying: Any) -> None:
    server.reply(429, {}, headers={"Retry-After": "0.01"})
    retrying.call(make_op(rt, "GET", "/api/v3/account", signed=True), {})
    first, second = server.requests
    for request in (first, second):
        payload, signature = signed_parts(request)
        assert signature == hmac_hex(payload)
    assert first.query["timestamp"] != second.query["timestamp"]


class SkewedServer:
    """Binance's timestamp check on a loopback server whose clock is `skew_ms` off ours."""

    def __init__(self, server: LoopbackServer, skew_ms: int, time_status: int = 200) -> None:
        self.skew_ms = skew_ms
        self.time_status = time_status
        server.respond_with(self)

    def now(self) -> int:
        return int(time.time() * 1000) + self.skew_ms

    def __call__(self, request: RecordedRequest) -> tuple[int, Any] | None:
        if request.path == "/api/v3/time":
            return self.time_status, {"serverTime": self.now()}
        stamp = (request.query or request.form).get("timestamp")
        if stamp is None:
            return None
        window = int((request.query or request.form).get("recvWindow", ["5000"])[0])
        if not self.now() - window <= int(stamp[0]) <= self.now() + 1000:
            return 400, CLOCK_ERROR
        return 200, {"accepted": int(stamp[0])}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_rejected_timestamp_resyncs_the_clock_and_is_sent_once_more(
        rt: ModuleType, server: LoopbackServer, connect: Connect, auth: Any, method: str) -> None:
    skewed = SkewedServer(server, skew_ms=-20_000)  # our clock is 20 s ahead of Binance's
    client = connect(rt.configuration.Configuration(host=server.url, auth=auth, max_retries=0))
    operation = make_op(rt, method, "/api/v3/order", ("symbol", "query"), signed=True)
    response = client.call(operation, {"symbol": "BTCUSDT"})
    assert [(r.method, r.path) for r in server.requests] == [
        (method, "/api/v3/order"), ("GET", "/api/v3/time"), (method, "/api/v3/order")]
    assert abs(client.clock_offset_ms + 20_000) < 500
    assert abs(response.data["accepted"] - skewed.now()) < 1000
    time_request = server.requests[1]
    assert "signature" not in time_request.query and time_request.headers.get("X-MBX-APIKEY") is None
    for request in (server.requests[0], server.requests[2]):
        payload, signature = signed_parts(request)
        assert signature == hmac_hex(payload)
    # The offset is kept: the next call is accepted at once.
    client.call(operation, {"symbol": "BTCUSDT"})
    assert len(server.requests) == 4


def test_the_clock_is_resynced_once_per_call(rt: ModuleType, server: LoopbackServer,
                                             connect: Connect, auth: Any) -> None:
    server.respond_with(lambda r: (200, {"serverTime": 5}) if r.path == "/api/v3/time"
                        else (400, CLOCK_ERROR))
    client = connect(rt.configuration.Configuration(host=server.url, auth=auth, max_retries=2))
    with pytest.raises(rt.exceptions.BadRequestException) as raised:
        client.call(make_op(rt, "GET", "/api/v3/account", signed=True), {})
    assert raised.value.code == -1021
    assert [r.path for r in server.requests] == ["/api/v3/account", "/api/v3/time", "/api/v3/account"]


def test_a_failed_clock_read_raises_the_original_rejection(rt: ModuleType, server: LoopbackServer,
                                                           connect: Connect, auth: Any) -> None:
    SkewedServer(server, skew_ms=-20_000, time_status=500)
    client = connect(rt.configuration.Configuration(host=server.url, auth=auth, max_retries=0))
    with pytest.raises(rt.exceptions.BadRequestException) as raised:
        client.call(make_op(rt, "GET", "/api/v3/account", signed=True), {})
    assert raised.value.code == -1021
    assert any("Reading the server clock failed" in note for note in raised.value.__notes__)
    assert client.clock_offset_ms == 0


def test_unsigned_calls_and_callers_own_timestamps_are_not_resynced(
        rt: ModuleType, server: LoopbackServer, connect: Connect, auth: Any) -> None:
    server.respond_with(lambda r: (400, CLOCK_ERROR))
    client = connect(rt.configuration.Configuration(host=server.url, auth=auth, max_retries=0))
    own = make_op(rt, "GET", "/api/v3/account", ("timestamp", "query"), signed=True)
    for operation, params in ((make_op(rt, "GET", "/api/v3/x"), {}), (own, {"timestamp": 1})):
        with pytest.raises(rt.exceptions.BadRequestException):
            client.call(operation, params)
    assert len(server.requests) == 2


def test_time_sync_on_start(rt: ModuleType, server: LoopbackServer, connect: Connect,
                            auth: Any) -> None:
    SkewedServer(server, skew_ms=-20_000)
    config = rt._binance.Configuration(host=server.url, auth=auth, time_sync_on_start=True)
    client = connect(config)
    client.call(make_op(rt, "GET", "/api/v3/ping"), {})  # unsigned: no clock needed
    client.call(make_op(rt, "GET", "/api/v3/account", signed=True), {})
    client.call(make_op(rt, "POST", "/api/v3/order", signed=True), {})
    assert [r.path for r in server.requests] == [
        "/api/v3/ping", "/api/v3/time", "/api/v3/account", "/api/v3/order"]
    assert abs(client.clock_offset_ms + 20_000) < 500


def test_sync_clock_on_demand(rt: ModuleType, server: LoopbackServer, connect: Connect) -> None:
    SkewedServer(server, skew_ms=3_000)
    client = connect(rt.configuration.Configuration(host=server.url))
    with pytest.raises(rt.exceptions.ApiValueError, match="api="):
        client.sync_clock()  # no call yet: which API's clock?
    assert abs(client.sync_clock(api=rt._metadata.API) - 3_000) < 500
    assert [r.path for r in server.requests] == ["/api/v3/time"]
    client.call(make_op(rt, "GET", "/api/v3/ping"), {})
    assert abs(client.sync_clock() - 3_000) < 500  # the API of the calls made
    with pytest.raises(rt.exceptions.ApiValueError, match="no server clock"):
        client.sync_clock(api=rt.operation.ApiInfo())  # plain OpenAPI: no clock
    server.respond_with(lambda r: (200, {"serverTime": "soon"}))
    with pytest.raises(rt.exceptions.ResponseValidationError, match="serverTime"):
        client.sync_clock()


def test_time_paths_follow_the_api(rt: ModuleType) -> None:
    clock = rt._binance.BINANCE.clock_path
    assert clock("/api/v3/order") == "/api/v3/time"
    assert clock("/sapi/v1/margin/order") == "/api/v3/time"
    assert clock("/fapi/v1/order") == "/fapi/v1/time"
    assert clock("/dapi/v1/order") == "/dapi/v1/time"


def test_backoff_is_exponential_capped_and_jittered(rt: ModuleType) -> None:
    retry = rt._retry
    for attempt in range(1, 12):
        expected = min(retry.BACKOFF_MAX, retry.BACKOFF_BASE * 2 ** (attempt - 1))
        samples = {retry.backoff(attempt) for _ in range(50)}
        assert all(expected / 2 <= s <= expected for s in samples) and len(samples) > 1


def test_retry_wait_table(rt: ModuleType) -> None:
    wait = rt._retry.retry_wait
    assert wait("POST", 429, {"Retry-After": "3"}, 1) == 3.0
    assert wait("POST", 429, {"Retry-After": "11"}, 1) is None
    assert wait("POST", 429, {}, 1) is None
    assert wait("POST", 503, {}, 1) is None
    assert wait("PATCH", 500, {}, 1) is None
    assert wait("DELETE", 503, {"Retry-After": "2"}, 1) == 2.0
    assert 0 < wait("PUT", 502, {}, 1) <= rt._retry.BACKOFF_BASE
    for status in (400, 401, 404, 409, 418, 501):
        assert wait("GET", status, {"Retry-After": "1"}, 1) is None
