"""Errors the client raises: error answers by status, network failures, bad arguments or bodies."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

# Server-provided bodies can be large HTML pages; an exception message only needs their start.
_BODY_PREVIEW = 300


class OpenApiException(Exception):
    """Base class of every error this package raises."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take keyword-only arguments that Exception's pickling cannot replay: restore
        # the args and attributes without calling __init__.
        return (_rebuild, (type(self), self.args), self.__dict__)


class ApiTypeError(OpenApiException, TypeError):
    """An argument has a type the client cannot send (or a response type hint is malformed)."""


class ApiValueError(OpenApiException, ValueError):
    """An argument or setting has a value the client refuses (checked before any traffic)."""


class ApiConnectionError(OpenApiException):
    """The request did not complete on the network: refused, reset, TLS or proxy failure, timeout.

    `request_sent` is False only when the failure happened before any byte of the request left
    (connection refused, name resolution, connect timeout): such a request is always safe to retry.
    The urllib3 error is chained as `__cause__`.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        path: str | None = None,
        request_sent: bool = True,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.path = path
        self.request_sent = request_sent


class ApiTimeoutError(ApiConnectionError):
    """Connecting or reading took longer than the configured timeout."""


class ResponseValidationError(OpenApiException):
    """A successful (2xx) response body does not match the type the API declares for it.

    The pydantic or JSON error is chained as `__cause__`; `body` holds the raw bytes received.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self.body = body


class ApiException(OpenApiException):
    """The server answered with an error status. Subclasses name the common statuses.

    `data` is the parsed error body (the API's error model) when it could be parsed; `code` and
    `msg` are Binance's error code and message (from `data` or the raw JSON body), else None.
    `retry_after` is the `Retry-After` header in seconds (429 and 418 answers carry one).
    """

    def __init__(
        self,
        status: int,
        reason: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        data: Any = None,
    ) -> None:
        super().__init__(status, reason)
        self.status = status
        self.reason = reason
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self.body = body
        self.data = data
        self.code, self.msg = _code_and_msg(data, body)
        self.retry_after = _retry_after(self.headers.get("Retry-After"))

    @classmethod
    def from_response(
        cls,
        status: int,
        reason: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        data: Any = None,
    ) -> ApiException:
        """The exception for an error answer, of the class that matches its status."""
        exc_class = _BY_STATUS.get(status)
        if exc_class is None:
            exc_class = ServiceException if 500 <= status < 600 else ApiException
        return exc_class(status, reason, headers=headers, body=body, data=data)

    def __str__(self) -> str:
        lines = [f"({self.status})", f"Reason: {self.reason or ''}"]
        if self.code is not None:
            lines.append(f"Code: {self.code}")
        if self.msg is not None:
            lines.append(f"Message: {self.msg}")
        if self.code is None and self.msg is None and self.body:
            preview = self.body[:_BODY_PREVIEW].decode("utf-8", "replace")
            more = "..." if len(self.body) > _BODY_PREVIEW else ""
            lines.append(f"HTTP response body: {preview}{more}")
        if self.retry_after is not None:
            lines.append(f"Retry-After: {self.retry_after:g} s")
        return "\n".join(lines)


class BadRequestException(ApiException):
    """400: the request was malformed or a parameter was rejected (see `code` and `msg`)."""


class UnauthorizedException(ApiException):
    """401: the API key is missing or invalid."""


class ForbiddenException(ApiException):
    """403: the request was refused (Binance: a WAF rule was violated)."""


class NotFoundException(ApiException):
    """404: no such endpoint or resource."""


class ConflictException(ApiException):
    """409: Binance cancelReplace partly succeeded; `data` says which part."""


class IPBannedException(ApiException):
    """418: the IP is banned for ignoring 429 answers; never retry before `retry_after` seconds.

    After a 418 the client that received it refuses every call, before any traffic, until the
    ban's Retry-After has passed: it raises an IPBannedException whose `request_sent` is False
    and whose `retry_after` is the time left.
    """

    request_sent: bool = True

    @classmethod
    def refused(cls, remaining: float) -> IPBannedException:
        """The error for a call the client refuses locally because the IP is still banned."""
        exc = cls(418, "IP banned: the client refused the call, no request was sent")
        exc.retry_after = remaining
        exc.request_sent = False
        return exc


class RateLimitException(ApiException):
    """429: a rate limit was hit; come back after `retry_after` seconds."""


class ServiceException(ApiException):
    """5xx: the server failed. At Binance the execution status is UNKNOWN: an order may exist."""


class ExecutionStatusUnknownError(ServiceException):
    """A POST (or PATCH) may or may not have been executed, so the client did not send it again.

    Raised for a 5xx answer, or when the answer was lost after the request left (timeout, reset):
    Binance may have placed the order. Look it up (e.g. by its client order id) before sending it
    again. `status` is the 5xx status, or 0 when no answer arrived; then the network error is
    chained as `__cause__`. `method` and `path` name the request (never its query).
    """

    def __init__(
        self,
        status: int,
        reason: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        data: Any = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(status, reason, headers=headers, body=body, data=data)
        self.method = method
        self.path = path

    def __str__(self) -> str:
        what = f"{self.method} {self.path}" if self.method else "the request"
        head = (
            f"{what}: execution status unknown: it may or may not have been executed "
            "(an order may have been placed); check before sending it again"
        )
        if not self.status:
            return f"{head}\nNo answer: {self.reason or ''}"
        return head + "\n" + super().__str__()


_BY_STATUS: dict[int, type[ApiException]] = {
    400: BadRequestException,
    401: UnauthorizedException,
    403: ForbiddenException,
    404: NotFoundException,
    409: ConflictException,
    418: IPBannedException,
    429: RateLimitException,
}


def _rebuild(cls: type[OpenApiException], args: tuple[Any, ...]) -> OpenApiException:
    """Unpickle without calling __init__: the keyword-only arguments are restored from the state."""
    exc = cls.__new__(cls)
    exc.args = args
    return exc


def _code_and_msg(data: Any, body: bytes | None) -> tuple[int | None, str | None]:
    """Binance's `{"code": -1102, "msg": "..."}` from the parsed model, else from the raw body."""
    if isinstance(data, Mapping):
        code, msg = data.get("code"), data.get("msg")
    else:
        code, msg = getattr(data, "code", None), getattr(data, "msg", None)
    if code is None and msg is None and body and body.lstrip()[:1] == b"{":
        try:
            parsed = json.loads(body)
        except ValueError:  # includes UnicodeDecodeError: a broken body is no reason to fail here
            parsed = None
        if isinstance(parsed, dict):
            code, msg = parsed.get("code"), parsed.get("msg")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    msg = msg if isinstance(msg, str) else None
    return code, msg


def _retry_after(value: str | None) -> float | None:
    """`Retry-After` is either delay seconds or an HTTP date; both become seconds from now."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
