"""Client settings: host, credentials, timeouts, retries, proxy, TLS and default headers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from ._serialize import check_credential
from .credentials import ApiKeyAuth
from .exceptions import ApiTypeError, ApiValueError


class Configuration:
    """Settings for an ApiClient.

    The transport settings (timeouts, proxy, pool size, TLS, body size) are read when an ApiClient
    is created; host, auth, headers, user agent, max_retries and total_timeout are read on every
    call.

    host: base URL, default the API's own (the package's); may carry a path prefix.
    auth: the package's credentials (an ApiKeyAuth, or its subclass for the API); its API key is
    checked here (no line break, control character or surrounding space), never quoted.
    connect_timeout, read_timeout: seconds, for each attempt; always finite.
    total_timeout: seconds a whole call may take, every attempt, pause and byte of the answer
    included, however slowly the server writes (a call's own `timeout=` replaces it).
    max_retries: extra attempts after a failure that is safe to repeat (see ApiClient.call).
    pool_maxsize: the most sockets open at once to one host; a call waits for a free one.
    max_response_size: the most bytes an answer's body may have, decoded (after gzip or
    deflate); past it the call raises ResponseTooLargeError.
    user_agent: default `<distribution>/<version> python/<X.Y>`, from the package.
    """

    __slots__ = (
        "auth",
        "connect_timeout",
        "default_headers",
        "host",
        "max_response_size",
        "max_retries",
        "pool_maxsize",
        "proxy",
        "read_timeout",
        "ssl_ca_cert",
        "total_timeout",
        "user_agent",
        "verify_ssl",
    )

    _default: ClassVar[Configuration | None] = None

    def __init__(
        self,
        host: str | None = None,
        auth: ApiKeyAuth | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        total_timeout: float = 30.0,
        max_retries: int = 2,
        proxy: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        user_agent: str | None = None,
        pool_maxsize: int = 10,
        verify_ssl: bool = True,
        ssl_ca_cert: str | None = None,
        max_response_size: int = 64 * 1024 * 1024,
    ) -> None:
        self.host = _check_host(host) if host is not None else None
        if auth is not None and not isinstance(auth, ApiKeyAuth):
            raise ApiTypeError(
                f"Configuration: auth must be the package's credentials, not {type(auth).__name__}"
            )
        if auth is not None and auth.api_key is not None:
            check_credential(type(auth).__name__, "api_key", auth.api_key)
        self.auth = auth
        self.connect_timeout = _check_timeout("connect_timeout", connect_timeout)
        self.read_timeout = _check_timeout("read_timeout", read_timeout)
        self.total_timeout = _check_timeout("total_timeout", total_timeout)
        self.max_retries = check_int("max_retries", max_retries, 0)
        self.proxy = proxy or None
        self.default_headers: dict[str, str] = _check_headers(default_headers or {})
        self.user_agent = user_agent or None
        self.pool_maxsize = check_int("pool_maxsize", pool_maxsize, 1)
        self.verify_ssl = bool(verify_ssl)
        self.ssl_ca_cert = ssl_ca_cert
        self.max_response_size = check_int("max_response_size", max_response_size, 1)

    @classmethod
    def get_default(cls) -> Configuration:
        """The process-wide default configuration, created with default settings on first use."""
        if cls._default is None:
            cls._default = cls()
        return cls._default

    @classmethod
    def set_default(cls, configuration: Configuration | None) -> None:
        """Make `configuration` the default (None resets to a fresh default on next use)."""
        cls._default = configuration

    def _shown(self) -> dict[str, Any]:
        # Header values and proxy credentials may be secrets: show header names and the proxy host.
        return {
            "host": self.host,
            "auth": self.auth,
            "connect_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "total_timeout": self.total_timeout,
            "max_retries": self.max_retries,
            "proxy": _redact_userinfo(self.proxy),
            "default_headers": sorted(self.default_headers),
            "user_agent": self.user_agent,
            "pool_maxsize": self.pool_maxsize,
            "verify_ssl": self.verify_ssl,
            "ssl_ca_cert": self.ssl_ca_cert,
            "max_response_size": self.max_response_size,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self._shown().items())})"


def _check_host(host: str) -> str:
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ApiValueError(
            f"Configuration: host must be an http(s) URL such as 'https://api.example.com', "
            f"got {_redact_userinfo(host)!r}"
        )
    if parts.query or parts.fragment:
        raise ApiValueError("Configuration: host must not carry a query or fragment")
    # Operation paths start with "/": a trailing slash here would double it.
    return host.rstrip("/")


def _check_timeout(name: str, value: float) -> float:
    # bool is an int subclass; True seconds is surely a mistake.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiTypeError(f"Configuration: {name} must be a number of seconds")
    if not (math.isfinite(value) and value > 0):
        raise ApiValueError(
            f"Configuration: {name} must be a positive, finite number of seconds "
            "(an unbounded timeout can hang a program forever)"
        )
    return float(value)


def check_timeout(value: float | tuple[float, float]) -> tuple[float, float]:
    """A call's `timeout` as (connect, read) seconds: a number is both, a pair is itself."""
    connect, read = value if isinstance(value, tuple) and len(value) == 2 else (value, value)
    for seconds in (connect, read):
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            or not (math.isfinite(seconds) and seconds > 0)
        ):
            raise ApiValueError(
                f"invalid timeout {value!r}: seconds must be positive, finite numbers"
            )
    return float(connect), float(read)


def check_int(name: str, value: int, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiTypeError(f"Configuration: {name} must be an int")
    if value < minimum:
        raise ApiValueError(f"Configuration: {name} must be at least {minimum}")
    return value


def _check_headers(headers: Mapping[str, str]) -> dict[str, str]:
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ApiTypeError("Configuration: default_headers must map str to str")
        if any(c in name + value for c in "\r\n"):
            raise ApiValueError(f"Configuration: header {name!r} contains a line break")
        checked[name] = value
    return checked


def _redact_userinfo(url: str | None) -> str | None:
    """The URL with any `user:password@` replaced, for messages and reprs."""
    if not url:
        return url
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))
