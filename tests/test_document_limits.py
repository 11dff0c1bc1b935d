"""Hostile documents and responses: every check is linear in the document and covers every
operation and fragment; answers are bounded in size; errors are coded, short and, in production,
free of schema hints; the plans answer as strawberry does, and a plan that fails unexpectedly
is dropped. Over HTTP (POST and GET) in-process, and over WebSockets on a live server."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from strawberry.extensions import ParserCache, ValidationCache
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosedError

from schema import limits, plans
from schema.build import schema as built_schema
from service import settings
from service.importer import import_text
from tests.live import environment, run_cli, serve

GRAPHQL_RESPONSE = "application/graphql-response+json"
MAX_TEXT = 50_000  # QUOTEGRAPH_MAX_RESPONSE_BYTES where a test needs a small one
TOKEN = "documents-token"


def doubling(n: int, leaf: str = "__typename") -> str:
    """`query A` that runs, `query B` whose fragments spread each other 2^n times."""
    fragments = "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n))
    return f"query A {{ __typename }}\nquery B {{ ...F0 }}\n{fragments}\nfragment F{n} on Query {{ {leaf} }}"


def unused_doubling(n: int) -> str:
    fragments = "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n))
    return f"query A {{ __typename }}\n{fragments}\nfragment F{n} on Query {{ __typename }}"


def shared_fragment(operations: int, length: int) -> str:
    """Many operations reaching one large fragment: graphql-core walks it once per operation."""
    operation_lines = "\n".join(f"query Q{i} {{ ...F }}" for i in range(operations))
    return f'{operation_lines}\nfragment F on Query {{ node(id: "{"x" * length}") {{ id }} }}'


def article(title: str, quotes: int) -> str:
    lines = [f"“Line {n} of {title} goes on for a while,” said Mayor Ana Lund." for n in range(quotes)]
    return "\n".join([title, *lines]) + "\n"


# Every quote of every article, each with its article's whole text: under the cost limit (quotes
# are counted as a page of 20), over MAX_TEXT once an article holds 40 quotes.
TEXTS = "{ articles { edges { node { quotes { article { text } } } } } }"
# The same through 100 articles: refused before it runs, a text weighing 100 fields.
COSTLY_TEXTS = "{ articles(first: 100) { edges { node { quotes { article { text } } } } } }"


def app_with(db: str, monkeypatch: pytest.MonkeyPatch, **overrides: Any) -> Starlette:
    """create_app() without its response cache, with the limits as service.settings and
    `overrides` make them (strawberry binds a type's fields to one schema: its extensions are
    swapped)."""
    from service.app import create_app

    monkeypatch.setattr(settings, "RESPONSE_CACHE_ENTRIES", 0)
    for name, value in overrides.items():
        monkeypatch.setattr(settings, name, value)
    swap_extensions(monkeypatch)
    return create_app(db)


def swap_extensions(monkeypatch: pytest.MonkeyPatch) -> None:
    extensions = [lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256), *limits.extensions()]
    monkeypatch.setattr(built_schema, "extensions", extensions)


@pytest.fixture
async def http(db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_with(db, monkeypatch))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def code_of(body: dict[str, Any]) -> str | None:
    [error] = body["errors"]
    code: str | None = (error.get("extensions") or {}).get("code")
    return code


# --- documents ----------------------------------------------------------------------------------

HOSTILE: list[tuple[str, str, str | None, str]] = [
    ("doubling, the cheap operation runs", doubling(40), "A", "QUERY_TOO_COSTLY"),
    ("doubling, no operation of that name", doubling(40), "Nope", "BAD_REQUEST"),
    ("doubling of aliases", doubling(40, "a: __typename"), "A", "QUERY_TOO_COSTLY"),
    ("doubling of a list", doubling(40, "articles { edges { cursor } }"), "A", "QUERY_TOO_COSTLY"),
    ("many operations, one large fragment", shared_fragment(60, 5_000), "Q0", "QUERY_TOO_COMPLEX"),
    ("a long integer", "{ articles(first: 1" + "0" * 5000 + ") { totalCount } }", None, "NUMBER_TOO_LONG"),
    ("a long float", "{ articles(first: 1" + "0" * 5000 + ".5e9) { totalCount } }", None, "NUMBER_TOO_LONG"),
    (
        "a long default",
        "query ($n: Int = 1" + "0" * 5000 + ") { articles(first: $n) { totalCount } }",
        None,
        "NUMBER_TOO_LONG",
    ),
    (
        "a long number in an input",
        "{ quotes(filter: {kind: 1" + "0" * 5000 + "}) { totalCount } }",
        None,
        "NUMBER_TOO_LONG",
    ),
    ("a long number in a list", "{ node(id: [1" + "0" * 5000 + "]) { id } }", None, "NUMBER_TOO_LONG"),
    ("a long number in a directive", "{ __typename @include(if: 1" + "0" * 5000 + ") }", None, "NUMBER_TOO_LONG"),
    (
        "a long number in a fragment",
        "{ ...F } fragment F on Query { node(id: -1" + "0" * 5000 + ") { id } }",
        None,
        "NUMBER_TOO_LONG",
    ),
    ("long texts through nested lists", COSTLY_TEXTS, None, "QUERY_TOO_COSTLY"),
]


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize(("name", "query", "operation", "code"), HOSTILE, ids=[h[0] for h in HOSTILE])
async def test_hostile_document_is_refused_with_its_code(
    http: httpx.AsyncClient, method: str, name: str, query: str, operation: str | None, code: str
) -> None:
    request: dict[str, Any] = {"query": query}
    if operation is not None:
        request["operationName"] = operation
    headers = {"Accept": GRAPHQL_RESPONSE}
    if method == "POST":
        response = await http.post("/graphql", json=request, headers=headers)
    else:
        response = await http.get("/graphql", params=request, headers=headers)
    body = response.json()
    assert response.status_code == 400, body
    assert code_of(body) == code, body
    assert "data" not in body
    assert "Exceeds the limit" not in response.text and "sys.set_int_max_str_digits" not in response.text


async def test_depth_and_aliases_count_every_spread_of_a_fragment(http: httpx.AsyncClient) -> None:
    # The old checks (strawberry's) walked each spread again; the walk now remembers a fragment,
    # and must still count it at every spread.
    aliases = "query A { ...F ...F } fragment F on Query { " + " ".join(f"a{i}: __typename" for i in range(16)) + " }"
    body = (await http.post("/graphql", json={"query": aliases})).json()
    assert code_of(body) == "TOO_MANY_ALIASES" and body["errors"][0]["message"].startswith("32 aliases found")
    deep = (
        "query Deep { ...Top } fragment Top on Query { speakers(first: 1) { edges { node { ...S } } } }\n"
        "fragment S on Speaker { quotes(first: 1) { edges { node { speaker { ...T } } } } }\n"
        "fragment T on Speaker { quotes(first: 1) { edges { node { speaker { ...U } } } } }\n"
        "fragment U on Speaker { quotes(first: 1) { edges { node { speaker { name } } } } }"
    )
    body = (await http.post("/graphql", json={"query": deep})).json()
    assert code_of(body) == "QUERY_TOO_DEEP", body
    assert "'Deep' exceeds maximum operation depth of 12" in body["errors"][0]["message"]


async def test_unused_doubling_fragments_get_graphql_errors(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": unused_doubling(40)})
    messages = [e["message"] for e in response.json()["errors"]]
    assert "Fragment 'F0' is never used." in messages


async def test_a_document_within_the_limits_runs_the_operation_asked_for(http: httpx.AsyncClient) -> None:
    document = doubling(10) + "\nquery C { articles { totalCount } }"
    for operation, data in [("A", {"__typename": "Query"}), ("C", {"articles": {"totalCount": 0}})]:
        response = await http.post("/graphql", json={"query": document, "operationName": operation})
        assert response.json() == {"data": data}


# --- errors -------------------------------------------------------------------------------------

SUGGESTIVE: list[tuple[str, dict[str, Any] | None, str]] = [
    ("{ articls { totalCount } }", None, "articles"),
    ("{ articles(frist: 1) { totalCount } }", None, "first"),
    ("{ quotes(filter: {kind: DIRCT}) { totalCount } }", None, "DIRECT"),
    ("query ($k: QuoteKind) { quotes(filter: {kind: $k}) { totalCount } }", {"k": "DIRCT"}, "DIRECT"),
    ("query ($k: QuoteKnd) { quotes(filter: {kind: $k}) { totalCount } }", {"k": "DIRECT"}, "QuoteKind"),
    ("{ quotes(filter: {knd: DIRECT}) { totalCount } }", None, "kind"),
]


@pytest.mark.parametrize(("query", "variables", "hint"), SUGGESTIVE)
async def test_production_errors_suggest_nothing(
    db: str, monkeypatch: pytest.MonkeyPatch, query: str, variables: dict[str, Any] | None, hint: str
) -> None:
    async def errors(**overrides: Any) -> list[str]:
        transport = httpx.ASGITransport(app=app_with(db, monkeypatch, **overrides))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.post("/graphql", json={"query": query, "variables": variables})
        return [e["message"] for e in response.json()["errors"]]

    assert any("Did you mean" in m and hint in m for m in await errors())  # development helps
    production = await errors(ENV="production", PRODUCTION=True, INTROSPECTION=False, GRAPHIQL=False)
    assert production, "the request must still fail"
    for message in production:
        assert "Did you mean" not in message and f"'{hint}'" not in message, message


@pytest.mark.parametrize(
    ("variable_type", "value", "wrong"),
    [
        ("Int", "x" * 5_000_000, "Int cannot represent non-integer value"),
        ("QuoteKind", "x" * 5_000_000, "does not exist in 'QuoteKind' enum"),
        ("QuoteFilter", {f"{'k' * 1000}{i}": 1 for i in range(1000)}, "not to include unknown field"),
    ],
)
async def test_a_huge_invalid_variable_is_not_echoed_whole(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, variable_type: str, value: Any, wrong: str
) -> None:
    query = {
        "Int": "query ($v: Int) { articles(first: $v) { totalCount } }",
        "QuoteKind": "query ($v: QuoteKind) { quotes(filter: {kind: $v}) { totalCount } }",
        "QuoteFilter": "query ($v: QuoteFilter) { quotes(filter: $v) { totalCount } }",
    }[variable_type]
    with caplog.at_level(logging.INFO):
        response = await http.post("/graphql", json={"query": query, "variables": {"v": value}})
    errors = response.json()["errors"]
    assert errors and all(len(e["message"]) <= 1_000 for e in errors), [len(e["message"]) for e in errors]
    assert any("'$v'" in e["message"] and wrong in e["message"] for e in errors), errors[0]["message"]
    assert len(response.content) < 100_000
    assert all(len(record.getMessage()) < 10_000 for record in caplog.records)


@pytest.mark.parametrize(
    ("query", "variables"),
    [('{ node(id: "") { id } }', None), ("query ($id: ID!) { node(id: $id) { id } }", {})],
)
async def test_a_client_error_is_logged_in_one_line(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, query: str, variables: dict[str, Any] | None
) -> None:
    with caplog.at_level(logging.INFO):
        response = await http.post("/graphql", json={"query": query, "variables": variables})
    assert response.json()["errors"]
    assert [r for r in caplog.records if "client error" in r.getMessage()]
    assert not [r.getMessage() for r in caplog.records if r.exc_info]


# --- responses ----------------------------------------------------------------------------------


async def import_long_articles(count: int = 2, quotes: int = 45) -> None:
    for n in range(count):
        await import_text(article(f"Council session {n}", quotes))


async def test_a_large_response_is_refused_and_a_small_one_answered(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    await import_long_articles()
    transport = httpx.ASGITransport(app=app_with(db, monkeypatch, MAX_RESPONSE_BYTES=MAX_TEXT))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        large = await client.post("/graphql", json={"query": TEXTS})
        small = await client.post("/graphql", json={"query": "{ articles { edges { node { quotes { text } } } } }"})
        still = await client.post("/graphql", json={"query": "{ articles { totalCount } }"})
    body = large.json()
    assert large.status_code == 400 and "data" not in body, body
    assert code_of(body) == "RESPONSE_TOO_LARGE"
    message = body["errors"][0]["message"]
    assert "QUOTEGRAPH_MAX_RESPONSE_BYTES" in message and "fewer fields" in message and "smaller pages" in message
    assert small.status_code == 200 and "errors" not in small.json()
    assert still.json() == {"data": {"articles": {"totalCount": 2}}}


async def test_a_planned_large_response_is_refused_as_strawberry_refuses_it(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await import_long_articles()
    app = app_with(db, monkeypatch)
    query_plans = app.state.graphql.plans
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        admitted = await client.post("/graphql", json={"query": TEXTS})  # answered whole, so admitted
        assert "errors" not in admitted.json() and query_plans.get(TEXTS, None) is not None
        monkeypatch.setattr(settings, "MAX_RESPONSE_BYTES", MAX_TEXT)
        swap_extensions(monkeypatch)
        runs = query_plans.runs
        planned = await client.post("/graphql", json={"query": TEXTS})
        saved = query_plans.entries.copy()
        query_plans.entries.clear()
        unplanned = await client.post("/graphql", json={"query": TEXTS})
        query_plans.entries.update(saved)
    assert query_plans.runs == runs, "the plan answered a response over the limit"
    assert planned.status_code == unplanned.status_code == 400
    assert planned.content == unplanned.content
    assert code_of(planned.json()) == "RESPONSE_TOO_LARGE"


async def test_a_plan_that_fails_unexpectedly_is_dropped_and_strawberry_answers(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await import_long_articles(count=1, quotes=2)
    query = "{ articles { edges { node { title quotes { text } } } } }"
    expected = await http.post("/graphql", json={"query": query})
    query_plans = http._transport.app.state.graphql.plans  # type: ignore[attr-defined]
    assert query_plans.get(query, None) is not None

    async def broken(self: Any) -> dict[str, Any]:
        raise RuntimeError("a bug in the plan")

    monkeypatch.setattr(plans._Run, "execute", broken)
    with caplog.at_level(logging.WARNING, logger="schema.plans"):
        answers = [await http.post("/graphql", json={"query": query}) for _ in range(3)]
    assert [a.content for a in answers] == [expected.content] * 3
    assert query_plans.get(query, None) is None
    failures = [r for r in caplog.records if r.name == "schema.plans"]
    assert len(failures) == 1 and "strawberry answers it" in failures[0].getMessage()


# --- WebSockets, on a live server ------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("documents")
    env = environment(
        DATABASE_URL=f"sqlite://{tmp}/documents.sqlite3",
        QUOTEGRAPH_MAX_RESPONSE_BYTES=str(MAX_TEXT),
        QUOTEGRAPH_API_TOKEN=TOKEN,
    )
    articles = tmp / "articles"
    articles.mkdir()
    for n in range(2):
        (articles / f"council-{n}.txt").write_text(article(f"Council session {n}", 45), encoding="utf-8")
    imported = run_cli("import", str(articles), "--quiet", env=env)
    assert imported.returncode == 0, imported.stderr
    with serve(env, tmp / "serve.log") as base:
        yield base


async def open_socket(base: str) -> ClientConnection:
    ws = await connect(base.replace("http://", "ws://") + "/graphql", subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    return ws


async def first_message(base: str, payload: dict[str, Any]) -> dict[str, Any]:
    ws = await open_socket(base)
    try:
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        message: dict[str, Any] = json.loads(await ws.recv())
    finally:
        await ws.close()
    return message


def codes(message: dict[str, Any]) -> set[str | None]:
    payload = message["payload"]
    errors = payload if isinstance(payload, list) else payload.get("errors") or []
    return {(e.get("extensions") or {}).get("code") for e in errors}


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"query": doubling(40), "operationName": "A"}, "QUERY_TOO_COSTLY"),
        (
            {
                "query": "subscription S { quoteAdded { text } }\n"
                + doubling(40).replace("query A { __typename }\n", "")
            },
            "QUERY_TOO_COSTLY",
        ),
        ({"query": "{ articles(first: 1" + "0" * 5000 + ") { totalCount } }"}, "NUMBER_TOO_LONG"),
        ({"query": shared_fragment(60, 5_000), "operationName": "Q0"}, "QUERY_TOO_COMPLEX"),
        ({"query": TEXTS}, "RESPONSE_TOO_LARGE"),
    ],
    ids=[
        "doubling",
        "subscription and doubling",
        "long number",
        "shared fragment",
        "large response",
    ],
)
async def test_websocket_refusals_are_coded_errors(served: str, payload: dict[str, Any], code: str) -> None:
    message = await first_message(served, payload)
    assert message["type"] in ("error", "next"), message
    assert code in codes(message), message


async def test_websocket_document_without_the_operation_named_is_closed(served: str) -> None:
    # strawberry refuses the operation name before validation: the socket is closed at once.
    with pytest.raises(ConnectionClosedError) as closed:
        await first_message(served, {"query": doubling(40), "operationName": "Nope"})
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400


async def test_websocket_query_within_the_limits_answers(served: str) -> None:
    message = await first_message(served, {"query": "{ articles { totalCount } }"})
    assert message == {"id": "1", "type": "next", "payload": {"data": {"articles": {"totalCount": 2}}}}


async def test_subscription_events_are_not_held_to_the_budget_of_the_subscribe(served: str) -> None:
    # Each event is one quote; together they hold far more text than one response may.
    ws = await open_socket(served)
    try:
        query = "subscription { quoteAdded { text article { title text } } }"
        await ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": {"query": query}}))
        await asyncio.sleep(0.5)  # until the server listens for events
        mutation = "mutation ($t: String!) { importArticle(text: $t) { __typename } }"
        async with httpx.AsyncClient(timeout=30) as client:
            imported = await client.post(
                f"{served}/graphql",
                json={"query": mutation, "variables": {"t": article("Council session late", 45)}},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
        assert "errors" not in imported.json(), imported.json()
        events = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(45)]
    finally:
        await ws.close()
    assert {e["type"] for e in events} == {"next"}, events[-1]
    assert sum(len(e["payload"]["data"]["quoteAdded"]["article"]["text"]) for e in events) > MAX_TEXT


def test_live_server_answers_http_after_the_refusals(served: str) -> None:
    response = httpx.post(f"{served}/graphql", json={"query": TEXTS}, timeout=30)
    assert response.status_code == 400 and code_of(response.json()) == "RESPONSE_TOO_LARGE"
    assert httpx.get(f"{served}/healthz", timeout=10).status_code == 200
