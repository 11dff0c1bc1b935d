"""`BatchLoader`: the DataLoader the schema's resolvers use (load, load_many, prime_many).

Keys asked for while the event loop runs its current callbacks are loaded together by one call of
the batch function, in one Task, each key once per request. It does what strawberry's DataLoader
does for us with less bookkeeping: no batch objects, no cache-key function, no per-batch callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import types
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator, Hashable, Iterable, Mapping, Sequence
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


class Failed:
    """An exception `settle` caught, in place of a result."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


async def settle(awaitables: Sequence[Any]) -> list[Any]:
    """Await side by side, like `asyncio.gather(..., return_exceptions=True)` (an exception comes
    back as `Failed`), inside the calling Task instead of a Task for each.

    A level of a query plan awaits one coroutine per object (every quote's speaker), each
    suspended only until a BatchLoader's batch is in. A Task for each costs its creation, a
    scheduled first step and done callbacks; here every coroutine takes its first step at once,
    and whenever futures they wait on are done, this Task wakes once and steps every one of them.
    Their code runs in the calling Task, as it would under a plain `await` (asyncio.timeout and
    current_task see the request's Task).
    """
    count = len(awaitables)
    results: list[Any] = [None] * count
    coroutines = [a if isinstance(a, Coroutine) else _awaited(a) for a in awaitables]
    ready: deque[int] = deque(range(count))
    waiting_on: dict[int, Any] = {}  # what each suspended coroutine waits for
    loop = asyncio.get_running_loop()
    wake: asyncio.Future[None] | None = None
    remaining = count

    def resume(index: int) -> None:
        ready.append(index)
        if wake is not None and not wake.done():
            wake.set_result(None)

    try:
        while remaining:
            if not ready:
                wake = loop.create_future()
                await wake
                wake = None
            while ready:
                index = ready.popleft()
                waiting_on.pop(index, None)
                try:
                    yielded = coroutines[index].send(None)
                except StopIteration as stop:
                    results[index] = stop.value
                    remaining -= 1
                    continue
                except Exception as error:
                    results[index] = Failed(error)
                    remaining -= 1
                    continue
                waiting_on[index] = yielded
                if getattr(yielded, "_asyncio_future_blocking", False):
                    yielded._asyncio_future_blocking = False
                    yielded.add_done_callback(lambda _, index=index: resume(index))
                elif yielded is None:  # a bare yield (asyncio.sleep(0)): once round the loop
                    loop.call_soon(resume, index)
                else:
                    del waiting_on[index]
                    coroutines[index].close()
                    results[index] = Failed(RuntimeError(f"awaited {yielded!r}, not an asyncio future"))
                    remaining -= 1
    except BaseException:
        # Cancelled (the request's time limit): what is still waiting (a query in flight) runs
        # to its end in a Task of its own, so connections are handed back as they should be.
        for index, future in waiting_on.items():
            task = loop.create_task(_finish(coroutines[index], future))
            _finishing.add(task)
            task.add_done_callback(_finishing.discard)
        raise
    return results


_finishing: set[asyncio.Task[Any]] = set()


async def _finish(coroutine: Coroutine[Any, Any, Any], future: Any) -> None:
    with contextlib.suppress(Exception):
        await _resume(coroutine, future)


@types.coroutine
def _resume(coroutine: Coroutine[Any, Any, Any], future: Any) -> Generator[Any, None, Any]:
    """Continue, inside the Task awaiting this, a coroutine `settle` stepped up to `future`."""
    if future is not None:
        future._asyncio_future_blocking = True
    yield future
    return (yield from coroutine)
