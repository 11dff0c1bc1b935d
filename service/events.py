"""'Article imported' events for live subscriptions, from this process or, on PostgreSQL, any.

On PostgreSQL the importer sends NOTIFY inside its transaction, so the event leaves only when the
article is committed, and every app process LISTENs. On SQLite there is no cross-process channel:
events reach subscribers of the process that imported (mutations, not a separate CLI run).

The LISTEN connection is watched: when it drops (or stops answering), the loss is logged once,
`generation()` changes at every call until it is back (so no cached answer is served while other
processes' writes could go unheard), it is reconnected with backoff, and on reconnection everything
cached is dropped once, since writes may have been missed meanwhile. `broker.state` says which.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

CHANNEL = "quotegraph_articles"
WRITES = "quotegraph_writes"
QUEUE_SIZE = 1000
# The LISTEN connection's name in pg_stat_activity, so an operator can find (or test) it.
LISTEN_APPLICATION = "quotegraph-listen"
# Reconnection waits RETRY_FIRST, then twice as long each time, up to RETRY_MAX: quick after a
# restart of PostgreSQL, without hammering one that is down.
RETRY_FIRST, RETRY_MAX = 0.1, 5.0
# A connection lost without a FIN (a dead network path) never reports closing: query it this often,
# and count it lost when it takes longer than CHECK_TIMEOUT (or connecting does).
CHECK_SECONDS, CHECK_TIMEOUT = 10.0, 5.0
log = logging.getLogger("quotegraph.events")

ListenState = Literal["off", "listening", "reconnecting"]
Connect = Callable[..., Awaitable[Any]]

_local_writes = 0
_sqlite_file: str | None = None


def wrote() -> None:
    """Count a write committed by this process (invalidates cached responses)."""
    global _local_writes
    _local_writes += 1


def watch_sqlite(path: str | None) -> None:
    """Count other processes' writes to this SQLite file through its modification time."""
    global _sqlite_file
    _sqlite_file = path


def generation() -> tuple[int, ...]:
    """Changes whenever anything was written, by this process or (see above) another; at every
    call while the LISTEN connection is down, since other processes' writes go unheard then."""
    if broker.state == "reconnecting":
        wrote()
    if _sqlite_file is None:
        return (_local_writes,)
    stamps = [_local_writes]
    for suffix in ("", "-wal"):
        try:
            stat = os.stat(_sqlite_file + suffix)
            stamps += [stat.st_mtime_ns, stat.st_size]
        except OSError:
            stamps += [0, 0]
    return tuple(stamps)


async def notify_write(conn: BaseDBAsyncClient) -> None:
    """Inside a writing transaction: tell every other process, when (and if) it commits."""
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_notify($1, '')", [WRITES])


async def _asyncpg_connect(dsn: str, **options: Any) -> Any:
    import asyncpg

    return await asyncpg.connect(dsn, **options)


class Broker:
    """Fans each imported article's id out to every subscriber of this process."""

    def __init__(self, connect: Connect = _asyncpg_connect) -> None:
        self.connect = connect
        self.state: ListenState = "off"
        self.dropped = 0
        self._queues: set[asyncio.Queue[int]] = set()
        self._listener: Any = None
        self._lost: asyncio.Event | None = None
        self._supervisor: asyncio.Task[None] | None = None

    @property
    def subscribers(self) -> int:
        return len(self._queues)

    def publish(self, article_id: int) -> None:
        for queue in self._queues:
            try:
                queue.put_nowait(article_id)
            except asyncio.QueueFull:  # a subscriber too slow to keep up loses events, not memory
                self.dropped += 1
                if self.dropped % QUEUE_SIZE == 1:  # the first, then one line a thousand: no flood
                    log.warning(
                        "a live subscription is %d events behind: events dropped (%d so far)", QUEUE_SIZE, self.dropped
                    )

    async def subscribe(self) -> AsyncIterator[int]:
        queue: asyncio.Queue[int] = asyncio.Queue(QUEUE_SIZE)
        self._queues.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues.discard(queue)

    async def listen(self, postgres_dsn: str) -> None:
        """Receive every process's imports through PostgreSQL LISTEN, reconnecting when it drops.

        The first connection is made here: a server that cannot LISTEN at startup does not start."""
        await self._connect(postgres_dsn)
        self.state = "listening"
        self._supervisor = asyncio.create_task(self._supervise(postgres_dsn), name=LISTEN_APPLICATION)

    async def _connect(self, dsn: str) -> None:
        lost = asyncio.Event()
        async with asyncio.timeout(CHECK_TIMEOUT):
            listener = await self.connect(dsn, server_settings={"application_name": LISTEN_APPLICATION})
        try:
            listener.add_termination_listener(lambda _conn: lost.set())
            async with asyncio.timeout(CHECK_TIMEOUT):
                await listener.add_listener(CHANNEL, self._on_notify)
                await listener.add_listener(WRITES, self._on_write)
        except BaseException:
            listener.terminate()
            raise
        self._listener, self._lost = listener, lost

    async def _supervise(self, dsn: str) -> None:
        while True:
            reason = await self._wait_until_lost()
            self.state = "reconnecting"
            log.warning(
                "the LISTEN connection to PostgreSQL was lost (%s): cached responses are bypassed and "
                "subscriptions hear no other process until it is back; reconnecting",
                reason,
            )
            self._drop_listener()
            down_since = time.monotonic()
            attempts = await self._reconnect(dsn)
            wrote()  # writes made while nobody listened were missed: forget everything cached
            self.state = "listening"
            log.warning(
                "the LISTEN connection to PostgreSQL is back after %d attempt(s), %.1f s; cached responses dropped",
                attempts,
                time.monotonic() - down_since,
            )

    async def _wait_until_lost(self) -> str:
        assert self._lost is not None
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CHECK_SECONDS):
                    await self._lost.wait()
                return "the connection closed"
            try:
                async with asyncio.timeout(CHECK_TIMEOUT):
                    await self._listener.execute("SELECT 1")
            except TimeoutError:
                return f"no answer in {CHECK_TIMEOUT:g} s"
            except Exception as exc:  # asyncpg's errors have no common base but Exception
                return f"{type(exc).__name__}: {exc}"

    async def _reconnect(self, dsn: str) -> int:
        delay, attempts = RETRY_FIRST, 0
        while True:
            await asyncio.sleep(delay)
            attempts += 1
            try:
                await self._connect(dsn)
            except Exception as exc:  # refused, timed out, or PostgreSQL said no: try again later
                log.debug("LISTEN reconnection attempt %d failed: %r", attempts, exc)
                delay = min(delay * 2, RETRY_MAX)
                continue
            return attempts

    def _drop_listener(self) -> None:
        if self._listener is not None:
            self._listener.terminate()  # no goodbye: the connection is already broken
            self._listener = None

    def _on_write(self, _conn: object, _pid: int, _channel: str, _payload: str) -> None:
        wrote()

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        with contextlib.suppress(ValueError):
            self.publish(int(payload))

    async def close(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        if self._listener is not None:
            listener, self._listener = self._listener, None
            try:
                await listener.close(timeout=CHECK_TIMEOUT)
            except Exception:  # already broken, or too slow to say goodbye
                listener.terminate()
        self.state = "off"


broker = Broker()


def is_postgres(connection_name: str = "default") -> bool:
    return bool(connections.get(connection_name).capabilities.dialect == "postgres")
