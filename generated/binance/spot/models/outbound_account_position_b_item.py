"""The OutboundAccountPositionBItem model (schema OutboundAccountPositionBItem)."""

from __future__ import annotations

from pydantic import Field

from ..base_model import ApiModel


class OutboundAccountPositionBItem(ApiModel):
    """OutboundAccountPositionBItem"""

    a: str | None = None
    """Asset"""

    f: str | None = None
    """Free"""

    l_: str | None = Field(default=None, alias="l")
    """Locked"""
