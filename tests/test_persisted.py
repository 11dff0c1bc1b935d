"""Automatic persisted queries as Apollo Client's link speaks them, and the production allow-list."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from service import settings
from service.persisted import _LRU, read_documents, register
from tests.conftest import ROOT
from tests.live import environment, run_cli, serve

QUERY = "query Count { articles { totalCount } }"
OTHER = "{ speakers { totalCount } }"
WITH_VARIABLES = "query Page($n: Int) { articles(first: $n) { edges { node { id } } } }"
NOT_FOUND = {"errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]}
UNCACHED = "private, no-cache, must-revalidate"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(text: str, version: object = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha(text)}}


def get_params(text: str, variables: dict[str, Any] | None = None, name: str | None = None) -> dict[str, str]:
    """What Apollo's HttpLink puts in the URL with useGETForHashedQueries: JSON in each parameter."""
    params = {"extensions": json.dumps(persisted(text))}
    if variables is not None:
        params["variables"] = json.dumps(variables)
    if name is not None:
        params["operationName"] = name
    return params


async def test_apq_over_post_misses_then_the_retry_registers_then_the_hash_alone_runs(
    client: httpx.AsyncClient,
) -> None:
    miss = await client.post("/graphql", json={"operationName": "Count", "extensions": persisted(QUERY)})
    assert miss.status_code == 200
    assert miss.json() == NOT_FOUND
    assert miss.headers["cache-control"] == UNCACHED

    retry = await client.post("/graphql", json={"query": QUERY, "extensions": persisted(QUERY)})
    assert retry.status_code == 200
    assert retry.json() == {"data": {"articles": {"totalCount": 0}}}

    hit = await client.post("/graphql", json={"operationName": "Count", "extensions": persisted(QUERY)})
    assert hit.json() == {"data": {"articles": {"totalCount": 0}}}


async def test_apq_over_get_takes_extensions_variables_and_operation_name_from_the_url(
    client: httpx.AsyncClient,
) -> None:
    params = get_params(WITH_VARIABLES, {"n": 2}, "Page")
    miss = await client.get("/graphql", params=params)
    assert (miss.status_code, miss.json()) == (200, NOT_FOUND)
    # Apollo's link retries with the text in a POST, the hash beside it.
    retry = await client.post(
        "/graphql",
        json={
            "query": WITH_VARIABLES,
            "variables": {"n": 2},
            "operationName": "Page",
            "extensions": persisted(WITH_VARIABLES),
        },
    )
    assert retry.json() == {"data": {"articles": {"edges": []}}}
    hit = await client.get("/graphql", params=params)
    assert (hit.status_code, hit.json()) == (200, {"data": {"articles": {"edges": []}}})


async def test_apq_miss_is_200_even_for_graphql_response_json(client: httpx.AsyncClient) -> None:
    miss = await client.get(
        "/graphql",
        params=get_params(QUERY),
        headers={"Accept": "application/graphql-response+json,application/json;q=0.9"},
    )
    assert miss.status_code == 200  # as Apollo Server answers: the client's link retries on it
    assert miss.json() == NOT_FOUND


async def test_apq_hash_mismatch_is_refused_and_not_stored(client: httpx.AsyncClient) -> None:
    wrong = await client.post("/graphql", json={"query": OTHER, "extensions": persisted(QUERY)})
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == [
        {"message": "provided sha does not match query", "extensions": {"code": "PERSISTED_QUERY_HASH_MISMATCH"}}
    ]
    still_missing = await client.post("/graphql", json={"extensions": persisted(QUERY)})
    assert still_missing.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("extensions", "code"),
    [
        (persisted(QUERY, version=2), "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"),
        (persisted(QUERY, version=True), "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"),
        ({"persistedQuery": "abc"}, "BAD_REQUEST"),
        ({"persistedQuery": {"version": 1, "sha256Hash": 12}}, "BAD_REQUEST"),
    ],
)
async def test_apq_malformed_extension_is_a_coded_400(
    client: httpx.AsyncClient, extensions: dict[str, Any], code: str
) -> None:
    response = await client.post("/graphql", json={"query": QUERY, "extensions": extensions})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code


async def test_apq_off_answers_not_supported_so_clients_send_text(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "PERSISTED_QUERIES", 0)
    async with _client(db) as http:
        response = await http.post("/graphql", json={"extensions": persisted(QUERY)})
        assert response.status_code == 200
        assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"
        assert response.json()["errors"][0]["message"] == "PersistedQueryNotSupported"
        plain = await http.post("/graphql", json={"query": QUERY})
        assert plain.json() == {"data": {"articles": {"totalCount": 0}}}


def test_apq_store_is_bounded_least_recently_used_first() -> None:
    store = _LRU(max_entries=2, max_chars=1000)
    store.put("a", "{ a }")
    store.put("b", "{ b }")
    assert store.get("a") == "{ a }"  # now b is the least recently used
    store.put("c", "{ c }")
    assert (store.get("a"), store.get("b"), store.get("c")) == ("{ a }", None, "{ c }")
    store.put("huge", "x" * 500)  # over a tenth of the budget: never stored
    assert store.get("huge") is None


# -- the allow-list ------------------------------------------------------------------------------


def _client(db: str) -> httpx.AsyncClient:
    from service.app import create_app

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(db)), base_url="http://testserver")


