"""aiohttp transport for AsyncApiClient: (method, url, headers, body) -> RESTResponse, awaited."""

from __future__ import annotations

import asyncio
import base64
import functools
import math
import select
import ssl
import time
import weakref
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import unquote, urlsplit, urlunsplit

import aiohttp
from aiohttp.client_proto import ResponseHandler
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from .configuration import Configuration, check_timeout
from .exceptions import (
    ApiConnectionError,
    ApiTimeoutError,
    ApiValueError,
    OpenApiException,
    ResponseTooLargeError,
    scrub,
)
from .rest import RESTResponse, Timeout, redact_library_logs

# The cached timeouts of a first attempt serve while this close to a whole total_timeout is left.
_MARGIN = 0.05
# How often the deadline watchdog looks at the requests in flight: a call ends at most this late.
_TICK = 0.05


class AsyncRESTClient:
    """One aiohttp ClientSession, opened in the running event loop, reused by every call.

    Imported by AsyncApiClient's first call only, so aiohttp costs sync users nothing. Redirects
    are off and URLs go out exactly as built: the query string is what was signed, and yarl must
    not re-encode it. aiohttp's own retry of idempotent requests is off (the call flow decides,
    and counts). aiohttp errors never escape: they become ApiConnectionError or ApiTimeoutError,
    the original chained, cleaned of the query.
    """

    __slots__ = (
        "_connect",
        "_limits",
        "_max_body",
        "_proxy",
        "_proxy_headers",
        "_read",
        "_session",
        "_ssl",
        "_total",
        "_watchdog",
        "loop",
    )

    def __init__(self, configuration: Configuration) -> None:
        redact_library_logs(*AIOHTTP_LOGGERS)
        self._connect = configuration.connect_timeout
        self._read = configuration.read_timeout
        self._total = configuration.total_timeout
        self._max_body = configuration.max_response_size
        self._limits = _limits(self._connect, self._read, self._total)
        self._ssl = _ssl_setting(configuration)
        self._proxy, self._proxy_headers = _proxy_settings(configuration.proxy)
        self.loop = asyncio.get_running_loop()
        self._watchdog = _Watchdog(self.loop)
        self._session = aiohttp.ClientSession(
            connector=_Connector(limit=configuration.pool_maxsize, ssl=self._ssl),
            # Calls carry their own cookies; a jar would only carry state from one call to the next.
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        # aiohttp re-sends an idempotent request once by itself when its connection fails: on top
        # of the call flow's retries, that made two sends per attempt. No public switch exists.
        if hasattr(self._session, "_retry_connection"):
            self._session._retry_connection = False

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
        deadline: float | None = None,
    ) -> RESTResponse:
        """Send one request and read the whole answer; network failures raise our errors.

        `timeout`, `deadline`: as for RESTClient.request.
        """
        now = time.monotonic()
        if deadline is None:
            deadline = now + self._total
        left = deadline - now
        if left <= 0:
            raise _deadline_error(method, url, request_sent=False)
        if timeout is None and left > self._total - _MARGIN:
            limits = self._limits  # a first attempt: whole total_timeout ahead, give or take
        else:
            connect, read = (
                (self._connect, self._read) if timeout is None else check_timeout(timeout)
            )
            limits = _limits(connect, read, left)
        task = asyncio.current_task()
        watchdog = self._watchdog
        watchdog.watch(task, deadline)
        error: OpenApiException
        cause: BaseException | None
        try:
            async with self._session.request(
                method,
                URL(url, encoded=True),
                headers=headers,
                data=body,
                allow_redirects=False,
                timeout=limits,
                proxy=self._proxy,
                proxy_headers=self._proxy_headers,
            ) as response:
                limit = self._max_body
                length = response.content_length
                if (
                    length is not None
                    and length <= limit
                    and "Content-Encoding" not in response.headers
                ):
                    data = await response.read()
                else:
                    data = await _read_at_most(response, limit, method, url)
                return RESTResponse(response.status, response.reason or "", response.headers, data)
        except asyncio.CancelledError:
            if not watchdog.expired(task):
                raise  # the caller's cancellation
            # Cancelled by the watchdog: past the connect phase (the connect timeout ends at the
            # deadline, before the watchdog does), so the request may have been sent.
            error, cause = _deadline_error(method, url, request_sent=True), None
        except _FAILURES as exc:
            error, cause = _network_error(exc, method, url, deadline)
        except ValueError:
            # A header value aiohttp refuses (a line break): its message may quote it.
            error = ApiValueError(
                f"{method} {url.partition('?')[0]}: a header value cannot be sent as it is "
                "(a line break or a character HTTP cannot carry)"
            )
            cause = None
        finally:
            watchdog.forget(task)
        # Raised here, outside the handler, so that a library error that could not be cleaned of
        # the query is not chained as the context either.
        raise error from cause

    async def close(self) -> None:
        """Close the session and every pooled connection."""
        self._watchdog.stop()
        await self._session.close()


