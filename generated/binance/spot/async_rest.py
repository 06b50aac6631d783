"""aiohttp transport for AsyncApiClient: (method, url, headers, body) -> RESTResponse, awaited."""

from __future__ import annotations

import asyncio
import base64
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import aiohttp
from yarl import URL

from .configuration import Configuration
from .exceptions import ApiConnectionError, ApiTimeoutError, ApiValueError, OpenApiException
from .rest import RESTResponse, Timeout


class AsyncRESTClient:
    """One aiohttp ClientSession, opened in the running event loop, reused by every call.

    Imported by AsyncApiClient's first call only, so aiohttp costs sync users nothing. Redirects
    are off and URLs go out exactly as built: the query string is what was signed, and yarl must
    not re-encode it. aiohttp errors never escape: they become ApiConnectionError or
    ApiTimeoutError, the original chained.
    """

    __slots__ = ("_proxy", "_proxy_headers", "_session", "_ssl", "_timeout", "loop")

    def __init__(self, configuration: Configuration) -> None:
        self._timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=configuration.connect_timeout,
            sock_read=configuration.read_timeout,
        )
        self._ssl = _ssl_setting(configuration)
        self._proxy, self._proxy_headers = _proxy_settings(configuration.proxy)
        self.loop = asyncio.get_running_loop()
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=configuration.pool_maxsize, ssl=self._ssl),
            timeout=self._timeout,
            # Calls carry their own cookies; a jar would only carry state from one call to the next.
            cookie_jar=aiohttp.DummyCookieJar(),
        )

    @property
    def closed(self) -> bool:
        return self._session.closed

    async def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None = None,
        timeout: Timeout = None,
    ) -> RESTResponse:
        """Send one request and read the whole answer; network failures raise our errors."""
        try:
            async with self._session.request(
                method,
                URL(url, encoded=True),
                headers=headers,
                data=body,
                allow_redirects=False,
                timeout=self._timeout if timeout is None else _timeout(timeout),
                proxy=self._proxy,
                proxy_headers=self._proxy_headers,
            ) as response:
                data = await response.read()
                return RESTResponse(response.status, response.reason or "", response.headers, data)
        except _FAILURES as exc:
            raise _network_error(exc, method, url) from exc

    async def close(self) -> None:
        """Close the session and every pooled connection."""
        await self._session.close()


def _timeout(value: float | tuple[float, float]) -> aiohttp.ClientTimeout:
    """A per-call timeout: seconds for connecting and for reading, or a (connect, read) pair."""
    connect, read = value if isinstance(value, tuple) else (value, value)
    for seconds in (connect, read):
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
            raise ApiValueError(f"invalid timeout {value!r}: seconds must be positive numbers")
    return aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)


def _ssl_setting(configuration: Configuration) -> ssl.SSLContext | bool:
    if not configuration.verify_ssl:
        return False
    if configuration.ssl_ca_cert:
        try:
            return ssl.create_default_context(cafile=configuration.ssl_ca_cert)
        except (OSError, ssl.SSLError) as exc:
            raise ApiValueError(
                f"ssl_ca_cert: cannot load {configuration.ssl_ca_cert!r}: {exc}"
            ) from None
    return True


def _proxy_settings(proxy: str | None) -> tuple[str | None, dict[str, str] | None]:
    """aiohttp's proxy URL and headers: credentials move from the URL to Proxy-Authorization."""
    if not proxy:
        return None, None
    parts = urlsplit(proxy)
    if parts.scheme not in ("http", "https"):
        raise ApiValueError(
            f"proxy: AsyncApiClient supports http and https proxies, not {parts.scheme!r}"
        )
    if "@" not in parts.netloc:
        return proxy, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode("ascii")
    return urlunsplit(parts._replace(netloc=host)), {"Proxy-Authorization": "Basic " + token}


# asyncio's TimeoutError (aiohttp's timeouts derive from it) is the built-in one from Python 3.11 on;
# on 3.10 it is a class of its own, which `except TimeoutError` would let through. Named through
# asyncio.exceptions: ruff (UP041) rewrites `asyncio.TimeoutError` where the target is 3.11.
_TIMEOUTS: tuple[type[Exception], ...] = (TimeoutError, asyncio.exceptions.TimeoutError)
_FAILURES: tuple[type[Exception], ...] = (*_TIMEOUTS, aiohttp.ClientError)


def _network_error(exc: BaseException, method: str, url: str) -> OpenApiException:
    """Our exception for an aiohttp error, saying whether the request may have reached the API."""
    # The query string may carry a signature or listen key: name only the path in messages.
    path = url.partition("?")[0]
    not_sent: dict[str, Any] = {"method": method, "path": path, "request_sent": False}
    sent: dict[str, Any] = {"method": method, "path": path, "request_sent": True}
    if isinstance(exc, aiohttp.InvalidURL):
        return ApiValueError(f"{method} {path}: invalid URL: {exc}")
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return ApiTimeoutError(f"{method} {path}: timed out connecting: {exc}", **not_sent)
    if isinstance(exc, _TIMEOUTS):  # SocketTimeoutError, and any other timeout
        return ApiTimeoutError(f"{method} {path}: timed out waiting for the answer", **sent)
    # Proxy, DNS, TLS and refused connections all fail before a byte of the request is written.
    if isinstance(exc, (aiohttp.ClientConnectorError, aiohttp.ClientHttpProxyError)):
        return ApiConnectionError(f"{method} {path}: cannot connect: {exc}", **not_sent)
    return ApiConnectionError(f"{method} {path}: {type(exc).__name__}: {exc}", **sent)