@pytest.fixture
async def only(db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A server with QUOTEGRAPH_PERSISTED_ONLY on, QUERY registered from a .graphql file."""
    monkeypatch.setattr(settings, "PERSISTED_ONLY", True)
    path = tmp_path / "count.graphql"
    path.write_text(QUERY, encoding="utf-8")
    await register(read_documents(path))
    async with _client(db) as http:
        yield http


async def test_allow_list_runs_a_registered_document_by_hash_or_text(only: httpx.AsyncClient) -> None:
    expected = {"data": {"articles": {"totalCount": 0}}}
    assert (await only.post("/graphql", json={"extensions": persisted(QUERY)})).json() == expected
    assert (await only.get("/graphql", params=get_params(QUERY))).json() == expected
    assert (await only.post("/graphql", json={"query": QUERY})).json() == expected
    both = await only.post("/graphql", json={"query": QUERY, "extensions": persisted(QUERY)})
    assert both.json() == expected


async def test_allow_list_refuses_unregistered_text(only: httpx.AsyncClient) -> None:
    response = await only.post("/graphql", json={"query": OTHER})
    assert response.status_code == 403
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
    assert "quotegraph persist" in error["message"] and "QUOTEGRAPH_PERSISTED_ONLY" in error["message"]


async def test_allow_list_refuses_unknown_hashes_and_apq_cannot_register(only: httpx.AsyncClient) -> None:
    for _ in range(2):  # an APQ client's miss then retry: the retry registers nothing
        response = await only.post("/graphql", json={"query": OTHER, "extensions": persisted(OTHER)})
        assert response.status_code == 404
        assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_REGISTERED"
    by_hash = await only.get("/graphql", params=get_params(OTHER))
    assert by_hash.status_code == 404
    [error] = by_hash.json()["errors"]
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_REGISTERED"
    assert "quotegraph persist" in error["message"]


async def test_allow_list_runs_the_readme_examples_once_persisted(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "PERSISTED_ONLY", True)
    registrations = read_documents(ROOT / "README.md")
    await register(registrations)
    texts = {r.origin: r.text.strip() for r in registrations}
    assert len(texts) >= 5
    async with _client(db) as http:
        for origin, text in texts.items():
            for body in ({"query": text}, {"extensions": persisted(text)}):
                response = await http.post("/graphql", json=body)
                assert response.status_code == 200, (origin, response.text)
                assert "errors" not in response.json(), (origin, response.json())


def test_manifests_of_apollo_and_relay_register_under_their_ids(tmp_path: Path) -> None:
    apollo = tmp_path / "persisted-query-manifest.json"
    apollo.write_bytes(
        orjson.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": sha(QUERY), "body": QUERY, "name": "Count", "type": "query"}],
            }
        )
    )
    relay = tmp_path / "persisted_queries.json"
    relay.write_bytes(orjson.dumps({"5d41402abc4b2a76b9719d911017c592": OTHER}))
    apollo_keys = {r.key: r for r in read_documents(apollo)}
    assert apollo_keys[sha(QUERY)].text == QUERY and apollo_keys[sha(QUERY)].name == "Count"
    relay_keys = {r.key: r.text for r in read_documents(relay)}
    assert relay_keys["5d41402abc4b2a76b9719d911017c592"] == OTHER
    assert relay_keys[sha(OTHER)] == OTHER


def test_a_document_that_does_not_parse_is_refused_by_name(tmp_path: Path) -> None:
    broken = tmp_path / "broken.graphql"
    broken.write_text("{ articles { ", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.graphql"):
        read_documents(broken)


def test_persist_command_registers_files_for_the_served_allow_list(tmp_path: Path) -> None:
    queries = tmp_path / "queries"
    queries.mkdir()
    (queries / "count.graphql").write_text(QUERY, encoding="utf-8")
    env = environment(DATABASE_URL=f"sqlite://{tmp_path}/persist.sqlite3")
    first = run_cli("persist", str(queries), str(ROOT / "README.md"), "--json", env=env)
    assert first.returncode == 0, first.stderr
    assert orjson.loads(first.stdout)[sha(QUERY)] == QUERY
    again = run_cli("persist", str(queries), env=env)
    assert again.returncode == 0 and "registered 0 new" in again.stderr
    (queries / "broken.graphql").write_text("{ nope", encoding="utf-8")
    broken = run_cli("persist", str(queries), env=env)
    assert broken.returncode == 1 and "broken.graphql" in broken.stderr


def test_allow_list_refuses_unregistered_subscriptions_over_websockets(tmp_path: Path) -> None:
    import asyncio

    from websockets.asyncio.client import connect

    env = environment(DATABASE_URL=f"sqlite://{tmp_path}/ws.sqlite3", QUOTEGRAPH_PERSISTED_ONLY="1")
    registered = tmp_path / "live.graphql"
    registered.write_text("subscription { quoteAdded { text } }", encoding="utf-8")
    assert run_cli("persist", str(registered), env=env).returncode == 0

    async def exchange(url: str) -> list[dict[str, Any]]:
        async with connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
            await socket.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
            query = "subscription { quoteAdded { speaker { name } } }"
            await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
            refused = json.loads(await asyncio.wait_for(socket.recv(), 10))
            await socket.send(json.dumps({"type": "ping"}))  # the connection goes on serving
            return [refused, json.loads(await asyncio.wait_for(socket.recv(), 10))]

    with serve(env, tmp_path / "serve.log") as base:
        refused, pong = asyncio.run(exchange(base.replace("http", "ws") + "/graphql"))
    assert refused["type"] == "error" and refused["id"] == "1"
    assert refused["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
    assert pong["type"] == "pong"
