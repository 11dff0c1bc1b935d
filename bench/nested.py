"""Nested connections at depth: a page of one speaker's quotes and articles, a country's and an
agreement's articles, forwards from the top, backwards from the end (`last` alone) and both ways
from a cursor half way down, at a small and a large number of children. In-process (the app over
httpx, no HTTP server), through the compiled plans, response cache off: the figures are the
query's own. Keyset pages over the (parent, child id) indexes should cost the same at any depth.

    .venv/bin/python bench/nested.py [--sizes 1000,100000] [--database sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# bench/http.py would shadow the standard library's http: the repository root instead.
_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
sys.path.insert(0, str(_ROOT))

import httpx  # noqa: E402
from tortoise.backends.base.executor import EXECUTOR_CACHE  # noqa: E402
from tortoise.context import TortoiseContext  # noqa: E402

from bench import common  # noqa: E402
from bench.common import database_url, machine_note, postgres_available, table, workdir  # noqa: E402
from schema.pagination import ID_ORDER, encode_cursor, list_scope  # noqa: E402
from service import models, settings  # noqa: E402
from service.db import prepare_schema, tortoise_config  # noqa: E402
from service.parsing.records import QuoteKind, SpeakerKind  # noqa: E402

REPEATS = 200
BATCH = 5_000
QUOTES = """quotes(first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { text } } }"""
ARTICLES = """articles(first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { title } } }"""
SPEAKER = """query ($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  node(id: $id) { ... on Speaker { %s } } }"""
PAGE = SPEAKER % (QUOTES + ARTICLES)
QUOTE_PAGE = SPEAKER % QUOTES  # a quotes cursor is not the articles' one
BY_COUNTRY = """query ($id: ID!, $first: Int, $last: Int) { node(id: $id) { ... on Country {
  articles(first: $first, last: $last) { totalCount edges { node { title } } } } } }"""


async def _build(size: int) -> tuple[int, int]:
    """One speaker quoted once in each of `size` articles, each mentioning one country."""
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    country = await models.Country.create(name="Kenya", alpha2="KE", alpha3="KEN")
    speaker = await models.Speaker.create(
        key="person:bench", name="Bench Speaker", kind=SpeakerKind.PERSON, quote_count=size, country=country
    )
    for start in range(0, size, BATCH):
        numbers = range(start, min(size, start + BATCH))
        await models.Article.bulk_create(
            [
                models.Article(
                    title=f"Article {n}", text=f"Article {n}", identity=f"hash:{n}", content_hash="0" * 64, date=moment
                )
                for n in numbers
            ]
        )
    articles = await models.Article.all().order_by("id").values_list("id", flat=True)
    for start in range(0, size, BATCH):
        chunk = articles[start : start + BATCH]
        await models.Quote.bulk_create(
            [
                models.Quote(
                    article_id=a,
                    position=0,
                    text=f"Words {a}",
                    kind=QuoteKind.DIRECT,
                    start=0,
                    end=1,
                    speaker=speaker,
                    date=moment,
                )
                for a in chunk
            ]
        )
        await models.ArticleSpeaker.bulk_create([models.ArticleSpeaker(article_id=a, speaker=speaker) for a in chunk])
        await models.ArticleCountry.bulk_create([models.ArticleCountry(article_id=a, country=country) for a in chunk])
    return speaker.id, country.id


def _gid(kind: str, row_id: int) -> str:
    return base64.b64encode(f"{kind}:{row_id}".encode()).decode()


async def _median_ms(http: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = await http.post("/graphql", json={"query": query, "variables": variables})
        times.append(time.perf_counter() - started)
        body = response.json()
        assert "errors" not in body, body
    return statistics.median(times) * 1000


async def _measure(url: str, size: int) -> list[Any]:
    settings.RESPONSE_CACHE_ENTRIES = 0
    from service.app import create_app

    EXECUTOR_CACHE.clear()
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url), _enable_global_fallback=True)
        await prepare_schema()
        speaker_id, country_id = await _build(size)
        speaker, country = _gid("Speaker", speaker_id), _gid("Country", country_id)
        transport = httpx.ASGITransport(app=create_app(url))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            # A cursor half way down the speaker's quotes, as paging there would have given it.
            quotes = await models.Quote.filter(speaker_id=speaker_id).order_by("id").values_list("id", flat=True)
            middle = quotes[size // 2]
            cursor = encode_cursor(ID_ORDER, middle, middle, list_scope("Speaker", speaker_id, "quotes"))
            cases = {
                "first 20": (PAGE, {"id": speaker, "first": 20}),
                "last 20": (PAGE, {"id": speaker, "last": 20}),
                "quotes after the middle": (QUOTE_PAGE, {"id": speaker, "first": 20, "after": cursor}),
                "quotes before the middle": (QUOTE_PAGE, {"id": speaker, "last": 20, "before": cursor}),
                "country articles, first 20": (BY_COUNTRY, {"id": country, "first": 20}),
                "country articles, last 20": (BY_COUNTRY, {"id": country, "last": 20}),
            }
            rows = []
            for name, (query, variables) in cases.items():
                rows.append([size, name, f"{await _median_ms(http, query, variables):.2f}"])
            return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    if "postgres" in kinds and not postgres_available():
        kinds.remove("postgres")
    rows: list[Any] = []
    with workdir() as work:
        for kind in kinds:
            for size in (int(s) for s in args.sizes.split(",")):
                with database_url(kind, work, f"nested{size}") as url:
                    rows += [[kind, *row] for row in asyncio.run(_measure(url, size))]
    print(table(["database", "children", "page", "median ms"], rows))
    print(machine_note())
    return 0


if __name__ == "__main__":
    common.run_recorded("nested", "Nested connection pages at 1k and 100k children (bench/nested.py)", main)
