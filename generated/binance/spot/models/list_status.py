"""The ListStatus model (schema ListStatus)."""

from __future__ import annotations

from pydantic import Field

from ..base_model import ApiModel
from .list_status_o_model_item import ListStatusOModelItem


class ListStatus(ApiModel):
    """An order list (OCO, OTO, OTOCO) changed"""

    e: str

    E: int
    """Event time (ms)"""

    s: str
    """Symbol"""

    g: int
    """Order list id"""

    c: str | None = None
    """Contingency type"""

    l_: str | None = Field(default=None, alias="l")
    """List status type"""

    L: str | None = None
    """List order status"""

    r: str | None = None
    """List reject reason"""

    C: str | None = None
    """List client order id"""

    t: int | None = Field(default=None, alias="T")
    """Transaction time (ms)"""

    o: list[ListStatusOModelItem] | None = Field(default=None, alias="O")
    """The list's orders"""
