"""Market streams from AsyncAPI 3.0 (generator/model/streams.py, runtime/streams/): a subscription-only
document (SUBSCRIBE answered `{result, id}`) generates MarketStreamClient / AsyncMarketStreamClient,
whose own tests pass against tests/stream_loopback.py; the model reads the connections' paths, the
control requests and the events (typed by `e`, or by their fields with a located warning)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import Config
from generator.model.build import build
from generator.spec.load import load
from tests.conftest import REPO, SPECS, run_cli, run_package_tests

STREAMS_SPEC = SPECS / "market_streams" / "asyncapi.yaml"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("streams") / "out"
    done = run_cli("generate", STREAMS_SPEC, "--out", out, "--package-name", "acme.streams")
    assert done.code == 0, done.stderr
    return out, done.stderr


def test_market_streams_generate_a_client_whose_own_tests_pass(generated: tuple[Path, str]) -> None:
    out, stderr = generated
    package = out / "acme" / "streams"
    for name in ("market_streams.py", "stream_client.py", "async_stream_client.py", "_stream_core.py",
                 "_ws_transport.py"):  # the WebSocket API's transport, shared
        assert (package / name).is_file(), name
    assert not (package / "websocket_api.py").exists()
    assert (out / "docs" / "MarketStreamClient.md").is_file()
    assert (out / "tests" / "stream_loopback.py").is_file()
    assert "MarketStreamClient" in (out / "README.md").read_text()
    # bookTicker has no `e`: told apart by its fields, with a located warning saying so.
    assert re.search(r"asyncapi\.yaml:\d+:\d+: warning: event 'bookTicker' has no constant 'e' field: it is told "
                     r"apart by its required fields \(a, b, s, u\)", stderr), stderr
    run_package_tests(out)


def test_streams_of_a_host_that_is_not_binances_generate_a_package_that_works(tmp_path: Path) -> None:
    """Plain AsyncAPI (no vendor detected): the stream client ships without Binance's runtime part."""
    spec = tmp_path / "streams.yaml"
    spec.write_text(STREAMS_SPEC.read_text().replace("stream.binance.com:9443", "stream.example.org"))
    out = tmp_path / "out"
    done = run_cli("generate", spec, "--out", out, "--package-name", "acme.streams")
    assert done.code == 0, done.stderr
    assert "profile openapi (no vendor detected)" in done.stdout
    assert not (out / "acme" / "streams" / "_binance.py").exists()
    run_package_tests(out)


def test_the_model_reads_paths_requests_and_events() -> None:
    spec = load(STREAMS_SPEC)
    api, _ = build(spec.document, Config(package_name="acme.streams"), spec.source, spec.locate)
    streams = api.streams
    assert streams is not None and api.websocket is None
    assert (streams.url, streams.raw_path, streams.combined_path) == (
        "wss://stream.binance.com:9443/", "/ws/", "/stream?streams=")
    assert [(m.python_name, m.method, m.item.hint, m.result.hint) for m in streams.methods] == [
        ("get_property", "GET_PROPERTY", "str", "bool")]
    by_class = {e.class_name: e for e in streams.events}
    assert by_class["Trade"].kinds == ("trade",) and by_class["Kline"].kinds == ("kline",)
    assert by_class["BookTicker"].kinds == () and by_class["BookTicker"].required == ("a", "b", "s", "u")
    assert by_class["Trade"].streams == ("{symbol}@trade", "!trade@arr") and by_class["Trade"].array  # an array joins
    assert len(streams.events) == 3  # the array of trades is the Trade model; the wrapper is no event
    assert streams.example_streams == ("btcusdt@trade", "ethusdt@bookTicker")
    # Stream-name helpers from the patterns, their arguments the placeholders.
    assert [(n.python_name, n.pattern, [a[0] for a in n.arguments], n.example_name) for n in streams.names] == [
        ("trade_stream", "{symbol}@trade", ["symbol"], "btcusdt@trade"),
        ("kline_interval_stream", "{symbol}@kline_{interval}", ["symbol", "interval"], "btcusdt@kline_1h"),
        ("book_ticker_stream", "{symbol}@bookTicker", ["symbol"], "x@bookTicker"),
        ("trade_arr_stream", "!trade@arr", [], "!trade@arr"),
    ]


def test_a_websocket_api_document_is_not_read_as_streams() -> None:
    spec = load(SPECS / "websocket" / "websocket-api.yaml")
    api, _ = build(spec.document, Config(package_name="acme.ws"), spec.source, spec.locate)
    assert api.websocket is not None and api.streams is None


def test_the_readme_market_streams_example(tmp_path: Path) -> None:
    """README: the market streams example, run as written (with the feature spec's package under the
    README's name) against `python -m tests.stream_loopback`: its events, named by their streams."""
    out = tmp_path / "out"
    done = run_cli("generate", STREAMS_SPEC, "--out", out, "--package-name", "binance_streams")
    assert done.code == 0, done.stderr
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("Binance's market data streams (", 1)[1]
    (out / "streams.py").write_text(section.split("```python\n", 1)[1].split("```", 1)[0])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {**os.environ, "PYTHONPATH": str(out), "PYTHONDONTWRITEBYTECODE": "1"}
    server = subprocess.Popen([sys.executable, "-m", "tests.stream_loopback", "--port", str(port)], cwd=out,
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert server.stdout is not None and "serving" in server.stdout.readline()
        run = subprocess.run([sys.executable, "streams.py"], cwd=out, capture_output=True, text=True, timeout=60,
                             env={**env, "BINANCE_STREAM_URL": f"ws://127.0.0.1:{port}", "EVENTS": "6"})
    finally:
        server.terminate()
        server.wait(10)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 6
    assert {line.split()[0] for line in lines} == {"btcusdt@trade", "ethusdt@bookTicker", "bnbusdt@depth5@100ms"}
    assert {line.split()[1] for line in lines} == {"Trade"}
