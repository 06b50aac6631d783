"""ApiResponse: a successful answer's status, headers, parsed data, raw bytes and rate limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, TypeVar

T = TypeVar("T")


def parse_rate_limits(headers: Mapping[str, str], prefixes: tuple[str, ...]) -> dict[str, int]:
    """Rate-limit headers (those whose lower-cased name starts with one of `prefixes`) ->
    {lower-cased header name: count}; malformed values are skipped."""
    limits: dict[str, int] = {}
    if not prefixes:
        return limits
    for name, value in headers.items():
        lowered = name.lower()
        if lowered.startswith(prefixes):
            try:
                limits[lowered] = int(value)
            except ValueError:
                continue
    return limits


class ApiResponse(Generic[T]):
    """What `*_with_http_info` methods return.

    status_code: the HTTP status; headers: a case-insensitive mapping; data: the parsed body (None
    when the body is empty or the API declares none); raw_data: the body as received;
    rate_limits: the counters in the headers the API reports its rate limits in (its ApiInfo's
    `rate_limit_headers`), keys lower-cased.
    """

    __slots__ = ("_prefixes", "_rate_limits", "data", "headers", "raw_data", "status_code")

    def __init__(
        self,
        status_code: int,
        headers: Mapping[str, str],
        data: T,
        raw_data: bytes,
        rate_limit_headers: tuple[str, ...] = (),
    ) -> None:
        self.status_code = status_code
        self.headers = headers
        self.data = data
        self.raw_data = raw_data
        self._prefixes = rate_limit_headers
        self._rate_limits: dict[str, int] | None = None

    @property
    def rate_limits(self) -> dict[str, int]:
        # Parsed on first access: most callers never look, and the hot path should not pay for it.
        if self._rate_limits is None:
            self._rate_limits = parse_rate_limits(self.headers, self._prefixes)
        return self._rate_limits

    def __repr__(self) -> str:
        return (
            f"ApiResponse(status_code={self.status_code}, data={self.data!r}, "
            f"rate_limits={self.rate_limits!r})"
        )
