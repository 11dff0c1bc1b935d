"""A mutation cut off by QUOTEGRAPH_REQUEST_TIMEOUT rolls back, frees its connection and leaves the
worker whole; a batch that runs out of time says which records were stored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from strawberry.extensions import ParserCache, ValidationCache
from tortoise import connections
from tortoise.backends.asyncpg.client import TransactionWrapper
from tortoise.backends.sqlite.client import SqliteTransactionWrapper

from schema import limits
from schema.build import schema as built_schema
from service import corrections, models, parsepool, settings
from service.importer import import_text
from service.sources import ArticleInput, SourceRecord
from service.writer import ArticleWriter

TOKEN = "s3cret"
IMPORT = "mutation ($text: String!) { importArticle(text: $text) { __typename } }"
IMPORT_MANY = """mutation ($input: [ArticleInput!]!) { importArticles(input: $input) {
    ... on ImportArticlesSuccess { results { index status code error article { title } } } } }"""
DELETE = "mutation ($id: ID!) { deleteArticle(article: $id) { __typename } }"
REQUESTS = 12  # more than the PostgreSQL pool's 10 connections


def article(n: int) -> str:
    return f"Story {n}\n“Line {n},” said Mayor Ana Lund. “More {n},” said Ivo Berg."


def timed_app(db_url: str, monkeypatch: pytest.MonkeyPatch, timeout: float) -> Starlette:
    """create_app() whose schema enforces `timeout` (limits.extensions() reads it when called)."""
    import service.app

    monkeypatch.setattr(settings, "REQUEST_TIMEOUT", timeout)
    monkeypatch.setattr(
        built_schema,
        "extensions",
        [lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256), *limits.extensions()],
    )
    return service.app.create_app(db_url)


@pytest.fixture
async def warm() -> None:
    """The parser's worker processes started, so that their start-up is no part of a time limit."""
    await parsepool.parse(SourceRecord("<warm-up>", ArticleInput(text=article(0))))


async def client(db_url: str, monkeypatch: pytest.MonkeyPatch, timeout: float) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setattr(settings, "API_TOKEN", TOKEN)
    transport = httpx.ASGITransport(app=timed_app(db_url, monkeypatch, timeout))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def hasty(db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose time limit is 0.1 s, parsing on the event loop: no await comes
    between the start of a mutation and its first statement."""
    monkeypatch.setattr(settings, "PARSE_WORKERS", 0)
    async for http in client(db, monkeypatch, 0.1):
        yield http


async def post(http: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    # A task per request, as a server runs them: a context variable one request sets stays in it.
    response = await asyncio.create_task(
        http.post(
            "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
    )
    body: dict[str, Any] = response.json()
    return body


def slow(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, seconds: float) -> None:
    """`owner.name` (a coroutine function) waits `seconds` before doing its work."""
    original = getattr(owner, name)

    async def delayed(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(seconds)
        return await original(*args, **kwargs)

    monkeypatch.setattr(owner, name, delayed)


def slow_writes(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Every article's rows are written, then its transaction waits `seconds` before it commits."""
    original = ArticleWriter._write_contents

    async def delayed(self: ArticleWriter, *args: Any) -> None:
        await original(self, *args)
        await asyncio.sleep(seconds)

    monkeypatch.setattr(ArticleWriter, "_write_contents", delayed)


async def assert_whole(http: httpx.AsyncClient, db_url: str) -> None:
    """The worker answers, reads and writes, and holds no transaction open."""
    async with asyncio.timeout(10):  # a wedged worker fails here instead of hanging the suite
        assert (await http.get("/healthz")).status_code == 200
        assert await models.Quote.all().count() >= 0
        if db_url.startswith("postgres"):
            rows = await connections.get("default").execute_query_dict(
                "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%'"
            )
            assert rows[0]["n"] == 0


@pytest.mark.parametrize("where", ["BEGIN", "writes"])
async def test_timed_out_imports_roll_back_and_leave_the_worker_whole(
    hasty: httpx.AsyncClient, db: str, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    if where == "BEGIN":
        # The time limit fires while BEGIN is under way: tortoise's in_transaction() holds the
        # SQLite lock, or a pooled connection, and would never give it back.
        for wrapper in (SqliteTransactionWrapper, TransactionWrapper):
            slow(monkeypatch, wrapper, "begin", 0.25)
    else:
        slow_writes(monkeypatch, 60)
    for n in range(REQUESTS):
        body = await post(hasty, IMPORT, {"text": article(n)})
        assert body["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT", body
    monkeypatch.undo()  # back to full speed, and to the suite's own settings
    await assert_whole(hasty, db)
    assert await models.Article.all().count() == 0
    assert await models.Speaker.all().count() == 0
    assert (await import_text(article(99))).status == "imported"


async def test_timed_out_correction_changes_nothing(
    hasty: httpx.AsyncClient, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = await import_text(article(1))
    slow(monkeypatch, corrections, "add_quote_counts", 60)
    for _ in range(REQUESTS):
        body = await post(hasty, DELETE, {"id": _global_id("Article", stored.article_id)})
        assert body["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT", body
    await assert_whole(hasty, db)
    assert await models.Article.filter(id=stored.article_id).count() == 1
    assert await models.Quote.filter(article_id=stored.article_id).count() == 2


def _global_id(type_name: str, pk: int | None) -> str:
    from strawberry.relay import to_base64

    return to_base64(type_name, pk)


async def test_batch_at_its_time_limit_reports_what_was_stored(
    db: str, warm: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = ArticleWriter._write_contents

    async def stuck_on_the_third(self: ArticleWriter, *args: Any) -> None:
        await original(self, *args)
        if self.parsed.title == "Story 2":
            await asyncio.sleep(60)

    monkeypatch.setattr(ArticleWriter, "_write_contents", stuck_on_the_third)
    records = [{"text": article(n)} for n in range(5)]
    async for http in client(db, monkeypatch, 2.0):
        body = await post(http, IMPORT_MANY, {"input": records})
        assert "errors" not in body, body
        results = body["data"]["importArticles"]["results"]
        assert [(r["index"], r["status"]) for r in results] == [
            (0, "IMPORTED"),
            (1, "IMPORTED"),
            (2, "TIMED_OUT"),
            (3, "TIMED_OUT"),
            (4, "TIMED_OUT"),
        ]
        assert [r["article"]["title"] for r in results[:2]] == ["Story 0", "Story 1"]
        assert all(r["code"] == "REQUEST_TIMEOUT" and r["article"] is None for r in results[2:])
        assert "rolled back" in results[2]["error"] and "not begun" in results[3]["error"]
        assert "QUOTEGRAPH_REQUEST_TIMEOUT" in results[4]["error"]
        await assert_whole(http, db)
    assert sorted(await models.Article.all().values_list("title", flat=True)) == ["Story 0", "Story 1"]
