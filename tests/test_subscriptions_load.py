"""Many subscriptions on a live server (SQLite, in-process events): each event is resolved once per
distinct subscription and reaches every subscriber, the limits refuse with a coded `error`, a
subscriber that does not read is ended, and HTTP answers while the fan-out runs."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.live import environment, serve

TOKEN = "load-token"
PER_CONNECTION, TOTAL = 20, 70
SUBSCRIPTION = (
    "subscription ($kind: SpeakerKind) { quoteAdded(filter: {speakerKind: $kind}) { text speaker { name } } }"
)
IMPORT = "mutation ($t: String!) { importArticle(text: $t) { __typename } }"
COUNT = "{ articles { totalCount } }"


def article(title: str, quotes: int) -> str:
    lines = [f"“Line {n} of {title},” said Mayor Ana Lund." for n in range(quotes)]
    return "\n".join([title, *lines]) + "\n"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("load")
    env = environment(
        DATABASE_URL=f"sqlite://{tmp}/load.sqlite3",
        QUOTEGRAPH_API_TOKEN=TOKEN,
        QUOTEGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION=str(PER_CONNECTION),
        QUOTEGRAPH_MAX_SUBSCRIPTIONS=str(TOTAL),
        QUOTEGRAPH_SUBSCRIBER_QUEUE="50",
    )
    with serve(env, tmp / "serve.log") as base:
        yield base


async def _open(base: str, protocol: str = "graphql-transport-ws", receive_buffer: int = 0) -> ClientConnection:
    url = base.replace("http://", "ws://") + "/graphql"
    options: dict[str, Any] = {}
    if receive_buffer:  # a client that reads little: a small kernel buffer, one frame queued,
        sock = socket.socket()  # and no compression (repeated words would shrink to nothing)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.connect(("127.0.0.1", int(base.rsplit(":", 1)[1])))
        options = {"sock": sock, "max_queue": 1, "compression": None}
    ws = await connect(url, subprotocols=[protocol], close_timeout=1, **options)  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    return ws


async def _subscribe(
    ws: ClientConnection,
    op: str,
    variables: dict[str, Any] | None = None,
    legacy: bool = False,
    query: str = SUBSCRIPTION,
) -> None:
    payload = {"query": query, "variables": variables or {}}
    await ws.send(json.dumps({"id": op, "type": "start" if legacy else "subscribe", "payload": payload}))


async def _health(http: httpx.AsyncClient, base: str) -> dict[str, Any]:
    body: dict[str, Any] = (await http.get(f"{base}/healthz")).json()
    return body


async def _settle(base: str, subscriptions: int, streams: int) -> None:
    """Until the server says every subscriber is listening (no event can be missed after)."""
    async with httpx.AsyncClient(timeout=10) as http:
        for _ in range(400):
            body = await _health(http, base)
            if (body["subscriptions"], body["streams"]) == (subscriptions, streams):
                return
            await asyncio.sleep(0.025)
    raise AssertionError(f"the server never settled at {subscriptions} subscriptions: {body}")


async def _import(base: str, text: str) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            f"{base}/graphql",
            json={"query": IMPORT, "variables": {"t": text}},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    assert response.json()["data"]["importArticle"]["__typename"] == "ImportArticleSuccess", response.text


async def _messages(ws: ClientConnection, count: int) -> list[dict[str, Any]]:
    received = []
    async with asyncio.timeout(60):
        while len(received) < count:
            received.append(json.loads(await ws.recv()))
    return received


@pytest.fixture
async def connections(served: str) -> AsyncIterator[list[ClientConnection]]:
    opened: list[ClientConnection] = []
    yield opened
    for ws in opened:
        await ws.close()
    await _settle(served, 0, 0)


async def test_every_subscriber_gets_every_quote_once_per_distinct_subscription(
    served: str, connections: list[ClientConnection]
) -> None:
    for _ in range(3):
        connections.append(await _open(served))
    kinds = [None, "PERSON"]
    for c, ws in enumerate(connections):
        for n in range(PER_CONNECTION):
            await _subscribe(ws, f"{c}-{n}", {"kind": kinds[n % 2]} if kinds[n % 2] else None)
    await _settle(served, 3 * PER_CONNECTION, 2)
    await _import(served, article("Fan out", 3))
    for ws in connections:
        messages = await _messages(ws, PER_CONNECTION * 3)
        by_operation: dict[str, list[str]] = {}
        for message in messages:
            assert message["type"] == "next" and "errors" not in message["payload"], message
            by_operation.setdefault(message["id"], []).append(message["payload"]["data"]["quoteAdded"]["text"])
        assert len(by_operation) == PER_CONNECTION
        expected = [f"Line {n} of Fan out," for n in range(3)]
        assert all(texts == expected for texts in by_operation.values()), by_operation


@pytest.mark.parametrize("protocol", ["graphql-transport-ws", "graphql-ws"])
async def test_subscriptions_past_the_limits_are_refused_with_a_code(
    served: str, connections: list[ClientConnection], protocol: str
) -> None:
    legacy = protocol == "graphql-ws"
    for _ in range(4):
        connections.append(await _open(served, protocol))
    refusals: list[list[dict[str, Any]]] = []
    for c, ws in enumerate(connections):
        for n in range(PER_CONNECTION + 1):
            await _subscribe(ws, f"{c}-{n}", legacy=legacy)
        # 20 each on the first three; 10 on the last reach the worker's 70: its next 11 are refused.
        refusals.append(await _messages(ws, 1 if c < 3 else PER_CONNECTION + 1 - (TOTAL - 3 * PER_CONNECTION)))
    errors = [m["payload"] if legacy else m["payload"][0] for ms in refusals for m in ms]
    assert all(m["type"] == "error" for ms in refusals for m in ms), refusals
    assert {e["extensions"]["code"] for e in errors} == {"TOO_MANY_SUBSCRIPTIONS"}
    assert all("QUOTEGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION" in e["message"] for e in errors[:3])
    assert all("QUOTEGRAPH_MAX_SUBSCRIPTIONS)" in e["message"] for e in errors[3:])
    await _settle(served, TOTAL, 1)
    await _import(served, article(f"Limits {protocol}", 1))  # the connections stayed open, and deliver
    for c, ws in enumerate(connections):
        accepted = PER_CONNECTION if c < 3 else TOTAL - 3 * PER_CONNECTION
        assert {m["type"] for m in await _messages(ws, accepted)} == {"data" if legacy else "next"}


async def test_a_subscriber_that_does_not_read_is_ended_and_others_are_served(
    served: str, connections: list[ClientConnection]
) -> None:
    reader, idle = await _open(served), await _open(served, receive_buffer=4096)
    connections += [reader, idle]
    await _subscribe(reader, "reader")
    # Each result ten times the quote, 20 of them: more than the idle connection's buffers hold.
    wide = "subscription { quoteAdded { " + " ".join(f"t{n}: text" for n in range(10)) + " } }"
    for n in range(PER_CONNECTION):
        await _subscribe(idle, f"idle-{n}", query=wide)
    await _settle(served, PER_CONNECTION + 1, 2)
    big = " ".join(["word"] * 200)
    reading = asyncio.create_task(_messages(reader, 200))
    await _import(served, "\n".join(["Flood", *(f"“{big} {n},” said Mayor Ana Lund." for n in range(200))]))
    assert [m["type"] for m in await reading] == ["next"] * 200
    await _settle(served, 1, 1)  # the idle connection's subscribers were ended, the reader's kept
    assert (await _messages(idle, 1))[0]["type"] == "next"  # what the idle client finally reads


async def test_http_answers_while_a_fan_out_runs(served: str, connections: list[ClientConnection]) -> None:
    for _ in range(3):
        connections.append(await _open(served))
    # Documents that differ (by a comment) share nothing: 60 streams, each resolving every quote.
    for c, ws in enumerate(connections):
        for n in range(PER_CONNECTION):
            await _subscribe(ws, f"{c}-{n}", query=f"{SUBSCRIPTION} # {c}-{n}")
    await _settle(served, 3 * PER_CONNECTION, 3 * PER_CONNECTION)
    quotes = 40
    order: list[str] = []

    async def drain(ws: ClientConnection) -> None:
        messages = await _messages(ws, PER_CONNECTION * quotes)
        assert {m["type"] for m in messages} == {"next"}
        order.append("fan-out")

    drains = [asyncio.create_task(drain(ws)) for ws in connections]
    await _import(served, article("Long one", quotes))
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(f"{served}/graphql", json={"query": COUNT})
    order.append("http")
    await asyncio.gather(*drains)
    assert response.status_code == 200 and response.json()["data"]["articles"]["totalCount"] >= 1
    assert order[0] == "http", order  # answered while every connection was still receiving
