"""A real client against a live `quotegraph serve`: the README's queries and live subscriptions."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

from tests.conftest import BACKENDS, ROOT
from tests.live import environment, postgres_database, run_cli, serve

TOKEN = "live-token"


@pytest.fixture(params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A served database holding the seed: (base URL, the environment to run the CLI against it)."""
    with postgres_database() if request.param == "postgres" else _sqlite(tmp_path) as url:
        env = environment(DATABASE_URL=url, QUOTEGRAPH_API_TOKEN=TOKEN)
        assert run_cli("import", str(ROOT / "seeds"), env=env).returncode == 0
        with serve(env, tmp_path / "serve.log") as base:
            yield base, env


class _sqlite:
    def __init__(self, tmp_path: Path) -> None:
        self.url = f"sqlite://{tmp_path}/live.sqlite3"

    def __enter__(self) -> str:
        return self.url

    def __exit__(self, *exc: object) -> None:
        return None


def readme_queries() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```graphql\n(.*?)```", readme, re.DOTALL)


def test_readme_has_example_queries() -> None:
    assert len(readme_queries()) >= 3


async def test_readme_queries_run_with_a_graphql_client(live: tuple[str, dict[str, str]]) -> None:
    base, _ = live
    transport = HTTPXAsyncTransport(url=f"{base}/graphql")
    async with Client(transport=transport, fetch_schema_from_transport=True) as session:
        results = [await session.execute(gql(query)) for query in readme_queries()]
    article_page, speakers, agreements = results[:3]
    article = article_page["articles"]["edges"][0]["node"]
    assert article["title"].startswith("Kazakhstan to Join Abraham Accords")
    assert any(q["speaker"] and q["speaker"]["name"] == "Donald Trump" for q in article["quotes"])
    names = {edge["node"]["name"] for edge in speakers["speakers"]["edges"]}
    assert {"Donald Trump", "Benjamin Netanyahu", "Kassym-Jomart Tokayev", "Marco Rubio"} <= names
    members = agreements["agreements"]["edges"][0]["node"]["members"]
    assert {m["country"]["isoCode"]: m["status"] for m in members}["KZ"] == "JOINING"


SUBSCRIPTION = gql(
    """subscription { quoteAdded(filter: {speakerKind: PERSON}) { text kind speaker { name } article { title } } }"""
)
ARTICLE = "Harbour reopens\n“The harbour is open again,” said Mayor Ana Lund.\n“Ships are welcome,” Lund added.\n"
IMPORT = "mutation ($t: String!) { importArticle(text: $t) { __typename } }"


async def test_quote_added_reaches_a_websocket_subscriber(live: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    base, env = live
    transport = WebsocketsTransport(
        url=base.replace("http://", "ws://") + "/graphql",
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    received: list[dict[str, Any]] = []

    async def listen() -> None:
        async with Client(transport=transport) as session:
            async for result in session.subscribe(SUBSCRIPTION):
                received.append(result["quoteAdded"])
                if len(received) == 2:
                    return

    task = asyncio.create_task(listen())
    await asyncio.sleep(1.0)  # let the server register the subscription
    if env["DATABASE_URL"].startswith("postgres"):
        # Another process imports: the event crosses processes through LISTEN/NOTIFY.
        article = tmp_path / "harbour.txt"
        article.write_text(ARTICLE, encoding="utf-8")
        done = await asyncio.to_thread(run_cli, "import", str(article), env=env)
        assert done.returncode == 0, done.stderr
    else:
        async with httpx.AsyncClient() as http:
            response = await http.post(
                f"{base}/graphql",
                json={"query": IMPORT, "variables": {"t": ARTICLE}},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            assert response.json()["data"]["importArticle"]["__typename"] == "ImportArticleSuccess"
    await asyncio.wait_for(task, timeout=20)

    assert [(q["text"], q["speaker"]["name"], q["article"]["title"]) for q in received] == [
        ("The harbour is open again,", "Ana Lund", "Harbour reopens"),
        ("Ships are welcome,", "Ana Lund", "Harbour reopens"),
    ]
