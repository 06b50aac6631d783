"""Market streams from AsyncAPI 3.0 (generator/model/streams.py, runtime/streams/): a subscription-only
document (SUBSCRIBE answered `{result, id}`) generates MarketStreamClient / AsyncMarketStreamClient,
whose own tests pass against tests/stream_loopback.py; the model reads the connections' paths, the
control requests and the events (typed by `e`, or by their fields with a located warning)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.config import Config
from generator.model.build import build
from generator.spec.load import load
from tests.conftest import SPECS, run_cli, run_package_tests

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
    assert by_class["Trade"].streams == ("{symbol}@trade",)
    assert len(streams.events) == 3  # the array of trades is the Trade model; the wrapper is no event
    assert streams.example_streams == ("btcusdt@trade", "ethusdt@bookTicker")


def test_a_websocket_api_document_is_not_read_as_streams() -> None:
    spec = load(SPECS / "websocket" / "websocket-api.yaml")
    api, _ = build(spec.document, Config(package_name="acme.ws"), spec.source, spec.locate)
    assert api.websocket is not None and api.streams is None
