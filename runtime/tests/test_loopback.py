"""The loopback test server: scripted answers, recorded requests, keep-alive, quiet and quick shutdown."""

from __future__ import annotations

import http.client
import json
import threading
import time

import pytest
from loopback import LoopbackServer, RecordedRequest


def request(server: LoopbackServer, method: str, target: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=5)
    try:
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_default_answer_and_recording(server: LoopbackServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    status, headers, body = request(server, "POST", "/api/v3/order?symbol=A%20B&x=&x=2",
                                    b"side=BUY&qty=1", {"Content-Type": "application/x-www-form-urlencoded",
                                                        "X-MBX-APIKEY": "k"})
    assert (status, body, headers["Content-Type"]) == (200, b"{}", "application/json")
    (recorded,) = server.requests
    assert (recorded.method, recorded.path, recorded.raw_query) == ("POST", "/api/v3/order",
                                                                    "symbol=A%20B&x=&x=2")
    assert recorded.query == {"symbol": ["A B"], "x": ["", "2"]}
    assert recorded.form == {"side": ["BUY"], "qty": ["1"]}
    assert recorded.headers.get("x-mbx-apikey") == "k"
    assert recorded.body == b"side=BUY&qty=1"


def test_scripted_answers_in_order(server: LoopbackServer) -> None:
    server.reply(201, {"a": 1}, headers={"X-MBX-USED-WEIGHT-1M": "3"})
    server.reply(503, "down", headers={"content-type": "text/plain"})
    server.reply(204, b"")
    status, headers, body = request(server, "GET", "/1")
    assert (status, json.loads(body), headers["X-MBX-USED-WEIGHT-1M"]) == (201, {"a": 1}, "3")
    status, headers, body = request(server, "GET", "/2")
    assert (status, body, headers["content-type"]) == (503, b"down", "text/plain")
    assert "Content-Type" not in headers  # the scripted header replaced the default one
    assert request(server, "DELETE", "/3")[0] == 204
    assert request(server, "GET", "/4")[:1] == (200,)
    assert [r.path for r in server.requests] == ["/1", "/2", "/3", "/4"]
    assert server.requests[1].form == {}


def test_keep_alive_serves_many_requests_on_one_connection(server: LoopbackServer) -> None:
    connection = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=5)
    try:
        for index in range(3):
            connection.request("GET", f"/{index}")
            response = connection.getresponse()
            assert response.read() == b"{}" and not response.will_close
    finally:
        connection.close()
    assert len(server.requests) == 3


def test_concurrent_clients(server: LoopbackServer) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(10):
                assert request(server, "GET", "/x")[0] == 200
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(server.requests) == 80


def test_close_is_quick_with_open_and_delayed_connections(capfd: pytest.CaptureFixture[str]) -> None:
    server = LoopbackServer()
    idle = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=5)
    idle.request("GET", "/")
    idle.getresponse().read()  # now an idle keep-alive connection held by a handler thread
    server.reply(200, {}, delay=30)
    slow = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=5)
    slow.request("GET", "/slow")
    time.sleep(0.1)
    started = time.monotonic()
    server.close()
    assert time.monotonic() - started < 2
    with pytest.raises((http.client.HTTPException, OSError)):
        slow.getresponse()
    idle.close()
    slow.close()
    server.close()  # twice is fine
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # silent, even when clients hang up


def test_a_handler_answers_from_the_request(server: LoopbackServer) -> None:
    def handler(recorded: RecordedRequest) -> tuple[int, object, dict[str, str]] | None:
        if recorded.path == "/echo":
            return 201, {"query": recorded.query}, {"X-Seen": recorded.method}
        return None  # the queue, then the default answer

    server.respond_with(handler)  # type: ignore[arg-type]
    server.reply(202, "queued")
    status, headers, body = request(server, "PUT", "/echo?a=1")
    assert (status, json.loads(body), headers["X-Seen"]) == (201, {"query": {"a": ["1"]}}, "PUT")
    assert request(server, "GET", "/other")[::2] == (202, b"queued")
    server.respond_with(None)
    assert request(server, "GET", "/echo")[::2] == (200, b"{}")
