"""`quotegraph serve` closes clients that hold a connection without finishing a request head, and
keeps serving everyone else meanwhile."""

from __future__ import annotations

import inspect
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.protocol import HttpToolsHeadProtocol
from tests.live import environment, serve

HEADER_TIMEOUT = 1.0
# How long a test waits for the server to close a slow connection: the timeout and ample room for
# a loaded machine. A behavioural bound, not a measurement.
CLOSED_WITHIN = 10.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    tmp = tmp_path_factory.mktemp("serve-limits")
    env = environment(
        DATABASE_URL=f"sqlite://{tmp}/served.sqlite3",
        QUOTEGRAPH_HEADER_TIMEOUT=str(HEADER_TIMEOUT),
        QUOTEGRAPH_MAX_HEADER_BYTES="8192",
    )
    with serve(env, tmp / "serve.log") as url:
        parts = urlsplit(url)
        assert parts.hostname is not None and parts.port is not None
        yield parts.hostname, parts.port


def _connect(server: tuple[str, int]) -> socket.socket:
    sock = socket.create_connection(server, timeout=CLOSED_WITHIN)
    return sock


def _closed_by_server(sock: socket.socket) -> bool:
    """True when the server closes the connection (EOF or reset) before CLOSED_WITHIN passes."""
    sock.settimeout(CLOSED_WITHIN)
    try:
        while sock.recv(65536):
            pass  # a response (e.g. 408 or 431) is fine; what matters is the close
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


def _healthy(server: tuple[str, int]) -> bool:
    host, port = server
    return httpx.get(f"http://{host}:{port}/healthz", timeout=5).status_code == 200


@pytest.mark.parametrize(
    "partial",
    [
        b"",  # connects and sends nothing
        b"GET /healthz HT",  # part of the request line
        b"GET /healthz HTTP/1.1\r\nHost: example\r\nX-Slow: ",  # part of the headers
        b"POST /graphql HTTP/1.1\r\nHost: example\r\nContent-Length: 10\r\n",  # headers never end
    ],
)
def test_serve_closes_a_client_with_a_partial_head(server: tuple[str, int], partial: bytes) -> None:
    with _connect(server) as slow:
        slow.sendall(partial)
        assert _healthy(server)  # others are served while it waits
        assert _closed_by_server(slow)
        assert _healthy(server)


def test_serve_closes_a_client_trickling_its_head(server: tuple[str, int]) -> None:
    with _connect(server) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\n")
        deadline = time.monotonic() + CLOSED_WITHIN
        closed = False
        while time.monotonic() < deadline and not closed:
            try:
                slow.sendall(b"X")  # a byte at a time: each arrives well within any idle timeout
            except OSError:
                closed = True
                break
            slow.settimeout(0.2)
            try:
                closed = slow.recv(65536) == b""
            except TimeoutError:
                pass
            except ConnectionResetError:
                closed = True
        assert closed
    assert _healthy(server)


def test_serve_times_a_second_request_head_on_a_kept_alive_connection(server: tuple[str, int]) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: example\r\n\r\n")
        sock.settimeout(CLOSED_WITHIN)
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200"), first
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: exa")
        assert _closed_by_server(sock)


def test_serve_answers_a_head_sent_in_pieces_within_the_timeout(server: tuple[str, int]) -> None:
    with _connect(server) as sock:
        for piece in (b"GET /hea", b"lthz HTTP/1.1\r\nHo", b"st: example\r\nConnection: close\r\n\r\n"):
            sock.sendall(piece)
            time.sleep(0.1)
        sock.settimeout(CLOSED_WITHIN)
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
        assert response.startswith(b"HTTP/1.1 200"), response


def test_serve_refuses_a_head_larger_than_the_limit(server: tuple[str, int]) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: example\r\nX-Big: " + b"a" * 20_000)
        sock.settimeout(CLOSED_WITHIN)
        response = b""
        try:
            while chunk := sock.recv(65536):
                response += chunk
        except ConnectionResetError:
            pass
        assert response.startswith(b"HTTP/1.1 431"), response
        assert b"QUOTEGRAPH_MAX_HEADER_BYTES" in response
    assert _healthy(server)


def test_serve_answers_a_large_body_after_a_small_head(server: tuple[str, int]) -> None:
    host, port = server
    response = httpx.post(
        f"http://{host}:{port}/graphql",
        json={"query": "{ articles { totalCount } }", "variables": {"pad": "x" * 100_000}},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["articles"]["totalCount"] == 0


def test_head_protocol_overrides_uvicorn_methods_that_exist() -> None:
    overridden = ["connection_made", "connection_lost", "data_received", "on_headers_complete", "on_response_complete"]
    for name in overridden:
        assert name in vars(HttpToolsHeadProtocol)
        assert callable(getattr(HttpToolsProtocol, name)), name
    source = inspect.getsource(HttpToolsProtocol)
    assert "self.pipeline" in source and "self.loop" in source and "self.transport" in source
