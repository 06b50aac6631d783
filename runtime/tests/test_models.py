"""ApiModel: by-name or by-alias input, JSON and dict round trips, unknown fields kept."""

from __future__ import annotations

import json
from types import ModuleType


def test_round_trips_keep_wire_names_and_extra_fields(rt: ModuleType) -> None:
    Order = rt.models.Order
    text = '{"symbol":"BTCUSDT","orderId":12,"price":null,"brandNew":{"x":1}}'
    order = Order.from_json(text)
    assert order.order_id == 12 and order.price is None
    assert order.to_dict() == {"symbol": "BTCUSDT", "orderId": 12, "brandNew": {"x": 1}}
    assert json.loads(order.to_json()) == order.to_dict()
    assert Order.from_dict(order.to_dict()) == order
    assert Order.from_json(order.to_json().encode()) == order
    assert json.loads(order.to_str()) == order.to_dict()


def test_fields_populate_by_python_name_or_wire_name(rt: ModuleType) -> None:
    Order = rt.models.Order
    assert Order(symbol="A", order_id=1) == Order(symbol="A", orderId=1)
    assert Order.from_dict({"symbol": "A", "order_id": 1}).order_id == 1


def test_assignment_is_not_validated(rt: ModuleType) -> None:
    order = rt.models.Order(symbol="A", orderId=1)
    order.price = "0.1"
    assert order.to_dict()["price"] == "0.1"


def test_model_config(rt: ModuleType) -> None:
    config = rt.base_model.ApiModel.model_config
    assert config["populate_by_name"] is True and config["extra"] == "allow"
    assert config["validate_assignment"] is False and config["protected_namespaces"] == ()


def test_api_response_repr_and_lazy_rate_limits(rt: ModuleType) -> None:
    response = rt.api_response.ApiResponse(200, {"X-MBX-USED-WEIGHT-1M": "x",
                                                 "X-MBX-ORDER-COUNT-1D": "3"}, [1], b"[1]",
                                             rt._binance.RATE_LIMIT_HEADERS)
    assert response.rate_limits == {"x-mbx-order-count-1d": 3}  # malformed values skipped
    assert repr(response) == ("ApiResponse(status_code=200, data=[1], "
                              "rate_limits={'x-mbx-order-count-1d': 3})")
    # An API that names no rate-limit headers: none are counted.
    assert rt.api_response.ApiResponse(200, {"X-MBX-USED-WEIGHT-1M": "2"}, None, b"").rate_limits == {}
