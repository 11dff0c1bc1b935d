"""The LISTEN connection on PostgreSQL: when it drops, the worker says so (log, /healthz), serves
nothing stale from its cache, reconnects, and delivers events again; /healthz answers in bounded
time even when the database does not."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from schema.build import schema
from schema.context import Context
from service import events, settings
from service.app import create_app
from tests.conftest import admin_sql, postgres_available
from tests.live import environment, postgres_database, run_cli, serve

COUNT = "{ articles { totalCount } }"
SUBSCRIPTION = "subscription { quoteAdded { text } }"
LOST = "LISTEN connection to PostgreSQL was lost"
BACK = "LISTEN connection to PostgreSQL is back"


def _terminate_listener(db: str) -> None:
    database = db.rsplit("/", 1)[1]
    admin_sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE application_name = '{events.LISTEN_APPLICATION}' AND datname = '{database}'"
    )


def _import_elsewhere(db: str, tmp_path: Path, title: str) -> None:
    """An import by another process: this one hears of it only through LISTEN."""
    article = tmp_path / f"{title}.txt"
    article.write_text(f"{title}\n“Hello from {title},” said Mayor Ana Lund.\n", encoding="utf-8")
    done = run_cli("import", str(article), env=environment(DATABASE_URL=db))
    assert done.returncode == 0, done.stderr


async def _until(condition: Any, what: str) -> None:
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never {what}")


async def _count(http: httpx.AsyncClient) -> int:
    body = (await http.post("/graphql", json={"query": COUNT})).json()
    total: int = body["data"]["articles"]["totalCount"]
    return total


def _logged(caplog: pytest.LogCaptureFixture, text: str) -> int:
    return sum(text in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_a_dropped_listen_connection_degrades_then_recovers(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="quotegraph.events")
    monkeypatch.setattr(events, "RETRY_FIRST", 0.01)
    monkeypatch.setattr(events, "RETRY_MAX", 0.05)
    reachable, attempts = asyncio.Event(), [0]
    reachable.set()
    connect = events.broker.connect

    async def gated(dsn: str, **options: Any) -> Any:
        attempts[0] += 1
        if not reachable.is_set():
            raise OSError("the test keeps PostgreSQL out of reach")
        return await connect(dsn, **options)

    monkeypatch.setattr(events.broker, "connect", gated)
    transport = httpx.ASGITransport(app=create_app(db))
    await events.broker.listen(db)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            assert (await http.get("/healthz")).json()["listen"] == "listening"
            assert await _count(http) == await _count(http) == 0  # the second from the cache

            reachable.clear()
            await asyncio.to_thread(_terminate_listener, db)
            await _until(lambda: events.broker.state == "reconnecting", "noticed the drop")
            health = await http.get("/healthz")
            assert health.status_code == 503
            assert health.json()["status"] == "degraded" and health.json()["listen"] == "reconnecting"

            # Written by another process while nobody listens: the cache must not hide it.
            await asyncio.to_thread(_import_elsewhere, db, tmp_path, "Meanwhile")
            assert await _count(http) == await _count(http) == 1
            await _until(lambda: attempts[0] >= 5, "retried")
            assert (_logged(caplog, LOST), _logged(caplog, BACK)) == (1, 0)  # once, not per retry

            reachable.set()
            await _until(lambda: events.broker.state == "listening", "reconnected")
            assert (_logged(caplog, LOST), _logged(caplog, BACK)) == (1, 1)
            health = await http.get("/healthz")
            assert health.status_code == 200 and health.json()["status"] == "ok"

            # Subscriptions hear other processes again.
            stream = await schema.subscribe(SUBSCRIPTION, context_value=Context())
            first = asyncio.ensure_future(stream.__anext__())  # type: ignore[union-attr]
            await _until(lambda: events.broker.subscribers == 1, "subscribed")
            await asyncio.to_thread(_import_elsewhere, db, tmp_path, "Afterwards")
            async with asyncio.timeout(30):
                result = await first
            assert result.data == {"quoteAdded": {"text": "Hello from Afterwards,"}}
            await stream.aclose()  # type: ignore[union-attr]
            assert await _count(http) == 2
    finally:
        await events.broker.close()
    assert events.broker.state == "off"


async def test_healthz_answers_in_bounded_time_when_the_database_hangs(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tortoise import connections

    monkeypatch.setattr(settings, "HEALTHZ_TIMEOUT", 0.05)
    transport = httpx.ASGITransport(app=create_app(db))

    async def wedged(*_args: object, **_kwargs: object) -> None:
        await asyncio.Event().wait()

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise ConnectionResetError("the test broke the connection")

    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        assert (await http.get("/healthz")).json()["status"] == "ok"
        for hang, reason in ((wedged, "no answer in 0.05 s"), (broken, "error")):
            with monkeypatch.context() as patch:
                patch.setattr(connections.get("default"), "execute_query", hang)
                response = await http.get("/healthz")
            assert response.status_code == 503
            assert response.json()["status"] == "unavailable" and response.json()["database"] == reason
        assert (await http.get("/healthz")).status_code == 200


async def test_a_served_worker_logs_the_drop_reconnects_and_delivers_again(tmp_path: Path) -> None:
    if not postgres_available():
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    log = tmp_path / "serve.log"
    with postgres_database() as db, serve(environment(DATABASE_URL=db), log) as base:
        await asyncio.to_thread(_terminate_listener, db)
        await _until(lambda: BACK in log.read_text(), "reconnected")
        text = log.read_text()
        assert (text.count(LOST), text.count(BACK)) == (1, 1), text
        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get("/healthz")).json() == {
                "status": "ok",
                "database": "ok",
                "listen": "listening",
                "subscriptions": 0,
                "streams": 0,
            }
        url = base.replace("http://", "ws://") + "/graphql"
        async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
            async with httpx.AsyncClient(base_url=base) as http:
                await _until_async(http, lambda body: body["streams"] == 1)
            await asyncio.to_thread(_import_elsewhere, db, tmp_path, "Served")
            async with asyncio.timeout(30):
                message = json.loads(await ws.recv())
        assert message["payload"]["data"] == {"quoteAdded": {"text": "Hello from Served,"}}


async def _until_async(http: httpx.AsyncClient, condition: Any) -> None:
    for _ in range(1000):
        if condition((await http.get("/healthz")).json()):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the server never got there")
