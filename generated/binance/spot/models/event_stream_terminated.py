"""The EventStreamTerminated model (schema EventStreamTerminated)."""

from __future__ import annotations

from ..base_model import ApiModel


class EventStreamTerminated(ApiModel):
    """The subscription ended (after session.logout, or when the server ends it)"""

    e: str

    E: int
    """Event time (ms)"""
