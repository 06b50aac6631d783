"""urllib3 transport: a pool from Configuration; (method, url, headers, body) -> RESTResponse."""

# The exception classes are re-exported so that `from <package>.rest import ApiException` keeps
# working. urllib3 errors never escape: they become ApiConnectionError or ApiTimeoutError.

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import urllib3
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import (
    ClosedPoolError,
    ConnectTimeoutError,
    HTTPError,
    LocationValueError,
    NewConnectionError,
    ProxyError,
    ReadTimeoutError,
)
from urllib3.util import parse_url

from .configuration import Configuration
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
    ResponseValidationError,
    ServiceException,
    UnauthorizedException,
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
    "ResponseValidationError",
    "ServiceException",
    "Timeout",
    "UnauthorizedException",
]

# Seconds for both connecting and reading, or (connect, read); None means the configured values.
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
    """

    __slots__ = ("_manager", "_pools", "_timeout")

    def __init__(self, configuration: Configuration) -> None:
        self._timeout = urllib3.Timeout(
            connect=configuration.connect_timeout, read=configuration.read_timeout
        )
        options: dict[str, Any] = {
            "maxsize": configuration.pool_maxsize,
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
    ) -> RESTResponse:
        """Send one request and read the whole answer; network failures raise our errors."""
        options: dict[str, Any] = {
            "body": body,
            "headers": headers,
            "timeout": self._timeout if timeout is None else _timeout(timeout),
            "retries": False,
            "redirect": False,
            "preload_content": True,
        }
        try:
            response = self._direct(method, url, options)
            if response is None:
                response = self._manager.urlopen(method, url, **options)
        except HTTPError as exc:
            raise _network_error(exc, method, url) from exc
        return RESTResponse(response.status, response.reason or "", response.headers, response.data)

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
    connect, read = value if isinstance(value, tuple) else (value, value)
    try:
        return urllib3.Timeout(connect=connect, read=read)
    except ValueError as exc:  # negative, zero-like or non-numeric values
        raise ApiValueError(f"invalid timeout {value!r}: {exc}") from None


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


def _network_error(exc: HTTPError, method: str, url: str) -> OpenApiException:
    """Our exception for a urllib3 error, saying whether the request may have reached the server."""
    # The query string may carry a signature or listen key: name only the path in messages.
    path = url.partition("?")[0]
    if isinstance(exc, LocationValueError):
        return ApiValueError(f"{method} {path}: invalid URL: {exc}")
    # NewConnectionError subclasses ConnectTimeoutError in urllib3: test it first.
    if isinstance(exc, NewConnectionError):
        return ApiConnectionError(
            f"{method} {path}: cannot connect: {exc}",
            method=method,
            path=path,
            request_sent=False,
        )
    if isinstance(exc, ConnectTimeoutError):
        return ApiTimeoutError(
            f"{method} {path}: timed out connecting: {exc}",
            method=method,
            path=path,
            request_sent=False,
        )
    if isinstance(exc, ReadTimeoutError):
        return ApiTimeoutError(
            f"{method} {path}: timed out waiting for the answer: {exc}",
            method=method,
            path=path,
            request_sent=True,
        )
    if isinstance(exc, ProxyError):
        return ApiConnectionError(
            f"{method} {path}: proxy failure: {exc}",
            method=method,
            path=path,
            request_sent=False,
        )
    return ApiConnectionError(
        f"{method} {path}: {type(exc).__name__}: {exc}",
        method=method,
        path=path,
        request_sent=True,
    )
