"""Values -> wire text: the table of conversions, numbers never in scientific notation, encoding."""

from __future__ import annotations

import datetime
import enum
import json
from decimal import Decimal
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st


class Side(enum.Enum):
    BUY = "BUY"


class Level(enum.IntEnum):
    FIVE = 5


@pytest.mark.parametrize(("value", "wire"), [
    ("BTCUSDT", "BTCUSDT"),
    ("", ""),
    (True, "true"),
    (False, "false"),
    (0, "0"),
    (-12, "-12"),
    (10**20, "100000000000000000000"),
    (0.1, "0.1"),
    (0.00001, "0.00001"),
    (1e-7, "0.0000001"),
    (1e20, "100000000000000000000"),
    (1.5e16, "15000000000000000"),
    (-0.00025, "-0.00025"),
    (2.0, "2.0"),
    (Decimal("0.00001"), "0.00001"),
    (Decimal("1E+3"), "1000"),
    (Decimal("1E-8"), "0.00000001"),
    (Side.BUY, "BUY"),
    (Level.FIVE, "5"),
    (["BTCUSDT", "BNBBTC"], '["BTCUSDT","BNBBTC"]'),
    ((1, 0.00001, True, None), "[1,0.00001,true,null]"),
    ({"a": [1, 2], "b": "x"}, '{"a":[1,2],"b":"x"}'),
    (["１２３"], '["１２３"]'),
    (datetime.date(2024, 6, 27), "2024-06-27"),
])
def test_to_wire(rt: ModuleType, value: Any, wire: str) -> None:
    assert rt._serialize.to_wire(value) == wire


@pytest.mark.parametrize("value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("-Infinity")])
def test_non_finite_numbers_are_refused(rt: ModuleType, value: Any) -> None:
    with pytest.raises(rt.exceptions.ApiValueError):
        rt._serialize.to_wire(value)


@pytest.mark.parametrize("value", [b"bytes", object(), {1, 2}])
def test_unsupported_types_are_refused(rt: ModuleType, value: Any) -> None:
    with pytest.raises(rt.exceptions.ApiTypeError):
        rt._serialize.to_wire(value)


def test_models_go_out_as_compact_json_by_wire_name(rt: ModuleType) -> None:
    order = rt.models.Order(symbol="BTCUSDT", orderId=7, extra_field=0.00001)
    assert rt._serialize.to_wire(order) == '{"symbol":"BTCUSDT","orderId":7,"extra_field":0.00001}'
    assert rt._serialize.to_wire([order]) == '[{"symbol":"BTCUSDT","orderId":7,"extra_field":0.00001}]'


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_are_plain_decimals_that_keep_their_value(value: float) -> None:
    from rtpkg._serialize import to_wire

    text = to_wire(value)
    assert "e" not in text.lower()
    assert float(text) == value


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimals_are_plain_and_exact(value: Decimal) -> None:
    from rtpkg._serialize import to_wire

    text = to_wire(value)
    assert "e" not in text.lower()
    assert Decimal(text) == value


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text()
                    | st.floats(allow_nan=False, allow_infinity=False),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(), inner, max_size=4), max_leaves=12))
def test_json_text_is_valid_compact_json(value: Any) -> None:
    from rtpkg._serialize import to_json

    text = to_json(value)
    assert json.loads(text) == value
    assert "e+" not in text and "e-" not in text  # no scientific notation anywhere


@pytest.mark.parametrize(("name", "value", "pair"), [
    ("symbol", "BTCUSDT", "symbol=BTCUSDT"),
    ("symbol", "１２３４５６", "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96"),
    ("symbols", '["BTCUSDT","BNBBTC"]', "symbols=%5B%22BTCUSDT%22%2C%22BNBBTC%22%5D"),
    ("q", "a b&c=d/e+f", "q=a%20b%26c%3Dd%2Fe%2Bf"),
    ("id", "a-b.c_d~e", "id=a-b.c_d~e"),
    ("we ird", "", "we%20ird="),
])
def test_pairs_are_percent_encoded(rt: ModuleType, name: str, value: str, pair: str) -> None:
    assert rt._serialize.encode_pair(name, value) == pair


@given(st.text())
def test_percent_encoding_round_trips_and_leaves_only_unreserved(text: str) -> None:
    from rtpkg._serialize import quote_component

    encoded = quote_component(text)
    assert unquote(encoded, errors="surrogatepass") == text or "\ud800" <= max(text, default="a")
    assert all(c.isascii() and (c.isalnum() or c in "-._~%") for c in encoded)


def test_header_values_with_line_breaks_are_refused(rt: ModuleType) -> None:
    with pytest.raises(rt.exceptions.ApiValueError):
        rt._serialize.check_header_value("X-Test", "a\r\nX-Injected: 1")
