"""WebSocket connections for the asyncio client: `open_connection(url, settings)` -> Connection.

In: a URL and the WsConfiguration. Out: an open Connection with three coroutines, `send(text)`,
`recv()` (the next text message, or None once the connection is gone) and `close()`. Two
implementations, chosen by `WsConfiguration.library`: aiohttp's client (the default) and the
`websockets` package, each imported only when used. Both answer the server's pings by themselves
(Binance drops a connection that leaves its pings unanswered for 10 minutes) and send keepalive
pings of their own, which detect a dead connection long before the operating system would.
Library errors never escape: opening raises ApiConnectionError (request_sent=False), sending
raises SendFailed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from .async_api_client import AIOHTTP_REQUIREMENT
from .exceptions import ApiConnectionError
from .operation import install_hint
from .ws_operation import WsConfiguration

logger = logging.getLogger(__package__)


class SendFailed(Exception):
    """The frame could not be written: the connection was already closed. Nothing was sent."""


class Connection(Protocol):
    @property
    def close_reason(self) -> str:
        """Why the connection ended (close code and reason, or the error), for messages."""
        ...

    async def send(self, text: str) -> None: ...

    async def recv(self) -> str | None: ...

    async def close(self) -> None: ...


class _NoFrameLogs(logging.LoggerAdapter):  # type: ignore[type-arg]
    """The logger handed to `websockets`: it never reports DEBUG as enabled.

    At DEBUG, websockets logs every frame it sends and receives, and ours carry the API key and
    signatures; its other messages (INFO and above) pass through unchanged.
    """

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and self.logger.isEnabledFor(level)

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        return msg, kwargs


_WEBSOCKETS_LOGGER = _NoFrameLogs(logging.getLogger("websockets.client"), {})


async def open_connection(url: str, config: WsConfiguration, user_agent: str) -> Connection:
    """Open a connection to `url` within `config.connect_timeout`; ApiConnectionError if not."""
    opener = _open_aiohttp if config.library == "aiohttp" else _open_websockets
    try:
        return await asyncio.wait_for(
            opener(url, config, user_agent), timeout=config.connect_timeout
        )
    except (ApiConnectionError, ImportError):
        raise
    except Exception as exc:  # every library and OS error of a failed handshake
        raise ApiConnectionError(
            f"cannot connect to {_shown(url)}: {type(exc).__name__}: {exc}", request_sent=False
        ) from exc


def _shown(url: str) -> str:
    # The URL carries no secret today; drop any query anyway, as REST's logs do.
    return url.partition("?")[0]


class _WebsocketsConnection:
    __slots__ = ("_closed", "_reason", "_ws")

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._reason = ""
        from websockets.exceptions import ConnectionClosed

        self._closed = ConnectionClosed

    @property
    def close_reason(self) -> str:
        return self._reason or "connection closed"

    async def send(self, text: str) -> None:
        try:
            await self._ws.send(text)
        except self._closed as exc:
            self._note(exc)
            raise SendFailed(self.close_reason) from exc

    async def recv(self) -> str | None:
        try:
            message = await self._ws.recv()
        except self._closed as exc:
            self._note(exc)
            return None
        return message if isinstance(message, str) else bytes(message).decode("utf-8", "replace")

    async def close(self) -> None:
        try:
            await self._ws.close()
        except Exception as exc:  # closing a broken connection: nothing left to do
            logger.debug("closing the connection: %s", type(exc).__name__)

    def _note(self, exc: Any) -> None:
        if not self._reason:
            received = getattr(exc, "rcvd", None)
            if received is not None:
                self._reason = f"closed by the server (code {received.code} {received.reason})"
            else:
                self._reason = f"connection lost ({type(exc).__name__})"


async def _open_websockets(url: str, config: WsConfiguration, user_agent: str) -> Connection:
    from websockets.asyncio.client import connect

    ws = await connect(
        url,
        # Binance's answers are small JSON: per-message deflate would cost CPU on every frame.
        compression=None,
        open_timeout=None,  # open_connection bounds the whole opening
        ping_interval=config.ping_interval,
        ping_timeout=config.ping_timeout,
        close_timeout=2.0,
        max_size=config.max_message_size,
        # None: websockets reads as fast as it can, so a burst of events never stalls on a queue
        # that the reader task drains anyway.
        max_queue=None,
        logger=_WEBSOCKETS_LOGGER,
        user_agent_header=user_agent,
        # websockets honours proxy environment variables by default; REST uses only what the
        # configuration says.
        proxy=config.proxy,
    )
    return _WebsocketsConnection(ws)


class _AiohttpConnection:
    __slots__ = ("_reason", "_session", "_ws")

    def __init__(self, session: Any, ws: Any) -> None:
        self._session = session
        self._ws = ws
        self._reason = ""

    @property
    def close_reason(self) -> str:
        return self._reason or "connection closed"

    async def send(self, text: str) -> None:
        if self._ws.closed:
            raise SendFailed(self.close_reason)
        try:
            await self._ws.send_str(text)
        except (ConnectionError, RuntimeError) as exc:
            self._reason = self._reason or f"connection lost ({type(exc).__name__})"
            raise SendFailed(self.close_reason) from exc

    async def recv(self) -> str | None:
        import aiohttp

        while True:
            message = await self._ws.receive()
            kind = message.type
            if kind is aiohttp.WSMsgType.TEXT:
                return str(message.data)
            if kind is aiohttp.WSMsgType.BINARY:
                return bytes(message.data).decode("utf-8", "replace")
            if kind in (aiohttp.WSMsgType.PING, aiohttp.WSMsgType.PONG):
                continue  # autoping answers them; they are not messages
            if not self._reason:
                code = self._ws.close_code
                if kind is aiohttp.WSMsgType.ERROR:
                    self._reason = f"connection lost ({type(message.data).__name__})"
                else:
                    self._reason = f"closed by the server (code {code})"
            return None

    async def close(self) -> None:
        try:
            await self._ws.close()
        except Exception as exc:  # closing a broken connection: nothing left to do
            logger.debug("closing the connection: %s", type(exc).__name__)
        finally:
            await self._session.close()


async def _open_aiohttp(url: str, config: WsConfiguration, user_agent: str) -> Connection:
    try:
        import aiohttp
    except ImportError as exc:
        # aiohttp is the package's `async` extra: a sync-only REST install does without it.
        hint = install_hint("async", AIOHTTP_REQUIREMENT)
        raise ImportError(
            f"the WebSocket client needs aiohttp, which is not installed: {hint}"
        ) from exc

    session = aiohttp.ClientSession(headers={"User-Agent": user_agent})
    try:
        ws = await session.ws_connect(
            url,
            autoping=True,  # answer the server's pings
            heartbeat=config.ping_interval,
            # pyright does not read aiohttp's frozen-dataclass decorator: the fields are these.
            timeout=aiohttp.ClientWSTimeout(
                ws_receive=None, ws_close=2.0  # pyright: ignore[reportCallIssue]
            ),
            max_msg_size=config.max_message_size,
            compress=0,
            proxy=config.proxy,
        )
    except BaseException:
        await session.close()
        raise
    return _AiohttpConnection(session, ws)
