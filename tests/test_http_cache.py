"""HTTP caching of GET queries (Cache-Control, ETag, 304), Vary, and CORS for browser clients."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from service import settings
from service.cache import ResponseCache, _matches
from service.importer import import_text

COUNT = "{ articles { totalCount } }"
ORIGIN = "https://app.example"
CLIENT_HEADERS = (
    "content-type, authorization, apollographql-client-name, apollographql-client-version, "
    "apollo-require-preflight, if-none-match"
)


def _client(db: str) -> httpx.AsyncClient:
    from service.app import create_app

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(db)), base_url="http://testserver")


def vary(response: httpx.Response) -> list[str]:
    return [token.strip().lower() for token in response.headers.get("vary", "").split(",")]


async def test_get_query_is_public_with_an_etag_and_vary(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": COUNT})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=0"
    assert response.headers["etag"].startswith('"')
    assert vary(response) == ["accept", "origin", "authorization"]


async def test_max_age_and_stale_while_revalidate_come_from_settings(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "HTTP_MAX_AGE", 60)
    monkeypatch.setattr(settings, "HTTP_STALE_WHILE_REVALIDATE", 30)
    async with _client(db) as http:
        response = await http.get("/graphql", params={"query": COUNT})
    assert response.headers["cache-control"] == "public, max-age=60, stale-while-revalidate=30"


@pytest.mark.parametrize("form", ["{tag}", "W/{tag}", '"other", {tag}', "*"])
async def test_matching_if_none_match_is_304_without_a_body(client: httpx.AsyncClient, form: str) -> None:
    first = await client.get("/graphql", params={"query": COUNT})
    tag = first.headers["etag"]
    again = await client.get("/graphql", params={"query": COUNT}, headers={"If-None-Match": form.format(tag=tag)})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert again.headers["cache-control"] == "public, max-age=0"
    assert vary(again) == ["accept", "origin", "authorization"]
    assert "content-type" not in again.headers


async def test_revalidation_of_a_cached_answer_runs_nothing(client: httpx.AsyncClient) -> None:
    cache = next(r.app for r in client._transport.app.routes if isinstance(getattr(r, "app", None), ResponseCache))  # type: ignore[attr-defined]
    tag = (await client.get("/graphql", params={"query": COUNT})).headers["etag"]
    again = await client.get("/graphql", params={"query": COUNT}, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert (cache.hits, cache.misses) == (1, 1)


async def test_etag_changes_after_a_write_and_the_old_one_gets_the_new_answer(client: httpx.AsyncClient) -> None:
    tag = (await client.get("/graphql", params={"query": COUNT})).headers["etag"]
    await import_text("One\n“Hello,” said Mayor Ana Lund.\n")
    fresh = await client.get("/graphql", params={"query": COUNT}, headers={"If-None-Match": tag})
    assert fresh.status_code == 200
    assert fresh.json() == {"data": {"articles": {"totalCount": 1}}}
    assert fresh.headers["etag"] != tag


async def test_etag_differs_by_media_type(client: httpx.AsyncClient) -> None:
    json_tag = (await client.get("/graphql", params={"query": COUNT})).headers["etag"]
    other = await client.get(
        "/graphql", params={"query": COUNT}, headers={"Accept": "application/graphql-response+json"}
    )
    assert other.headers["etag"] != json_tag


async def test_post_queries_and_mutations_are_no_store_without_etag(client: httpx.AsyncClient) -> None:
    query = await client.post("/graphql", json={"query": COUNT})
    mutation = await client.post("/graphql", json={"query": 'mutation { importArticle(text: "x") { __typename } }'})
    for response in (query, mutation):
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers
        assert vary(response) == ["accept", "origin", "authorization"]


async def test_authorized_get_is_private_no_store_and_never_304(client: httpx.AsyncClient) -> None:
    tag = (await client.get("/graphql", params={"query": COUNT})).headers["etag"]
    headers = {"Authorization": "Bearer secret", "If-None-Match": tag}
    for _ in range(2):  # the second time from the response cache: still its own headers
        response = await client.get("/graphql", params={"query": COUNT}, headers=headers)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "private, no-store"
        assert "etag" not in response.headers
    anonymous = await client.get("/graphql", params={"query": COUNT})
    assert anonymous.headers["cache-control"] == "public, max-age=0"


@pytest.mark.parametrize(
    "params",
    [
        {"query": "{ nope }"},  # a request error
        {"query": "{ articles(first: 1000) { totalCount } }"},  # a field error
        {"query": 'mutation { importArticle(text: "x") { __typename } }'},  # 405
    ],
)
async def test_get_errors_are_no_store_without_etag(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    response = await client.get("/graphql", params=params)
    assert "errors" in response.json()
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


async def test_persisted_get_hit_is_cacheable_and_its_miss_is_not(client: httpx.AsyncClient) -> None:
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(COUNT.encode()).hexdigest()}}
    params = {"extensions": json.dumps(extensions)}
    miss = await client.get("/graphql", params=params)
    assert miss.headers["cache-control"] == "private, no-cache, must-revalidate"
    assert "etag" not in miss.headers
    await client.post("/graphql", json={"query": COUNT, "extensions": extensions})
    for _ in range(2):  # run, then from the response cache
        hit = await client.get("/graphql", params=params)
        assert hit.json() == {"data": {"articles": {"totalCount": 0}}}
        assert hit.headers["cache-control"] == "public, max-age=0"
    again = await client.get("/graphql", params=params, headers={"If-None-Match": hit.headers["etag"]})
    assert again.status_code == 304


def test_if_none_match_uses_weak_comparison() -> None:
    assert _matches('W/"a"', '"a"') and _matches('"a"', 'W/"a"') and _matches(' "b" , "a"', '"a"')
    assert _matches("*", '"a"')
    assert not _matches('"b"', '"a"') and not _matches("", '"a"')


# -- CORS ----------------------------------------------------------------------------------------


@pytest.fixture
async def cors(db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setattr(settings, "CORS_ORIGINS", [ORIGIN])
    async with _client(db) as http:
        yield http


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_preflight_allows_what_graphql_clients_send(cors: httpx.AsyncClient, method: str) -> None:
    response = await cors.options(
        "/graphql",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": CLIENT_HEADERS,
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == ORIGIN
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {h.strip() for h in CLIENT_HEADERS.split(",")} <= allowed
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}


async def test_preflight_from_another_origin_is_refused(cors: httpx.AsyncClient) -> None:
    response = await cors.options(
        "/graphql", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_cors_answers_expose_the_etag_and_vary_once_per_header(cors: httpx.AsyncClient) -> None:
    response = await cors.get("/graphql", params={"query": COUNT}, headers={"Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-expose-headers"] == "ETag"
    assert vary(response) == ["accept", "origin", "authorization"]
    revalidated = await cors.get(
        "/graphql", params={"query": COUNT}, headers={"Origin": ORIGIN, "If-None-Match": response.headers["etag"]}
    )
    assert revalidated.status_code == 304
    assert revalidated.headers["access-control-allow-origin"] == ORIGIN
