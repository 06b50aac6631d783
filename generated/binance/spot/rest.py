"""urllib3 transport: a pool from Configuration; (method, url, headers, body) -> RESTResponse."""

# The exception classes are re-exported so that `from <package>.rest import ApiException` keeps
# working. urllib3 errors never escape: they become ApiConnectionError or ApiTimeoutError, whose
# messages name the path and never the query (a signature, a listen key).

from __future__ import annotations

import http.client
import io
import logging
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import urllib3
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import (
    ClosedPoolError,
    ConnectTimeoutError,
    EmptyPoolError,
    HTTPError,
    LocationValueError,
    NewConnectionError,
    ProxyError,
    ReadTimeoutError,
)
from urllib3.util import parse_url

from .configuration import Configuration, check_timeout
from .exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    ApiTypeError,
    ApiValueError,
    BadRequestException,
    ConflictException,
    ExecutionStatusUnknownError,
    ForbiddenException,
    IPBannedException,
    NotFoundException,
    OpenApiException,
    RateLimitException,
    ResponseTooLargeError,
    ResponseValidationError,
    ServiceException,
    UnauthorizedException,
    redact,
    scrub,
)

__all__ = [
    "ApiConnectionError",
    "ApiException",
    "ApiTimeoutError",
    "ApiTypeError",
    "ApiValueError",
    "BadRequestException",
    "ConflictException",
    "ExecutionStatusUnknownError",
    "ForbiddenException",
    "IPBannedException",
    "NotFoundException",
    "OpenApiException",
    "RESTClient",
    "RESTResponse",
    "RateLimitException",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ServiceException",
    "Timeout",
    "UnauthorizedException",
]

# A call's `timeout`: seconds, both the call's total deadline (every attempt and pause included) and
# each attempt's connect and read timeouts; or a (connect, read) pair for each attempt, the
# configuration's total_timeout still bounding the call; None: the configured values.
Timeout = float | tuple[float, float] | None


@dataclass(slots=True)
class RESTResponse:
    """An HTTP answer, fully read: `headers` is urllib3's case-insensitive HTTPHeaderDict."""

    status: int
    reason: str
    headers: Mapping[str, str]
    data: bytes


