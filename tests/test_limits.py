"""Query limits: each refusal is a coded GraphQL error with a 4xx status, sent before execution."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse
from starlette.applications import Starlette
from strawberry.extensions import ParserCache, ValidationCache

from schema import limits
from schema.build import schema as built_schema
from service import settings
from service.importer import import_text
from service.middleware import middleware
from tests.conftest import SEED_PATH

GRAPHQL_RESPONSE = "application/graphql-response+json"


def limited_app(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Starlette:
    """create_app() with the limits, as service.settings stand now, and the middleware wired in.

    strawberry binds a type's fields to one schema, so the schema's extension list is swapped.
    """
    import service.app

    monkeypatch.setattr(
        built_schema,
        "extensions",
        [
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
            *limits.extensions(),
        ],
    )
    app = service.app.create_app(db_url)
    if not app.user_middleware:
        for entry in reversed(middleware()):
            app.add_middleware(entry.cls, *entry.args, **entry.kwargs)
    return app


@pytest.fixture
async def limited(db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=limited_app(db, monkeypatch))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


DEEP = (
    "{ speakers(first: 1) { edges { node { "
    + "quotes(first: 1) { edges { node { speaker { " * 4
    + "id"
    + " } } } }" * 4
    + " } } } }"
)
ALIASES = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
TOKENS = "{ " + "__typename " * 2001 + "}"
COSTLY = """{ speakers(first: 100) { edges { node { quotes(first: 100) { edges { node {
    speaker { quotes(first: 100) { edges { cursor } } } } } } } } } }"""
REPEATED = "{ " + "articles { totalCount } " * 40 + "}"
FRAGMENT_BOMB = (
    "query { ...F0 }\n"
    + "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30))
    + "\nfragment F30 on Query { articles { totalCount } }"
)
LONG = "# " + "x" * 200_000 + "\n{ __typename }"

HOSTILE: list[tuple[str, str, str, int]] = [
    ("depth", DEEP, "QUERY_TOO_DEEP", 400),
    ("aliases", ALIASES, "TOO_MANY_ALIASES", 400),
    ("tokens", TOKENS, "TOO_MANY_TOKENS", 400),
    ("cost", COSTLY, "QUERY_TOO_COSTLY", 400),
    ("repeated", REPEATED, "QUERY_TOO_COMPLEX", 400),
    ("fragment bomb", FRAGMENT_BOMB, "QUERY_TOO_COSTLY", 400),
    ("length", LONG, "QUERY_TOO_LARGE", 413),
]


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
@pytest.mark.parametrize(("name", "query", "code", "status"), HOSTILE, ids=[h[0] for h in HOSTILE])
async def test_limit_refusal_is_a_coded_error_with_4xx(
    limited: httpx.AsyncClient, name: str, query: str, code: str, status: int, accept: str
) -> None:
    started = time.perf_counter()
    response = await limited.post("/graphql", json={"query": query}, headers={"Accept": accept})
    elapsed = time.perf_counter() - started
    body = response.json()
    assert response.status_code == status, body
    assert response.headers["content-type"].startswith(accept)
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == code, error
    assert "Traceback" not in error["message"]
    assert elapsed < 1.0, f"{name} took {elapsed:.3f} s to refuse"


async def test_depth_limit_counts_levels(limited: httpx.AsyncClient) -> None:
    response = await limited.post("/graphql", json={"query": DEEP})
    assert "exceeds maximum operation depth of 12" in response.json()["errors"][0]["message"]


async def test_queries_within_limits_run(limited: httpx.AsyncClient) -> None:
    await import_text(SEED_PATH.read_text(encoding="utf-8"))
    query = """{ speakers(first: 50) { edges { node {
        name quotes(first: 20) { totalCount edges { node { text } } } } } } }"""
    response = await limited.post("/graphql", json={"query": query})
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    assert body["data"]["speakers"]["edges"]


async def test_request_timeout_is_a_clear_503(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "REQUEST_TIMEOUT", 1e-9)
    transport = httpx.ASGITransport(app=limited_app(db, monkeypatch))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post("/graphql", json={"query": "{ articles { totalCount } }"})
    body = response.json()
    assert response.status_code == 503, body
    assert body["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"
    assert "QUOTEGRAPH_REQUEST_TIMEOUT" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        ("{ articles { totalCount } }", None, 2),
        ("{ articles(first: 5) { edges { node { id } } } }", None, 1 + 1 + 5 * 2),
        ("{ articles { edges { node { id } } } }", None, 1 + 1 + 20 * 2),
        ("query ($n: Int) { articles(first: $n) { edges { cursor } } }", {"n": 3}, 1 + 1 + 3),
        ("query ($n: Int = 7) { articles(first: $n) { edges { cursor } } }", None, 1 + 1 + 7),
        ("{ articles(last: 4) { nodes: edges { cursor } } }", None, 1 + 1 + 4),
        ("{ articles(first: 1000) { edges { cursor } } }", None, 1 + 1 + 100),
        (
            "{ articles(first: 2) { edges { node { quotes { id speaker { name } } } } } }",
            None,
            1 + 1 + 2 * (1 + 1 + 20 * (1 + 1 + 1)),
        ),
        (
            "{ ...A } fragment A on Query { articles(first: 2) { ...E } } "
            "fragment E on ArticleConnection { edges { cursor } }",
            None,
            1 + 1 + 2,
        ),
        ("{ __schema { types { fields { name } } } }", None, 1),
    ],
)
def test_query_cost(query: str, variables: dict[str, Any] | None, expected: int) -> None:
    assert limits.query_cost(built_schema._schema, parse(query), variables) == expected


def test_fragment_bomb_costs_in_linear_time() -> None:
    started = time.perf_counter()
    cost = limits.query_cost(built_schema._schema, parse(FRAGMENT_BOMB))
    assert cost == 2**30 * 2
    assert time.perf_counter() - started < 0.1


# --- a flood against a real server -------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    from tests.test_graphql_http_audit import serve

    with serve(tmp_path, seed=True, env={"QUOTEGRAPH_MAX_BODY_BYTES": "100000"}) as url:
        yield url


async def test_flood_of_hostile_requests_is_refused_fast_while_a_normal_query_answers(
    served: str,
) -> None:
    hostile = [query for _, query, _, _ in HOSTILE] + ["{ __typename }" + " " * 150_000]
    latencies: list[float] = []
    statuses: list[int] = []

    async def attack(http: httpx.AsyncClient, query: str) -> None:
        started = time.perf_counter()
        response = await http.post(f"{served}/graphql", json={"query": query})
        latencies.append(time.perf_counter() - started)
        statuses.append(response.status_code)

    normal = "{ articles(first: 1) { totalCount edges { node { title } } } }"
    limits_ = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(timeout=60, limits=limits_) as http:
        flood = [asyncio.create_task(attack(http, hostile[i % len(hostile)])) for i in range(150)]
        await asyncio.sleep(0.2)
        started = time.perf_counter()
        response = await http.post(f"{served}/graphql", json={"query": normal})
        normal_latency = time.perf_counter() - started
        await asyncio.gather(*flood)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    assert body["data"]["articles"]["totalCount"] == 1
    assert all(400 <= s < 500 for s in statuses), sorted(set(statuses))
    median = statistics.median(latencies)
    print(
        f"\nflood: {len(latencies)} hostile requests, 50 at a time; refusal latency median "
        f"{median * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
        f"normal query answered in {normal_latency * 1000:.0f} ms"
    )
    assert normal_latency < 10


@pytest.mark.parametrize(
    ("subscription", "code"),
    [
        ("subscription { " + " ".join(f"a{i}: quoteAdded {{ text }}" for i in range(31)) + " }", "TOO_MANY_ALIASES"),
        ("# " + "x" * 200_000 + "\nsubscription { quoteAdded { text } }", "QUERY_TOO_LARGE"),
    ],
)
async def test_subscription_refusals_reach_the_client_as_errors(
    monkeypatch: pytest.MonkeyPatch, subscription: str, code: str
) -> None:
    extensions = [lambda: ParserCache(maxsize=256), *limits.extensions()]
    monkeypatch.setattr(built_schema, "extensions", extensions)
    stream = await built_schema.subscribe(subscription)
    first = await stream.__anext__()  # type: ignore[union-attr]
    await stream.aclose()  # type: ignore[union-attr]
    assert [e.extensions for e in first.errors or []] == [{"code": code}]
