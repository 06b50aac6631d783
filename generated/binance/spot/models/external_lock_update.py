"""The ExternalLockUpdate model (schema ExternalLockUpdate)."""

from __future__ import annotations

from pydantic import Field

from ..base_model import ApiModel


class ExternalLockUpdate(ApiModel):
    """Part of a balance was locked or released outside the Spot account"""

    e: str

    E: int
    """Event time (ms)"""

    a: str
    """Asset"""

    d: str
    """Delta"""

    t: int = Field(alias="T")
    """Transaction time (ms)"""
