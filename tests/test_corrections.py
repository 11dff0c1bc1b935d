"""Corrections through the API: reattributeQuote, mergeSpeakers, updateSpeaker, deleteArticle."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from service import models, settings
from service.importer import import_text
from tests.conftest import graphql

TOKEN = "correct-horse"
FIRST = "Budget vote\n“The budget is balanced,” said Senator Jane Okafor.\n“It is not,” said Governor Tom Reyes.\n"
SECOND = "Budget vote, day two\n“We will see,” Okafor said.\n"


@pytest.fixture
async def api(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> httpx.AsyncClient:
    monkeypatch.setattr(settings, "API_TOKEN", TOKEN)
    await import_text(FIRST)
    return client


async def _speakers(http: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    data = await graphql(
        http,
        "{ speakers(first: 100) { edges { node { id name title quoteCount kind country { isoCode } aliases } } } }",
    )
    return {edge["node"]["name"]: edge["node"] for edge in data["speakers"]["edges"]}


async def _quotes(http: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    data = await graphql(http, "{ quotes(first: 100) { edges { node { id text speaker { name } } } } }")
    return {edge["node"]["text"]: edge["node"] for edge in data["quotes"]["edges"]}


async def _mutate(http: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    data = await graphql(http, query, variables, token=TOKEN)
    result: dict[str, Any] = next(iter(data.values()))
    return result


REATTRIBUTE = """mutation ($q: ID!, $s: ID!) { reattributeQuote(quote: $q, speaker: $s) {
  __typename ... on ReattributeQuoteSuccess { quote { text speaker { name } } }
  ... on NotFoundError { message field } ... on InvalidInputError { message field } } }"""
MERGE = """mutation ($keep: ID!, $merge: [ID!]!) { mergeSpeakers(keep: $keep, merge: $merge) {
  __typename ... on MergeSpeakersSuccess { mergedCount speaker { name quoteCount aliases } }
  ... on NotFoundError { message field } ... on InvalidInputError { message field } } }"""
UPDATE = """mutation ($s: ID!, $input: UpdateSpeakerInput!) { updateSpeaker(speaker: $s, input: $input) {
  __typename ... on UpdateSpeakerSuccess { speaker { name title kind country { isoCode } } }
  ... on NotFoundError { message field } ... on InvalidInputError { message field } } }"""
DELETE = """mutation ($a: ID!) { deleteArticle(article: $a) {
  __typename ... on DeleteArticleSuccess { deletedId quoteCount } ... on NotFoundError { message field } } }"""


async def test_reattribute_quote_moves_counts_and_survives_reimport(api: httpx.AsyncClient) -> None:
    speakers, quotes = await _speakers(api), await _quotes(api)
    quote = quotes["It is not,"]
    assert quote["speaker"]["name"] == "Tom Reyes"

    result = await _mutate(api, REATTRIBUTE, {"q": quote["id"], "s": speakers["Jane Okafor"]["id"]})
    assert result == {
        "__typename": "ReattributeQuoteSuccess",
        "quote": {"text": "It is not,", "speaker": {"name": "Jane Okafor"}},
    }
    assert (await import_text(FIRST)).status == "unchanged"
    after = await _speakers(api)
    assert (after["Jane Okafor"]["quoteCount"], after["Tom Reyes"]["quoteCount"]) == (2, 0)
    assert (await _quotes(api))["It is not,"]["speaker"]["name"] == "Jane Okafor"


async def test_merge_speakers_moves_quotes_and_later_imports_follow(api: httpx.AsyncClient) -> None:
    speakers = await _speakers(api)
    result = await _mutate(api, MERGE, {"keep": speakers["Jane Okafor"]["id"], "merge": [speakers["Tom Reyes"]["id"]]})
    assert result["__typename"] == "MergeSpeakersSuccess"
    assert result["mergedCount"] == 1
    assert result["speaker"]["quoteCount"] == 2
    assert {"tom reyes", "jane okafor"} <= set(result["speaker"]["aliases"])

    # A later article naming the merged speaker resolves to the kept one.
    await import_text("Budget vote, day three\n“Still not,” said Governor Tom Reyes.\n")
    after = await _speakers(api)
    assert "Tom Reyes" not in after
    assert after["Jane Okafor"]["quoteCount"] == 3


async def test_update_speaker_is_kept_by_later_imports(api: httpx.AsyncClient) -> None:
    okafor = (await _speakers(api))["Jane Okafor"]
    result = await _mutate(api, UPDATE, {"s": okafor["id"], "input": {"title": "Majority Leader", "country": "ng"}})
    assert result == {
        "__typename": "UpdateSpeakerSuccess",
        "speaker": {"name": "Jane Okafor", "title": "Majority Leader", "kind": "PERSON", "country": {"isoCode": "NG"}},
    }

    await import_text("Budget vote, day four\n“Enough,” said U.S. Senator Jane Okafor.\n")
    after = (await _speakers(api))["Jane Okafor"]
    assert (after["title"], after["country"]) == ("Majority Leader", {"isoCode": "NG"})

    cleared = await _mutate(api, UPDATE, {"s": okafor["id"], "input": {"title": None, "kind": "ORGANIZATION"}})
    assert cleared["speaker"]["title"] is None and cleared["speaker"]["kind"] == "ORGANIZATION"


async def test_delete_article_removes_quotes_and_counts(api: httpx.AsyncClient) -> None:
    await import_text(SECOND)
    data = await graphql(api, "{ articles(orderBy: DATE_ASC) { edges { node { id title } } } }")
    first_id = data["articles"]["edges"][0]["node"]["id"]

    result = await _mutate(api, DELETE, {"a": first_id})
    assert result == {"__typename": "DeleteArticleSuccess", "deletedId": first_id, "quoteCount": 2}
    assert await models.Article.all().count() == 1
    speakers = await _speakers(api)
    assert speakers["Jane Okafor"]["quoteCount"] == 1
    assert speakers["Tom Reyes"]["quoteCount"] == 0
    again = await _mutate(api, DELETE, {"a": first_id})
    assert again == {
        "__typename": "NotFoundError",
        "message": "no article has the ID given as `article`",
        "field": "article",
    }


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        (REATTRIBUTE, {"q": "bogus", "s": "bogus"}, {"__typename": "InvalidInputError", "field": "quote"}),
        (
            REATTRIBUTE,
            {"q": "UXVvdGU6OTk5OQ==", "s": "U3BlYWtlcjox"},
            {"__typename": "NotFoundError", "field": "quote"},
        ),
        (
            MERGE,
            {"keep": "U3BlYWtlcjox", "merge": ["U3BlYWtlcjox"]},
            {"__typename": "InvalidInputError", "field": "merge"},
        ),
        (
            UPDATE,
            {"s": "U3BlYWtlcjox", "input": {"country": "Atlantis"}},
            {"__typename": "InvalidInputError", "field": "country"},
        ),
        (
            UPDATE,
            {"s": "U3BlYWtlcjox", "input": {"title": "   "}},
            {"__typename": "InvalidInputError", "field": "title"},
        ),
        (
            UPDATE,
            {"s": "U3BlYWtlcjox", "input": {"title": "Mayor\u0000of nowhere"}},
            {"__typename": "InvalidInputError", "field": "title"},
        ),
        (
            UPDATE,
            {"s": "U3BlYWtlcjox", "input": {"country": "U\u0000"}},
            {"__typename": "InvalidInputError", "field": "country"},
        ),
        (
            UPDATE,
            {"s": "U3BlYWtlcjoyMTQ3NDgzNjQ4", "input": {"title": "x"}},
            {"__typename": "InvalidInputError", "field": "speaker"},
        ),
    ],
)
async def test_correction_errors_are_typed(
    api: httpx.AsyncClient, query: str, variables: dict[str, Any], expected: dict[str, str]
) -> None:
    before = await _speakers(api)
    result = await _mutate(api, query, variables)
    assert {k: result[k] for k in expected} == expected
    assert result["message"]
    assert await _speakers(api) == before


async def test_corrections_need_the_token(api: httpx.AsyncClient) -> None:
    speakers = await _speakers(api)
    data = await graphql(
        api,
        "mutation ($a: ID!) { deleteArticle(article: $a) { __typename ... on NotAuthorizedError { message } } }",
        {"a": speakers["Jane Okafor"]["id"]},
    )
    assert data["deleteArticle"]["__typename"] == "NotAuthorizedError"
    assert await models.Article.all().count() == 1
