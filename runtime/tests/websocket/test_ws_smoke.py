from __future__ import annotations
from typing import Any
from types import ModuleType

def test_smoke(ws: ModuleType, connect: Any, hmac_auth: Any, server: Any) -> None:
    Op = ws.ws_operation.WsOperation
    models = ws.models
    client = connect(hmac_auth)
    price = client.request(Op("ticker.price", result=models.TickerPrice), {"symbol": "BTCUSDT"})
    assert price.symbol == "BTCUSDT"
    order = client.request(Op("order.place", security="signed", result=models.OrderResult), {"symbol": "BTCUSDT", "side": "BUY", "price": 0.00001})
    assert order.order_id == 1
    print(server.requests)