class _Watchdog:
    """Ends the requests whose call has passed its deadline, by cancelling their task (as aiohttp's
    own total timeout does), with one timer ticking every _TICK seconds while requests are in
    flight rather than a timer per request: a slow trickle of bytes cannot stretch a call, and a
    call pays a dictionary entry for it."""

    __slots__ = ("_deadlines", "_expired", "_handle", "_loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._deadlines: dict[asyncio.Task[Any] | None, float] = {}
        self._expired: set[asyncio.Task[Any]] = set()
        self._handle: asyncio.TimerHandle | None = None

    def watch(self, task: asyncio.Task[Any] | None, deadline: float) -> None:
        self._deadlines[task] = deadline
        if self._handle is None:
            self._handle = self._loop.call_later(_TICK, self._tick)

    def forget(self, task: asyncio.Task[Any] | None) -> None:
        self._deadlines.pop(task, None)
        if task in self._expired:  # cancelled, but the request ended otherwise: take it back
            self.expired(task)

    def expired(self, task: asyncio.Task[Any] | None) -> bool:
        """Whether the watchdog cancelled `task` (and no one else did): then its cancellation is
        taken back, and the request ends with a timeout."""
        if task is None or task not in self._expired:
            return False
        self._expired.discard(task)
        uncancel = getattr(task, "uncancel", None)  # Python 3.11: cancellations are counted
        return uncancel is None or uncancel() == 0

    def _tick(self) -> None:
        self._handle = None
        now = time.monotonic()
        for task, deadline in list(self._deadlines.items()):
            if deadline <= now and task is not None:
                del self._deadlines[task]
                self._expired.add(task)
                task.cancel()
        if self._deadlines:
            self._handle = self._loop.call_later(_TICK, self._tick)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


def _limits(connect: float, read: float, left: float) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for an attempt with `left` seconds to the call's deadline."""
    return aiohttp.ClientTimeout(
        total=None,  # the watchdog's
        connect=left,
        sock_connect=min(connect, left),
        sock_read=min(read, left),
        ceil_threshold=math.inf,  # aiohttp rounds longer timeouts up to whole seconds
    )


async def _read_at_most(
    response: aiohttp.ClientResponse, limit: int, method: str, url: str
) -> bytes:
    """The body, decoded, read piece by piece: ResponseTooLargeError once past `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    length = response.content_length
    if length is None or length <= limit or "Content-Encoding" in response.headers:
        while True:
            chunk = await response.content.read(65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                break
            chunks.append(chunk)
    response.close()  # what is left unread must not reach the next call: the connection goes
    raise ResponseTooLargeError(
        f"{method} {url.partition('?')[0]}: the answer's body is larger than "
        f"max_response_size ({limit} bytes); it was not read",
        status=response.status,
        headers=response.headers,
        limit=limit,
    )


class _Connector(aiohttp.TCPConnector):
    """aiohttp's connector, except that a pooled connection whose socket has something to read
    before a request was written on it is closed and another one used.

    An idle keep-alive connection has nothing to read unless the server closed it (or reset it).
    An event loop that was blocked has not yet processed that close, so aiohttp would write the
    next request on a dead connection and report it lost after sending: a POST would be
    "execution status unknown" though nothing could have reached the server. urllib3 makes the
    same check before reusing a connection. A new connection is never checked (a server that
    closes every new connection at once would otherwise keep this loop going).
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # Each connection handed out before (its protocol) -> its socket's file descriptor.
        self._used: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        if _LAZY_READ_TIMER and hasattr(self, "_factory"):  # the protocol of new connections
            protocol = functools.partial(_Protocol, loop=self._loop)
            self._factory = cast("functools.partial[ResponseHandler]", protocol)

    async def connect(
        self, req: aiohttp.ClientRequest, traces: list[Any], timeout: aiohttp.ClientTimeout
    ) -> Any:
        while True:
            conn = await super().connect(req, traces, timeout)
            protocol = conn.protocol
            if protocol is None:
                return conn
            fd = self._used.get(protocol)
            if fd is None:  # a new connection
                sock = conn.transport.get_extra_info("socket") if conn.transport else None
                if sock is not None:
                    self._used[protocol] = sock.fileno()
                return conn
            if not _readable(fd):
                return conn
            conn.close()  # closed under us: drop it, take the next pooled one or a new one


class _Protocol(ResponseHandler):
    """aiohttp's protocol with a cheaper read timeout (`sock_read`, our read_timeout), same meaning:
    aiohttp cancels its timer and makes a new one each time data arrives, three timers a call;
    this one keeps its timer and only moves the time the read is due, which the timer checks when
    it fires (and then waits again for what is left)."""

    _read_by = 0.0

    def _reschedule_timeout(self) -> None:
        timeout = self._read_timeout
        if not timeout:
            self._drop_timeout()
            return
        loop = self._loop
        self._read_by = read_by = loop.time() + timeout
        handle = self._read_timeout_handle
        if handle is not None:
            if handle.when() <= read_by:
                return  # it fires first, and looks again
            handle.cancel()  # a shorter timeout than the last request's
        self._read_timeout_handle = loop.call_at(read_by, self._read_timer)

    def _read_timer(self) -> None:
        self._read_timeout_handle = None
        if self._loop.time() >= self._read_by:
            self._on_read_timeout()
        else:
            self._read_timeout_handle = self._loop.call_at(self._read_by, self._read_timer)


# The aiohttp internals _Protocol overrides and calls; were they renamed, aiohttp's own timer runs.
_LAZY_READ_TIMER = all(
    hasattr(ResponseHandler, name)
    for name in ("_reschedule_timeout", "_drop_timeout", "_on_read_timeout")
)


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


def _readable(fd: int) -> bool:
    """Whether a socket has something to read, or is closed or broken; never waits."""
    try:
        if _POLL:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select((fd,), (), (), 0)[0])  # Windows: no poll()
    except (OSError, ValueError):
        return True


