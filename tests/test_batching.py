"""schema/batching.py: the BatchLoader and `settle`, which plans await levels with."""

from __future__ import annotations

import asyncio

import pytest

from schema.batching import BatchLoader, Failed, settle


async def test_keys_asked_for_together_load_in_one_batch_each_once() -> None:
    batches: list[list[int]] = []

    async def squares(keys: list[int]) -> list[int]:
        batches.append(keys)
        return [k * k for k in keys]

    loader: BatchLoader[int, int] = BatchLoader(squares)
    assert await asyncio.gather(loader.load(2), loader.load(3), loader.load(2)) == [4, 9, 4]
    assert await loader.load_many([3, 4]) == [9, 16]
    assert batches == [[2, 3], [4]]


async def test_primed_values_load_nothing_and_a_failed_batch_is_retried() -> None:
    calls: list[list[str]] = []

    async def flaky(keys: list[str]) -> list[str]:
        calls.append(keys)
        if len(calls) == 1:
            raise ConnectionError("down")
        return [k.upper() for k in keys]

    loader: BatchLoader[str, str] = BatchLoader(flaky)
    loader.prime_many({"a": "primed"})
    assert await loader.load("a") == "primed"
    with pytest.raises(ConnectionError):
        await loader.load("b")
    assert await loader.load("b") == "B"
    assert calls == [["b"], ["b"]]


async def test_settle_keeps_order_and_hands_back_errors() -> None:
    loader: BatchLoader[int, int] = BatchLoader(lambda keys: _doubled(keys))

    async def through_loader(n: int) -> int:
        return await loader.load(n) + 1

    async def at_once() -> str:
        return "now"

    async def after_a_bare_yield() -> str:
        await asyncio.sleep(0)
        return "later"

    async def failing() -> None:
        await loader.load(99)
        raise ValueError("no")

    results = await settle([through_loader(1), at_once(), after_a_bare_yield(), failing(), through_loader(2)])
    assert results[:3] == [3, "now", "later"] and results[4] == 5
    assert isinstance(results[3], Failed) and isinstance(results[3].error, ValueError)
    assert await settle([]) == []


async def _doubled(keys: list[int]) -> list[int]:
    return [k * 2 for k in keys]


async def test_cancelled_settle_cancels_what_waits_and_lets_it_clean_up() -> None:
    cleaned: list[str] = []
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def query() -> str:
        try:
            await gate
            return "rows"
        finally:
            await asyncio.sleep(0)  # cleanup that awaits, like handing a connection back
            cleaned.append("query")

    async def quick() -> str:
        return "done"

    task = asyncio.ensure_future(settle([query(), quick()]))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned == ["query"]
    assert gate.cancelled()  # the future it waited on is cancelled, as Task.cancel() does
