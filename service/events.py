"""'Article imported' events for live subscriptions, from this process or, on PostgreSQL, any.

On PostgreSQL the importer sends NOTIFY inside its transaction, so the event leaves only when the
article is committed, and every app process LISTENs. On SQLite there is no cross-process channel:
events reach subscribers of the process that imported (mutations, not a separate CLI run).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

CHANNEL = "quotegraph_articles"
WRITES = "quotegraph_writes"
QUEUE_SIZE = 1000
log = logging.getLogger("quotegraph.events")


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
    """Changes whenever anything was written, by this process or (see above) another."""
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


class Broker:
    """Fans each imported article's id out to every subscriber of this process."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[int]] = set()
        self._listener: Any = None

    def publish(self, article_id: int) -> None:
        for queue in self._queues:
            try:
                queue.put_nowait(article_id)
            except asyncio.QueueFull:  # a subscriber too slow to keep up loses events, not memory
                log.warning("a live subscriber is %d events behind; dropping one", QUEUE_SIZE)

    async def subscribe(self) -> AsyncIterator[int]:
        queue: asyncio.Queue[int] = asyncio.Queue(QUEUE_SIZE)
        self._queues.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues.discard(queue)

    async def listen(self, postgres_dsn: str) -> None:
        """Receive every process's imports through PostgreSQL LISTEN."""
        import asyncpg

        self._listener = await asyncpg.connect(postgres_dsn)
        await self._listener.add_listener(CHANNEL, self._on_notify)
        await self._listener.add_listener(WRITES, self._on_write)

    def _on_write(self, _conn: object, _pid: int, _channel: str, _payload: str) -> None:
        wrote()

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        with contextlib.suppress(ValueError):
            self.publish(int(payload))

    async def close(self) -> None:
        if self._listener is not None:
            await self._listener.close()
            self._listener = None


broker = Broker()


def is_postgres(connection_name: str = "default") -> bool:
    return bool(connections.get(connection_name).capabilities.dialect == "postgres")