_POLL = hasattr(select, "poll")


# asyncio's TimeoutError (aiohttp's timeouts derive from it) is the built-in one from Python 3.11 on;
# on 3.10 it is a class of its own, which `except TimeoutError` would let through. Named through
# asyncio.exceptions: ruff (UP041) rewrites `asyncio.TimeoutError` where the target is 3.11.
_TIMEOUTS: tuple[type[Exception], ...] = (TimeoutError, asyncio.exceptions.TimeoutError)
_FAILURES: tuple[type[Exception], ...] = (*_TIMEOUTS, aiohttp.ClientError)


def _deadline_error(method: str, url: str, *, request_sent: bool) -> ApiTimeoutError:
    path = url.partition("?")[0]
    return ApiTimeoutError(
        f"{method} {path}: the call's deadline passed "
        + ("waiting for the answer" if request_sent else "before the request was sent"),
        method=method,
        path=path,
        request_sent=request_sent,
    )


def _network_error(
    exc: BaseException, method: str, url: str, deadline: float
) -> tuple[OpenApiException, BaseException | None]:
    """Our exception for an aiohttp error, saying whether the request may have reached the API,
    and what to chain to it: the aiohttp error cleaned of the query, or None if it cannot be."""
    # The query string may carry a signature or listen key: name only the path in messages.
    path = url.partition("?")[0]
    cause = _cleaned(exc, url)
    text = scrub(str(exc), url)
    past = time.monotonic() >= deadline
    not_sent: dict[str, Any] = {"method": method, "path": path, "request_sent": False}
    sent: dict[str, Any] = {"method": method, "path": path, "request_sent": True}
    if isinstance(exc, aiohttp.InvalidURL):
        return ApiValueError(f"{method} {path}: invalid URL"), None
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        if past:
            return _deadline_error(method, url, request_sent=False), cause
        return ApiTimeoutError(f"{method} {path}: timed out connecting", **not_sent), cause
    if isinstance(exc, _TIMEOUTS):  # SocketTimeoutError, the total timeout, any other timeout
        if past:
            return _deadline_error(method, url, request_sent=True), cause
        return ApiTimeoutError(f"{method} {path}: timed out waiting for the answer", **sent), cause
    # Proxy, DNS, TLS and refused connections all fail before a byte of the request is written.
    if isinstance(exc, (aiohttp.ClientConnectorError, aiohttp.ClientHttpProxyError)):
        return ApiConnectionError(f"{method} {path}: cannot connect: {text}", **not_sent), cause
    return ApiConnectionError(f"{method} {path}: {type(exc).__name__}: {text}", **sent), cause


def _cleaned(exc: BaseException, url: str) -> BaseException | None:
    """`exc` with the query of `url` (and the request's headers) taken out of what its str() and
    repr() show, in place; None when some of it is still there."""
    path, _, query = url.partition("?")
    if isinstance(exc, aiohttp.ClientResponseError):
        # Its message quotes request_info.real_url, and its repr the request headers (the key).
        info = exc.request_info
        clean = aiohttp.RequestInfo(
            URL(path, encoded=True), info.method, CIMultiDictProxy(CIMultiDict()), URL(path)
        )
        exc.request_info = clean
        exc.args = tuple(clean if arg is info else arg for arg in exc.args)
    if query:
        exc.args = tuple(scrub(arg, url) if isinstance(arg, str) else arg for arg in exc.args)
        try:
            shown = str(exc) + repr(exc) + repr(exc.args)
        except Exception:  # a str() that needed what was cleaned: chain nothing
            return None
        if query in shown or scrub(shown, url) != shown:
            return None
    return exc


# aiohttp's client hardly logs, but what it does must not show a URL's secrets either.
AIOHTTP_LOGGERS = ("aiohttp.client", "aiohttp.internal")
