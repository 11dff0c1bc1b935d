"""Hostile query arguments (IDs, cursors, filter text, dates, searches, wide levels): each one a
coded GraphQL error or a right answer, on both backends, never an internal error."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from graphql import GraphQLError

from schema import loaders
from schema.build import schema
from schema.context import Context
from schema.filters import FilterError
from schema.inputs import MAX_ID, client_id, client_moment, client_text
from service import models, settings
from service.errors import UserError
from service.importer import import_text
from service.parsing.records import QuoteKind, SpeakerKind
from tests.conftest import SEED_PATH, graphql
from tests.test_limits import limited_app

SEED = SEED_PATH.read_text(encoding="utf-8")
TOKEN = "hostile-test-token"


def gid(raw: str) -> str:
    """A global ID as strawberry writes one: base64 of "Type:id"."""
    return base64.b64encode(raw.encode("utf-8", "surrogatepass")).decode()


def cursor(*parts: Any) -> str:
    """A cursor as schema.pagination writes one, with any parts (json: any size of int)."""
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


NODE = "query ($id: ID!) { node(id: $id) { id } }"
QUOTES = "query ($f: QuoteFilter) { quotes(filter: $f) { totalCount edges { node { id } } } }"
ARTICLES = "query ($f: ArticleFilter) { articles(filter: $f) { totalCount edges { node { id } } } }"
SPEAKERS = "query ($f: SpeakerFilter) { speakers(filter: $f) { totalCount edges { node { id } } } }"
ARTICLE_PAGE = """query ($a: String, $b: String, $o: ArticleOrder, $first: Int, $last: Int) {
  articles(after: $a, before: $b, orderBy: $o, first: $first, last: $last) { totalCount edges { node { id } } } }"""
SPEAKER_PAGE = """query ($a: String, $o: SpeakerOrder) {
  speakers(after: $a, orderBy: $o) { totalCount edges { node { id } } } }"""
CHILD_PAGE = """query ($a: String, $n: Int) {
  speakers(first: 5) { edges { node { quotes(first: $n, after: $a) { totalCount } } } } }"""
NESTED_FIRST = "query ($n: Int) { speakers(first: 5) { edges { node { articles(first: $n) { totalCount } } } } }"
COUNTRY_PAGE = "query ($n: Int) { countries(first: 5) { edges { node { speakers(first: $n) { totalCount } } } } }"

PAST_INT32, HUGE = 2**31, 10**30
EDGE_EARLY, EDGE_LATE = "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"
NUL = "a\x00b"
SURROGATE = "caf\udce9"


def _row(query: str, variables: dict[str, Any], code: str, id: str) -> Any:
    return pytest.param(query, variables, code, id=id)


def _node_rows() -> list[Any]:
    raw = {
        "past-int32": "Speaker:2147483648",
        "huge": f"Speaker:{HUGE}",
        "zero": "Speaker:0",
        "negative": "Speaker:-1",
        "nul-in-number": "Speaker:1\x00",
        "nul-in-type": "Spea\x00ker:1",
        "unknown-type": "Membership:1",
        "no-type": ":1",
        "surrogate": f"Speaker:1{SURROGATE}",
        "unicode-digits": "Speaker:١٢",
    }
    rows = [_row(NODE, {"id": gid(value)}, "INVALID_ID", f"node-{name}") for name, value in raw.items()]
    for name, value in {"garbage": "garbage", "nul": "U3\x00Bl", "long": "A" * 100_000, "empty": ""}.items():
        rows.append(_row(NODE, {"id": value}, "INVALID_ID", f"node-{name}"))
    return rows


def _filter_id_rows() -> list[Any]:
    rows = []
    for name, number in {"past-int32": PAST_INT32, "huge": HUGE, "zero": 0, "negative": -5}.items():
        rows += [
            _row(QUOTES, {"f": {"speaker": gid(f"Speaker:{number}")}}, "INVALID_FILTER", f"quote-speaker-{name}"),
            _row(QUOTES, {"f": {"article": gid(f"Article:{number}")}}, "INVALID_FILTER", f"quote-article-{name}"),
            _row(QUOTES, {"f": {"agreement": gid(f"Agreement:{number}")}}, "INVALID_FILTER", f"quote-agr-{name}"),
            _row(ARTICLES, {"f": {"speaker": gid(f"Speaker:{number}")}}, "INVALID_FILTER", f"article-spk-{name}"),
            _row(ARTICLES, {"f": {"agreement": gid(f"Agreement:{number}")}}, "INVALID_FILTER", f"article-agr-{name}"),
        ]
    rows.append(_row(QUOTES, {"f": {"speaker": "A" * 100_000}}, "INVALID_FILTER", "quote-speaker-long"))
    rows.append(_row(QUOTES, {"f": {"speaker": gid("Speaker:1\x00")}}, "INVALID_FILTER", "quote-speaker-nul"))
    return rows


def _text_rows() -> list[Any]:
    rows = []
    for bad, label in ((NUL, "nul"),):
        rows += [
            _row(QUOTES, {"f": {"search": bad}}, "INVALID_FILTER", f"quote-search-{label}"),
            _row(ARTICLES, {"f": {"search": bad}}, "INVALID_FILTER", f"article-search-{label}"),
            _row(SPEAKERS, {"f": {"search": bad}}, "INVALID_FILTER", f"speaker-search-{label}"),
            _row(ARTICLES, {"f": {"publisher": bad}}, "INVALID_FILTER", f"publisher-{label}"),
            _row(ARTICLES, {"f": {"country": bad}}, "INVALID_FILTER", f"article-country-{label}"),
            _row(SPEAKERS, {"f": {"country": bad}}, "INVALID_FILTER", f"speaker-country-{label}"),
            _row(QUOTES, {"f": {"speakerCountry": bad}}, "INVALID_FILTER", f"speaker-country-q-{label}"),
        ]
    rows += [
        _row(ARTICLES, {"f": {"publisher": "AP" * 100_000}}, "INVALID_FILTER", "publisher-long"),
        _row(ARTICLES, {"f": {"country": " " * 1_000_000 + "KZ"}}, "INVALID_FILTER", "country-long"),
        _row(SPEAKERS, {"f": {"country": "Narnia"}}, "INVALID_FILTER", "speaker-country-narnia"),
        _row(ARTICLES, {"f": {"country": "Narnia"}}, "INVALID_FILTER", "article-country-narnia"),
        _row(QUOTES, {"f": {"speakerCountry": "Narnia"}}, "INVALID_FILTER", "quote-country-narnia"),
    ]
    return rows


def _search_rows() -> list[Any]:
    rows = []
    searches = {
        "1100-words": "word " * 1_100,
        "30000-words": "word " * 30_000,
        "1mb": "w" * 1_000_000,
        "33-words": " ".join(f"w{n}" for n in range(33)),
        "501-chars": "x" * 501,
    }
    for label, search in searches.items():
        rows += [
            _row(QUOTES, {"f": {"search": search}}, "SEARCH_TOO_LONG", f"quote-search-{label}"),
            _row(ARTICLES, {"f": {"search": search}}, "SEARCH_TOO_LONG", f"article-search-{label}"),
            _row(SPEAKERS, {"f": {"search": search}}, "SEARCH_TOO_LONG", f"speaker-search-{label}"),
        ]
    return rows


def _date_rows() -> list[Any]:
    rows = []
    for moment in (EDGE_EARLY, EDGE_LATE):
        for field in ("dateFrom", "dateTo"):
            rows += [
                _row(QUOTES, {"f": {field: moment}}, "INVALID_FILTER", f"quote-{field}-{moment[:4]}"),
                _row(ARTICLES, {"f": {field: moment}}, "INVALID_FILTER", f"article-{field}-{moment[:4]}"),
            ]
    return rows


def _cursor_rows() -> list[Any]:
    date = "2020-01-01T00:00:00+00:00"
    bad = {
        "id-past-int32": cursor("DATE_DESC", date, PAST_INT32),
        "id-huge": cursor("DATE_DESC", date, HUGE),
        "id-negative": cursor("DATE_DESC", date, -1),
        "id-zero": cursor("DATE_DESC", date, 0),
        "id-bool": cursor("DATE_DESC", date, True),
        "date-early-edge": cursor("DATE_DESC", EDGE_EARLY, 1),
        "date-late-edge": cursor("DATE_DESC", EDGE_LATE, 1),
        "date-nul": cursor("DATE_DESC", "2020-01-01\x00", 1),
        "count-past-int32": cursor("QUOTE_COUNT_DESC", PAST_INT32, 1),
        "count-negative": cursor("QUOTE_COUNT_DESC", -(2**40), 1),
        "title-nul": cursor("TITLE_ASC", NUL, 1),
        "long": "A" * 1_000_000,
        "nul": "\x00",
    }
    orders = {"date": "DATE_DESC", "count": "QUOTE_COUNT_DESC", "title": "TITLE_ASC", "id": "DATE_DESC"}
    rows = []
    for label, value in bad.items():
        order = orders.get(label.split("-")[0], "DATE_DESC")
        rows.append(_row(ARTICLE_PAGE, {"a": value, "o": order}, "INVALID_PAGINATION", f"after-{label}"))
        rows.append(_row(ARTICLE_PAGE, {"b": value, "o": order, "last": 2}, "INVALID_PAGINATION", f"before-{label}"))
    rows += [
        _row(SPEAKER_PAGE, {"a": cursor("NAME_ASC", NUL, 1)}, "INVALID_PAGINATION", "speaker-name-nul"),
        _row(SPEAKER_PAGE, {"a": cursor("NAME_ASC", "x", PAST_INT32)}, "INVALID_PAGINATION", "speaker-id-past"),
        _row(CHILD_PAGE, {"a": cursor("ID_ASC", PAST_INT32, PAST_INT32)}, "INVALID_PAGINATION", "child-past-int32"),
        _row(CHILD_PAGE, {"a": cursor("ID_ASC", -1, 1)}, "INVALID_PAGINATION", "child-negative"),
        _row(CHILD_PAGE, {"a": cursor("ID_ASC", HUGE, 1)}, "INVALID_PAGINATION", "child-huge"),
        _row(ARTICLE_PAGE, {"first": -1}, "INVALID_PAGINATION", "first-negative"),
        _row(ARTICLE_PAGE, {"last": -(2**31)}, "INVALID_PAGINATION", "last-negative"),
        _row(ARTICLE_PAGE, {"first": 2**31 - 1}, "INVALID_PAGINATION", "first-int32-max"),
        _row(CHILD_PAGE, {"n": -1}, "INVALID_PAGINATION", "child-first-negative"),
        _row(CHILD_PAGE, {"n": 2**31 - 1}, "INVALID_PAGINATION", "child-first-max"),
        _row(NESTED_FIRST, {"n": -1}, "INVALID_PAGINATION", "speaker-articles-negative"),
        _row(COUNTRY_PAGE, {"n": -1}, "INVALID_PAGINATION", "country-speakers-negative"),
    ]
    return rows


HOSTILE = [*_node_rows(), *_filter_id_rows(), *_text_rows(), *_search_rows(), *_date_rows(), *_cursor_rows()]


@pytest.fixture
async def production(db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    """The app as QUOTEGRAPH_ENV=production builds it (internal errors masked), over the seed."""
    monkeypatch.setattr(settings, "ENV", "production")
    monkeypatch.setattr(settings, "PRODUCTION", True)
    assert (await import_text(SEED)).status == "imported"
    transport = httpx.ASGITransport(app=limited_app(db, monkeypatch))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def _assert_coded(response: httpx.Response, code: str) -> None:
    assert response.status_code < 500, response.text[:500]
    errors = response.json().get("errors")
    assert errors, response.text[:500]
    for error in errors:
        assert not error["message"].startswith("Internal server error"), error
        assert (error.get("extensions") or {}).get("code") == code, error
    assert "Traceback" not in response.text


def _internal(record: logging.LogRecord) -> bool:
    """A log record of an internal error: an ERROR, or a traceback of an exception not written
    for the client."""
    error = record.exc_info[1] if record.exc_info else None
    return record.levelno >= logging.ERROR or (error is not None and not isinstance(error, UserError | GraphQLError))


@pytest.mark.parametrize(("query", "variables", "code"), HOSTILE)
async def test_hostile_argument_is_a_coded_error(
    production: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    query: str,
    variables: dict[str, Any],
    code: str,
) -> None:
    caplog.set_level(logging.INFO)
    # Twice: the first answer comes from strawberry, the second from the query's compiled plan.
    for _ in range(2):
        _assert_coded(await production.post("/graphql", json={"query": query, "variables": variables}), code)
    assert not [r for r in caplog.records if _internal(r)], caplog.text[:2000]
    assert await graphql(production, "{ articles { totalCount } }") == {"articles": {"totalCount": 1}}


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (QUOTES, {"f": {"search": SURROGATE}}),
        (SPEAKERS, {"f": {"search": SURROGATE}}),
        (ARTICLES, {"f": {"publisher": SURROGATE}}),
        (ARTICLES, {"f": {"country": SURROGATE}}),
    ],
)
async def test_lone_surrogate_in_text_is_a_filter_error(db: str, query: str, variables: dict[str, Any]) -> None:
    # The HTTP layer's JSON parser refuses lone surrogates; the schema refuses them too, whatever
    # transport brings them.
    result = await schema.execute(query, variable_values=variables, context_value=Context())
    [error] = result.errors or []
    assert isinstance(error.original_error, FilterError), error
    assert "lone UTF-16 surrogate" in error.message


async def test_node_ids_within_range_still_resolve(production: httpx.AsyncClient) -> None:
    data = await graphql(production, "{ speakers(first: 100) { edges { node { id name } } } }")
    speaker = data["speakers"]["edges"][0]["node"]
    assert await graphql(production, NODE, {"id": speaker["id"]}) == {"node": {"id": speaker["id"]}}
    assert await graphql(production, NODE, {"id": gid(f"Speaker:{MAX_ID}")}) == {"node": None}
    padded = gid("Speaker:" + base64.b64decode(speaker["id"]).decode().split(":")[1].zfill(10))
    assert await graphql(production, NODE, {"id": padded}) == {"node": {"id": speaker["id"]}}


async def test_cursors_the_api_gives_still_page(production: httpx.AsyncClient) -> None:
    for order in ("DATE_DESC", "TITLE_ASC", "QUOTE_COUNT_DESC"):
        for _ in range(2):
            await import_text(f"Extra {order} {_}\nNothing is quoted here.\n")
    query = """query ($a: String, $o: ArticleOrder) {
      articles(first: 2, after: $a, orderBy: $o) { edges { node { title } } pageInfo { endCursor hasNextPage } } }"""
    for order in ("DATE_DESC", "TITLE_ASC", "QUOTE_COUNT_DESC"):
        seen: list[str] = []
        after = None
        while True:
            page = (await graphql(production, query, {"a": after, "o": order}))["articles"]
            seen += [edge["node"]["title"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert len(seen) == len(set(seen)) == 7, (order, seen)


async def test_mutation_ids_past_int32_are_invalid_input(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "API_TOKEN", TOKEN)
    query = """mutation ($q: ID!, $s: ID!) { reattributeQuote(quote: $q, speaker: $s) {
      __typename ... on InvalidInputError { message field } } }"""
    variables = {"q": gid(f"Quote:{PAST_INT32}"), "s": gid("Speaker:1")}
    data = await graphql(client, query, variables, token=TOKEN)
    assert data["reattributeQuote"]["__typename"] == "InvalidInputError"
    assert data["reattributeQuote"]["field"] == "quote"


# --- search: bounded, one SQL condition, exact rows -------------------------------------------

# 32 words (QUOTEGRAPH_MAX_SEARCH_WORDS), none a stop word of PostgreSQL's english configuration.
# fmt: off
WORDS = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett",
    "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
    "uniform", "victor", "whiskey", "xray", "yankee", "zulu", "granite", "harbor", "meadow",
    "lantern", "orchard", "pebble",
]
# fmt: on
CORPUS = [
    f"Phonetic drill\n“{' '.join(w.capitalize() for w in WORDS)},” said Mayor Ana Lund.\n",
    "Climate summit opens\n“The planet cannot wait,” French President Emmanuel Macron said.\n"
    "“We will act before winter,” Macron said.\n",
    "Trade talks resume\n“Tariffs will fall,” said U.S. President Donald Trump.\n",
]


@pytest.fixture
async def corpus(client: httpx.AsyncClient) -> httpx.AsyncClient:
    for text in CORPUS:
        assert (await import_text(text)).status == "imported"
    return client


async def _found(http: httpx.AsyncClient, connection: str, search: str) -> list[str]:
    field = {"quotes": "text", "articles": "title", "speakers": "name"}[connection]
    query = f"""query ($s: String) {{ {connection}(first: 100, filter: {{search: $s}}) {{
      totalCount edges {{ node {{ {field} }} }} }} }}"""
    data = (await graphql(http, query, {"s": search}))[connection]
    found = sorted(edge["node"][field] for edge in data["edges"])
    assert data["totalCount"] == len(found)
    return found


async def test_search_within_the_limits_finds_exactly_the_matching_rows(corpus: httpx.AsyncClient) -> None:
    assert len(WORDS) == settings.MAX_SEARCH_WORDS
    drill = [f"{' '.join(w.capitalize() for w in WORDS)},"]
    assert await _found(corpus, "quotes", " ".join(WORDS)) == drill
    assert await _found(corpus, "quotes", " ".join([*WORDS[:-1], "winter"])) == []
    assert await _found(corpus, "quotes", "tariffs, fall!") == ["Tariffs will fall,"]
    assert await _found(corpus, "quotes", "winter") == ["We will act before winter,"]
    assert await _found(corpus, "articles", "summit opens") == ["Climate summit opens"]
    assert await _found(corpus, "articles", "drill summit") == []
    assert await _found(corpus, "speakers", "macr") == ["Emmanuel Macron"]
    assert await _found(corpus, "speakers", "LUND ana") == ["Ana Lund"]
    assert await _found(corpus, "speakers", "lund_") == []  # `_` is a letter of the word, not a wildcard
    assert await _found(corpus, "speakers", "x" * settings.MAX_SEARCH_LENGTH) == []


@pytest.mark.parametrize("connection", ["quotes", "articles", "speakers"])
@pytest.mark.parametrize(
    ("search", "setting"),
    [
        (" ".join(["lund"] * 33), "QUOTEGRAPH_MAX_SEARCH_WORDS"),
        ("lund " * 1_100, "QUOTEGRAPH_MAX_SEARCH_LENGTH"),
        ("l" * 501, "QUOTEGRAPH_MAX_SEARCH_LENGTH"),
        ("lund " * 200_000, "QUOTEGRAPH_MAX_SEARCH_LENGTH"),
    ],
)
async def test_search_past_the_limits_is_refused_naming_the_setting(
    corpus: httpx.AsyncClient, connection: str, search: str, setting: str
) -> None:
    query = f"query ($s: String) {{ {connection}(filter: {{search: $s}}) {{ totalCount }} }}"
    response = await corpus.post("/graphql", json={"query": query, "variables": {"s": search}})
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "SEARCH_TOO_LONG"
    assert setting in error["message"] and "filter.search" in error["message"]


async def test_search_limits_follow_the_settings(corpus: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "MAX_SEARCH_WORDS", 2_000)
    monkeypatch.setattr(settings, "MAX_SEARCH_LENGTH", 20_000)
    # One SQL condition for any number of words: 1,100 of them once passed a recursion limit.
    assert await _found(corpus, "speakers", "lund " * 1_100) == ["Ana Lund"]
    assert await _found(corpus, "quotes", " ".join(WORDS * 34)) == [f"{' '.join(w.capitalize() for w in WORDS)},"]
    assert await _found(corpus, "articles", " ".join(f"w{n}" for n in range(1_100))) == []
    monkeypatch.setattr(settings, "MAX_SEARCH_WORDS", 1)
    response = await corpus.post("/graphql", json={"query": '{ quotes(filter: {search: "a b"}) { totalCount } }'})
    assert response.json()["errors"][0]["extensions"]["code"] == "SEARCH_TOO_LONG"


# --- a level wider than SQLite's compound SELECT ------------------------------------------------

WIDE = 600  # speakers of one article: past SQLite's 500 terms of a compound SELECT
WIDE_QUERY = """query ($id: ID!) { node(id: $id) { ... on Article {
  speakers { name quotes(first: 1) { totalCount edges { node { text } } }
    articles(first: 1) { totalCount edges { node { title } } } } } } }"""


async def _wide_article() -> str:
    moment = datetime(2024, 5, 1, tzinfo=UTC)
    article = await models.Article.create(
        title="Wide", text="Wide article", identity="hash:wide", content_hash="0" * 64, date=moment
    )
    await models.Speaker.bulk_create(
        [
            models.Speaker(key=f"person:s{n}", name=f"Speaker {n:03}", kind=SpeakerKind.PERSON, quote_count=1)
            for n in range(WIDE)
        ]
    )
    speakers = await models.Speaker.all().order_by("id")
    await models.ArticleSpeaker.bulk_create([models.ArticleSpeaker(article=article, speaker=s) for s in speakers])
    await models.Quote.bulk_create(
        [
            models.Quote(
                article=article,
                position=n,
                text=f"Words of {s.name}",
                kind=QuoteKind.DIRECT,
                start=0,
                end=1,
                speaker=s,
                date=moment,
            )
            for n, s in enumerate(speakers)
        ]
    )
    return gid(f"Article:{article.id}")


@pytest.mark.parametrize("chunks", [(loaders.IN_CHUNK, loaders.UNION_CHUNK), (7, 3)], ids=["default", "small"])
async def test_a_level_of_more_than_500_objects_pages_each(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, chunks: tuple[int, int]
) -> None:
    monkeypatch.setattr(loaders, "IN_CHUNK", chunks[0])
    monkeypatch.setattr(loaders, "UNION_CHUNK", chunks[1])
    article_id = await _wide_article()
    for _ in range(2):  # strawberry, then the compiled plan
        speakers = (await graphql(client, WIDE_QUERY, {"id": article_id}))["node"]["speakers"]
        assert len(speakers) == WIDE
        for speaker in speakers:
            assert speaker["quotes"]["totalCount"] == 1
            assert [e["node"]["text"] for e in speaker["quotes"]["edges"]] == [f"Words of {speaker['name']}"]
            assert speaker["articles"] == {"totalCount": 1, "edges": [{"node": {"title": "Wide"}}]}


# --- the helpers themselves -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("2147483647", MAX_ID),
        ("0002147483647", None),
        ("2147483648", None),
        ("0", None),
        ("-1", None),
        ("", None),
        ("1" * 100_000, None),
        ("١٢", None),
        ("1\x00", None),
        (" 1", None),
        (7, 7),
        (MAX_ID + 1, None),
        (-3, None),
        (True, None),
    ],
)
def test_client_id_takes_only_ids_a_database_holds(value: str | int, expected: int | None) -> None:
    assert client_id(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 11, "at most 10 characters, not 11"),
        (NUL, "NUL character"),
        (SURROGATE, "lone UTF-16 surrogate"),
    ],
)
def test_client_text_refuses_what_no_database_holds(value: str, message: str) -> None:
    with pytest.raises(FilterError, match=message):
        client_text(value, "filter.publisher", FilterError, max_length=10)
    assert client_text("Café", "filter.publisher", FilterError, max_length=10) == "Café"


def test_client_moment_is_utc_or_a_clear_error() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert client_moment(datetime(2020, 1, 1, 2, tzinfo=plus_two), "d", FilterError) == datetime(2020, 1, 1, tzinfo=UTC)
    assert client_moment(datetime(2020, 1, 1), "d", FilterError) == datetime(2020, 1, 1, tzinfo=UTC)
    for edge in (EDGE_EARLY, EDGE_LATE):
        with pytest.raises(FilterError, match="outside the years 1 to 9999"):
            client_moment(datetime.fromisoformat(edge), "filter.dateFrom", FilterError)
