"""What every operation of this package hands the runtime: where the API is, how it is called."""

from __future__ import annotations

from ._binance import BINANCE
from .exceptions import ErrorFields
from .operation import ApiInfo

__version__ = "0.2.0"

API = ApiInfo(
    distribution="binance-spot",
    version=__version__,
    host="https://api.binance.com",
    # security scheme -> (where its API key goes: header, query or cookie; under which name)
    security={
        "ApiKey": ("header", "X-MBX-APIKEY"),
    },
    errors=ErrorFields("code", "msg", integer_code=True),
    rate_limit_headers=("x-mbx-used-weight", "x-mbx-order-count", "x-sapi-used-"),
    profile=BINANCE,
)
