"""The whole HTTP surface, fuzzed from the schema itself, in production mode, on every backend.

hypothesis-graphql writes queries and mutations from `schema/schema.graphql`: valid ones (every
argument of every field, hostile literals included) and near-valid ones (one schema violation
each). Separately, every argument of every root field is passed as a variable holding hostile JSON.
Whatever comes in, the answer is a GraphQL response with a clear message: never a 5xx, never the
masked "Internal server error" (which production shows for an unhandled exception), never a
traceback in the log.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import AsyncIterator
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries

from schema.build import SDL_PATH
from service import settings as app_settings
from service.importer import import_text
from tests.conftest import SEED_PATH
from tests.test_limits import limited_app

TOKEN = "fuzz-token"
FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
SCHEMA = graphql.build_schema(SDL_PATH.read_text(encoding="utf-8"))
MASKED = "Internal server error"

# Values at the edges of what each kind of input may hold.
EDGE_TEXT = st.sampled_from(
    [
        "",
        "\x00",
        "a\x00b",
        "\ud800",
        "é" * 300,
        " " * 50,
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "0000-00-00",
        "QXJ0aWNsZTo5OTk5OTk5OTk5OTk5OTk5OTk5OTk=",  # Article:99999999999999999999
        "U3BlYWtlcjoyMTQ3NDgzNjQ4",  # Speaker:2147483648
        "UXVvdGU6LTE=",  # Quote:-1
        "WyJJRF9BU0MiLCA5OTk5OTk5OTk5OTk5LCA5OTk5OTk5OTk5OTk5XQ==",
        "Narnia",
        "US",
    ]
)
EDGE_INT = st.sampled_from([0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**53, 10**30])
HOSTILE_JSON = st.recursive(
    st.none() | st.booleans() | EDGE_INT | st.integers() | st.floats() | EDGE_TEXT | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=8,
)


def _string_node(values: st.SearchStrategy[str]) -> st.SearchStrategy[graphql.ValueNode]:
    return values.map(lambda value: graphql.StringValueNode(value=value))


SCALARS = {
    "Date": _string_node(st.dates().map(str) | EDGE_TEXT | st.text(max_size=12)),
    "DateTime": _string_node(st.datetimes().map(lambda d: d.isoformat()) | EDGE_TEXT | st.text(max_size=30)),
}


@pytest.fixture
async def production(db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    for name, value in {
        "ENV": "production",
        "PRODUCTION": True,
        "INTROSPECTION": False,
        "GRAPHIQL": False,
        "API_TOKEN": TOKEN,
    }.items():
        monkeypatch.setattr(app_settings, name, value)
    await import_text(SEED_PATH.read_text(encoding="utf-8"))
    transport = httpx.ASGITransport(app=limited_app(db, monkeypatch))
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers) as http:
        yield http


async def post(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    """json.dumps escapes lone surrogates and writes NaN/Infinity: hostile, and still sent."""
    return await client.post("/graphql", content=json.dumps(body), headers={"Content-Type": "application/json"})


def assert_clean(response: httpx.Response, caplog: pytest.LogCaptureFixture) -> None:
    assert response.status_code < 500, response.text[:2000]
    body: dict[str, Any] = response.json()
    assert "data" in body or body.get("errors"), body
    for error in body.get("errors") or []:
        assert isinstance(error.get("message"), str) and error["message"], error
        assert MASKED not in error["message"], (response.request.content[:2000], error)
    tracebacks = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not tracebacks, [r.getMessage()[:500] for r in tracebacks]
    caplog.clear()


@FUZZ
@given(query=queries(SCHEMA, custom_scalars=SCALARS))
async def test_valid_queries_answer_cleanly(
    production: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, query: str
) -> None:
    with caplog.at_level(logging.ERROR):
        assert_clean(await post(production, {"query": query}), caplog)


@FUZZ
@given(query=queries(SCHEMA, custom_scalars=SCALARS, mode=Mode.NEGATIVE))
async def test_near_valid_queries_answer_cleanly(
    production: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, query: str
) -> None:
    with caplog.at_level(logging.ERROR):
        # Percent-encoded as UTF-8 with lone surrogates kept: what a hostile client can send.
        encoded = urllib.parse.quote_from_bytes(query.encode("utf-8", "surrogatepass"))
        response = await production.get(f"/graphql?query={encoded}")
        assert_clean(response, caplog)


@FUZZ
@given(mutation=mutations(SCHEMA, custom_scalars=SCALARS) | mutations(SCHEMA, mode=Mode.NEGATIVE))
async def test_mutations_answer_cleanly(
    production: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, mutation: str
) -> None:
    with caplog.at_level(logging.ERROR):
        assert_clean(await post(production, {"query": mutation}), caplog)


def _selection(type_: graphql.GraphQLOutputType) -> str:
    named = graphql.get_named_type(type_)
    return "" if graphql.is_leaf_type(named) else "{ __typename }"


def hostile(type_: graphql.GraphQLInputType) -> st.SearchStrategy[Any]:
    """JSON for a variable of this type: mostly the right shape with values at its edges,
    sometimes anything at all."""
    return st.one_of(_shaped(graphql.get_nullable_type(type_)), HOSTILE_JSON)


def _shaped(type_: Any) -> st.SearchStrategy[Any]:
    if isinstance(type_, graphql.GraphQLList):
        return st.lists(hostile(type_.of_type), max_size=3)
    if isinstance(type_, graphql.GraphQLInputObjectType):
        fields = {name: st.deferred(lambda f=field: hostile(f.type)) for name, field in type_.fields.items()}
        return st.fixed_dictionaries({}, optional=fields)
    if isinstance(type_, graphql.GraphQLEnumType):
        return st.sampled_from([*type_.values, "NOPE", ""])
    if type_ is graphql.GraphQLInt:
        return EDGE_INT | st.integers()
    if type_ is graphql.GraphQLBoolean:
        return st.booleans()
    if type_ is graphql.GraphQLFloat:
        return st.floats()
    return EDGE_TEXT | st.text(max_size=40)  # String, ID, Date, DateTime


def _with_variables(root: graphql.GraphQLObjectType, keyword: str) -> list[tuple[str, dict[str, Any]]]:
    """One operation per root field that takes arguments, every argument a variable."""
    operations = []
    for name, field in root.fields.items():
        if not field.args:
            continue
        definitions = ", ".join(f"${arg}: {field.args[arg].type}" for arg in field.args)
        arguments = ", ".join(f"{arg}: ${arg}" for arg in field.args)
        document = f"{keyword}({definitions}) {{ {name}({arguments}) {_selection(field.type)} }}"
        operations.append((document, {arg: field.args[arg].type for arg in field.args}))
    return operations


assert SCHEMA.query_type is not None and SCHEMA.mutation_type is not None
OPERATIONS = _with_variables(SCHEMA.query_type, "query") + _with_variables(SCHEMA.mutation_type, "mutation")


@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=[document.split("{")[1].split("(")[0].strip() for document, _ in OPERATIONS]
)
@settings(FUZZ, max_examples=60)
@given(data=st.data())
async def test_hostile_variables_answer_cleanly(
    production: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
    operation: tuple[str, dict[str, Any]],
) -> None:
    document, types = operation
    variables = data.draw(st.fixed_dictionaries({}, optional={name: hostile(t) for name, t in types.items()}))
    with caplog.at_level(logging.ERROR):
        response = await post(production, {"query": document, "variables": variables})
        assert_clean(response, caplog)
