"""A raw-socket HTTP/1.1 server on 127.0.0.1 that misbehaves on purpose, for the runtime's fault tests.

LoopbackServer (templates/tests/loopback.py) answers like a well-behaved server; this one writes
whatever bytes a script says, when it says: a connection dropped inside the headers, a body
trickled a byte at a time, a gzip bomb, duplicate headers, an idle keep-alive connection closed
under the client. It parses requests itself (request line, headers, a Content-Length body) and
counts connections, so tests can assert how many requests were sent and how many sockets were open.
Standard library only; nothing of the client's HTTP layer is replaced.

    with FaultServer() as server:
        server.queue(cut_in_headers)           # the next request gets this script
        ...                                    # point a client at server.url
        assert len(server.requests) == 1
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass
class RawRequest:
    """A request as received: its method, target (path and query), headers (lower-cased names)."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    connection: int  # which connection (1, 2, ...) carried it

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]


# A script answers one request by writing to the socket; it returns whether to keep the connection.
Script = Callable[[RawRequest, socket.socket], bool]


def response(status: int = 200, body: bytes | str | Any = b"{}",
             headers: Iterable[tuple[str, str]] = (), *, length: bool = True) -> bytes:
    """The bytes of a whole answer. A body that is not bytes or str goes as JSON; `headers` may
    repeat a name; `length`: send Content-Length (else the body is delimited by closing)."""
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    data = body.encode() if isinstance(body, str) else body
    lines = [f"HTTP/1.1 {status} {'OK' if status < 400 else 'Error'}", "Content-Type: application/json"]
    lines += [f"{name}: {value}" for name, value in headers]
    if length:
        lines.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data


def reply(status: int = 200, body: bytes | str | Any = b"{}",
          headers: Iterable[tuple[str, str]] = (), *, keep: bool = True) -> Script:
    """A script: a whole, well-formed answer."""
    data = response(status, body, headers)

    def script(request: RawRequest, conn: socket.socket) -> bool:
        conn.sendall(data)
        return keep

    return script


def cut_in_headers(request: RawRequest, conn: socket.socket) -> bool:
    """A script: the status line and part of a header, then the connection is closed."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: applica")
    return False


def hang_up(request: RawRequest, conn: socket.socket) -> bool:
    """A script: no answer at all, the connection closed after reading the request."""
    return False


def trickle(every: float, body: bytes = b'{"slow": true}', *, in_headers: bool = False) -> Script:
    """A script: the answer written one byte every `every` seconds (from the first header byte if
    `in_headers`, else from the first body byte), until done or the client hangs up."""

    def script(request: RawRequest, conn: socket.socket) -> bool:
        data = response(200, body)
        head = 0 if in_headers else data.index(b"\r\n\r\n") + 4
        try:
            conn.sendall(data[:head])
            for index in range(head, len(data)):
                time.sleep(every)
                conn.sendall(data[index:index + 1])
        except OSError:
            return False
        return True

    return script


def gzip_bomb(decoded_mb: int) -> bytes:
    """`decoded_mb` MiB of zeros, gzip-compressed (about 1 KiB per MiB), built without ever holding
    the decoded bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header and trailer
    zeros = bytes(1 << 20)
    parts = [packer.compress(zeros) for _ in range(decoded_mb)]
    parts.append(packer.flush())
    return b"".join(parts)


def deep_json(depth: int) -> bytes:
    """A JSON array nested `depth` deep."""
    return b"[" * depth + b"]" * depth


@dataclass
class _Stats:
    connections: int = 0
    open: int = 0
    max_open: int = 0


class FaultServer:
    """Scripted raw HTTP/1.1 on 127.0.0.1: `queue(script)` answers the next request, in order;
    with the queue empty, the default script (`serve(script)`; at first `reply()`) answers.

    `idle_close`: seconds after which a keep-alive connection with no request in flight is closed
    by the server (None: kept until the client closes it)."""

    def __init__(self, idle_close: float | None = None) -> None:
        self.idle_close = idle_close
        self.requests: list[RawRequest] = []
        self._scripts: deque[Script] = deque()
        self._default: Script = reply()
        self._stats = _Stats()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._conns: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    # Scripting

    def queue(self, *scripts: Script) -> None:
        with self._lock:
            self._scripts.extend(scripts)

    def serve(self, script: Script) -> None:
        self._default = script

    @property
    def connections(self) -> int:
        """How many connections were accepted."""
        return self._stats.connections

    @property
    def max_open(self) -> int:
        """The most connections open at once."""
        return self._stats.max_open

    # Plumbing

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._stats.connections += 1
                self._stats.open += 1
                self._stats.max_open = max(self._stats.max_open, self._stats.open)
                number = self._stats.connections
                self._conns.add(conn)
            threading.Thread(target=self._serve_connection, args=(conn, number), daemon=True).start()

    def _serve_connection(self, conn: socket.socket, number: int) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = _Reader(conn)
        try:
            while not self._closing.is_set():
                conn.settimeout(self.idle_close if self.idle_close is not None else 30.0)
                request = reader.request(number)
                if request is None:
                    return
                conn.settimeout(30.0)
                with self._lock:
                    self.requests.append(request)
                    script = self._scripts.popleft() if self._scripts else self._default
                if not script(request, conn):
                    return
        except OSError:
            return
        finally:
            with self._lock:
                self._stats.open -= 1
                self._conns.discard(conn)
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def close(self) -> None:
        self._closing.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked on it
        self._listener.close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(5)

    def __enter__(self) -> FaultServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@dataclass
class _Reader:
    conn: socket.socket
    buffer: bytes = b""

    def _fill(self) -> bool:
        chunk = self.conn.recv(65536)
        if not chunk:
            return False
        self.buffer += chunk
        return True

    def request(self, number: int) -> RawRequest | None:
        """The next request, or None when the client closed the connection (or went idle too long)."""
        try:
            while b"\r\n\r\n" not in self.buffer:
                if not self._fill():
                    return None
        except (TimeoutError, OSError):
            return None
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _ = line.split(" ", 2)
        headers: dict[str, str] = {}
        for header in header_lines:
            name, _, value = header.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._fill():
                return None
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return RawRequest(method, target, headers, body, number)
