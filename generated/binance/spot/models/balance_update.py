"""The BalanceUpdate model (schema BalanceUpdate)."""

from __future__ import annotations

from pydantic import Field

from ..base_model import ApiModel


class BalanceUpdate(ApiModel):
    """A deposit, withdrawal or transfer between the account's wallets"""

    e: str

    E: int
    """Event time (ms)"""

    a: str
    """Asset"""

    d: str
    """Balance delta"""

    t: int = Field(alias="T")
    """Clear time (ms)"""
