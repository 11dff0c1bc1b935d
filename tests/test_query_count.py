"""No N+1: the SQL statements one request sends depend on the query's depth, not its rows."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from tortoise import connections

from schema import pagination
from service import db as database
from service import settings
from service.importer import import_text
from tests.conftest import graphql

NESTED = """query ($first: Int) { articles(first: $first) { totalCount edges { node {
  title countries { isoCode name }
  agreements { name members { status } }
  speakers { name country { name } }
  quotes { text span { start end } speaker { name title country { isoCode } } article { title } }
} } } }"""


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().upper().startswith(("SELECT", "WITH")):
            self.statements.append(message)


@pytest.fixture
def sql_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Counter]:
    # SQLite reads skip Tortoise (and its log) on a fast path of their own: not while counting.
    monkeypatch.setattr(database, "_sqlite_reader", lambda conn: None)
    logger = logging.getLogger("tortoise.db_client")
    counter, level = _Counter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)


def _article(n: int) -> str:
    country, demonym = [("Kenya", "Kenyan"), ("Peru", "Peruvian"), ("Norway", "Norwegian")][n % 3]
    return (
        f"Report number {n} from {country}\n"
        f"“Progress is real in round {n},” said {demonym} Minister Amal Odera{n}.\n"
        f"“We disagree about round {n},” said Senator Paul Brandt.\n"
        f"{country} joined the Abraham Accords in 2021, one analyst noted.\n"
    )


async def test_statements_do_not_grow_with_rows(client: httpx.AsyncClient, sql_log: _Counter) -> None:
    for n in range(50):
        await import_text(_article(n))

    counts = {}
    for first in (5, 50):
        sql_log.statements.clear()
        data = await graphql(client, NESTED, {"first": first})
        edges = data["articles"]["edges"]
        assert len(edges) == first
        assert all(len(edge["node"]["quotes"]) >= 2 for edge in edges)
        counts[first] = len(sql_log.statements)

    # Ten times the rows, no more statements (fewer, even: more of the page is already loaded).
    assert counts[50] <= counts[5] <= 15, sql_log.statements


# Every nested connection, forward and backward, for every parent of its level.
CONNECTIONS = """query ($first: Int) {
  speakers(first: $first) { edges { node { name
    quotes(first: 2) { totalCount pageInfo { hasNextPage } edges { cursor node { text } } }
    latest: quotes(last: 1) { totalCount pageInfo { hasPreviousPage } edges { node { text } } }
    articles(first: 1) { totalCount edges { node { title } } }
    oldest: articles(last: 1) { totalCount edges { node { title quotes { text } } } }
  } } }
  countries(first: $first) { edges { node { isoCode
    speakers(first: 1) { totalCount edges { node { name } } }
    newest: speakers(last: 1) { totalCount edges { node { name articles(last: 1) { totalCount } } } }
    articles(first: 2) { totalCount edges { node { title } } }
    oldest: articles(last: 2) { totalCount edges { node { title } } }
  } } }
  agreements(first: $first) { edges { node { name
    articles(first: 2) { totalCount edges { node { title } } }
    oldest: articles(last: 2) { totalCount edges { node { title } } }
  } } }
}"""


async def test_nested_connections_both_ways_load_per_level_not_per_parent(
    db: str, sql_log: _Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "RESPONSE_CACHE_ENTRIES", 0)  # repeats reach strawberry, then the plan
    from service.app import create_app

    for n in range(30):
        await import_text(_article(n))
    transport = httpx.ASGITransport(app=create_app(db))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        plans = http._transport.app.state.graphql.plans  # type: ignore[attr-defined]
        counts: dict[tuple[int, str], int] = {}
        for first in (2, 40):
            plans.entries.clear()
            for engine in ("strawberry", "plan"):  # strawberry answers, then the plan it admitted
                connections.get("default").__dict__.pop(pagination.COUNTS_ATTRIBUTE, None)  # count anew
                sql_log.statements.clear()
                data = await graphql(http, CONNECTIONS, {"first": first})
                counts[first, engine] = len(sql_log.statements)
        assert plans.runs == 2

    speakers = {edge["node"]["name"]: edge["node"] for edge in data["speakers"]["edges"]}
    brandt = speakers["Paul Brandt"]
    assert brandt["quotes"]["totalCount"] == brandt["latest"]["totalCount"] == 30
    assert brandt["articles"]["edges"] == [{"node": {"title": "Report number 29 from Norway"}}]
    assert brandt["oldest"]["edges"][0]["node"]["title"] == "Report number 0 from Kenya"
    assert len(speakers) > 20 and len(data["countries"]["edges"]) == 3
    # Forty parents a level cost no more statements than two, through strawberry and the plan:
    # pages and totals of a level load together (strawberry completes parents at different
    # times, so a level's totals may take a few batches there; never one a parent).
    for engine in ("strawberry", "plan"):
        assert counts[40, engine] <= counts[2, engine] <= 25, counts
    assert counts[40, "plan"] <= counts[40, "strawberry"], counts
