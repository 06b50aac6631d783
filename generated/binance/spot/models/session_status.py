"""The SessionStatus model (schema SessionStatus)."""

from __future__ import annotations

from pydantic import Field

from ..base_model import ApiModel


class SessionStatus(ApiModel):
    """SessionStatus"""

    api_key: str | None = Field(default=None, alias="apiKey")
    """The key the session is logged on with (null when it is not)"""

    authorized_since: int | None = Field(default=None, alias="authorizedSince")

    connected_since: int | None = Field(default=None, alias="connectedSince")

    return_rate_limits: bool | None = Field(default=None, alias="returnRateLimits")

    server_time: int | None = Field(default=None, alias="serverTime")

    user_data_stream: bool | None = Field(default=None, alias="userDataStream")
    """Whether the session has a user data subscription"""
