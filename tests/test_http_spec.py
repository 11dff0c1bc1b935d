"""GraphQL over HTTP: media types, status codes, GET for queries only, CSRF-safe POSTs."""

from __future__ import annotations

import httpx
import pytest

from service.http import GRAPHQL_RESPONSE_JSON, JSON, negotiate

GQL = {"Accept": GRAPHQL_RESPONSE_JSON}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON}, application/json;q=0.9", GRAPHQL_RESPONSE_JSON),
        (f"application/json, {GRAPHQL_RESPONSE_JSON};q=0.5", JSON),
        (f"{GRAPHQL_RESPONSE_JSON};charset=utf-8, */*;q=0.1", GRAPHQL_RESPONSE_JSON),
        ("application/*", JSON),
        ("text/html", None),
        ("application/json;q=0", None),
        ("application/json;q=nope", None),
        ("text/html,application/xhtml+xml,*/*;q=0.8", JSON),
    ],
)
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept) == expected


async def test_graphql_response_json_is_served_when_asked(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ __typename }"}, headers=GQL)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_unacceptable_accept_is_406(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ __typename }"}, headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"query": "{"}, "Syntax Error"),
        ({"query": "{ nope }"}, "Cannot query field 'nope'"),
        ({"query": "query ($id: ID!) { node(id: $id) { id } }", "variables": {"id": None}}, "$id"),
    ],
    ids=["parse", "validation", "coercion"],
)
async def test_request_errors_are_400_without_data_for_graphql_response_json(
    client: httpx.AsyncClient, body: dict[str, object], fragment: str
) -> None:
    strict = await client.post("/graphql", json=body, headers=GQL)
    legacy = await client.post("/graphql", json=body, headers={"Accept": JSON})
    assert strict.status_code == 400 and legacy.status_code == 200
    for response in (strict, legacy):
        payload = response.json()
        assert "data" not in payload
        assert fragment in payload["errors"][0]["message"]


async def test_field_error_keeps_data_and_200(client: httpx.AsyncClient) -> None:
    query = '{ articles(after: "bogus") { totalCount } }'
    response = await client.post("/graphql", json={"query": query}, headers=GQL)
    body = response.json()
    assert response.status_code == 200
    assert body["data"] is None and body["errors"][0]["path"] == ["articles"]
    assert "invalid cursor" in body["errors"][0]["message"]


async def test_get_runs_queries(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql",
        params={
            "query": "query ($n: Int) { articles(first: $n) { totalCount } }",
            "variables": '{"n": 1}',
        },
        headers=GQL,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"articles": {"totalCount": 0}}}


async def test_get_never_runs_a_mutation(client: httpx.AsyncClient) -> None:
    query = 'mutation { importArticle(text: "T\\n“Hi,” Trump said.") { __typename } }'
    response = await client.get("/graphql", params={"query": query}, headers=GQL)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "mutations are not allowed over GET" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin-1",
    ],
)
async def test_post_needs_a_json_content_type_so_no_simple_request_runs(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    body = b'{"query": "mutation { importArticle(text: \\"x\\") { __typename } }"}'
    response = await client.post("/graphql", content=body, headers=headers)
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "the request body is empty"),
        (b"{ not json", "Unable to parse request body as JSON"),
        (b"\xff\xfe", "Unable to parse request body as JSON"),
        (b"null", "one JSON object"),
        (b"[]", "one JSON object"),
        (b'"{ __typename }"', "one JSON object"),
        (b'{"query": 5}', "`query` must be a string"),
        (b'{"query": "{ __typename }", "variables": []}', "`variables` must be an object"),
        (b'{"query": "{ __typename }", "operationName": 0}', "`operationName` must be a string"),
        (b'{"query": "{ __typename }", "extensions": "x"}', "`extensions` must be an object"),
        (b'{"qeury": "{ __typename }"}', "the request has no `query`"),
    ],
)
async def test_malformed_requests_are_400_graphql_errors(client: httpx.AsyncClient, body: bytes, message: str) -> None:
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json", **GQL})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    assert message in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_subscription_over_http_is_refused_with_advice(client: httpx.AsyncClient, method: str) -> None:
    query = "subscription { quoteAdded { text } }"
    if method == "GET":
        response = await client.get("/graphql", params={"query": query}, headers=GQL)
    else:
        response = await client.post("/graphql", json={"query": query}, headers=GQL)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "SUBSCRIPTION_OVER_HTTP"
    assert "WebSockets" in error["message"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{ articles("}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ nope }"}, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": "{ articles(first: 99999999999) { totalCount } }"}, "GRAPHQL_VALIDATION_FAILED"),
        (
            {"query": "query($f: Int) { articles(first: $f) { totalCount } }", "variables": {"f": 2**40}},
            "BAD_USER_INPUT",
        ),
        (
            {"query": "query($s: String) { quotes(filter: {search: $s}) { totalCount } }", "variables": {"s": [1]}},
            "BAD_USER_INPUT",
        ),
    ],
)
async def test_graphql_errors_of_the_request_carry_a_code(
    client: httpx.AsyncClient, body: dict[str, object], code: str
) -> None:
    response = await client.post("/graphql", json=body, headers=GQL)
    assert response.status_code == 400
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == [code]
