"""No N+1: the SQL statements one request sends depend on the query's depth, not its rows."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

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
def sql_log() -> Iterator[_Counter]:
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
