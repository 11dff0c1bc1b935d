"""Fuzzed inputs get a clear GraphQL error: never a 500, never an internal exception's text."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.importer import import_text
from tests.conftest import SEED_PATH
from tests.test_limits import limited_app

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# What an exception's own text looks like when it leaks: Python's wording, not ours.
INTERNAL = re.compile(
    r"Traceback|invalid literal|object has no attribute|NoneType|not subscriptable|"
    r"unexpected keyword|KeyError|IndexError|codec can't|Internal server error|"
    r"default_connection|OperationalError|IntegrityError|SELECT |sqlite|asyncpg",
    re.IGNORECASE,
)
PAGE = """query ($first: Int, $after: String) {
    articles(first: $first, after: $after) { totalCount } }"""
SPEAKER_QUOTES = """query ($first: Int, $after: String) { speakers(first: 1) { edges { node {
    quotes(first: $first, after: $after) { totalCount } } } } }"""
NODE = "query ($id: ID!) { node(id: $id) { id } }"
TYPES = ["Article", "Quote", "Speaker", "Country", "Agreement", "Nope", ""]


@pytest.fixture
async def api(db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    await import_text(SEED_PATH.read_text(encoding="utf-8"))
    transport = httpx.ASGITransport(app=limited_app(db, monkeypatch))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def assert_clear(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code < 500, response.text
    body: dict[str, Any] = response.json()
    for error in body.get("errors", []):
        assert isinstance(error["message"], str) and error["message"]
        assert not INTERNAL.search(error["message"]), error
    return body


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()


cursors = st.one_of(
    st.text(max_size=60),
    st.text(max_size=40).map(b64),
    st.builds(lambda v: b64(f'["ID_ASC", {v}, {v}]'), st.integers() | st.floats(allow_nan=False)),
    st.binary(max_size=40).map(lambda b: base64.urlsafe_b64encode(b).decode()),
)
firsts = st.one_of(st.none(), st.integers(min_value=-(2**31), max_value=2**31 - 1))


@FUZZ
@given(first=firsts, after=st.none() | cursors)
async def test_paging_arguments(api: httpx.AsyncClient, first: int | None, after: str | None) -> None:
    for query in (PAGE, SPEAKER_QUOTES):
        variables = {"first": first, "after": after}
        assert_clear(await api.post("/graphql", json={"query": query, "variables": variables}))


global_ids = st.one_of(
    st.text(max_size=60),
    st.builds(lambda t, i: b64(f"{t}:{i}"), st.sampled_from(TYPES), st.text(max_size=30)),
    st.builds(lambda t, i: b64(f"{t}:{i}"), st.sampled_from(TYPES), st.integers()),
)


@FUZZ
@given(global_id=global_ids)
async def test_node_global_ids(api: httpx.AsyncClient, global_id: str) -> None:
    response = await api.post("/graphql", json={"query": NODE, "variables": {"id": global_id}})
    body = assert_clear(response)
    if "errors" not in body:
        assert body["data"]["node"] is None or body["data"]["node"]["id"] == global_id


@FUZZ
@given(query=st.text(max_size=300))
async def test_arbitrary_query_strings(api: httpx.AsyncClient, query: str) -> None:
    response = await api.post("/graphql", json={"query": query})
    body = assert_clear(response)
    assert response.status_code in (200, 400)
    assert "data" in body or body["errors"]


graphql_ish = st.lists(
    st.sampled_from(
        [
            "{",
            "}",
            "(",
            ")",
            "...",
            "on",
            "Query",
            "articles",
            "first:",
            "1",
            "$x",
            "fragment",
            "F",
            "edges",
            "node",
            "id",
            "query",
            "mutation",
            "subscription",
            "quoteAdded",
            "a:",
            "__typename",
            "__schema",
            '"s"',
            "@skip",
        ]
    ),
    max_size=60,
).map(" ".join)


@FUZZ
@given(query=graphql_ish)
async def test_graphql_shaped_query_strings(api: httpx.AsyncClient, query: str) -> None:
    assert_clear(await api.post("/graphql", json={"query": query}))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)


@FUZZ
@given(
    body=st.dictionaries(st.sampled_from(["query", "variables", "operationName", "extensions", "other"]), json_values)
    | json_values,
    get=st.booleans(),
)
async def test_arbitrary_request_shapes(api: httpx.AsyncClient, body: Any, get: bool) -> None:
    if get and isinstance(body, dict):
        params = {k: v if isinstance(v, str) else repr(v) for k, v in body.items()}
        response = await api.get("/graphql", params=params, headers={"Accept": "application/json"})
    else:
        response = await api.post("/graphql", json=body)
    assert_clear(response)
