"""`quotegraph serve`'s HTTP protocol: uvicorn's, with a time and a size limit on a request's head.

uvicorn (0.54) closes a keep-alive connection that stays idle, but has no limit on the time a
client takes to send its request line and headers: one that sends `GET / HT` and waits holds the
connection, and its file descriptor, for ever, and enough of them leave none for anyone else.
Here a connection whose request head is not complete QUOTEGRAPH_HEADER_TIMEOUT seconds after it
connected, or after the first byte of its next request, is closed (0 leaves that to a proxy in
front); and a head that grows past QUOTEGRAPH_MAX_HEADER_BYTES without ending is answered 431 and
closed (httptools, unlike h11, sets no bound of its own).
Built on uvicorn's httptools protocol (uvicorn[standard] installs httptools); tests/test_serve_limits.py
checks that the methods overridden here are still uvicorn's.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from service import settings

_WHY = b"the request line and headers are larger than QUOTEGRAPH_MAX_HEADER_BYTES\n"
TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_WHY), _WHY)
)


class HeadDeadline:
    """The state of one connection's request head: whether one is awaited, since when, how big."""

    def __init__(self, loop: asyncio.AbstractEventLoop, timeout: float, max_bytes: int) -> None:
        self.loop, self.timeout, self.max_bytes = loop, timeout, max_bytes
        self.awaited = True  # a new connection owes its first request head
        self.size = 0
        self.timer: asyncio.TimerHandle | None = None

    def arm(self, transport: asyncio.BaseTransport) -> None:
        if self.awaited and self.timer is None and self.timeout > 0:
            self.timer = self.loop.call_later(self.timeout, self._expire, transport)

    def received(self, size: int) -> None:
        if self.awaited:
            self.size += size

    def too_large(self) -> bool:
        return self.awaited and self.size > self.max_bytes

    def complete(self) -> None:
        """The head is in: the request's own time limits take over."""
        self.awaited, self.size = False, 0
        self.cancel()

    def next_request(self) -> None:
        """A response went out: the next head is timed from its first byte (until then uvicorn's
        keep-alive timeout closes an idle connection)."""
        self.awaited, self.size = True, 0

    def cancel(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _expire(self, transport: asyncio.BaseTransport) -> None:
        self.timer = None
        if self.awaited and not transport.is_closing():
            transport.close()


def _deadline(loop: asyncio.AbstractEventLoop) -> HeadDeadline:
    return HeadDeadline(loop, settings.HEADER_TIMEOUT, settings.MAX_HEADER_BYTES)


class HttpToolsHeadProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a HeadDeadline."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.head = _deadline(self.loop)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.head.arm(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.head.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self.head.arm(self.transport)
        self.head.received(len(data))
        super().data_received(data)
        if self.head.too_large() and not self.transport.is_closing():
            self.transport.write(TOO_LARGE)
            self.transport.close()

    def on_headers_complete(self) -> None:
        self.head.complete()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        if not self.pipeline:  # a queued request's head is complete already
            self.head.next_request()
        super().on_response_complete()
