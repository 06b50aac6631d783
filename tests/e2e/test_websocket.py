"""AsyncAPI 3.0 in, a WebSocket API client out: alone, beside an OpenAPI spec in one package, the
documents refused with their reasons, and the README's user-data-stream walk-through against the
local stand-in server, a dropped connection included."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, SPECS, run_cli, run_package_tests

WS_SPEC = SPECS / "websocket" / "websocket-api.yaml"
REST_SPEC = SPECS / "user_data_stream" / "openapi.yaml"


def python(out: Path, code: str, env: dict[str, str] | None = None,
           timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Code run in a fresh interpreter that has the generated package on its path."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                          check=False, cwd=out, env={**os.environ, **(env or {}), "PYTHONPATH": str(out),
                                                     "PYTHONDONTWRITEBYTECODE": "1"})


@pytest.fixture(scope="module")
def alone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("alone") / "out"
    done = run_cli("generate", WS_SPEC, "--out", out, "--package-name", "acme.ws")
    assert done.code == 0, done.stderr
    assert "6 operations" in done.stdout  # ticker.price ... session.logout: the methods generated
    return out


@pytest.fixture(scope="module")
def combined(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The REST spec with the WebSocket spec beside it, combined by `websocket_spec`."""
    folder = tmp_path_factory.mktemp("combined")
    shutil.copy(REST_SPEC, folder / "openapi.yaml")
    shutil.copy(WS_SPEC, folder / "ws.yaml")
    (folder / "generator.toml").write_text('package_name = "acme.spot"\nwebsocket_spec = "ws.yaml"\n')
    out = folder / "out"
    done = run_cli("generate", folder / "openapi.yaml", "--config", folder / "generator.toml", "--out", out)
    assert done.code == 0, done.stderr
    return out


def test_an_asyncapi_document_alone_gives_a_client_whose_own_tests_pass(alone: Path) -> None:
    package = alone / "acme" / "ws"
    for name in ("websocket_api.py", "ws_client.py", "async_ws_client.py", "_ws_core.py", "user_data_stream.py"):
        assert (package / name).is_file(), name
    assert (alone / "docs" / "WebSocketApiClient.md").is_file()
    assert (alone / "tests" / "ws_loopback.py").is_file()
    run_package_tests(alone)


