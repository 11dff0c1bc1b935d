"""The response cache answers repeated queries and forgets them at any write, from any process."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from service.cache import ResponseCache
from service.importer import import_text
from tests.conftest import BACKENDS, ROOT, graphql
from tests.live import environment, postgres_database, run_cli, serve

COUNT = "{ articles { totalCount } }"


def _cache(client: httpx.AsyncClient) -> ResponseCache:
    app = client._transport.app  # type: ignore[attr-defined]
    route = next(r for r in app.routes if getattr(r, "path", None) == "/graphql" and hasattr(r, "methods"))
    cache = route.app
    assert isinstance(cache, ResponseCache)
    return cache


async def test_repeated_query_is_a_hit_until_a_write(client: httpx.AsyncClient) -> None:
    cache = _cache(client)
    assert (await graphql(client, COUNT))["articles"]["totalCount"] == 0
    assert (await graphql(client, COUNT))["articles"]["totalCount"] == 0
    assert (cache.hits, cache.misses) == (1, 1)

    await import_text("One\n“Hello,” said Mayor Ana Lund.\n")
    assert (await graphql(client, COUNT))["articles"]["totalCount"] == 1
    assert (cache.hits, cache.misses) == (1, 2)


async def test_errors_and_mutations_are_never_cached(client: httpx.AsyncClient) -> None:
    cache = _cache(client)
    for _ in range(2):
        body = (await client.post("/graphql", json={"query": "{ articles(first: 1000) { totalCount } }"})).json()
        assert "errors" in body
    mutation = 'mutation { importArticle(text: "x") { __typename } }'
    for _ in range(2):
        await client.post("/graphql", json={"query": mutation})
    assert cache.hits == 0 and len(cache.entries) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_write_by_another_process_invalidates_the_servers_cache(backend: str, tmp_path: Path) -> None:
    database = postgres_database() if backend == "postgres" else None
    url = database.__enter__() if database else f"sqlite://{tmp_path}/cache.sqlite3"
    try:
        env = environment(DATABASE_URL=url)
        assert run_cli("import", str(ROOT / "seeds"), env=env).returncode == 0
        with serve(env, tmp_path / "serve.log") as base:

            def count() -> int:
                total: int = httpx.post(f"{base}/graphql", json={"query": COUNT}, timeout=10).json()["data"][
                    "articles"
                ]["totalCount"]
                return total

            assert count() == count() == 1  # the second answer comes from the cache
            article = tmp_path / "other.txt"
            article.write_text("Another story\n“Hello,” said Mayor Ana Lund.\n", encoding="utf-8")
            assert run_cli("import", str(article), env=env).returncode == 0
            deadline = time.monotonic() + 5
            while count() != 2:
                assert time.monotonic() < deadline, "the cache kept a stale answer"
                time.sleep(0.05)
    finally:
        if database:
            database.__exit__(None, None, None)


async def test_concurrent_identical_misses_run_the_query_once(client: httpx.AsyncClient) -> None:
    import asyncio

    cache = _cache(client)
    await import_text("One\n“Hello,” said Mayor Ana Lund.\n")
    query = "{ articles { edges { node { title quotes { text speaker { name } } } } } }"
    answers = await asyncio.gather(*(graphql(client, query) for _ in range(10)))
    assert all(a == answers[0] for a in answers)
    assert (cache.misses, cache.hits) == (1, 9)
