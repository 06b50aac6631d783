"""The ExecutionReport model (schema ExecutionReport)."""

from __future__ import annotations

from pydantic import Field

from ..base_model import ApiModel


class ExecutionReport(ApiModel):
    """An order was placed, traded, canceled, expired or replaced"""

    e: str

    E: int
    """Event time (ms)"""

    s: str
    """Symbol"""

    c: str
    """Client order id"""

    S: str
    """Side"""

    o: str
    """Order type"""

    f: str | None = None
    """Time in force"""

    q: str | None = None
    """Order quantity"""

    p: str | None = None
    """Order price"""

    P: str | None = None
    """Stop price"""

    F: str | None = None
    """Iceberg quantity"""

    g: int | None = None
    """Order list id (-1 for none)"""

    C: str | None = None
    """Original client order id of a canceled order"""

    x: str
    """Execution type"""

    X: str
    """Order status"""

    r: str | None = None
    """Reject reason"""

    i: int
    """Order id"""

    l_: str | None = Field(default=None, alias="l")
    """Last executed quantity"""

    z: str | None = None
    """Cumulative filled quantity"""

    L: str | None = None
    """Last executed price"""

    n: str | None = None
    """Commission amount"""

    N: str | None = None
    """Commission asset"""

    t: int | None = Field(default=None, alias="T")
    """Transaction time (ms)"""

    t2: int | None = Field(default=None, alias="t")
    """Trade id (-1 for none)"""

    w: bool | None = None
    """Whether the order is on the book"""

    m: bool | None = None
    """Whether this trade is the maker side"""

    o2: int | None = Field(default=None, alias="O")
    """Order creation time (ms)"""

    Z: str | None = None
    """Cumulative quote asset transacted quantity"""

    y: str | None = Field(default=None, alias="Y")
    """Last quote asset transacted quantity"""

    Q: str | None = None
    """Quote order quantity"""

    W: int | None = None
    """Working time (ms)"""

    v: str | None = Field(default=None, alias="V")
    """Self-trade prevention mode"""
