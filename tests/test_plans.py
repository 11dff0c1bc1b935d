"""Compiled query plans (schema/plans.py) answer exactly as strawberry does.

Every document runs first through strawberry (which admits it) and then through its plan; the two
responses must be byte-identical, and the plan must really have answered the second.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from service import settings
from service.importer import import_text
from tests.conftest import ROOT, SEED_PATH

SEED = SEED_PATH.read_text(encoding="utf-8")
SECOND = (
    "Astana talks resume\n"
    'ASTANA (Reuters) - "We are ready to sign," Kazakh Foreign Minister Murat Nurtleu told reporters on '
    'Friday. "The door is open," he added. Israel welcomed the move, according to Prime Minister '
    "Benjamin Netanyahu, who said that Kazakhstan would join the Abraham Accords soon.\n"
)


def readme_queries() -> list[str]:
    return re.findall(r"```graphql\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)


EVERYTHING = """
fragment Who on Speaker { __typename id name kind title quoteCount aliases country { ...Where } }
fragment Where on Country { id name isoCode alpha3 quoteCount }
fragment Page on PageInfo { hasNextPage hasPreviousPage startCursor endCursor }
fragment Articles on ArticleConnection { totalCount pageInfo { ...Page } edges { cursor node { title } } }
query Everything($first: Int!, $kind: QuoteKind) {
  articles(first: $first, orderBy: DATE_ASC) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node {
        __typename id title text dateline publisher url language externalId contentHash
        publishedAt importedAt date eventDate quoteCount
        quotes { id text kind position span { start end text } cue { text start } source { end text }
                 speaker { ...Who } article { title } }
        countries { ...Where memberships { status date agreement { name } } }
        agreements { id name quoteCount members { status date country { isoCode } agreement { name } }
                     articles(first: 2) { ...Articles } }
        speakers { ...Who articles(first: 1) { ...Articles } newest: articles(last: 1) { ...Articles } }
      }
    }
  }
  quotes(first: 3, filter: {kind: $kind}) { totalCount edges { node { text kind } } }
  top: speakers(first: 3, orderBy: QUOTE_COUNT_DESC) {
    edges { node { name quotes(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { text } } }
                   latest: quotes(last: 1) { totalCount pageInfo { ...Page } edges { cursor node { text } } } } }
  }
  countries(first: 50) { totalCount edges { node { isoCode speakers(first: 2) { totalCount edges { node { name } } }
                                                  last: speakers(last: 2) { totalCount pageInfo { ...Page } edges { cursor } }
                                                  articles { ...Articles } } } }
  agreements { edges { node { name members { status country { name } } } } }
}
"""

NODES = """
query Nodes($article: ID!, $quote: ID!, $speaker: ID!, $country: ID!, $agreement: ID!) {
  a: node(id: $article) { __typename id ... on Article { title quoteCount } }
  q: node(id: $quote) { id ... on Quote { text speaker { name } } }
  s: node(id: $speaker) { ... on Speaker { name } ... on Node { id } }
  c: node(id: $country) { ... on Country { isoCode } }
  g: node(id: $agreement) { ... on Agreement { name members { status } } }
  missing: node(id: "QXJ0aWNsZTo5OTk5OTk=") { id }
}
"""


@pytest.fixture
async def app_client(db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """The app without its response cache (so repeats reach the plans), and its plans."""
    monkeypatch.setattr(settings, "RESPONSE_CACHE_ENTRIES", 0)
    from service.app import create_app

    app = create_app(db)
    await import_text(SEED)
    await import_text(SECOND)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http, app.state.graphql.plans


async def post(http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    return await http.post("/graphql", json={"query": query, "variables": variables or {}})


async def twice(
    http: httpx.AsyncClient, plans: Any, query: str, variables: dict[str, Any] | None = None
) -> tuple[bytes, bytes]:
    first = await post(http, query, variables)
    runs = plans.runs
    second = await post(http, query, variables)
    assert plans.runs == runs + 1, "the plan did not answer the repeat"
    assert first.status_code == second.status_code == 200
    return first.content, second.content


async def ids(http: httpx.AsyncClient) -> dict[str, str]:
    query = """{ quotes(first: 1) { edges { node { id speaker { id country { id } } article { id agreements { id } } } } } }"""
    quote = (await post(http, query)).json()["data"]["quotes"]["edges"][0]["node"]
    return {
        "article": quote["article"]["id"],
        "quote": quote["id"],
        "speaker": quote["speaker"]["id"],
        "country": quote["speaker"]["country"]["id"],
        "agreement": quote["article"]["agreements"][0]["id"],
    }


async def test_every_field_answers_as_strawberry_does(app_client: tuple[httpx.AsyncClient, Any]) -> None:
    http, plans = app_client
    strawberry_body, plan_body = await twice(http, plans, EVERYTHING, {"first": 5, "kind": "DIRECT"})
    assert plan_body == strawberry_body
    data = orjson.loads(plan_body)["data"]
    assert "errors" not in orjson.loads(plan_body)
    titles = [edge["node"]["title"] for edge in data["articles"]["edges"]]
    assert titles == [SEED.splitlines()[0], "Astana talks resume"]
    netanyahu = [s for s in data["articles"]["edges"][0]["node"]["speakers"] if s["name"] == "Benjamin Netanyahu"]
    assert netanyahu and netanyahu[0]["__typename"] == "Speaker" and netanyahu[0]["country"]["isoCode"] == "IL"


async def test_nodes_of_every_type_and_a_missing_one(app_client: tuple[httpx.AsyncClient, Any]) -> None:
    http, plans = app_client
    variables = await ids(http)
    strawberry_body, plan_body = await twice(http, plans, NODES, variables)
    assert plan_body == strawberry_body
    data = orjson.loads(plan_body)["data"]
    assert data["a"]["__typename"] == "Article" and data["missing"] is None
    assert set(data["g"]) == {"name", "members"} and data["s"]["id"] == variables["speaker"]


async def test_readme_queries(app_client: tuple[httpx.AsyncClient, Any]) -> None:
    http, plans = app_client
    for query in readme_queries():
        strawberry_body, plan_body = await twice(http, plans, query)
        assert plan_body == strawberry_body, query


async def test_variables_change_the_answer_not_the_plan(app_client: tuple[httpx.AsyncClient, Any]) -> None:
    http, plans = app_client
    query = "query ($first: Int, $after: String) { articles(first: $first, after: $after) { edges { node { title } } pageInfo { endCursor } } }"
    await post(http, query, {"first": 1})  # admits the document
    first_page = (await post(http, query, {"first": 1})).json()["data"]["articles"]
    second_page = (await post(http, query, {"first": 1, "after": first_page["pageInfo"]["endCursor"]})).json()
    titles = [first_page["edges"][0]["node"]["title"], second_page["data"]["articles"]["edges"][0]["node"]["title"]]
    assert sorted(titles) == sorted([SEED.splitlines()[0], "Astana talks resume"])
    assert plans.runs == 2


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"id": "not base64"}, None),  # a resolver error: strawberry's own message and path
        ({"id": 12}, None),  # a variable of the wrong type
        ({"id": "QXJ0aWNsZTox", "first": 101}, None),  # a page over the maximum
        ({"id": "QXJ0aWNsZTox", "first": 100}, "QUERY_TOO_COSTLY"),  # 100 x 100 x 20 quotes: over the cost limit
    ],
)
async def test_a_request_strawberry_would_refuse_steps_aside(
    app_client: tuple[httpx.AsyncClient, Any], variables: dict[str, Any], code: str | None
) -> None:
    http, plans = app_client
    query = (
        "query ($id: ID!, $first: Int = 5) { node(id: $id) { id } "
        "speakers(first: $first) { edges { node { name quotes(first: $first) { edges { node { article { quotes { text } } } } } } } } }"
    )
    await post(http, query, {"id": "QXJ0aWNsZTox"})  # admits the document
    runs = plans.runs
    planned = await post(http, query, variables)
    plans_off = plans.entries.copy()
    plans.entries.clear()
    unplanned = await post(http, query, variables)
    plans.entries.update(plans_off)
    assert plans.runs == runs, "an erroneous request was answered by the plan"
    assert planned.status_code == unplanned.status_code
    assert planned.content == unplanned.content
    body = orjson.loads(planned.content)
    assert body["errors"]
    if code is not None:
        assert code in {(e.get("extensions") or {}).get("code") for e in body["errors"]}


@pytest.mark.parametrize(
    "query",
    [
        "{ __schema { queryType { name } } }",
        "query ($yes: Boolean!) { articles { totalCount @include(if: $yes) } }",
        'mutation { importArticle(text: "x") { __typename } }',
    ],
)
async def test_documents_plans_do_not_cover_run_through_strawberry(
    app_client: tuple[httpx.AsyncClient, Any], query: str
) -> None:
    http, plans = app_client
    variables = {"yes": True}
    first = await post(http, query, variables)
    second = await post(http, query, variables)
    assert plans.runs == 0
    assert first.status_code == second.status_code
    if not query.startswith("mutation"):
        assert first.content == second.content and "errors" not in first.json()


async def test_a_planned_query_still_times_out(
    app_client: tuple[httpx.AsyncClient, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    http, plans = app_client
    query = "{ articles { edges { node { title quotes { text } } } } }"
    await post(http, query)
    assert plans.get(query, None) is not None
    monkeypatch.setattr(settings, "REQUEST_TIMEOUT", 1e-9)
    response = await post(http, query)
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"


async def test_a_planned_answer_keeps_the_media_type_asked_for(app_client: tuple[httpx.AsyncClient, Any]) -> None:
    http, plans = app_client
    query = "{ articles(first: 1) { edges { node { title } } } }"
    headers = {"Accept": "application/graphql-response+json"}
    first = await http.post("/graphql", json={"query": query}, headers=headers)
    second = await http.post("/graphql", json={"query": query}, headers=headers)
    assert plans.runs == 1
    assert first.status_code == second.status_code == 200
    assert first.headers["content-type"] == second.headers["content-type"]
    assert second.headers["content-type"].startswith("application/graphql-response+json")
    assert first.content == second.content
    get = await http.get("/graphql", params={"query": query}, headers=headers)  # GET: the same plan
    assert get.content == first.content and plans.runs == 2
