"""The OutboundAccountPosition model (schema OutboundAccountPosition)."""

from __future__ import annotations

from pydantic import Field

from ..base_model import ApiModel
from .outbound_account_position_b_item import OutboundAccountPositionBItem


class OutboundAccountPosition(ApiModel):
    """The balances of the assets that changed"""

    e: str

    E: int
    """Event time (ms)"""

    u: int
    """Time of the last account update (ms)"""

    b: list[OutboundAccountPositionBItem] = Field(alias="B")
    """Balances"""
