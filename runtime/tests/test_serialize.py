"""Values -> wire text: the table of conversions, numbers never in scientific notation, encoding."""

from __future__ import annotations

import datetime
import enum
import json
import math
import random
import struct
from decimal import Decimal
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import pytest

from .conftest import FULLWIDTH_123, FULLWIDTH_123456


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
    ([FULLWIDTH_123], f'["{FULLWIDTH_123}"]'),  # JSON keeps non-ASCII; the query encoding escapes it
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


def test_ints_where_floats_are_expected_are_plain_numbers(rt: ModuleType) -> None:
    # A `float` hint admits an int (PEP 484): number_text(5) used to call int.is_finite().
    assert rt._serialize.number_text(5) == "5"
    assert rt._serialize.number_text(-10**20) == "-100000000000000000000"
    assert rt._serialize.json_float(5) == "5.0"
    assert rt._serialize.to_json({"price": 5, "qty": 0.5}) == '{"price":5,"qty":0.5}'


def test_models_go_out_as_compact_json_by_wire_name(rt: ModuleType) -> None:
    order = rt.models.Order(symbol="BTCUSDT", orderId=7, extra_field=0.00001)
    assert rt._serialize.to_wire(order) == '{"symbol":"BTCUSDT","orderId":7,"extra_field":0.00001}'
    assert rt._serialize.to_wire([order]) == '[{"symbol":"BTCUSDT","orderId":7,"extra_field":0.00001}]'


def _random_floats(count: int) -> list[float]:
    """Floats of every magnitude: random bit patterns (finite ones), plus the usual suspects."""
    rng = random.Random(20240627)
    values = [0.0, -0.0, 5e-324, 1.7976931348623157e308, 0.1, 1e-5, 1e16, 123456789.123456789]
    while len(values) < count:
        value = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(value):
            values.append(value)
    return values


def test_floats_are_plain_decimals_that_keep_their_value(rt: ModuleType) -> None:
    for value in _random_floats(3000):
        text = rt._serialize.to_wire(value)
        assert "e" not in text.lower(), value
        assert float(text) == value


def test_decimals_are_plain_and_exact(rt: ModuleType) -> None:
    rng = random.Random(7)
    for _ in range(2000):
        value = Decimal(rng.randrange(-10**12, 10**12)).scaleb(rng.randrange(-30, 30))
        text = rt._serialize.to_wire(value)
        assert "e" not in text.lower(), value
        assert Decimal(text) == value


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(7 if depth < 3 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.randrange(-10**20, 10**20)
    if kind == 3:
        return "".join(chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x80, 0xD7FF)]))
                       for _ in range(rng.randrange(6)))
    if kind == 4:
        value = _random_floats(9)[rng.randrange(9)] * rng.choice([1.0, 1e-9, 1e9])
        return value if math.isfinite(value) else 0.5
    if kind == 5:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {str(rng.randrange(100)): _random_json(rng, depth + 1) for _ in range(rng.randrange(4))}


def test_json_text_is_valid_compact_json(rt: ModuleType) -> None:
    rng = random.Random(3)
    for _ in range(500):
        value = _random_json(rng)
        text = rt._serialize.to_json(value)
        assert _same(json.loads(text), value), text
        assert "e+" not in text and "e-" not in text  # no scientific notation anywhere


def _same(parsed: Any, value: Any) -> bool:
    """JSON equality, floats included: a float comes back as the same float, never an integer."""
    if isinstance(value, float):
        return isinstance(parsed, float) and parsed == value
    if isinstance(value, list):
        return isinstance(parsed, list) and len(parsed) == len(value) and all(
            _same(p, v) for p, v in zip(parsed, value, strict=True))
    if isinstance(value, dict):
        return isinstance(parsed, dict) and parsed.keys() == value.keys() and all(
            _same(parsed[k], value[k]) for k in value)
    return bool(parsed == value)


@pytest.mark.parametrize(("name", "value", "pair"), [
    ("symbol", "BTCUSDT", "symbol=BTCUSDT"),
    ("symbol", FULLWIDTH_123456, "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96"),
    ("symbols", '["BTCUSDT","BNBBTC"]', "symbols=%5B%22BTCUSDT%22%2C%22BNBBTC%22%5D"),
    ("q", "a b&c=d/e+f", "q=a%20b%26c%3Dd%2Fe%2Bf"),
    ("id", "a-b.c_d~e", "id=a-b.c_d~e"),
    ("we ird", "", "we%20ird="),
])
def test_pairs_are_percent_encoded(rt: ModuleType, name: str, value: str, pair: str) -> None:
    assert rt._serialize.encode_pair(name, value) == pair


def test_percent_encoding_round_trips_and_leaves_only_unreserved(rt: ModuleType) -> None:
    rng = random.Random(11)
    for _ in range(1000):
        text = "".join(chr(rng.choice([rng.randrange(0, 128), rng.randrange(0x80, 0xD7FF)]))
                       for _ in range(rng.randrange(12)))
        encoded = rt._serialize.quote_component(text)
        assert unquote(encoded) == text
        assert all(c.isascii() and (c.isalnum() or c in "-._~%") for c in encoded)


def test_header_values_with_line_breaks_are_refused(rt: ModuleType) -> None:
    with pytest.raises(rt.exceptions.ApiValueError):
        rt._serialize.check_header_value("X-Test", "a\r\nX-Injected: 1")


@pytest.mark.parametrize(("value", "text"), [
    (1e20, "100000000000000000000.0"),
    (-8.497197871882975e287, "-8497197871882975" + "0" * 272 + ".0"),
    (5.0, "5.0"),
    (1e-05, "0.00001"),
    (10**20, "100000000000000000000"),
])
def test_a_float_in_json_stays_a_float(rt: ModuleType, value: float | int, text: str) -> None:
    assert rt._serialize.to_json([value]) == f"[{text}]"
    assert json.loads(f"[{text}]") == [value] and type(json.loads(text)) is type(value)
