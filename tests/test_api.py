from __future__ import annotations

import httpx
import pytest

from service import settings
from service.importer import import_text
from tests.conftest import SEED_PATH, graphql

SEED = SEED_PATH.read_text(encoding="utf-8")

ARTICLE_PAGE = """
query ($first: Int, $after: String) {
  articles(first: $first, after: $after, orderBy: DATE_ASC) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node {
      id title dateline
      quotes { text kind span { start end text } cue { text } source { text }
               speaker { name kind title country { name isoCode } } }
      countries { isoCode name }
      agreements { name members { status country { isoCode } } }
      speakers { name }
    } }
  }
}
"""


async def test_article_page_nests_quotes_speakers_countries(client: httpx.AsyncClient) -> None:
    await import_text(SEED)
    data = await graphql(client, ARTICLE_PAGE, {"first": 5})

    page = data["articles"]
    assert page["totalCount"] == 1
    assert page["pageInfo"]["hasNextPage"] is False
    article = page["edges"][0]["node"]
    assert article["dateline"] == "Washington"
    assert [c["isoCode"] for c in article["countries"]] == ["KZ", "IL", "US", "BH", "MA", "SD", "AE"]
    members = {m["country"]["isoCode"]: m["status"] for m in article["agreements"][0]["members"]}
    assert members["KZ"] == "JOINING" and members["IL"] == "MEMBER" and "US" not in members
    for quote in article["quotes"]:
        span = quote["span"]
        assert SEED[span["start"] : span["end"]] == span["text"]
    starts = [q["span"]["start"] for q in article["quotes"]]
    assert starts == sorted(starts)


async def test_pagination_walks_every_article_once(client: httpx.AsyncClient) -> None:
    for n in range(5):
        await import_text(f"Article {n}\nNothing is quoted in article number {n}.\n")
    seen: list[str] = []
    after = None
    while True:
        page = (await graphql(client, ARTICLE_PAGE, {"first": 2, "after": after}))["articles"]
        assert page["totalCount"] == 5
        seen += [edge["node"]["title"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"Article {n}" for n in range(5)]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 101}, "`first` may be at most 100"),
        ({"first": -1}, "`first` must be 0 or more"),
        ({"after": "bogus"}, "invalid cursor 'bogus'"),
    ],
)
async def test_bad_pagination_arguments_are_clear_errors(
    client: httpx.AsyncClient, variables: dict[str, object], message: str
) -> None:
    query = "query ($first: Int, $after: String) { articles(first: $first, after: $after) { totalCount } }"
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    errors = response.json()["errors"]
    assert message in errors[0]["message"]


async def test_node_fetches_each_type_by_global_id(client: httpx.AsyncClient) -> None:
    await import_text(SEED)
    data = await graphql(
        client,
        "{ articles(first: 1) { edges { node { id quotes { id } speakers { id } countries { id } agreements { id } } } } }",
    )
    article = data["articles"]["edges"][0]["node"]
    ids = [article["id"], article["speakers"][0]["id"], article["countries"][0]["id"], article["agreements"][0]["id"]]
    if article["quotes"]:
        ids.append(article["quotes"][0]["id"])
    for global_id in ids:
        node = (await graphql(client, "query ($id: ID!) { node(id: $id) { id } }", {"id": global_id}))["node"]
        assert node == {"id": global_id}


async def test_speaker_quotes_connection_and_country_speakers(client: httpx.AsyncClient) -> None:
    await import_text("One\n“We are ready,” Donald Trump said.\n“We are very ready,” Trump added.\n")
    await import_text("Two\n“Ready again,” Trump said.\n")
    data = await graphql(
        client,
        """{ speakers(first: 10) { edges { node { name quoteCount
              quotes(first: 2) { totalCount pageInfo { hasNextPage } edges { node { text article { title } } } }
              country { name } } } } }""",
    )
    trump = next(e["node"] for e in data["speakers"]["edges"] if e["node"]["name"] == "Donald Trump")
    assert trump["quoteCount"] == 3
    assert trump["quotes"]["totalCount"] == 3
    assert trump["quotes"]["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["text"] for e in trump["quotes"]["edges"]] == ["We are ready,", "We are very ready,"]
    assert trump["quotes"]["edges"][0]["node"]["article"]["title"] == "One"


async def test_import_article_mutation_requires_a_token(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    mutation = """mutation ($text: String!) { importArticle(text: $text) {
        __typename
        ... on ImportArticleSuccess { created quoteCount article { title } }
        ... on InvalidArticleError { message field }
        ... on NotAuthorizedError { message } } }"""
    monkeypatch.setattr(settings, "API_TOKEN", None)
    refused = (await graphql(client, mutation, {"text": SEED}))["importArticle"]
    assert refused["__typename"] == "NotAuthorizedError"
    assert "QUOTEGRAPH_API_TOKEN" in refused["message"]

    monkeypatch.setattr(settings, "API_TOKEN", "s3cret")
    wrong = (await graphql(client, mutation, {"text": SEED}, token="nope"))["importArticle"]
    assert wrong["__typename"] == "NotAuthorizedError"

    created = (await graphql(client, mutation, {"text": SEED}, token="s3cret"))["importArticle"]
    again = (await graphql(client, mutation, {"text": SEED}, token="s3cret"))["importArticle"]
    empty = (await graphql(client, mutation, {"text": "  \n"}, token="s3cret"))["importArticle"]
    assert created["__typename"] == "ImportArticleSuccess" and created["created"] is True
    assert created["article"]["title"].startswith("Kazakhstan to Join Abraham Accords")
    assert again["created"] is False
    assert empty == {
        "__typename": "InvalidArticleError",
        "message": "the article is empty: it needs a title line and some text",
        "field": "text",
    }
