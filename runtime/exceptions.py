"""Errors the client raises: error answers by status, network failures, bad arguments or bodies."""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

# Server-provided bodies can be large HTML pages; an exception message only needs their start.
_BODY_PREVIEW = 300
# Query parameters that grant access or prove identity: never in a message or a log record.
_SECRET_QUERY = re.compile(r"(?i)((?:^|[?&])(?:signature|listenkey|[^=&\s]*api-?key)=)[^&\s'\"]*")
# How a Retry-After header is read (retry_after()): a value that makes no sense as a wait (negative,
# NaN, an HTTP date already past) is read as RETRY_AFTER_MIN seconds, so that a confused server is
# not hammered; a longer one (infinity included) as RETRY_AFTER_MAX, a day, so that one answer
# cannot lock a client out for ever.
RETRY_AFTER_MIN = 1.0
RETRY_AFTER_MAX = 86400.0


@dataclass(frozen=True, slots=True)
class ErrorFields:
    """Where an API's error bodies carry their code and message: top-level fields of the JSON body.

    `integer_code`: only an integer counts as a code (-1102); otherwise a string or a
    number does. A field that is None is not looked for.
    """

    code: str | None = "code"
    message: str | None = "message"
    integer_code: bool = False


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
    `msg` are the API's error code and message (the fields `errors` names, from `data` or the raw
    JSON body), else None. `retry_after` is the `Retry-After` header in seconds (429 and 418
    answers carry one).
    """

    def __init__(
        self,
        status: int,
        reason: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        data: Any = None,
        errors: ErrorFields | None = None,
    ) -> None:
        super().__init__(status, reason)
        self.status = status
        self.reason = reason
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self.body = body
        self.data = data
        self.code, self.msg = _code_and_msg(
            data, body, errors if errors is not None else _DEFAULT_FIELDS
        )
        self.retry_after = retry_after(self.headers)

    @classmethod
    def from_response(
        cls,
        status: int,
        reason: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        data: Any = None,
        errors: ErrorFields | None = None,
    ) -> ApiException:
        """The exception for an error answer, of the class that matches its status."""
        exc_class = _BY_STATUS.get(status)
        if exc_class is None:
            exc_class = ServiceException if 500 <= status < 600 else ApiException
        return exc_class(status, reason, headers=headers, body=body, data=data, errors=errors)

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
    """403: the request was refused: the credentials do not allow it, or a firewall rule did not."""


class NotFoundException(ApiException):
    """404: no such endpoint or resource."""


class ConflictException(ApiException):
    """409: the request conflicts with the resource's state (it may have partly succeeded)."""


class IPBannedException(ApiException):
    """The API banned this client's IP (some answer 418 to a client that ignored their 429s);
    never retry before `retry_after` seconds.

    For an API whose profile says so, a client that received a ban refuses every call, before any
    traffic, until the ban's Retry-After has passed: it raises an IPBannedException whose
    `request_sent` is False and whose `retry_after` is the time left.
    """

    request_sent: bool = True

    @classmethod
    def refused(cls, remaining: float) -> IPBannedException:
        """The error for a call the client refuses locally because the IP is still banned."""
        exc = cls(418, "IP banned: the client refused the call, no request was sent")
        exc.retry_after = remaining
        exc.request_sent = False
        return exc


class ResponseTooLargeError(OpenApiException):
    """The answer's body (decoded: after gzip or deflate) is larger than the configuration's
    `max_response_size`; the client stopped reading it and dropped the connection.

    The server did answer (`status`, `headers`): for a POST the request was executed if `status`
    says so. Never retried: the same request would get the same answer.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        headers: Mapping[str, str] | None = None,
        limit: int,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self.limit = limit


class RateLimitException(ApiException):
    """429: a rate limit was hit; come back after `retry_after` seconds."""


class ServiceException(ApiException):
    """5xx: the server failed. Whether it executed the request is unknown."""


class ExecutionStatusUnknownError(ServiceException):
    """A POST (or PATCH) may or may not have been executed, so the client did not send it again.

    Raised for a 5xx answer, or when the answer was lost after the request left (timeout, reset):
    the server may have done what it asked (an order may have been placed). Look it up (e.g. by a
    client order id) before sending it again. `status` is the 5xx status, or 0 when no answer
    arrived; then the network error is chained as `__cause__`. `method` and `path` name the
    request (never its query).
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
        errors: ErrorFields | None = None,
    ) -> None:
        super().__init__(status, reason, headers=headers, body=body, data=data, errors=errors)
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