def test_the_generated_client_signs_parses_and_types_against_the_stand_in(alone: Path) -> None:
    done = python(alone, (
        "import acme.ws as p\n"
        "from tests.ws_loopback import WsLoopback\n"
        "with WsLoopback() as server:\n"
        "    server.answer('order.place', {'symbol': 'BTCUSDT', 'orderId': 7, 'status': 'NEW'})\n"
        "    auth = p.BinanceAuth(api_key='test-api-key', secret_key='test-secret-key')\n"
        "    with p.WebSocketApiClient(p.WsConfiguration(url=server.url, auth=auth, logon=False)) as ws:\n"
        "        order = ws.order_place(symbol='BTCUSDT', side='BUY', type='LIMIT', quantity=0.001)\n"
        "        (request,) = server.requests_for('order.place')\n"
        "        assert server.signed_ok(request), request\n"
        "        assert request['params']['quantity'] == '0.001', request\n"
        "        print(type(order).__name__, order.order_id, sorted(ws.rate_limits))\n"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:2] == ["OrderPlaceResult", "7"]


def test_rest_and_websocket_apis_in_one_package(combined: Path) -> None:
    package = combined / "acme" / "spot"
    assert (package / "websocket_api.py").is_file() and (package / "api").is_dir()
    # The user data stream goes over the WebSocket API; the listen-key helper keeps its own name.
    assert "WebSocketApiClient" in (package / "user_data_stream.py").read_text()
    assert "class ListenKeyStream" in (package / "listen_key_stream.py").read_text()
    readme = (combined / "README.md").read_text()
    assert "## WebSocket API" in readme and "generated from the OpenAPI document" in readme
    done = python(combined, "import acme.spot as p; print(p.UserDataStream.__module__, p.ListenKeyStream.__module__,"
                            " p.WebSocketApiClient.__name__, p.UserDataStreamApi.__name__)")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["acme.spot.user_data_stream", "acme.spot.listen_key_stream",
                                   "WebSocketApiClient", "UserDataStreamApi"]
    run_package_tests(combined)


def test_a_websocket_spec_that_is_not_asyncapi_is_refused_with_its_location(tmp_path: Path) -> None:
    shutil.copy(REST_SPEC, tmp_path / "openapi.yaml")
    (tmp_path / "generator.toml").write_text('websocket_spec = "openapi.yaml"\n')
    out = tmp_path / "out"
    done = run_cli("generate", tmp_path / "openapi.yaml", "--config", tmp_path / "generator.toml", "--out", out)
    assert done.code == 1
    assert "must be an AsyncAPI 3.0 document" in done.stderr and "Traceback" not in done.stderr
    line = next(n for n, text in enumerate(REST_SPEC.read_text().splitlines(), 1) if text.startswith("openapi:"))
    assert re.search(rf"openapi\.yaml:{line}:\d+: error: .*, not OpenAPI", done.stderr), done.stderr
    assert not out.exists()


# A reply without `status` to a method that is not SUBSCRIBE: neither the WebSocket API nor market streams.
NO_KNOWN_SHAPE = """\
asyncapi: 3.0.0
info: {title: Streams, version: '1'}
servers:
  main: {host: stream.example.com, protocol: wss}
channels:
  s:
    address: /
    messages:
      sub: {payload: {type: object, properties: {method: {type: string, const: PING}, id: {type: integer}}}}
      ack: {payload: {type: object, properties: {result: {type: 'null'}, id: {type: integer}}}}
operations:
  subscribe:
    action: send
    channel: {$ref: '#/channels/s'}
    messages: [{$ref: '#/channels/s/messages/sub'}]
    reply: {channel: {$ref: '#/channels/s'}, messages: [{$ref: '#/channels/s/messages/ack'}]}
"""


def test_a_document_with_no_method_in_the_clients_shape_is_refused_with_the_reasons(tmp_path: Path) -> None:
    spec = tmp_path / "streams.yaml"
    spec.write_text(NO_KNOWN_SHAPE)
    done = run_cli("generate", spec, "--out", tmp_path / "out")
    assert done.code == 1, done.stdout
    assert "no request/reply method to generate" in done.stderr
    assert re.search(r"streams\.yaml:\d+:\d+: warning: operation 'subscribe': its reply declares no `status`",
                     done.stderr), done.stderr
    assert not (tmp_path / "out").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_readme_user_data_stream_walk_through(combined: Path) -> None:
    """README: "The WebSocket API and the user data stream": the example, run as written against
    `python -m tests.ws_loopback --drop-after 3`, gets its events before and after the drop."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The WebSocket API and the user data stream", 1)[1].split("\n## ", 1)[0]
    example = section.split("```python\n", 1)[1].split("```", 1)[0].replace("binance.spot", "acme.spot")
    (combined / "stream.py").write_text(example)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "tests.ws_loopback", "--port", str(port), "--interval", "0.3",
                               "--drop-after", "1.5"], cwd=combined, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(combined)})
    try:
        assert server.stdout is not None and "serving" in server.stdout.readline()
        started = time.monotonic()
        done = subprocess.run([sys.executable, "stream.py"], cwd=combined, capture_output=True, text=True,
                              timeout=60, check=False, env={
                                  **os.environ, "PYTHONPATH": str(combined), "EVENTS": "16",
                                  "BINANCE_WS_URL": f"ws://127.0.0.1:{port}/ws-api/v3",
                                  "BINANCE_API_KEY": "test-api-key", "BINANCE_SECRET_KEY": "test-secret-key"})
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(10)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # Each round pushes an order, then the balances: a subscription made between the two sees the
    # balances first.
    assert len(lines) == 16 and "OutboundAccountPosition" in lines
    assert sum(line.startswith("order ") for line in lines) >= 7
    assert elapsed > 1.5  # 8 rounds of events at 0.3 s: some came after the drop at 1.5 s
    assert "connection ended" in done.stderr  # the drop was seen, and the stream went on
