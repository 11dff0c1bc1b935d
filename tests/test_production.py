"""QUOTEGRAPH_ENV=production: masked internal errors, introspection and GraphiQL switches, CORS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from service import models, settings
from tests.test_limits import limited_app

ORIGIN = "https://reader.example"


@pytest.fixture
async def production(db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    for name, value in {
        "ENV": "production",
        "PRODUCTION": True,
        "INTROSPECTION": False,
        "GRAPHIQL": False,
        "CORS_ORIGINS": [ORIGIN],
    }.items():
        monkeypatch.setattr(settings, name, value)
    transport = httpx.ASGITransport(app=limited_app(db, monkeypatch))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_internal_errors_are_masked(production: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError('SELECT "secret" FROM "article" -- /srv/quotegraph/service/models.py')

    monkeypatch.setattr(models.Article, "all", broken)
    response = await production.post("/graphql", json={"query": "{ articles { totalCount } }"})
    body = response.json()
    assert response.status_code == 200
    [error] = body["errors"]
    assert error["message"].startswith("Internal server error")
    for leak in ("SELECT", "secret", "/srv", "models.py", "Traceback", "RuntimeError"):
        assert leak not in response.text


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        ('{ articles(after: "bogus") { totalCount } }', None, "invalid cursor"),
        ("{ articles(first: 101) { totalCount } }", None, "may be at most 100"),
        ("{ nope }", None, "Cannot query field 'nope'"),
        ("query ($id: ID!) { node(id: $id) { id } }", {"id": "garbage"}, "garbage"),
        ("query ($id: ID!) { node(id: $id) { id } }", {"id": "U3BlYWtlcjphYmM="}, "abc"),
    ],
)
async def test_user_errors_stay_clear(
    production: httpx.AsyncClient, query: str, variables: dict[str, Any] | None, message: str
) -> None:
    response = await production.post("/graphql", json={"query": query, "variables": variables})
    errors = response.json()["errors"]
    assert message in errors[0]["message"], errors


async def test_introspection_and_graphiql_are_off(production: httpx.AsyncClient) -> None:
    schema = await production.post("/graphql", json={"query": "{ __schema { types { name } } }"})
    assert "introspection" in schema.json()["errors"][0]["message"].lower()
    typename = await production.post("/graphql", json={"query": "{ __typename }"})
    assert typename.json() == {"data": {"__typename": "Query"}}
    page = await production.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in page.text.lower()
    assert page.status_code in (400, 406)


async def test_introspection_can_stay_on_in_production(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "PRODUCTION", True)
    monkeypatch.setattr(settings, "INTROSPECTION", True)
    transport = httpx.ASGITransport(app=limited_app(db, monkeypatch))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        query = "{ __schema { queryType { name } } }"
        response = await http.post("/graphql", json={"query": query})
    assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_cors_allows_only_listed_origins(production: httpx.AsyncClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    allowed = await production.options("/graphql", headers={"Origin": ORIGIN, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    evil = {"Origin": "https://evil.example"}
    refused = await production.options("/graphql", headers={**evil, **preflight})
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    simple = await production.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in simple.headers


async def test_body_over_the_limit_is_413(production: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "MAX_BODY_BYTES", 1000)
    declared = await production.post("/graphql", json={"query": "{ __typename }" + " " * 2000})

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }'
        for _ in range(10):
            yield b" " * 200
        yield b'"}'

    chunked = await production.post("/graphql", content=chunks(), headers={"Content-Type": "application/json"})
    for response in (declared, chunked):
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"
    small = await production.post("/graphql", json={"query": "{ __typename }"})
    assert small.status_code == 200
