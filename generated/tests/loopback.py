"""A scripted HTTP/1.1 server on 127.0.0.1 for tests: records every request, answers from a queue.

Standard library only. Use it as a context manager:

    with LoopbackServer() as server:
        server.reply(200, {"listenKey": "abc"})
        ...  # point a client at server.url
        (request,) = server.requests
"""

from __future__ import annotations

import contextlib
import email.message
import email.parser
import email.policy
import json
import socket
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

Body = bytes | str | dict[str, Any] | list[Any]
# What a respond_with() handler returns: (status, body) or (status, body, headers), or None.
Handler = Callable[
    ["RecordedRequest"], "tuple[int, Body] | tuple[int, Body, Mapping[str, str]] | None"
]
# A handler waiting on an idle keep-alive connection gives up after this many seconds.
IDLE_TIMEOUT = 10.0


@dataclass
class RecordedRequest:
    """One request as the server received it. `headers.get(name)` is case-insensitive.

    `form` holds the fields of a urlencoded or multipart body (a file part as UTF-8 text too);
    `files` the multipart parts that carried a filename: name -> [(filename, content type, bytes)].
    `cookies` is the Cookie header, parsed and percent-decoded.
    """

    method: str
    path: str
    raw_query: str
    query: dict[str, list[str]]
    headers: email.message.Message
    body: bytes
    form: dict[str, list[str]]
    files: dict[str, list[tuple[str, str, bytes]]] = field(default_factory=dict)
    cookies: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    delay: float


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Port 0 asks the OS for a free port; reusing addresses keeps quick test reruns working.
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops connects from a burst of clients (a 1 s SYN retry).
    request_queue_size = 128
    owner: LoopbackServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up (timeout tests do) is expected; stay silent

    # Open client sockets are tracked so close() can end handlers blocked on keep-alive reads.
    def process_request(self, request: Any, client_address: Any) -> None:
        with self.owner._lock:
            self.owner._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.owner._lock:
            self.owner._connections.discard(request)
        super().shutdown_request(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real API server
    timeout = IDLE_TIMEOUT
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK add about 40 ms to every keep-alive answer.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # silent: test output is for test failures

    def _handle(self) -> None:
        # socketserver types the handler's server as a BaseServer; ours is always a _Server.
        server = self.server
        assert isinstance(server, _Server)
        owner = server.owner
        body = self._read_body()
        split = urlsplit(self.path)
        content_type = self.headers.get("Content-Type") or ""
        files: dict[str, list[tuple[str, str, bytes]]] = {}
        if content_type.startswith("application/x-www-form-urlencoded"):
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        elif content_type.startswith("multipart/form-data"):
            form, files = parse_multipart(content_type, body)
        else:
            form = {}
        request = RecordedRequest(
            method=self.command,
            path=split.path,
            raw_query=split.query,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
            form=form,
            files=files,
            cookies=parse_cookies(self.headers.get_all("Cookie") or []),
        )
        owner._record(request)
        answer = owner._next_answer(request)
        # Interruptible: close() wakes a delayed answer instead of waiting it out.
        if answer.delay and owner._closing.wait(answer.delay):
            self.close_connection = True
            return
        try:
            self.send_response(answer.status)
            for name, value in answer.headers:
                self.send_header(name, value)
            no_body = self.command == "HEAD" or answer.status in (204, 304) or answer.status < 200
            if not no_body:
                self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if not no_body:
                self.wfile.write(answer.body)
        except OSError:  # the client gave up (read timeout): nothing to answer to
            self.close_connection = True

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle


class LoopbackServer:
    """A real HTTP server on 127.0.0.1 (a free port) in a daemon thread.

    `reply()` queues scripted answers, used in order; with the queue empty every request gets
    200 `{}` (JSON). `respond_with()` installs a function that answers from the request first.
    `requests` lists what arrived, in order. `close()` (or leaving the `with` block) stops the
    server, drops open connections and wakes delayed answers.
    """

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._answers: deque[_Answer] = deque()
        self._handler: Handler | None = None
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            daemon=True,
            name=f"loopback-{port}",
        )
        self._thread.start()

    def reply(
        self,
        status: int = 200,
        body: Body = b"{}",
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Queue the answer for the next unanswered request. Content-Type defaults to JSON."""
        with self._lock:
            self._answers.append(_answer(status, body, headers, delay))

    def respond_with(self, handler: Handler | None) -> None:
        """Answer each request by calling `handler(request)` (in a server thread) first.

        It returns (status, body) or (status, body, headers), as for `reply()`, or None to fall
        back to the queued answers. For answers that depend on the request: a clock check, a
        listen key that expired. `respond_with(None)` removes it.
        """
        with self._lock:
            self._handler = handler

    def close(self) -> None:
        """Stop serving and close every connection; returns when the server thread has ended."""
        if self._closing.is_set():
            return
        self._closing.set()
        self._server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_answer(self, request: RecordedRequest) -> _Answer:
        with self._lock:
            handler = self._handler
        if handler is not None:
            answer = handler(request)
            if answer is not None:
                # Unpacked by length: `_answer(*answer)` would lose the types of the tuple's parts.
                if len(answer) == 3:
                    status, body, headers = answer
                    return _answer(status, body, headers)
                status, body = answer
                return _answer(status, body)
        with self._lock:
            if self._answers:
                return self._answers.popleft()
        return _Answer(200, b"{}", (("Content-Type", "application/json"),), 0.0)


def parse_multipart(
    content_type: str, body: bytes
) -> tuple[dict[str, list[str]], dict[str, list[tuple[str, str, bytes]]]]:
    """A multipart/form-data body, read by the standard library's MIME parser: (fields, files)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, list[str]] = {}
    files: dict[str, list[tuple[str, str, bytes]]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        fields.setdefault(name, []).append(data.decode("utf-8", "replace"))
        filename = part.get_filename()
        if filename is not None:
            files.setdefault(name, []).append((filename, part.get_content_type(), data))
    return fields, files


def parse_cookies(headers: list[str]) -> dict[str, list[str]]:
    """Cookie headers -> name -> values, percent-decoded (`a=1; b=x%20y`)."""
    cookies: dict[str, list[str]] = {}
    for header in headers:
        for pair in header.split(";"):
            name, sep, value = pair.strip().partition("=")
            if sep:
                cookies.setdefault(unquote(name), []).append(unquote(value))
    return cookies


def _answer(
    status: int, body: Body, headers: Mapping[str, str] | None = None, delay: float = 0.0
) -> _Answer:
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode("utf-8")
    elif isinstance(body, str):
        data = body.encode("utf-8")
    else:
        data = bytes(body)
    merged = {"Content-Type": "application/json"}
    for name, value in (headers or {}).items():
        for existing in [k for k in merged if k.lower() == name.lower()]:
            del merged[existing]
        merged[name] = value
    return _Answer(status, data, tuple(merged.items()), delay)