_DEFAULT_FIELDS = ErrorFields()


def _code_and_msg(
    data: Any, body: bytes | None, fields: ErrorFields
) -> tuple[int | str | None, str | None]:
    """The error's code and message: the fields `fields` names, from the parsed error model (whose
    to_dict() has the wire names) or mapping, else from the raw JSON body."""
    wire = data.to_dict() if callable(getattr(data, "to_dict", None)) else data
    if not isinstance(wire, Mapping) and body and body.lstrip()[:1] == b"{":
        try:
            wire = json.loads(body)
        except (ValueError, RecursionError):  # a broken or absurdly deep body is no reason to fail
            wire = None
    if not isinstance(wire, Mapping):
        return None, None
    code = wire.get(fields.code) if fields.code else None
    msg = wire.get(fields.message) if fields.message else None
    if isinstance(code, bool) or not isinstance(code, int if fields.integer_code else (int, str)):
        code = None
    return code, msg if isinstance(msg, str) else None


def redact_url(url: str) -> str:
    """The URL without its secrets (signature, listen key, API keys in the query), for logs."""
    path, mark, query = url.partition("?")
    if not mark:
        return url
    return path + "?" + _SECRET_QUERY.sub(r"\1[redacted]", query)


def redact(text: str) -> str:
    """Text (a log line, a library's message) with the values of secret query parameters in any
    URL it quotes replaced by [redacted]."""
    return _SECRET_QUERY.sub(r"\1[redacted]", text) if "=" in text else text


def scrub(text: str, url: str) -> str:
    """A library's message about a request to `url`, naming only its path: the query (what was
    signed, a listen key) is cut wherever the message quotes it, whole or in part."""
    path, _, query = url.partition("?")
    if query:
        text = text.replace(url, path).replace(query, "[query]")
    return redact(text)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The Retry-After header in seconds from now, or None when there is none (or none readable).

    Delay seconds or an HTTP date. Several values (two headers, or one listing several) mean the
    longest of them: the same for urllib3's headers, which join repeated ones with commas, and
    aiohttp's, which keep them apart. Clamped: see RETRY_AFTER_MIN and RETRY_AFTER_MAX.
    """
    getall = getattr(headers, "getall", None)  # aiohttp's multidict: every value of the name
    value: str | None
    if getall is not None:
        value = ", ".join(getall("Retry-After", ()))
    else:
        value = headers.get("Retry-After")
    if not value:
        return None
    if "," not in value:
        return _seconds(value)
    parts = [_seconds(part) for part in _VALUES.findall(value)]
    return max((part for part in parts if part is not None), default=None)


# One value of a comma-separated list: an HTTP date (which has a comma of its own) or anything else.
_VALUES = re.compile(r"[A-Za-z]{3}, *\d{1,2} [A-Za-z]{3} \d{4} [\d:]+ *[A-Z]*|[^,]+")


def _seconds(value: str) -> float | None:
    """One Retry-After value in seconds from now, clamped; None if it is neither form."""
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if math.isnan(seconds) or seconds < 0:
        return RETRY_AFTER_MIN
    return min(seconds, RETRY_AFTER_MAX)


def add_note(exc: BaseException, note: str) -> None:
    """Exception notes (PEP 678) are Python 3.11's: on 3.10 the note is kept in `__notes__` all the
    same (what the exceptiongroup backport does), where code and tests read it on every version."""
    # Not a sys.version_info test: ruff (UP036) would remove it from a package requiring 3.11.
    method = getattr(exc, "add_note", None)
    if method is not None:
        method(note)
    else:
        # Where 3.11's add_note keeps them (the instance dict); 3.10's type stubs have no __notes__.
        vars(exc).setdefault("__notes__", []).append(note)
