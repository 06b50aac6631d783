"""The SpotCreateUserDataStreamV3Resp model (schema SpotCreateUserDataStreamV3Resp)."""

from __future__ import annotations

from pydantic import Field

from ..base_model import ApiModel


class SpotCreateUserDataStreamV3Resp(ApiModel):
    """A listen key for the user data stream."""

    listen_key: str | None = Field(default=None, alias="listenKey")
    """The listen key; valid for 60 minutes unless kept alive."""
