"""The subscription hub in-process, on both backends: one resolution per event and distinct
subscription, every subscriber served, a subscriber that stops reading ended, the loop shared."""

from __future__ import annotations

import asyncio
import gc
import inspect
from collections.abc import AsyncGenerator
from typing import Any

import pytest
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from schema.build import schema
from schema.context import Context
from schema.types.quote import Quote
from service import events, live
from service.importer import import_text

SUBSCRIPTION = (
    "subscription ($kind: SpeakerKind) { quoteAdded(filter: {speakerKind: $kind}) { text speaker { name } } }"
)
ARTICLE = "Harbour reopens\n“The harbour is open again,” said Mayor Ana Lund.\n“Ships are welcome,” Lund added.\n"
TEXTS = ["The harbour is open again,", "Ships are welcome,"]


def _hub(queue_size: int = 100) -> live.Hub:
    return live.Hub(schema, per_connection=20, total=1000, queue_size=queue_size)


async def _follow(hub: live.Hub, variables: dict[str, Any] | None) -> AsyncGenerator[Any, None]:
    key = live.share_key(SUBSCRIPTION, variables, None)
    assert key is not None
    return hub.follow(key, SUBSCRIPTION, variables, None)


async def _listening(streams: int) -> None:
    """Until the shared streams wait on the broker: an event published after is seen by all."""
    for _ in range(1000):
        if events.broker.subscribers == streams:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{events.broker.subscribers} streams listening, not {streams}")


async def _import(db: str, n: int = 0) -> None:
    result = await import_text(ARTICLE.replace("Harbour reopens", f"Harbour reopens, day {n}"))
    assert result.article_id is not None
    if db.startswith("postgres"):  # there the event comes through LISTEN, which this test does not run
        events.broker.publish(result.article_id)


def _texts(results: list[Any]) -> list[str]:
    assert all(not r.errors for r in results), results
    return [r.data["quoteAdded"]["text"] for r in results]


async def test_identical_subscriptions_resolve_each_event_once(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    resolved: list[int] = []
    from_model = Quote.from_model.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Quote], row: Any) -> Quote:
        resolved.append(row.id)
        return from_model(cls, row)  # type: ignore[no-any-return]

    monkeypatch.setattr(Quote, "from_model", classmethod(counting))
    hub = _hub()
    streams = [await _follow(hub, {"kind": "PERSON"} if n % 2 else None) for n in range(200)]
    received: list[list[Any]] = [[] for _ in streams]

    async def read(n: int) -> None:
        async for result in streams[n]:
            received[n].append(result)
            if len(received[n]) == 2:
                return

    readers = [asyncio.create_task(read(n)) for n in range(len(streams))]
    await _listening(2)
    await _import(db)
    async with asyncio.timeout(30):
        await asyncio.gather(*readers)
    assert all(_texts(r) == TEXTS for r in received)
    assert len(resolved) == 2 * 2  # two quotes, for each of the two distinct subscriptions
    for stream in streams:
        await stream.aclose()
    assert hub.streams == {} and hub.subscribers == 0


async def test_a_subscriber_that_stops_reading_is_ended_alone(db: str, caplog: pytest.LogCaptureFixture) -> None:
    hub = _hub(queue_size=3)
    reader, stalled = await _follow(hub, None), await _follow(hub, None)
    got: list[Any] = []

    async def read() -> None:
        async for result in reader:
            got.append(result)
            if len(got) == 8:
                return

    first = asyncio.ensure_future(stalled.__anext__())  # joins, then reads nothing after its first
    reading = asyncio.create_task(read())
    await _listening(1)
    for n in range(4):
        await _import(db, n)
    async with asyncio.timeout(30):
        await reading
    assert _texts([await first]) == TEXTS[:1]
    rest = [result async for result in stalled]
    assert [e.extensions for r in rest for e in r.errors or []] == [{"code": "SLOW_SUBSCRIBER"}]
    assert hub.subscribers == 1
    assert any("fell 3 results behind" in r.getMessage() for r in caplog.records)
    await reader.aclose()


