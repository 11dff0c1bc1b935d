"""An operation over WebSockets that cannot run (it does not parse, names an unknown field, breaks
a limit, has a bad variable) is answered with the protocol's `error` message carrying coded GraphQL
errors, logs no traceback, and leaves the connection serving: graphql-transport-ws and the legacy
graphql-ws, on the app in-process and on a live server."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import pytest
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from service import settings
from service.app import create_app
from tests.live import environment, serve

TRANSPORT_WS, LEGACY_WS = "graphql-transport-ws", "graphql-ws"
PROTOCOLS = [TRANSPORT_WS, LEGACY_WS]
SUBSCRIPTION = "subscription { quoteAdded { text } }"
NESTED = "speaker { quotes { edges { node { " * 8 + "text" + " } } } }" * 8
WAIT = 10  # seconds before a missing answer fails the test instead of hanging it

CASES: dict[str, tuple[dict[str, Any], str]] = {
    "missing brace": ({"query": "subscription { quoteAdded { text }"}, "GRAPHQL_PARSE_FAILED"),
    "unexpected character": ({"query": "subscription { quoteAdded { text \u0001 } }"}, "GRAPHQL_PARSE_FAILED"),
    "unknown field": ({"query": "subscription { quoteAdded { nope } }"}, "GRAPHQL_VALIDATION_FAILED"),
    "too many tokens": (
        {"query": "subscription { quoteAdded { " + "text " * (settings.MAX_TOKENS + 10) + "} }"},
        "TOO_MANY_TOKENS",
    ),
    "too long": ({"query": SUBSCRIPTION + " #" + "x" * settings.MAX_QUERY_LENGTH}, "QUERY_TOO_LARGE"),
    "too costly": ({"query": f"subscription {{ quoteAdded {{ {NESTED} }} }}"}, "QUERY_TOO_COSTLY"),
    "bad variable": (
        {
            "query": "subscription ($f: QuoteFilter) { quoteAdded(filter: $f) { text } }",
            "variables": {"f": {"kind": "NOPE"}},
        },
        "BAD_USER_INPUT",
    ),
    "empty query": ({"query": ""}, "BAD_REQUEST"),
}


class Closed(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(code, reason)
        self.code, self.reason = code, reason


class Socket(Protocol):
    async def send(self, message: dict[str, Any]) -> None: ...
    async def receive(self) -> dict[str, Any]: ...


class AsgiSocket:
    """A WebSocket client on the ASGI app in-process (httpx has none; Starlette's TestClient
    warns under httpx, an error here)."""

    def __init__(self) -> None:
        self.to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.from_app: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()

    async def send(self, message: dict[str, Any]) -> None:
        await self.to_app.put({"type": "websocket.receive", "text": json.dumps(message)})

    async def receive(self) -> dict[str, Any]:
        while True:
            event = await asyncio.wait_for(self.from_app.get(), WAIT)
            if event["type"] == "websocket.close":
                raise Closed(event.get("code"), event.get("reason", ""))
            message: dict[str, Any] = json.loads(event["text"])
            if message.get("type") != "ka":  # graphql-ws keep-alive
                return message


class LiveSocket:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        while True:
            try:
                message: dict[str, Any] = json.loads(await asyncio.wait_for(self.connection.recv(), WAIT))
            except ConnectionClosed as closed:
                rcvd = closed.rcvd
                raise Closed(rcvd.code if rcvd else None, rcvd.reason if rcvd else "") from None
            if message.get("type") != "ka":
                return message


@asynccontextmanager
async def in_process(protocol: str) -> AsyncIterator[Socket]:
    # No database: nothing here runs a resolver.
    app = create_app("sqlite://:memory:")
    socket = AsgiSocket()
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"sec-websocket-protocol", protocol.encode())],
        "subprotocols": [protocol],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    task = asyncio.create_task(app(scope, socket.to_app.get, socket.from_app.put))
    await socket.to_app.put({"type": "websocket.connect"})
    accepted = await asyncio.wait_for(socket.from_app.get(), WAIT)
    assert accepted["type"] == "websocket.accept", accepted
    try:
        yield await acknowledged(socket)
    finally:
        await socket.to_app.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(task, WAIT)


@asynccontextmanager
async def on_server(base: str, protocol: str) -> AsyncIterator[Socket]:
    async with connect(base.replace("http://", "ws://") + "/graphql", subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        yield await acknowledged(LiveSocket(ws))


async def acknowledged(socket: Socket) -> Socket:
    await socket.send({"type": "connection_init", "payload": {}})
    assert (await socket.receive())["type"] == "connection_ack"
    return socket


async def start(socket: Socket, protocol: str, operation_id: str, payload: Any) -> None:
    kind = "subscribe" if protocol == TRANSPORT_WS else "start"
    await socket.send({"id": operation_id, "type": kind, "payload": payload})


def errors_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    payload = message["payload"]
    return payload if isinstance(payload, list) else [payload]  # graphql-ws sends the first alone


async def assert_refused_then_serving(socket: Socket, protocol: str, payload: dict[str, Any], code: str) -> None:
    await start(socket, protocol, "1", payload)
    refused = await socket.receive()
    assert refused["type"] == "error" and refused["id"] == "1", refused
    errors = errors_of(refused)
    assert errors and all(e["message"] and e["extensions"]["code"] == code for e in errors), errors
    # No `complete` follows the error, and the connection runs the next operation.
    if protocol == TRANSPORT_WS:
        await start(socket, protocol, "2", {"query": "{ __typename }"})
        answer = await socket.receive()
        assert answer == {"id": "2", "type": "next", "payload": {"data": {"__typename": "Query"}}}, answer
    else:  # graphql-ws runs subscriptions only, which answer nothing until an event: refuse one
        await start(socket, protocol, "2", {"query": "subscription { quoteAdded { nope } }"})
        answer = await socket.receive()
        assert answer["id"] == "2" and answer["type"] == "error", answer


def no_traceback(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("case", list(CASES))
async def test_ws_operation_that_cannot_run_is_an_error_message(
    protocol: str, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    payload, code = CASES[case]
    with caplog.at_level(logging.INFO):
        async with in_process(protocol) as socket:
            await assert_refused_then_serving(socket, protocol, payload, code)
    assert no_traceback(caplog) == []
    assert any("client error" in r.getMessage() for r in caplog.records)  # logged, in one line


async def test_ws_transport_closes_on_a_payload_without_a_query_string() -> None:
    # graphql-transport-ws: a message of a format it does not specify closes the socket with 4400.
    async with in_process(TRANSPORT_WS) as socket:
        await start(socket, TRANSPORT_WS, "1", {"query": 5})
        with pytest.raises(Closed) as closed:
            await socket.receive()
    assert closed.value.code == 4400 and "query" in closed.value.reason


@pytest.mark.parametrize("payload", [{"query": 5}, {"query": SUBSCRIPTION, "variables": [1]}, "text"])
async def test_ws_legacy_answers_a_malformed_payload_with_an_error(payload: Any) -> None:
    async with in_process(LEGACY_WS) as socket:
        await start(socket, LEGACY_WS, "1", payload)
        refused = await socket.receive()
    assert refused["type"] == "error" and refused["payload"]["extensions"]["code"] == "BAD_REQUEST", refused


async def test_ws_legacy_unknown_operation_name_is_coded(caplog: pytest.LogCaptureFixture) -> None:
    async with in_process(LEGACY_WS) as socket:
        await assert_refused_then_serving(
            socket, LEGACY_WS, {"query": SUBSCRIPTION, "operationName": "Nope"}, "OPERATION_RESOLUTION_FAILURE"
        )
    assert no_traceback(caplog) == []


def test_ws_the_strawberry_hook_the_transport_handler_overrides_is_there() -> None:
    # service/live.py narrows it: a syntax error is the operation's `error`, not a closed socket.
    assert callable(getattr(BaseGraphQLTransportWSHandler, "_get_pre_execution_close_reason", None))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("ws-errors")
    log = tmp / "serve.log"
    with serve(environment(DATABASE_URL=f"sqlite://{tmp}/ws.sqlite3"), log) as base:
        yield base, log


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_ws_live_server_answers_every_refusal_with_an_error_message(
    served: tuple[str, Path], protocol: str
) -> None:
    base, log = served
    for payload, code in CASES.values():
        async with on_server(base, protocol) as socket:
            await assert_refused_then_serving(socket, protocol, payload, code)
    assert "Traceback" not in log.read_text(encoding="utf-8")
