"""'Article imported' events for live subscriptions, from this process or, on PostgreSQL, any.

On PostgreSQL the importer sends NOTIFY inside its transaction, so the event leaves only when the
article is committed, and every app process LISTENs. On SQLite there is no cross-process channel:
events reach subscribers of the process that imported (mutations, not a separate CLI run).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from tortoise import connections

CHANNEL = "quotegraph_articles"
QUEUE_SIZE = 1000
log = logging.getLogger("quotegraph.events")


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
