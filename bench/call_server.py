"""Loopback HTTP/1.1 server of the per-call benchmark, run as a process of its own so its CPU is not the
client's: every request (keep-alive, Content-Length bodies) gets the same 200 JSON answer of
POST /api/v3/userDataStream.

Usage: call_server.py [--max-seconds S] [--max-requests N]. Listens on 127.0.0.1 only, on a free port
that it prints as its first line; stops when its standard input closes (the benchmark ending, or
dying), after S seconds or after N requests, whichever comes first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import threading

LISTEN_KEY = "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"
BODY = f'{{"listenKey":"{LISTEN_KEY}"}}'.encode()
RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: application/json\r\n"
    b"X-MBX-USED-WEIGHT-1M: 2\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY
)


class _Budget:
    def __init__(self, max_requests: int, done: asyncio.Event) -> None:
        self.left = max_requests
        self.done = done

    def spend(self) -> bool:
        self.left -= 1
        if self.left <= 0:
            self.done.set()
        return self.left >= 0


class Connection(asyncio.Protocol):
    """One client connection: splits the byte stream into requests and answers each."""

    def __init__(self, budget: _Budget) -> None:
        self.budget = budget
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].lower()
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line.startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            self.buffer = self.buffer[total:]
            if not self.budget.spend():
                self.transport.close()
                return
            self.transport.write(RESPONSE)
            if b"\r\nconnection: close" in head:
                self.transport.close()
                return


async def serve(max_seconds: float, max_requests: int) -> None:
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    budget = _Budget(max_requests, done)
    server = await loop.create_server(lambda: Connection(budget), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)

    def watch_stdin() -> None:
        sys.stdin.read()  # returns when the benchmark closes our stdin, or dies
        loop.call_soon_threadsafe(done.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), timeout=max_seconds)
    server.close()
    await server.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--max-requests", type=int, default=2_000_000)
    args = parser.parse_args()
    asyncio.run(serve(args.max_seconds, args.max_requests))


if __name__ == "__main__":
    main()
