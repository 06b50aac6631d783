"""The ListStatusOModelItem model (schema ListStatusOModelItem)."""

from __future__ import annotations

from ..base_model import ApiModel


class ListStatusOModelItem(ApiModel):
    """ListStatusOModelItem"""

    s: str | None = None
    """Symbol"""

    i: int | None = None
    """Order id"""

    c: str | None = None
    """Client order id"""
