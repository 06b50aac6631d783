"""runtime/streams/: the sans-I/O core frame by frame, and the clients on the wire against the
stand-in (what a generated package's own tests do not reach: giving up, close, several clients)."""

from __future__ import annotations

import asyncio
import json
from types import ModuleType
from typing import Any

import pytest


def test_urls_of_raw_and_combined_connections(st: ModuleType) -> None:
    core = st._stream_core
    api = st._streams.STREAMS
    base = "wss://stream.binance.com:9443/"
    assert core.stream_url(base, api, ["btcusdt@trade"], False) == "wss://stream.binance.com:9443/ws/btcusdt@trade"
    assert core.stream_url(base, api, ["a@trade", "b@trade"], True) == (
        "wss://stream.binance.com:9443/stream?streams=a@trade/b@trade"
    )
    assert core.stream_url(base, api, [], False) == "wss://stream.binance.com:9443/ws"
    assert core.stream_url(base, api, [], True) == "wss://stream.binance.com:9443/stream"
    with pytest.raises(st.exceptions.ApiValueError):
        core.stream_url(base, core.StreamApi(combined_path=""), ["a@trade"], True)


@pytest.mark.parametrize("name", ["", "a/b", "a?b", "a b", "a#b", 5])
def test_a_stream_name_that_would_change_the_url_is_refused(st: ModuleType, name: Any) -> None:
    with pytest.raises(st.exceptions.ApiValueError):
        st._stream_core.checked_streams([name])


def test_a_stream_name_writes_symbols_in_lowercase_and_intervals_as_given(st: ModuleType) -> None:
    name = st._stream_core.stream_name
    assert name("{symbol}@kline_{interval}", {"symbol": "BTCUSDT", "interval": "1M"}) == "btcusdt@kline_1M"
    assert name("{symbol}@depth{levels}", {"symbol": "BnbBtc", "levels": 5}) == "bnbbtc@depth5"


def test_frames_in_and_out(st: ModuleType) -> None:
    core = st._stream_core
    assert json.loads(core.request_frame(7, "SUBSCRIBE", ["a@trade"])) == {
        "method": "SUBSCRIBE",
        "params": ["a@trade"],
        "id": 7,
    }
    assert json.loads(core.request_frame(8, "LIST_SUBSCRIPTIONS", None)) == {
        "method": "LIST_SUBSCRIPTIONS",
        "id": 8,
    }
    answer = core.parse_frame('{"result":null,"id":7}')
    assert isinstance(answer, core.Answer) and (answer.id, answer.error) == (7, None)
    for text in ('{"error":{"code":2,"msg":"bad"},"id":7}', '{"code":2,"msg":"bad","id":7}'):
        error = core.parse_frame(text)
        assert isinstance(error, core.Answer) and error.error == {"code": 2, "msg": "bad"}
        exc = core.error_of(core.SUBSCRIBE, error)
        assert isinstance(exc, st.exceptions.BadRequestException) and (exc.code, exc.msg) == (2, "bad")
    data = core.parse_frame('{"stream":"a@trade","data":{"e":"trade"}}')
    assert isinstance(data, core.Data) and (data.stream, data.payload) == ("a@trade", {"e": "trade"})
    raw = core.parse_frame('[{"e":"trade"}]')
    assert isinstance(raw, core.Data) and raw.stream is None and raw.payload == [{"e": "trade"}]
    assert core.parse_frame("not json") is None


def test_events_by_type_by_shape_in_arrays_and_unknown(st: ModuleType) -> None:
    events = st._stream_core.StreamEvents(st._streams.STREAMS)
    models = st.models
    assert isinstance(events.parse({"e": "trade", "s": "A", "p": "1"}), models.Trade)
    assert isinstance(events.parse({"e": "4hTicker", "s": "A"}), models.Ticker)  # an enum of types
    assert isinstance(events.parse({"u": 1, "s": "A", "b": "1", "a": "2"}), models.BookTicker)
    depth = events.parse({"lastUpdateId": 1, "bids": [["1", "2"]], "asks": []})
    assert isinstance(depth, models.Depth) and depth.last_update_id == 1
    batch = events.parse([{"e": "trade", "s": "A", "p": "1"}, {"e": "trade", "s": "B", "p": "2"}])
    assert isinstance(batch, list) and [type(e) for e in batch] == [models.Trade, models.Trade]
    unknown = events.parse({"x": 1})
    assert type(unknown) is st.base_model.ApiModel and unknown.to_dict() == {"x": 1}


def test_a_client_that_cannot_reconnect_ends_its_iteration_with_the_error(st: ModuleType, server: Any) -> None:
    config = st.ws_operation.WsConfiguration(url=server.url, backoff_base=0.01, max_reconnect_attempts=2)
    client = st.stream_client.StreamClient("a@trade", configuration=config, api=st._streams.STREAMS)
    with client:
        server.stop()
        with pytest.raises(st.exceptions.ApiConnectionError):
            client.get(timeout=10)
        with pytest.raises(st.exceptions.ApiConnectionError):
            client.subscribe("b@trade")  # refused at once: the client stopped reconnecting


def test_close_ends_an_async_iteration_and_refuses_requests(st: ModuleType, server: Any) -> None:
    async def main() -> list[Any]:
        config = st.ws_operation.WsConfiguration(url=server.url)
        client = st.async_stream_client.AsyncStreamClient("a@trade", configuration=config, api=st._streams.STREAMS)
        await client.connect()

        async def read() -> list[Any]:
            return [event async for event in client]

        reader = asyncio.get_running_loop().create_task(read())
        await server.push_async("a@trade", {"e": "trade", "s": "A", "p": "1"})
        await asyncio.sleep(0.1)
        await client.close()
        with pytest.raises(st.exceptions.ApiConnectionError):
            await client.subscribe("b@trade")
        return await asyncio.wait_for(reader, 5)

    received = asyncio.run(main())
    assert [type(e).__name__ for e in received] == ["Trade"]


def test_a_raw_connection_of_several_streams_subscribes_the_rest(st: ModuleType, server: Any) -> None:
    config = st.ws_operation.WsConfiguration(url=server.url)
    with st.stream_client.StreamClient(
        "a@trade", "b@trade", combined=False, configuration=config, api=st._streams.STREAMS
    ) as client:
        assert client.list_subscriptions() == ["a@trade", "b@trade"]
    assert server.paths == ["/ws/a@trade"]
    assert server.requests_for("SUBSCRIBE")[0]["params"] == ["b@trade"]
