"""`BatchLoader`: the DataLoader the schema's resolvers use (load, load_many, prime_many).

Keys asked for while the event loop runs its current callbacks are loaded together by one call of
the batch function, in one Task, each key once per request. It does what strawberry's DataLoader
does for us with less bookkeeping: no batch objects, no cache-key function, no per-batch callbacks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Hashable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BatchLoader(Generic[K, V]):
    """Loads keys in batches through `batch(keys) -> values` (aligned with keys), once per key."""

    __slots__ = ("batch", "cache", "pending", "task")

    def __init__(self, batch: Callable[[list[K]], Coroutine[Any, Any, Sequence[V]]]) -> None:
        self.batch = batch
        self.cache: dict[K, asyncio.Future[V]] = {}
        self.pending: list[K] | None = None
        self.task: asyncio.Task[None] | None = None  # held so that it is not collected mid-batch

    def load(self, key: K) -> asyncio.Future[V]:
        future = self.cache.get(key)
        if future is not None:
            return future
        loop = asyncio.get_running_loop()
        future = self.cache[key] = loop.create_future()
        if self.pending is None:
            self.pending = []
            # The Task's first step runs after the callbacks ready now: every key they ask for
            # joins this batch.
            self.task = loop.create_task(self._dispatch())
        self.pending.append(key)
        return future

    async def load_many(self, keys: Iterable[K]) -> list[V]:
        futures = [self.load(key) for key in keys]
        return [await future for future in futures]

    def prime_many(self, values: Mapping[K, V]) -> None:
        """Values already at hand (the rows of a page), so asking for them loads nothing."""
        for key, value in values.items():
            future = self.cache.get(key)
            if future is None:
                future = self.cache[key] = asyncio.get_running_loop().create_future()
            if not future.done():
                future.set_result(value)

    async def _dispatch(self) -> None:
        keys = [key for key in self.pending or () if not self.cache[key].done()]
        self.pending = None
        if not keys:
            return
        try:
            values = await self.batch(keys)
            if len(values) != len(keys):
                raise TypeError(f"the batch function gave {len(values)} values for {len(keys)} keys")
        except Exception as error:
            for key in keys:
                future = self.cache.pop(key)  # a later request for it tries again
                if not future.done():
                    future.set_exception(error)
            return
        for key, value in zip(keys, values, strict=True):
            future = self.cache[key]
            if not future.done():
                future.set_result(value)