class RESTClient:
    """One urllib3 PoolManager (or ProxyManager) per ApiClient, reused by every call (keep-alive).

    urllib3's own retries and redirects are off: ApiClient decides what is safe to repeat, and a
    redirect of a SIGNED POST must not be followed blindly. Without a proxy, the connection pool of
    each origin is looked up once and then called directly, which spares every call the manager's
    URL parsing and pool-key building (about a fifth of the client's own CPU per call).

    Each pool holds at most `pool_maxsize` sockets (a call waits for a free one, until its
    deadline). Every read of an answer, headers included, ends by the call's deadline, and an
    answer whose connection closed inside its headers is a connection error, not an empty success.
    """

    __slots__ = ("_longest", "_manager", "_max_body", "_pools", "_timeout", "_total")

    def __init__(self, configuration: Configuration) -> None:
        redact_library_logs(*URLLIB3_LOGGERS)
        self._timeout = urllib3.Timeout(
            connect=configuration.connect_timeout, read=configuration.read_timeout
        )
        self._longest = max(configuration.connect_timeout, configuration.read_timeout)
        self._total = configuration.total_timeout
        self._max_body = configuration.max_response_size
        options: dict[str, Any] = {
            "maxsize": configuration.pool_maxsize,
            "block": True,  # pool_maxsize bounds the sockets, not only those kept for reuse
            "timeout": self._timeout,
            "retries": False,
            "cert_reqs": "CERT_REQUIRED" if configuration.verify_ssl else "CERT_NONE",
        }
        if configuration.ssl_ca_cert:
            options["ca_certs"] = configuration.ssl_ca_cert
        self._manager: urllib3.PoolManager = (
            _proxy_manager(configuration.proxy, options)
            if configuration.proxy
            else urllib3.PoolManager(**options)
        )
        self._manager.pool_classes_by_scheme = {
            scheme: _guarded_pool(pool)
            for scheme, pool in self._manager.pool_classes_by_scheme.items()
        }
        # origin ("http://host:port") -> its pool; only for a plain PoolManager (a proxy needs the
        # absolute URL in the request line, which the manager knows how to send).
        self._pools: dict[str, HTTPConnectionPool] | None = (
            {} if type(self._manager) is urllib3.PoolManager else None
        )

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None = None,
        timeout: Timeout = None,
        deadline: float | None = None,
    ) -> RESTResponse:
        """Send one request and read the whole answer; network failures raise our errors.

        `timeout`: this attempt's connect and read timeouts (see Timeout); `deadline`: the
        time.monotonic() by which the answer must have been read (default: the configuration's
        total_timeout from now).
        """
        now = time.monotonic()
        if deadline is None:
            deadline = now + self._total
        left = deadline - now
        if left <= 0:
            raise _deadline_error(method, url, request_sent=False)
        limits = self._timeout if timeout is None else _timeout(timeout)
        if left < self._longest or timeout is not None:
            limits = urllib3.Timeout(
                connect=min(left, cast(float, limits.connect_timeout)),
                read=min(left, cast(float, limits.read_timeout)),
            )
        options: dict[str, Any] = {
            "body": body,
            "headers": headers,
            "timeout": limits,
            "pool_timeout": left,
            "retries": False,
            "redirect": False,
            "preload_content": False,
        }
        _call.deadline = deadline
        try:
            response = self._direct(method, url, options)
            if response is None:
                response = self._manager.urlopen(method, url, **options)
            data = self._read(response, method, url)
            return RESTResponse(response.status, response.reason or "", response.headers, data)
        except HTTPError as exc:
            raise _network_error(exc, method, url, deadline) from exc
        except ValueError:
            # http.client refuses a header value it cannot send (a line break in it) with a
            # ValueError quoting the value, which may be a credential: raised below, unchained.
            pass
        raise ApiValueError(
            f"{method} {url.partition('?')[0]}: a header value cannot be sent as it is "
            "(a line break or a character HTTP cannot carry)"
        )

    def _read(self, response: urllib3.BaseHTTPResponse, method: str, url: str) -> bytes:
        """The whole body, decoded, or ResponseTooLargeError past max_response_size."""
        limit = self._max_body
        length = response.length_remaining
        if length is not None and length <= limit and "content-encoding" not in response.headers:
            return response.read()  # the common case: its size is known before reading it
        chunks: list[bytes] = []
        size = 0
        if length is None or length <= limit:  # decoded (gzip, deflate) or of unknown length
            while True:
                chunk = response.read(65536)
                if not chunk:
                    return b"".join(chunks)
                size += len(chunk)
                if size > limit:
                    break
                chunks.append(chunk)
        # What is left unread stays on the socket: close it rather than hand it to the next call.
        response.close()
        response.release_conn()
        raise ResponseTooLargeError(
            f"{method} {url.partition('?')[0]}: the answer's body is larger than "
            f"max_response_size ({limit} bytes); it was not read",
            status=response.status,
            headers=response.headers,
            limit=limit,
        )

    def _direct(
        self, method: str, url: str, options: dict[str, Any]
    ) -> urllib3.BaseHTTPResponse | None:
        """The answer through the origin's cached pool; None when the manager must send it."""
        if self._pools is None:
            return None
        scheme_end = url.find("://")
        path_start = url.find("/", scheme_end + 3) if scheme_end > 0 else -1
        if path_start < 0:
            return None
        origin, target = url[:path_start], url[path_start:]
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = self._manager.connection_from_url(origin)
        try:
            return pool.urlopen(method, target, assert_same_host=False, **options)
        except ClosedPoolError:
            # The manager evicted this pool (it keeps a bounded number of origins): ask again.
            self._pools.pop(origin, None)
            return None

    def close(self) -> None:
        """Close every pooled connection."""
        if self._pools is not None:
            self._pools.clear()
        self._manager.clear()


def _timeout(value: float | tuple[float, float]) -> urllib3.Timeout:
    """A per-call timeout: seconds for connecting and for reading, or a (connect, read) pair."""
    connect, read = check_timeout(value)
    return urllib3.Timeout(connect=connect, read=read)


# The deadline of the call this thread is making, for the response being read (_GuardedResponse).
_call = threading.local()


class _HeadersCut(http.client.HTTPException):
    """The connection closed before the blank line that ends the answer's headers."""


class _GuardedReader(io.RawIOBase):
    """What an answer is read from: the connection's socket reader, each read of which waits no
    longer than the call's deadline (a server trickling a byte at a time cannot stretch a call),
    and which notes an end of stream while the headers are still being read."""

    def __init__(self, raw: Any, sock: socket.socket, deadline: float | None) -> None:
        self._raw = raw
        self._sock = sock
        self._deadline = deadline
        self._read_timeout = sock.gettimeout()
        self.in_headers = True
        self.cut = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        deadline = self._deadline
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the call's deadline passed")
            if self._read_timeout is None or left < self._read_timeout:
                self._sock.settimeout(left)
        count: int = self._raw.readinto(buffer)
        if not count and self.in_headers:
            self.cut = True
        return count

    def fileno(self) -> int:
        return int(self._raw.fileno())

    def close(self) -> None:
        if not self.closed:
            self._raw.close()  # the socket's reference count, as http.client keeps it
        super().close()


class _GuardedResponse(http.client.HTTPResponse):
    """http.client's answer, read through a _GuardedReader."""

    def __init__(
        self, sock: socket.socket, debuglevel: int = 0, method: str | None = None, url: Any = None
    ) -> None:
        super().__init__(sock, debuglevel, method, url)
        reader = _GuardedReader(self.fp.detach(), sock, getattr(_call, "deadline", None))
        self._reader = reader
        self.fp = io.BufferedReader(reader)

    def begin(self) -> None:
        super().begin()
        reader = self._reader
        reader.in_headers = False
        if reader.cut:
            # http.client takes the end of the stream for the end of the headers: an answer cut
            # there would read as a complete one with an empty body.
            raise _HeadersCut("the connection closed inside the answer's headers")


