"""`BatchLoader`: the DataLoader the schema's resolvers use (load, load_many, prime_many).

Keys asked for while the event loop runs its current callbacks are loaded together by one call of
the batch function, in one Task, each key once per request. It does what strawberry's DataLoader
does for us with less bookkeeping: no batch objects, no cache-key function, no per-batch callbacks.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Iterable, Mapping, Sequence
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

    def __init__(self, error: BaseException) -> None:
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
    current_task see the request's Task). Cancelled, it cancels each coroutine still waiting, as
    gather cancels its children, lets their cleanup run (a query in flight hands its connection
    back), and then raises.
    """
    run = _Settle([a if isinstance(a, Coroutine) else _awaited(a) for a in awaitables])
    try:
        await run.drive()
    except asyncio.CancelledError:
        run.cancel_waiting()
        try:
            await run.drive()
        finally:
            run.close()
        raise
    except BaseException:
        run.close()
        raise
    return run.results


class _Settle:
    def __init__(self, coroutines: list[Coroutine[Any, Any, Any]]) -> None:
        self.coroutines = coroutines
        self.results: list[Any] = [None] * len(coroutines)
        self.remaining = len(coroutines)
        self.ready: deque[tuple[int, BaseException | None]] = deque((i, None) for i in range(len(coroutines)))
        self.waiting_on: dict[int, Any] = {}  # the future each suspended coroutine waits for
        self.loop = asyncio.get_running_loop()
        self.wake: asyncio.Future[None] | None = None

    def resume(self, index: int, future: Any) -> None:
        if self.waiting_on.get(index) is not future:
            return  # cancelled meanwhile: already resumed with the cancellation
        del self.waiting_on[index]
        self.ready.append((index, None))
        if self.wake is not None and not self.wake.done():
            self.wake.set_result(None)

    async def drive(self) -> None:
        while self.remaining:
            if not self.ready:
                self.wake = self.loop.create_future()
                await self.wake
                self.wake = None
            while self.ready:
                self.step(*self.ready.popleft())

    def step(self, index: int, error: BaseException | None) -> None:
        coroutine = self.coroutines[index]
        try:
            yielded = coroutine.send(None) if error is None else coroutine.throw(error)
        except StopIteration as stop:
            self.done(index, stop.value)
            return
        except (Exception, asyncio.CancelledError) as failure:
            self.done(index, Failed(failure))
            return
        if getattr(yielded, "_asyncio_future_blocking", False):
            yielded._asyncio_future_blocking = False
            self.waiting_on[index] = yielded
            yielded.add_done_callback(lambda future: self.resume(index, future))
        elif yielded is None:  # a bare yield (asyncio.sleep(0)): once round the loop
            self.waiting_on[index] = None
            self.loop.call_soon(self.resume, index, None)
        else:
            coroutine.close()
            self.done(index, Failed(RuntimeError(f"awaited {yielded!r}, not an asyncio future")))

    def done(self, index: int, result: Any) -> None:
        self.results[index] = result
        self.remaining -= 1

    def cancel_waiting(self) -> None:
        for index in list(self.waiting_on):
            future = self.waiting_on.pop(index)
            if future is not None and not future.done():
                future.cancel()  # as a Task's cancel() cancels the future it waits on
            self.ready.append((index, asyncio.CancelledError()))

    def close(self) -> None:
        for coroutine in self.coroutines:
            coroutine.close()


BATCH_ATTRIBUTE = "resolve_batch"
R = TypeVar("R", bound=Callable[..., Any])


def batched(batch: Callable[[list[Any], Any], Awaitable[list[Any]]]) -> Callable[[R], R]:
    """Gives a resolver `batch(parents, info) -> values` (one for each parent, in order): what a
    query plan calls once for all the objects of a level, in place of the resolver for each. The
    resolver itself should be `batch([self], info)[0]`, so that both answer alike."""

    def mark(resolver: R) -> R:
        setattr(resolver, BATCH_ATTRIBUTE, batch)
        return resolver

    return mark
