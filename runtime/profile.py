"""What a vendor's API adds to plain HTTP and OpenAPI: one object, named in each ApiInfo.

The base class is plain OpenAPI and adds nothing: no signature, no server clock, no IP bans. A
package generated for a vendor whose API has such rules ships that vendor's subclass beside the
runtime and names it in its ApiInfo; the call flow (_retry.py) and
the request builder (_core.py) only ever ask these questions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .configuration import Configuration
    from .operation import Operation


@dataclass(slots=True)
class Draft:
    """A request being built, before it is put together: what a profile may add to."""

    query: list[str]  # percent-encoded name=value pairs, in order
    form: list[str]  # the fields of a urlencoded body, likewise
    body: bytes | None  # a JSON body, if there is one
    multipart: bool  # the body is multipart (its parts are not in `form`)


class Profile:
    """Plain OpenAPI. Subclasses override what their vendor does differently."""

    name = "openapi"
    # An error status that means the IP is banned: the client then refuses every call until the
    # answer's Retry-After has passed (`default_ban` seconds if it has none). None: no such status.
    ban_status: int | None = None
    default_ban = 0.0

    def hidden(self, op: Operation[Any]) -> frozenset[str]:
        """Parameters the profile fills in itself: a caller's value for one is never sent."""
        return frozenset()

    def check(self, config: Configuration, op: Operation[Any], needs_key: bool) -> None:
        """Raise ApiValueError, before any traffic, for a call that cannot succeed as configured
        (`needs_key`: the operation's security sends an API key)."""

    def plan(self, op: Operation[Any]) -> Any:
        """What finish() needs to know about an operation, worked out once on its first call."""
        return None

    def finish(
        self,
        config: Configuration,
        op: Operation[Any],
        plan: Any,
        params: Mapping[str, Any],
        draft: Draft,
        timestamp_ms: int | None,
    ) -> None:
        """Add what the vendor requires to a request (a timestamp, a signature), in place."""

    def needs_clock(self, op: Operation[Any]) -> bool:
        """Whether the operation's requests carry the server's time (then finish() is handed it)."""
        return False

    def sync_first(self, config: Configuration) -> bool:
        """Whether a client reads the server's clock before its first request that needs it."""
        return False

    def clock_path(self, path: str) -> str | None:
        """The path of the server-clock endpoint for an operation's path; None: the API has none."""
        return None

    def server_time(self, data: Any) -> int | None:
        """The server's time in milliseconds, from the parsed answer of its clock endpoint."""
        return None

    def is_clock_error(self, status: int, body: bytes) -> bool:
        """Whether an error answer says the request's timestamp was off the server's clock (it was
        refused before execution: resent once after reading the clock)."""
        return False


PLAIN = Profile()
