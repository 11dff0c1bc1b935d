"""Parsing off the event loop, for the server: a few worker processes, a time limit per article,
a bounded queue.

The extractor is pure CPU, and on a hostile text (thousands of quotation marks) slow: on the event
loop one such article stalls every other request of the app worker for seconds. Here an article
is parsed in one of QUOTEGRAPH_PARSE_WORKERS processes; a parse that takes longer than
QUOTEGRAPH_PARSE_TIMEOUT fails with PARSE_TIMEOUT and the workers are killed and replaced, so the
pool is whole again; with every worker busy and QUOTEGRAPH_PARSE_QUEUE articles waiting, the next
is refused at once with PARSE_BUSY instead of queueing without end.

One pool per process, started on first use (the workers fork from a forkserver that has imported
the parser once, so a replacement starts in milliseconds); `shutdown()` stops it.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from service import settings
from service.importer import Prepared, prepare
from service.sources import SourceRecord

__all__ = ["ParsePool", "parse", "parse_pool", "shutdown", "start"]

PARSE_TIMEOUT_CODE = "PARSE_TIMEOUT"
PARSE_BUSY_CODE = "PARSE_BUSY"
# A parse whose worker died under it (another article's timeout killed the pool) is tried again
# this many times on the replacement pool before the article fails.
RETRIES = 2


class ParsePool:
    def __init__(self, workers: int, timeout: float, queue: int) -> None:
        self.workers = workers
        self.timeout = timeout
        self.queue = queue
        self._executor: ProcessPoolExecutor | None = None
        # asyncio primitives belong to one event loop; tests run one loop after another.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = asyncio.Semaphore(max(workers, 1))
        self._waiting = 0

    async def parse(self, record: SourceRecord) -> Prepared:
        """The record parsed in a worker process; a time-out or a full queue comes back as a
        failed Prepared with its code. A cancelled caller leaves the parse to end in its own
        task, within the time limit."""
        if self.workers <= 0:
            return prepare(record)
        slots = self._semaphore()
        if slots.locked() and self._waiting >= self.queue:
            return _failed(
                record,
                PARSE_BUSY_CODE,
                f"every parser worker is busy (QUOTEGRAPH_PARSE_WORKERS={self.workers}) and {self._waiting} "
                f"articles wait (QUOTEGRAPH_PARSE_QUEUE={self.queue}); nothing was stored: send it again later",
            )
        self._waiting += 1
        try:
            await slots.acquire()
        finally:
            self._waiting -= 1
        job = asyncio.create_task(self._parse(record))
        job.add_done_callback(lambda _: slots.release())
        return await asyncio.shield(job)

    def shutdown(self) -> None:
        if self._executor is not None:
            self._kill(self._executor)

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._slots, self._waiting = loop, asyncio.Semaphore(self.workers), 0
        return self._slots

    async def _parse(self, record: SourceRecord) -> Prepared:
        for _ in range(RETRIES + 1):
            executor = self._running()
            try:
                future = await _submit(executor, record)
                return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
            except TimeoutError:
                self._kill(executor)
                return _failed(
                    record,
                    PARSE_TIMEOUT_CODE,
                    f"parsing the article took longer than {self.timeout:g} s (QUOTEGRAPH_PARSE_TIMEOUT) and "
                    "was stopped; nothing was stored: split it or remove runs of quotation marks",
                )
            except BrokenProcessPool:
                self._kill(executor)
        return _failed(record, "PARSER_ERROR", "the parser's worker process kept dying; nothing was stored")

    def _running(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["service.importer"])
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return self._executor

    def _kill(self, executor: ProcessPoolExecutor) -> None:
        """Kill the executor's processes (a parse cannot be cancelled otherwise); the next parse
        starts a new executor. Parses running beside the stuck one fail with BrokenProcessPool
        and are tried again there."""
        if self._executor is not executor:
            return  # killed already, by another parse's time-out
        self._executor = None
        # The executor keeps no public handle on its processes; tests/test_parse_pool.py checks this one.
        for process in list((executor._processes or {}).values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)


async def _submit(executor: ProcessPoolExecutor, record: SourceRecord) -> Future[Prepared]:
    """The parse handed to the executor from a thread: a submit that has to start a worker waits
    for the fork (the first one for the forkserver to import the parser), not on the event loop."""
    try:
        return await asyncio.to_thread(executor.submit, prepare, record)
    except RuntimeError as exc:  # shut down by another parse's time-out meanwhile
        raise BrokenProcessPool(str(exc)) from exc


def _failed(record: SourceRecord, code: str, message: str) -> Prepared:
    return Prepared(record.origin, record.input, error=message, code=code)


_pool: ParsePool | None = None


def parse_pool() -> ParsePool:
    """The process's pool, as service.settings stand now (a changed setting starts a new one)."""
    global _pool
    wanted = (settings.PARSE_WORKERS, settings.PARSE_TIMEOUT, settings.PARSE_QUEUE)
    if _pool is None or (_pool.workers, _pool.timeout, _pool.queue) != wanted:
        if _pool is not None:
            _pool.shutdown()
        _pool = ParsePool(*wanted)
    return _pool


async def parse(record: SourceRecord) -> Prepared:
    """Parse one record off the event loop, within QUOTEGRAPH_PARSE_TIMEOUT."""
    return await parse_pool().parse(record)


async def start() -> None:
    """Start the worker processes now (the app's lifespan may call this), so that the first
    article does not wait for them."""
    pool = parse_pool()
    if pool.workers > 0:
        await asyncio.wrap_future(await _submit(pool._running(), SourceRecord("<start>", error="start")))


def shutdown() -> None:
    """Stop the worker processes (the app's lifespan calls this on the way out)."""
    global _pool
    if _pool is not None:
        _pool.shutdown()
        _pool = None
