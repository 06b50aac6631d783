"""ApiClient and AsyncApiClient over real HTTP on 127.0.0.1: keys, signatures checked server-side,
errors, timeouts, logs. Every test taking `client` or `connect` runs once per client flavour."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import socket
import time
from types import ModuleType
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from loopback import LoopbackServer, RecordedRequest

from .conftest import API_KEY, FULLWIDTH_123, SECRET_KEY, Connect

FORM = "application/x-www-form-urlencoded"
ERRORS = {"4XX": "APIError", "5XX": "APIError"}


def make_op(rt: ModuleType, method: str, path: str, *params: tuple[Any, ...], **options: Any) -> Any:
    options.setdefault("responses", {"200": "dict[str, Any]", **ERRORS})
    options.setdefault("auth", ("ApiKey",))
    options.setdefault("api", rt._metadata.API)
    return rt.operation.Operation(f"Test{method.title()}", method, path,
                                  params=tuple(rt.operation.Param(*p) for p in params), **options)


def signed_parts(request: RecordedRequest) -> tuple[str, str]:
    """(what was signed, the signature) as the server recomputes it from the bytes it received."""
    body = request.body.decode()
    if "signature" in request.form:
        payload, _, signature = body.rpartition("&signature=")
        return request.raw_query + payload, signature
    payload, _, signature = request.raw_query.rpartition("&signature=")
    return payload + body, signature


def hmac_hex(payload: str) -> str:
    return hmac.new(SECRET_KEY.encode(), payload.encode(), hashlib.sha256).hexdigest()


def free_port() -> int:
    with socket.socket() as probe:  # a port that nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_user_data_stream_calls_send_the_api_key_header(rt: ModuleType, server: LoopbackServer,
                                                        client: Any) -> None:
    create = make_op(rt, "POST", "/api/v3/userDataStream", responses={"200": "ListenKey", **ERRORS})
    keepalive = make_op(rt, "PUT", "/api/v3/userDataStream", ("listenKey", "form", True),
                        content_type=FORM)
    close = make_op(rt, "DELETE", "/api/v3/userDataStream", ("listenKey", "query", True))
    server.reply(200, {"listenKey": "pqia91ma19a5s61cv6a81va65sdf19v8a65a1"})
    key = client.call(create, {}).data.listen_key
    client.call(keepalive, {"listenKey": key})
    assert client.call(close, {"listenKey": key}).data == {}
    first, second, third = server.requests
    for request in server.requests:
        assert request.headers.get("x-mbx-apikey") == API_KEY
        assert "timestamp" not in request.query and "signature" not in request.query
    assert (first.method, first.path, first.body) == ("POST", "/api/v3/userDataStream", b"")
    assert second.method == "PUT" and second.form == {"listenKey": [key]}
    assert second.headers.get("Content-Type") == FORM
    assert third.method == "DELETE" and third.query == {"listenKey": [key]}


def test_signed_get_is_verified_by_the_server(rt: ModuleType, server: LoopbackServer,
                                              client: Any) -> None:
    operation = make_op(rt, "GET", "/api/v3/order", ("symbol", "query", True),
                        ("orderId", "query"), ("note", "query"), signed=True)
    # Characters yarl or urllib3 might re-encode: the bytes sent must be the bytes signed.
    client.call(operation, {"symbol": FULLWIDTH_123, "orderId": 12, "note": "a~b c+d/e%"})
    (request,) = server.requests
    payload, signature = signed_parts(request)
    assert signature == hmac_hex(payload)
    assert request.raw_query.endswith("&signature=" + signature)  # last
    assert list(request.query) == ["symbol", "orderId", "note", "timestamp", "signature"]
    assert request.query["symbol"] == [FULLWIDTH_123] and request.query["note"] == ["a~b c+d/e%"]
    assert abs(int(request.query["timestamp"][0]) - time.time() * 1000) < 5000


def test_signed_post_form_is_verified_by_the_server(rt: ModuleType, server: LoopbackServer,
                                                    client: Any) -> None:
    operation = make_op(rt, "POST", "/api/v3/order", ("symbol", "form", True), ("side", "form", True),
                        ("quantity", "form"), ("price", "form"), ("newClientOrderId", "form"),
                        content_type=FORM, signed=True)
    client.call(operation, {"symbol": "BTCUSDT", "side": "BUY", "quantity": 0.00001,
                            "price": 1e20, "newClientOrderId": None})
    (request,) = server.requests
    assert request.raw_query == ""
    payload, signature = signed_parts(request)
    assert signature == hmac_hex(payload)
    assert list(request.form) == ["symbol", "side", "quantity", "price", "timestamp", "signature"]
    assert request.form["quantity"] == ["0.00001"]
    assert request.form["price"] == ["100000000000000000000"]


def test_rsa_signed_request_verifies_and_is_percent_encoded(rt: ModuleType, server: LoopbackServer,
                                                            connect: Connect) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    auth = rt.auth.BinanceAuth(api_key=API_KEY, private_key_pem=pem)
    client = connect(rt.configuration.Configuration(host=server.url, auth=auth, max_retries=0))
    operation = make_op(rt, "GET", "/api/v3/account", signed=True)
    for _ in range(5):
        client.call(operation, {})
    for request in server.requests:
        raw_signature = request.raw_query.rpartition("&signature=")[2]
        assert not set(raw_signature) & set("+/=")
        payload, _ = signed_parts(request)
        (signature,) = request.query["signature"]  # parse_qs undoes the percent-encoding
        key.public_key().verify(base64.b64decode(signature), payload.encode(), padding.PKCS1v15(),
                                hashes.SHA256())


def test_errors_carry_status_code_and_message(rt: ModuleType, server: LoopbackServer,
                                              client: Any) -> None:
    operation = make_op(rt, "GET", "/api/v3/order", signed=True)
    server.reply(400, {"code": -1102, "msg": "Mandatory parameter 'symbol' was not sent."})
    with pytest.raises(rt.exceptions.BadRequestException) as raised:
        client.call(operation, {})
    error = raised.value
    assert (error.status, error.code) == (400, -1102)
    assert isinstance(error.data, rt.models.APIError)
    assert str(error).splitlines() == [
        "(400)", "Reason: Bad Request", "Code: -1102",
        "Message: Mandatory parameter 'symbol' was not sent."]
    assert SECRET_KEY not in str(error) and API_KEY not in str(error)


def test_rate_limit_answers(rt: ModuleType, server: LoopbackServer, client: Any) -> None:
    operation = make_op(rt, "POST", "/api/v3/userDataStream")
    server.reply(429, {"code": -1003, "msg": "Too many requests"}, headers={"Retry-After": "30"})
    with pytest.raises(rt.exceptions.RateLimitException) as raised:
        client.call(operation, {})
    assert raised.value.retry_after == 30.0
    server.reply(418, {"code": -1003, "msg": "Way too many requests; IP banned"},
                 headers={"Retry-After": "120"})
    with pytest.raises(rt.exceptions.IPBannedException) as banned:
        client.call(operation, {})
    assert banned.value.retry_after == 120.0 and "Retry-After: 120 s" in str(banned.value)
    assert banned.value.request_sent is True


def test_non_json_error_page(rt: ModuleType, server: LoopbackServer, client: Any) -> None:
    server.reply(503, "<html>Service Unavailable</html>", headers={"Content-Type": "text/html"})
    with pytest.raises(rt.exceptions.ServiceException) as raised:
        client.call(make_op(rt, "GET", "/api/v3/account"), {})
    assert raised.value.data is None and raised.value.code is None
    assert raised.value.body == b"<html>Service Unavailable</html>"


def test_rate_limit_headers(rt: ModuleType, server: LoopbackServer, client: Any) -> None:
    server.reply(200, {}, headers={"X-MBX-USED-WEIGHT-1M": "12", "x-mbx-order-count-10s": "2",
                                   "X-MBX-USED-WEIGHT": "12", "X-Other": "5"})
    response = client.call(make_op(rt, "GET", "/api/v3/time", auth=()), {})
    expected = {"x-mbx-used-weight-1m": 12, "x-mbx-order-count-10s": 2, "x-mbx-used-weight": 12}
    assert response.rate_limits == expected
    assert client.last_rate_limits == expected
    assert response.headers["x-mbx-used-weight-1m"] == "12"  # headers ignore case
    server.reply(429, {}, headers={"X-MBX-USED-WEIGHT-1M": "6000"})
    with pytest.raises(rt.exceptions.RateLimitException):
        client.call(make_op(rt, "GET", "/api/v3/time", auth=()), {})
    assert client.last_rate_limits == {"x-mbx-used-weight-1m": 6000}


def test_response_type_hints_over_http(rt: ModuleType, server: LoopbackServer, client: Any) -> None:
    orders = [{"symbol": "BTCUSDT", "orderId": 1}, {"symbol": "ETHBTC", "orderId": 2, "new": 1}]
    server.reply(200, orders)
    data = client.call(make_op(rt, "GET", "/api/v3/openOrders",
                               responses={"200": "list[Order]", **ERRORS}), {}).data
    assert [o.symbol for o in data] == ["BTCUSDT", "ETHBTC"] and data[1].to_dict()["new"] == 1
    server.reply(200, {"a": [1, None]})
    assert client.call(make_op(rt, "GET", "/x"), {}).data == {"a": [1, None]}
    server.reply(204, b"")
    assert client.call(make_op(rt, "DELETE", "/x"), {}).data is None


def test_json_body_and_headers_go_out_as_built(rt: ModuleType, server: LoopbackServer,
                                               client: Any) -> None:
    operation = make_op(rt, "POST", "/sapi/v1/thing", ("X-Trace", "header"), ("body", "json"),
                        content_type="application/json")
    client.call(operation, {"X-Trace": "t-1", "body": {"price": 0.00001, "tags": ["a"]}},
                headers={"X-Extra": "e"})
    (request,) = server.requests
    assert request.body == b'{"price":0.00001,"tags":["a"]}'
    assert request.headers.get("Content-Type") == "application/json"
    assert (request.headers.get("X-Trace"), request.headers.get("X-Extra")) == ("t-1", "e")
    assert request.headers.get("User-Agent").startswith("binance-spot/1.0.0 python/")


def test_connection_refused(rt: ModuleType, connect: Connect, flavour: str) -> None:
    config = rt.configuration.Configuration(host=f"http://127.0.0.1:{free_port()}",
                                            auth=rt.auth.BinanceAuth(api_key=API_KEY), max_retries=0)
    with pytest.raises(rt.exceptions.ApiConnectionError) as raised:
        connect(config).call(make_op(rt, "POST", "/api/v3/userDataStream"), {})
    assert not isinstance(raised.value, rt.exceptions.ApiTimeoutError)
    assert raised.value.request_sent is False  # so even a POST may be retried (test_retry)
    library = "urllib3" if flavour == "sync" else "aiohttp"
    assert library in type(raised.value.__cause__).__module__


def test_read_timeout(rt: ModuleType, server: LoopbackServer, connect: Connect) -> None:
    config = rt.configuration.Configuration(host=server.url, auth=rt.auth.BinanceAuth(api_key=API_KEY),
                                            max_retries=0, read_timeout=0.2)
    client = connect(config)
    server.reply(200, {}, delay=2.0)
    started = time.monotonic()
    with pytest.raises(rt.exceptions.ApiTimeoutError) as raised:
        client.call(make_op(rt, "GET", "/api/v3/account"), {})
    assert time.monotonic() - started < 1.5
    assert raised.value.request_sent is True
    # A per-call timeout wins over the configured one.
    server.reply(200, {}, delay=0.5)
    assert client.call(make_op(rt, "GET", "/x"), {}, timeout=(1.0, 2.0)).data == {}
    with pytest.raises(rt.exceptions.ApiValueError, match="invalid timeout"):
        client.call(make_op(rt, "GET", "/x"), {}, timeout=-1.0)


def test_connect_timeout(rt: ModuleType, connect: Connect) -> None:
    # A listening socket whose backlog is full stops completing handshakes: connect() hangs.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        fillers = []
        try:
            for _ in range(16):
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(listener.getsockname())
                fillers.append(filler)
            host, port = listener.getsockname()
            config = rt.configuration.Configuration(host=f"http://{host}:{port}", max_retries=0,
                                                    connect_timeout=0.2)
            client = connect(config)
            try:
                client.call(make_op(rt, "GET", "/x", auth=()), {})
            except rt.exceptions.ApiTimeoutError as exc:
                assert exc.request_sent is False
            except rt.exceptions.ApiConnectionError:
                pytest.skip("this kernel refuses instead of dropping when the backlog is full")
            else:
                pytest.fail("no timeout")
        finally:
            for filler in fillers:
                filler.close()


def test_network_errors_name_the_path_but_not_the_query(rt: ModuleType, server: LoopbackServer,
                                                        auth: Any, connect: Connect) -> None:
    config = rt.configuration.Configuration(host=server.url, auth=auth, max_retries=0,
                                            read_timeout=0.1)
    client = connect(config)
    for method, error in (("GET", "ApiTimeoutError"), ("POST", "ExecutionStatusUnknownError")):
        server.reply(200, {}, delay=1.0)
        with pytest.raises(getattr(rt.exceptions, error)) as raised:
            client.call(make_op(rt, method, "/api/v3/account", signed=True), {})
        text = str(raised.value)
        assert "/api/v3/account" in text
        assert "signature" not in text and "timestamp" not in text and API_KEY not in text


def test_logs_never_show_secrets(rt: ModuleType, server: LoopbackServer, connect: Connect,
                                 auth: Any, caplog: pytest.LogCaptureFixture) -> None:
    client = connect(rt.configuration.Configuration(host=server.url, auth=auth, max_retries=1))
    operation = make_op(rt, "GET", "/api/v3/order", ("symbol", "query", True), signed=True)
    # A retry, a clock resync and a ban: every kind of log line the client writes.
    server.reply(503, {"code": -1008, "msg": "busy"}, headers={"Retry-After": "0"})
    server.reply(400, {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."})
    server.reply(200, {"serverTime": int(time.time() * 1000)})
    with caplog.at_level(logging.DEBUG, logger="rtpkg"):
        client.call(operation, {"symbol": "BTCUSDT"})
        client.call(make_op(rt, "DELETE", "/api/v3/userDataStream", ("listenKey", "query")),
                    {"listenKey": "secret-listen-key"})
        server.reply(418, {}, headers={"Retry-After": "0"})
        with pytest.raises(rt.exceptions.IPBannedException):
            client.call(operation, {"symbol": "BTCUSDT"})
    signatures = [r.query["signature"][0] for r in server.requests if "signature" in r.query]
    assert len(signatures) == 4  # the 503, the -1021, the retry after reading the clock, the 418
    text = caplog.text
    assert f"GET {server.url}/api/v3/order?symbol=BTCUSDT&timestamp=" in text and "-> 200" in text
    assert "retry 1/1" in text and "clock" in text and "418" in text
    for secret in (*signatures, API_KEY, SECRET_KEY, "secret-listen-key"):
        assert secret not in text
    assert "signature=[redacted]" in text and "listenKey=[redacted]" in text
    assert {record.name for record in caplog.records} == {"rtpkg"}


def test_reprs_never_show_secrets(rt: ModuleType, client: Any) -> None:
    config = rt.configuration.Configuration(
        auth=rt.auth.BinanceAuth(api_key=API_KEY, secret_key=SECRET_KEY),
        proxy="http://user:hunter2@proxy.example:3128", default_headers={"X-Token": "hunter2"})
    clients = (rt.api_client.ApiClient(config), rt.async_api_client.AsyncApiClient(config))
    for text in (repr(config), repr(client), repr(client.configuration), *map(repr, clients)):
        assert API_KEY not in text and SECRET_KEY not in text and "hunter2" not in text


def test_default_sync_client_and_context_manager(rt: ModuleType, server: LoopbackServer) -> None:
    ApiClient, Configuration = rt.api_client.ApiClient, rt.configuration.Configuration
    Configuration.set_default(Configuration(host=server.url, auth=rt.auth.BinanceAuth(api_key=API_KEY)))
    default = ApiClient.get_default()
    assert default is ApiClient.get_default()
    assert default.configuration is Configuration.get_default()
    with default as client:
        assert client.call(make_op(rt, "GET", "/x"), {}).data == {}
    # After close() the pool is empty; the next call opens a new connection.
    assert default.call(make_op(rt, "GET", "/x"), {}).data == {}
    assert len(server.requests) == 2


def test_one_sync_client_shared_by_threads(rt: ModuleType, server: LoopbackServer, auth: Any) -> None:
    import threading

    client = rt.api_client.ApiClient(rt.configuration.Configuration(host=server.url, auth=auth))
    operation = make_op(rt, "GET", "/api/v3/account", ("n", "query"), signed=True)
    failures: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            for call in range(10):
                client.call(operation, {"n": index * 100 + call})
        except BaseException as exc:  # reported below, in the test's own thread
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sorted(int(r.query["n"][0]) for r in server.requests) == sorted(
        i * 100 + c for i in range(8) for c in range(10))
    for request in server.requests:
        payload, signature = signed_parts(request)
        assert signature == hmac_hex(payload)


def test_a_pool_the_manager_dropped_is_fetched_again(rt: ModuleType, server: LoopbackServer) -> None:
    # The transport keeps each origin's pool; when urllib3's manager evicts and closes it (it keeps
    # a bounded number of origins), the next call asks the manager for a new one, before sending.
    rest = rt.rest.RESTClient(rt.configuration.Configuration(host=server.url))
    first = rest.request("GET", f"{server.url}/a?x=1%202", {"X-Test": "1"})
    rest._manager.clear()  # what eviction does: the cached pool is closed
    second = rest.request("GET", f"{server.url}/b?y=%2B", {"X-Test": "2"})
    assert (first.status, second.status) == (200, 200)
    assert [(r.path, r.raw_query) for r in server.requests] == [("/a", "x=1%202"), ("/b", "y=%2B")]
    rest.close()


@pytest.mark.parametrize("body", [b"", b"  "])
def test_an_empty_success_where_a_model_is_declared_is_not_a_success(
        rt: ModuleType, server: LoopbackServer, client: Any, body: bytes) -> None:
    """Issue 14, item 2: an empty 200 for an operation that declares a model raises, never data=None."""
    create = make_op(rt, "POST", "/api/v3/userDataStream", responses={"200": "ListenKey", **ERRORS})
    server.reply(200, body)
    with pytest.raises(rt.exceptions.ResponseValidationError, match="empty body, not ListenKey") as raised:
        client.call(create, {})
    assert raised.value.status == 200


def test_an_empty_answer_is_fine_where_the_type_admits_it(rt: ModuleType, server: LoopbackServer,
                                                        client: Any) -> None:
    for hint in ("ListenKey | None", "Any", "str"):
        server.reply(200, b"")
        assert client.call(make_op(rt, "GET", "/x", responses={"200": hint, **ERRORS}), {}).data is None
    server.reply(204, b"")  # no body by definition, whatever the spec declares
    assert client.call(make_op(rt, "DELETE", "/x", responses={"2XX": "ListenKey", **ERRORS}), {}).data is None