async def test_delivery_to_many_subscribers_gives_the_loop_turns(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "DELIVERY_BATCH", 10)
    hub = _hub()
    streams = [await _follow(hub, None) for _ in range(50)]
    turns = 0
    seen_at: list[int] = []

    async def tick() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    async def first(stream: AsyncGenerator[Any, None]) -> None:
        await stream.__anext__()
        seen_at.append(turns)

    readers = [asyncio.create_task(first(stream)) for stream in streams]
    await _listening(1)
    ticker = asyncio.create_task(tick())
    await _import(db)
    async with asyncio.timeout(30):
        await asyncio.gather(*readers)
    ticker.cancel()
    # Other tasks ran between the first subscribers served and the last: the loop was not held.
    assert len(set(seen_at)) >= 50 // 10
    for stream in streams:
        await stream.aclose()


def test_share_key_ignores_undeclared_variables_and_skips_other_operations() -> None:
    declared = live.share_key(SUBSCRIPTION, {"kind": "PERSON"}, None)
    assert declared == live.share_key(SUBSCRIPTION, {"kind": "PERSON", "junk": 1}, None)
    assert declared != live.share_key(SUBSCRIPTION, {"kind": None}, None) != live.share_key(SUBSCRIPTION, {}, None)
    assert live.share_key("{ articles { totalCount } }", None, None) is None
    assert live.share_key("mutation { x }", None, None) is None
    assert live.share_key("subscription {", None, None) is None
    assert live.share_key(SUBSCRIPTION + " query Q { __typename }", None, "Q") is None


def _tracked(kind: str) -> int:
    gc.collect()
    return sum(type(o).__name__ == kind for o in gc.get_objects())


async def test_a_long_subscription_keeps_nothing_per_event(db: str) -> None:
    result = await import_text(ARTICLE)
    assert result.article_id is not None
    stream = await schema.subscribe("subscription { quoteAdded { text speaker { name } } }", context_value=Context())
    pending = asyncio.ensure_future(stream.__anext__())  # type: ignore[union-attr]
    await _listening(1)
    counts = []
    for n in range(2 * 100 + 1):
        if n % 2 == 0:
            events.broker.publish(result.article_id)
        await pending
        pending = asyncio.ensure_future(stream.__anext__())  # type: ignore[union-attr]
        if n in (1, 2 * 100):
            counts.append(_tracked("FieldDetails"))
    pending.cancel()
    await stream.aclose()  # type: ignore[union-attr]
    assert counts[1] == counts[0]


def test_the_strawberry_internals_the_handlers_rely_on_are_there() -> None:
    # service/live.py swaps the handlers' `schema` for one that shares subscriptions: it must be
    # all they run operations through.
    transport = inspect.getsource(BaseGraphQLTransportWSHandler)
    legacy = inspect.getsource(BaseGraphQLWSHandler)
    assert transport.count("self.schema.") == transport.count("self.schema.stream(") == 1
    assert legacy.count("self.schema.") == legacy.count("self.schema.subscribe(") == 1
    assert 'self.operations[message["id"]] = operation' in transport
    assert "self.tasks[operation_id] = asyncio.create_task" in legacy


async def test_a_stream_that_falls_behind_the_broker_drops_events_with_one_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broker = events.Broker()
    stream = broker.subscribe()
    waiting = asyncio.ensure_future(stream.__anext__())
    await _until_subscribed(broker)
    for article_id in range(events.QUEUE_SIZE + 4):
        broker.publish(article_id)
    assert await waiting == 0
    assert broker.dropped == 4  # QUEUE_SIZE kept (the first among them), the rest dropped
    assert sum("events behind" in r.getMessage() for r in caplog.records) == 1
    await stream.aclose()


async def _until_subscribed(broker: events.Broker) -> None:
    for _ in range(100):
        if broker.subscribers:
            return
        await asyncio.sleep(0)
    raise AssertionError("never subscribed")
