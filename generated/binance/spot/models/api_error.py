"""The APIError model (schema APIError)."""

from __future__ import annotations

from ..base_model import ApiModel


class APIError(ApiModel):
    """binance API error"""

    code: int | None = None
    """Binance error code (negative)."""

    msg: str | None = None
    """Human-readable error message."""
