"""Nested connections (a speaker's quotes and articles, a country's speakers and articles, an
agreement's articles) page both ways like the root lists, with totals and cursors bound to their
parent's list."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import orjson
import pytest

from service.importer import import_text
from tests.conftest import graphql

ARTICLES = 7
# (parent type, field, the field that names a node, the order of the list by id)
CONNECTIONS = [
    ("Speaker", "quotes", "text", "ascending"),
    ("Speaker", "articles", "title", "descending"),
    ("Country", "speakers", "name", "ascending"),
    ("Country", "articles", "title", "descending"),
    ("Agreement", "articles", "title", "descending"),
]
PARENTS = """{ speakers(filter: {search: "Paul Brandt"}) { edges { node { id } } }
  others: speakers(filter: {search: "Amal Odera"}, first: 2) { edges { node { id } } }
  countries(first: 100) { edges { node { id isoCode } } }
  agreements { edges { node { id } } } }"""


def _article(n: int) -> str:
    country, demonym = [("Kenya", "Kenyan"), ("Peru", "Peruvian")][n % 2]
    return (
        f"Report number {n} from {country}\n"
        f"“Progress is real in round {n},” said {demonym} Minister Amal Odera{n}.\n"
        f"“We disagree about round {n},” said Senator Paul Brandt.\n"
        f"“Round {n} is over,” Brandt added.\n"
        f"{country} joined the Abraham Accords in 2021, one analyst noted.\n"
    )


def _page_query(parent: str, field: str) -> str:
    return f"""query ($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {{
  node(id: $id) {{ ... on {parent} {{ {field}(first: $first, after: $after, last: $last, before: $before) {{
    totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ cursor node {{ id }} }}
  }} }} }} }}"""


def _number(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])


@pytest.fixture
async def parents(client: httpx.AsyncClient) -> dict[str, str]:
    """The ID of a parent with several children for each parent type (and a second speaker)."""
    for n in range(ARTICLES):
        assert (await import_text(_article(n))).status == "imported"
    data = await graphql(client, PARENTS)
    (brandt,) = data["speakers"]["edges"]
    kenya = [e["node"]["id"] for e in data["countries"]["edges"] if e["node"]["isoCode"] == "KE"]
    return {
        "Speaker": brandt["node"]["id"],
        "other Speaker": data["others"]["edges"][0]["node"]["id"],
        "Country": kenya[0],
        "Agreement": data["agreements"]["edges"][0]["node"]["id"],
    }


async def _page(http: httpx.AsyncClient, parent: str, field: str, id: str, **window: Any) -> dict[str, Any]:
    data = await graphql(http, _page_query(parent, field), {"id": id, **window})
    connection: dict[str, Any] = data["node"][field]
    edges = connection["edges"]
    info = connection["pageInfo"]
    assert info["startCursor"] == (edges[0]["cursor"] if edges else None)
    assert info["endCursor"] == (edges[-1]["cursor"] if edges else None)
    return connection


def _ids(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in page["edges"]]


@pytest.mark.parametrize(
    ("parent", "field", "name", "order"), CONNECTIONS, ids=[f"{p}.{f}" for p, f, *_ in CONNECTIONS]
)
async def test_nested_connection_pages_forward_to_the_end_and_back(
    client: httpx.AsyncClient, parents: dict[str, str], parent: str, field: str, name: str, order: str
) -> None:
    id = parents[parent]
    whole = await _page(client, parent, field, id, first=100)
    everything = _ids(whole)
    numbers = [_number(i) for i in everything]
    assert numbers == sorted(numbers, reverse=order == "descending")
    assert whole["totalCount"] == len(everything) >= 3
    assert not whole["pageInfo"]["hasNextPage"] and not whole["pageInfo"]["hasPreviousPage"]

    seen: list[str] = []
    after = None
    while True:
        page = await _page(client, parent, field, id, first=2, after=after)
        assert page["totalCount"] == len(everything)
        seen += _ids(page)
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert page["pageInfo"]["hasNextPage"] is (len(seen) < len(everything))
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == everything

    # Back from the last edge reached: everything before it, two at a time.
    back: list[str] = []
    before = page["pageInfo"]["endCursor"]
    while True:
        page = await _page(client, parent, field, id, last=2, before=before)
        back = _ids(page) + back
        assert page["pageInfo"]["hasNextPage"] is True
        assert page["pageInfo"]["hasPreviousPage"] is (len(back) < len(everything) - 1)
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert back == everything[:-1]


@pytest.mark.parametrize(
    ("parent", "field", "name", "order"), CONNECTIONS, ids=[f"{p}.{f}" for p, f, *_ in CONNECTIONS]
)
async def test_nested_connection_pages_backward_from_the_end(
    client: httpx.AsyncClient, parents: dict[str, str], parent: str, field: str, name: str, order: str
) -> None:
    id = parents[parent]
    everything = _ids(await _page(client, parent, field, id, first=100))
    last = await _page(client, parent, field, id, last=2)  # `last` alone: the last two
    assert _ids(last) == everything[-2:]
    assert last["pageInfo"]["hasNextPage"] is False and last["pageInfo"]["hasPreviousPage"] is True
    assert last["totalCount"] == len(everything)

    seen = _ids(last)
    before = last["pageInfo"]["startCursor"]
    while last["pageInfo"]["hasPreviousPage"]:
        last = await _page(client, parent, field, id, last=3, before=before)
        seen = _ids(last) + seen
        assert last["pageInfo"]["hasNextPage"] is True
        assert last["pageInfo"]["hasPreviousPage"] is (len(seen) < len(everything))
        before = last["pageInfo"]["startCursor"]
    assert seen == everything

    # And forward again from the first edge: everything after it.
    forward = await _page(client, parent, field, id, first=100, after=before)
    assert _ids(forward) == everything[1:]
    assert forward["pageInfo"]["hasPreviousPage"] is True and forward["pageInfo"]["hasNextPage"] is False

    whole = await _page(client, parent, field, id, last=100)
    assert _ids(whole) == everything and not whole["pageInfo"]["hasPreviousPage"]
    empty = await _page(client, parent, field, id, last=0)
    assert empty["edges"] == [] and empty["pageInfo"]["hasPreviousPage"] is True


async def _refusal(http: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> str:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == "INVALID_PAGINATION", errors
    message: str = errors[0]["message"]
    return message


async def test_a_cursor_from_another_parents_list_is_refused(
    client: httpx.AsyncClient, parents: dict[str, str]
) -> None:
    speaker, other = parents["Speaker"], parents["other Speaker"]
    quotes = _page_query("Speaker", "quotes")
    cursor = (await _page(client, "Speaker", "quotes", speaker, first=1))["pageInfo"]["endCursor"]
    for window in ({"after": cursor}, {"before": cursor, "last": 1}):
        message = await _refusal(client, quotes, {"id": other, **window})
        assert "the cursor belongs to another list" in message
    # Its own list takes it.
    assert (await _page(client, "Speaker", "quotes", speaker, first=1, after=cursor))["edges"]

    # Articles of a speaker are not the articles of a country or an agreement, nor the root list.
    cursor = (await _page(client, "Speaker", "articles", speaker, first=1))["pageInfo"]["endCursor"]
    for parent in ("Country", "Agreement"):
        await _refusal(client, _page_query(parent, "articles"), {"id": parents[parent], "after": cursor})
    await _refusal(client, "query ($c: String) { articles(after: $c) { totalCount } }", {"c": cursor})
    # ... and a root list's cursor is not a nested list's.
    root = (await graphql(client, "{ articles(first: 1) { pageInfo { endCursor } } }"))["articles"]
    root_cursor = root["pageInfo"]["endCursor"]
    await _refusal(client, _page_query("Speaker", "articles"), {"id": speaker, "after": root_cursor})


async def test_nested_connection_refuses_first_and_last_together(
    client: httpx.AsyncClient, parents: dict[str, str]
) -> None:
    query = _page_query("Agreement", "articles")
    message = await _refusal(client, query, {"id": parents["Agreement"], "first": 1, "last": 1})
    assert "pass `first` or `last`, not both" in message


async def test_nested_connections_of_many_parents_page_each_parent(client: httpx.AsyncClient) -> None:
    for n in range(ARTICLES):
        assert (await import_text(_article(n))).status == "imported"
    query = """{ countries(first: 100) { edges { node { isoCode
      speakers(last: 1) { totalCount pageInfo { hasPreviousPage } edges { node { name } } }
      articles(first: 1) { totalCount pageInfo { hasNextPage } edges { node { title } } } } } } }"""
    countries = {e["node"]["isoCode"]: e["node"] for e in (await graphql(client, query))["countries"]["edges"]}
    kenya, peru = countries["KE"], countries["PE"]
    assert kenya["articles"]["totalCount"] == 4 and peru["articles"]["totalCount"] == 3
    assert kenya["articles"]["edges"] == [{"node": {"title": "Report number 6 from Kenya"}}]
    assert peru["articles"]["edges"] == [{"node": {"title": "Report number 5 from Peru"}}]
    assert kenya["speakers"]["edges"] == [{"node": {"name": "Amal Odera6"}}]
    assert peru["speakers"]["edges"] == [{"node": {"name": "Amal Odera5"}}]
    assert kenya["speakers"]["pageInfo"]["hasPreviousPage"] and kenya["articles"]["pageInfo"]["hasNextPage"]


def _cursor(*items: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(items))).decode().rstrip("=")


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ({"last": -1}, "`last` must be 0 or more"),
        ({"last": 101}, "`last` may be at most 100"),
        ({"first": 101}, "`first` may be at most 100"),
        ({"before": "bogus", "last": 1}, "invalid cursor 'bogus'"),
        ({"after": "x", "before": "y"}, "pass `after` or `before`, not both"),
        ({"after": _cursor("ID_DESC", 1, 1)}, "the cursor belongs to another list"),
        ({"after": _cursor("ID_DESC", 1, 1, 7)}, "invalid cursor"),
        ({"after": _cursor("ID_DESC", 1, 1, "Agreement:1:articles", "more")}, "invalid cursor"),
        ({"before": _cursor("ID_ASC", 1, 1, "Agreement:1:articles")}, "the cursor belongs to ordering 'ID_ASC'"),
    ],
)
async def test_a_bad_window_on_a_nested_connection_is_refused(
    client: httpx.AsyncClient, parents: dict[str, str], window: dict[str, Any], message: str
) -> None:
    refused = await _refusal(client, _page_query("Agreement", "articles"), {"id": parents["Agreement"], **window})
    assert message in refused
