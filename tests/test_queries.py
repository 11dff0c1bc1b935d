"""Filters, orderings and keyset pagination of the top-level connections."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from service.importer import import_text
from tests.conftest import SEED_PATH, graphql

CORPUS = [
    "Trade talks resume\nWASHINGTON (AP) — “We want a fair deal,” said U.S. President Donald Trump.\n"
    "“Tariffs will fall,” Trump added.\nGerman Chancellor Olaf Scholz said that Germany would respond in kind.\n",
    "Climate summit opens\n“The planet cannot wait,” French President Emmanuel Macron said.\n"
    "“We will act before winter,” Macron said.\n“Nothing is agreed yet,” one European diplomat said.\n",
    "Peace plan advances\n“Peace is near,” Trump said on Friday.\nIsrael and Morocco signed the Abraham Accords in 2020.\n",
]


@pytest.fixture
async def corpus(client: httpx.AsyncClient) -> httpx.AsyncClient:
    for text in CORPUS:
        assert (await import_text(text)).status == "imported"
    return client


async def _ids(http: httpx.AsyncClient, query: str) -> dict[str, str]:
    data = await graphql(http, query)
    return {edge["node"]["name"]: edge["node"]["id"] for edge in next(iter(data.values()))["edges"]}


QUOTES = """query ($filter: QuoteFilter, $order: QuoteOrder) {
  quotes(filter: $filter, orderBy: $order, first: 100) { totalCount edges { node { text speaker { name } } } } }"""


async def _quote_texts(http: httpx.AsyncClient, filter: dict[str, Any], order: str = "DATE_ASC") -> list[str]:
    data = await graphql(http, QUOTES, {"filter": filter, "order": order})
    texts = [edge["node"]["text"] for edge in data["quotes"]["edges"]]
    assert data["quotes"]["totalCount"] == len(texts)
    return texts


async def test_quote_filters(corpus: httpx.AsyncClient) -> None:
    speakers = await _ids(corpus, "{ speakers(first: 100) { edges { node { id name } } } }")
    trump, macron = speakers["Donald Trump"], speakers["Emmanuel Macron"]

    assert await _quote_texts(corpus, {"speaker": trump}) == [
        "We want a fair deal,",
        "Tariffs will fall,",
        "Peace is near,",
    ]
    assert await _quote_texts(corpus, {"speaker": macron, "search": "winter"}) == ["We will act before winter,"]
    assert await _quote_texts(corpus, {"speakerCountry": "fr"}) == [
        "The planet cannot wait,",
        "We will act before winter,",
    ]
    assert await _quote_texts(corpus, {"speakerKind": "ANONYMOUS"}) == ["Nothing is agreed yet,"]
    assert await _quote_texts(corpus, {"kind": "INDIRECT"}) == ["Germany would respond in kind"]
    assert await _quote_texts(corpus, {"search": "planet"}) == ["The planet cannot wait,"]
    assert await _quote_texts(corpus, {"search": "tariffs fall"}) == ["Tariffs will fall,"]


async def test_quote_filters_by_article_agreement_and_date(corpus: httpx.AsyncClient) -> None:
    data = await graphql(
        corpus,
        "{ articles(orderBy: DATE_ASC) { edges { node { id title date } } } agreements { edges { node { id name } } } }",
    )
    articles = [edge["node"] for edge in data["articles"]["edges"]]
    accords = data["agreements"]["edges"][0]["node"]["id"]

    assert await _quote_texts(corpus, {"article": articles[2]["id"]}) == ["Peace is near,"]
    assert await _quote_texts(corpus, {"agreement": accords}) == ["Peace is near,"]
    since_second = await _quote_texts(corpus, {"dateFrom": articles[1]["date"]})
    assert since_second == [
        "The planet cannot wait,",
        "We will act before winter,",
        "Nothing is agreed yet,",
        "Peace is near,",
    ]
    before_second = await _quote_texts(corpus, {"dateTo": articles[1]["date"]})
    assert before_second == ["We want a fair deal,", "Tariffs will fall,", "Germany would respond in kind"]


async def test_article_filters_and_orders(corpus: httpx.AsyncClient) -> None:
    speakers = await _ids(corpus, "{ speakers(first: 100) { edges { node { id name } } } }")
    query = """query ($filter: ArticleFilter, $order: ArticleOrder) {
      articles(filter: $filter, orderBy: $order) { totalCount edges { node { title quoteCount } } } }"""

    async def titles(filter: dict[str, Any] | None, order: str = "DATE_ASC") -> list[str]:
        data = await graphql(corpus, query, {"filter": filter, "order": order})
        return [edge["node"]["title"] for edge in data["articles"]["edges"]]

    assert await titles(None, "DATE_DESC") == ["Peace plan advances", "Climate summit opens", "Trade talks resume"]
    assert await titles(None, "TITLE_ASC") == ["Climate summit opens", "Peace plan advances", "Trade talks resume"]
    assert (await titles(None, "QUOTE_COUNT_DESC"))[-1] == "Peace plan advances"
    assert await titles({"country": "DE"}) == ["Trade talks resume"]
    assert await titles({"speaker": speakers["Donald Trump"]}) == ["Trade talks resume", "Peace plan advances"]
    assert await titles({"search": "summit"}) == ["Climate summit opens"]
    assert await titles({"country": "IL", "speaker": speakers["Donald Trump"]}) == ["Peace plan advances"]


async def test_speaker_filters_and_top_speakers(corpus: httpx.AsyncClient) -> None:
    query = """query ($filter: SpeakerFilter, $order: SpeakerOrder) {
      speakers(filter: $filter, orderBy: $order) { edges { node { name quoteCount } } } }"""

    async def names(filter: dict[str, Any] | None, order: str = "NAME_ASC") -> list[str]:
        data = await graphql(corpus, query, {"filter": filter, "order": order})
        return [edge["node"]["name"] for edge in data["speakers"]["edges"]]

    top = (await graphql(corpus, query, {"order": "QUOTE_COUNT_DESC"}))["speakers"]["edges"]
    assert [(e["node"]["name"], e["node"]["quoteCount"]) for e in top[:2]] == [
        ("Donald Trump", 3),
        ("Emmanuel Macron", 2),
    ]
    assert await names({"search": "macr"}) == ["Emmanuel Macron"]
    assert await names({"kind": "PERSON", "country": "US"}) == ["Donald Trump"]
    assert await names({"kind": "ANONYMOUS"}) == ["European diplomat"]


@pytest.mark.parametrize(
    ("connection", "order"),
    [
        ("articles", "DATE_DESC"),
        ("articles", "TITLE_ASC"),
        ("speakers", "QUOTE_COUNT_DESC"),
        ("speakers", "NAME_DESC"),
        ("quotes", "DATE_ASC"),
    ],
)
async def test_keyset_pages_forward_and_backward_agree(corpus: httpx.AsyncClient, connection: str, order: str) -> None:
    await import_text(SEED_PATH.read_text(encoding="utf-8"))
    query = f"""query ($first: Int, $after: String, $last: Int, $before: String) {{
      {connection}(orderBy: {order}, first: $first, after: $after, last: $last, before: $before) {{
        totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ node {{ id }} }} }} }}"""
    everything = (await graphql(corpus, query, {"first": 100}))[connection]
    expected = [edge["node"]["id"] for edge in everything["edges"]]
    assert len(expected) == everything["totalCount"] >= 4

    forward: list[str] = []
    after = None
    while True:
        page = (await graphql(corpus, query, {"first": 3, "after": after}))[connection]
        forward += [edge["node"]["id"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    backward: list[str] = []
    before = None
    while True:
        page = (await graphql(corpus, query, {"last": 3, "before": before}))[connection]
        backward = [edge["node"]["id"] for edge in page["edges"]] + backward
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert forward == expected
    assert backward == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ articles(first: 101) { totalCount } }", "`first` may be at most 100"),
        ("{ articles(last: 500) { totalCount } }", "`last` may be at most 100"),
        ("{ articles(first: 2, last: 2) { totalCount } }", "pass `first` or `last`, not both"),
        ('{ quotes(filter: {speaker: "nonsense"}) { totalCount } }', "`filter.speaker`: 'nonsense' is not an ID"),
        ('{ quotes(filter: {speaker: "QXJ0aWNsZTox"}) { totalCount } }', "is not the ID of a Speaker"),
        ('{ speakers(filter: {country: "Narnia"}) { totalCount } }', "give an ISO 3166 alpha-2 code"),
        ('{ quotes(filter: {search: "!!"}) { totalCount } }', "`filter.search` needs at least one word"),
    ],
)
async def test_bad_arguments_are_named_in_the_error(client: httpx.AsyncClient, query: str, message: str) -> None:
    body = (await client.post("/graphql", json={"query": query})).json()
    assert body["data"] is None
    assert message in body["errors"][0]["message"]


async def test_a_cursor_from_another_ordering_is_refused(corpus: httpx.AsyncClient) -> None:
    page = await graphql(corpus, "{ articles(orderBy: TITLE_ASC, first: 1) { pageInfo { endCursor } } }")
    cursor = page["articles"]["pageInfo"]["endCursor"]
    body = (
        await corpus.post(
            "/graphql",
            json={"query": "query ($c: String) { articles(after: $c) { totalCount } }", "variables": {"c": cursor}},
        )
    ).json()
    assert "the cursor belongs to ordering 'TITLE_ASC', not 'DATE_DESC'" in body["errors"][0]["message"]


async def test_total_counts_are_remembered_only_until_the_next_write(corpus: httpx.AsyncClient) -> None:
    query = """query ($search: String, $after: String) {
      articles(first: 1, after: $after, filter: {search: $search}) { totalCount pageInfo { endCursor } }
    }"""
    first = (await graphql(corpus, query))["articles"]
    assert first["totalCount"] == 3
    after = {"after": first["pageInfo"]["endCursor"]}
    assert (await graphql(corpus, query, after))["articles"]["totalCount"] == 3  # the next page: same total
    assert (await graphql(corpus, query, {"search": "talks"}))["articles"]["totalCount"] == 1  # another filter
    assert (await import_text("Talks end\n“We are done,” Trump said.\n")).status == "imported"
    assert (await graphql(corpus, query, after))["articles"]["totalCount"] == 4
    assert (await graphql(corpus, query, {"search": "talks"}))["articles"]["totalCount"] == 2
    speakers = (await graphql(corpus, "{ speakers { totalCount } }"))["speakers"]["totalCount"]
    assert (
        await import_text("Talks resume\n“We are back,” Canadian Prime Minister Mark Carney said.\n")
    ).status == "imported"
    assert (await graphql(corpus, "{ speakers { totalCount } }"))["speakers"]["totalCount"] == speakers + 1
