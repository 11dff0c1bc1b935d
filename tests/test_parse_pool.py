"""Mutations parse off the event loop: a hostile article stalls no other request, a parse past
QUOTEGRAPH_PARSE_TIMEOUT fails with PARSE_TIMEOUT and leaves the pool whole, and a full queue
refuses with PARSE_BUSY."""

from __future__ import annotations

import asyncio
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import httpx
import pytest

from service import models, parsepool, settings
from service.sources import ArticleInput, SourceRecord

TOKEN = "s3cret"
# Straight quotation marks side by side: the extractor is quadratic in them (8 KB: seconds).
HOSTILE = "Marks\n" + '"x" ' * 2000
SLOW = "Marks\n" + '"x" ' * 1000  # a second or so: slow enough for a query to pass it
FAIR = "Harbour\n“Open,” said Mayor Ana Lund."
IMPORT = """mutation ($text: String!) { importArticle(text: $text) {
    __typename ... on ImportArticleSuccess { created } ... on InvalidArticleError { message code field } } }"""
IMPORT_MANY = """mutation ($input: [ArticleInput!]!) { importArticles(input: $input) {
    ... on ImportArticlesSuccess { results { index status code error } } } }"""


@pytest.fixture
def parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "API_TOKEN", TOKEN)
    monkeypatch.setattr(settings, "PARSE_WORKERS", 1)
    monkeypatch.setattr(settings, "PARSE_QUEUE", 0)


async def post(http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_hostile_import_stalls_no_other_request(
    client: httpx.AsyncClient, parsing: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "PARSE_TIMEOUT", 120.0)
    finished: list[str] = []

    async def run(name: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await post(client, query, variables)
        finished.append(name)
        return body

    hostile = asyncio.create_task(run("import", IMPORT, {"text": SLOW}))
    await asyncio.sleep(0)  # the import starts first; on the event loop it would parse right away
    query = asyncio.create_task(run("query", "{ articles { totalCount } }"))
    imported, counted = await asyncio.gather(hostile, query)
    assert finished == ["query", "import"]
    assert counted["data"]["articles"]["totalCount"] == 0
    assert imported["data"]["importArticle"]["__typename"] == "ImportArticleSuccess"


async def test_parse_past_its_time_limit_is_a_coded_error_and_the_pool_recovers(
    client: httpx.AsyncClient, parsing: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "PARSE_TIMEOUT", 0.3)
    body = await post(client, IMPORT, {"text": HOSTILE})
    error = body["data"]["importArticle"]
    assert error["__typename"] == "InvalidArticleError"
    assert (error["code"], error["field"]) == ("PARSE_TIMEOUT", "text")
    assert "QUOTEGRAPH_PARSE_TIMEOUT" in error["message"]
    # The stuck worker was killed and replaced: the next article parses.
    again = await post(client, IMPORT, {"text": FAIR})
    assert again["data"]["importArticle"] == {"__typename": "ImportArticleSuccess", "created": True}
    assert await models.Article.all().count() == 1


async def test_batch_record_past_the_parse_time_limit_fails_alone(
    client: httpx.AsyncClient, parsing: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "PARSE_TIMEOUT", 0.3)
    records = [{"text": FAIR}, {"text": HOSTILE}, {"text": FAIR.replace("Open", "Shut")}]
    body = await post(client, IMPORT_MANY, {"input": records})
    results = body["data"]["importArticles"]["results"]
    assert [(r["status"], r["code"]) for r in results] == [
        ("IMPORTED", None),
        ("FAILED", "PARSE_TIMEOUT"),
        ("IMPORTED", None),
    ]
    assert "QUOTEGRAPH_PARSE_TIMEOUT" in results[1]["error"]


async def test_full_parse_queue_refuses_with_parse_busy(
    client: httpx.AsyncClient, parsing: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "PARSE_TIMEOUT", 1.0)
    pool = parsepool.parse_pool()
    hostile = asyncio.create_task(post(client, IMPORT, {"text": HOSTILE}))
    while not pool._semaphore().locked():  # the one worker has taken the hostile article
        await asyncio.sleep(0.01)
    busy = await post(client, IMPORT, {"text": FAIR})
    [error] = busy["errors"]
    assert error["extensions"]["code"] == "PARSE_BUSY"
    assert "QUOTEGRAPH_PARSE_QUEUE" in error["message"]
    batch = await post(client, IMPORT_MANY, {"input": [{"text": FAIR}]})
    assert [(r["status"], r["code"]) for r in batch["data"]["importArticles"]["results"]] == [("FAILED", "PARSE_BUSY")]
    assert (await hostile)["data"]["importArticle"]["code"] == "PARSE_TIMEOUT"
    assert await models.Article.all().count() == 0


async def test_cancelled_caller_leaves_the_parse_to_its_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    pool = parsepool.ParsePool(workers=1, timeout=0.5, queue=1)
    try:
        waiting = asyncio.create_task(pool.parse(SourceRecord("<hostile>", ArticleInput(text=HOSTILE))))
        await asyncio.sleep(0.1)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        # The worker is still on it; the next article waits until the parse is stopped at its
        # time limit and the slot is given back, then parses on a new worker.
        fair = await pool.parse(SourceRecord("<fair>", ArticleInput(text=FAIR)))
        assert fair.error is None and fair.parsed is not None
    finally:
        pool.shutdown()


def test_process_pool_executor_still_keeps_its_processes() -> None:
    # ParsePool kills a stuck parse through this private attribute: fail loudly when it goes.
    executor = ProcessPoolExecutor(max_workers=1)
    try:
        assert executor.submit(abs, -1).result() == 1
        assert all(process.pid for process in executor._processes.values())
    finally:
        executor.shutdown()


async def test_parse_workers_zero_parses_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "PARSE_WORKERS", 0)
    prepared = await parsepool.parse(SourceRecord("<fair>", ArticleInput(text=FAIR)))
    assert prepared.parsed is not None and len(prepared.parsed.quotes) == 1


async def test_start_readies_the_workers_and_shutdown_stops_them() -> None:
    await parsepool.start()
    pool = parsepool.parse_pool()
    executor = pool._running()
    assert executor._processes and all(process.is_alive() for process in executor._processes.values())
    processes = list(executor._processes.values())
    parsepool.shutdown()
    for process in processes:
        process.join(timeout=10)
    assert not any(process.is_alive() for process in processes)
    prepared = await parsepool.parse(SourceRecord("<fair>", ArticleInput(text=FAIR)))  # a new pool
    assert prepared.parsed is not None