_GUARDED: dict[type[Any], type[Any]] = {}


def _guarded_pool(pool: type[HTTPConnectionPool]) -> type[HTTPConnectionPool]:
    """The pool class (of any scheme, proxy or SOCKS) whose connections read guarded answers."""
    guarded = _GUARDED.get(pool)
    if guarded is None:
        connection = type(
            pool.ConnectionCls.__name__,
            (pool.ConnectionCls,),
            {"response_class": _GuardedResponse},
        )
        guarded = _GUARDED[pool] = type(pool.__name__, (pool,), {"ConnectionCls": connection})
    return guarded


def _proxy_manager(proxy: str, options: dict[str, Any]) -> urllib3.PoolManager:
    parsed = parse_url(proxy)
    if parsed.scheme in ("socks4", "socks4a", "socks5", "socks5h"):
        try:
            from urllib3.contrib.socks import SOCKSProxyManager
        except ImportError:  # urllib3 raises this when PySocks is not installed
            raise ApiValueError(
                f"proxy {parsed.scheme}://...: SOCKS proxies need `pip install urllib3[socks]`"
            ) from None
        return SOCKSProxyManager(proxy, **options)
    if parsed.scheme not in ("http", "https"):
        raise ApiValueError(f"proxy: unsupported scheme {parsed.scheme!r} (http, https or socks5)")
    # urllib3 does not turn user:password in the proxy URL into a header by itself.
    proxy_headers = urllib3.make_headers(proxy_basic_auth=parsed.auth) if parsed.auth else None
    return urllib3.ProxyManager(proxy, proxy_headers=proxy_headers, **options)


def _deadline_error(method: str, url: str, *, request_sent: bool) -> ApiTimeoutError:
    path = url.partition("?")[0]
    return ApiTimeoutError(
        f"{method} {path}: the call's deadline passed "
        + ("waiting for the answer" if request_sent else "before the request was sent"),
        method=method,
        path=path,
        request_sent=request_sent,
    )


def _network_error(exc: HTTPError, method: str, url: str, deadline: float) -> OpenApiException:
    """Our exception for a urllib3 error, saying whether the request may have reached the server."""
    # The query string may carry a signature or listen key: name only the path in messages.
    path = url.partition("?")[0]
    if getattr(exc, "url", None):
        exc.url = path  # type: ignore[attr-defined]  # the chained error must not carry it either
    text = scrub(str(exc), url)
    if isinstance(exc, LocationValueError):
        return ApiValueError(f"{method} {path}: invalid URL: {text}")
    # NewConnectionError subclasses ConnectTimeoutError in urllib3: test it first.
    if isinstance(exc, NewConnectionError):
        return ApiConnectionError(
            f"{method} {path}: cannot connect: {text}",
            method=method,
            path=path,
            request_sent=False,
        )
    if isinstance(exc, EmptyPoolError):
        return ApiTimeoutError(
            f"{method} {path}: the call's deadline passed waiting for a free connection "
            "(every one of the pool's pool_maxsize is in use)",
            method=method,
            path=path,
            request_sent=False,
        )
    if isinstance(exc, ConnectTimeoutError):
        if time.monotonic() >= deadline:
            return _deadline_error(method, url, request_sent=False)
        return ApiTimeoutError(
            f"{method} {path}: timed out connecting: {text}",
            method=method,
            path=path,
            request_sent=False,
        )
    if isinstance(exc, ReadTimeoutError):
        if time.monotonic() >= deadline:
            return _deadline_error(method, url, request_sent=True)
        return ApiTimeoutError(
            f"{method} {path}: timed out waiting for the answer: {text}",
            method=method,
            path=path,
            request_sent=True,
        )
    if isinstance(exc, ProxyError):
        return ApiConnectionError(
            f"{method} {path}: proxy failure: {text}",
            method=method,
            path=path,
            request_sent=False,
        )
    return ApiConnectionError(
        f"{method} {path}: {type(exc).__name__}: {text}",
        method=method,
        path=path,
        request_sent=True,
    )


class _Redacting(logging.Filter):
    """Rewrites urllib3's own log records (its DEBUG line per request quotes the URL) without the
    values of secret query parameters. Consulted only for records that are emitted."""

    redacts_secrets = True

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact(arg) if isinstance(arg, str) else _redacted_object(arg)
                for arg in record.args
            )
        return True


def _redacted_object(arg: object) -> object:
    if isinstance(arg, (int, float)) or arg is None:
        return arg
    text = str(arg)
    cleaned = redact(text)
    return arg if cleaned == text else cleaned


def redact_library_logs(*names: str) -> None:
    """Install the redacting filter on these loggers (once, whichever package installs it)."""
    for name in names:
        library = logging.getLogger(name)
        if not any(getattr(f, "redacts_secrets", False) for f in library.filters):
            library.addFilter(_Redacting())


# urllib3's loggers that name a request's URL (its DEBUG line for every request, a WARNING for
# headers it cannot parse): a client installs the redacting filter on them when it is made.
URLLIB3_LOGGERS = (
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
)
