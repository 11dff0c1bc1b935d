"""The reader pages through nested connections (a speaker's quotes and articles, an agreement's
articles) with its "More" buttons, in headless Chromium, against a server of its own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Visit
from tests.live import environment, run_cli, serve

ARTICLES = 25  # past the reader's page of 20: one "More" click shows the rest
IDS = """{ speakers(filter: {search: "Paul Brandt"}) { edges { node { id } } }
  agreements { edges { node { id name } } } }"""


def _article(n: int) -> str:
    return (
        f"Round {n:02} of the Abraham Accords talks\n"
        f"“We disagree about round {n},” said Senator Paul Brandt.\n"
        f"Morocco joined the Abraham Accords in 2020, one analyst noted.\n"
    )


@pytest.fixture(scope="module")
def paged_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`quotegraph serve` over ARTICLES articles that quote one speaker and name one agreement."""
    tmp = tmp_path_factory.mktemp("paged")
    texts = tmp / "articles"
    texts.mkdir()
    for n in range(ARTICLES):
        (texts / f"round-{n:02}.txt").write_text(_article(n), encoding="utf-8")
    env = environment(DATABASE_URL=f"sqlite://{tmp}/paged.sqlite3")
    imported = run_cli("import", str(texts), "--json", env=env)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["imported"] == ARTICLES
    with serve(env, tmp / "serve.log") as url:
        yield url


def _ids(served: str) -> dict[str, Any]:
    body = httpx.post(f"{served}/graphql", json={"query": IDS}, timeout=10).json()
    assert "errors" not in body, body
    (speaker,) = body["data"]["speakers"]["edges"]
    (agreement,) = body["data"]["agreements"]["edges"]
    return {"speaker": speaker["node"]["id"], "agreement": agreement["node"]["id"]}


def _page_through(visit: Visit, items: str, button: str) -> None:
    page = visit.page
    expect(page.locator(items)).to_have_count(20)
    page.get_by_role("button", name=button).click()
    expect(page.locator(items)).to_have_count(ARTICLES)
    expect(page.get_by_role("button", name=button)).to_be_hidden()
    texts = page.locator(items).all_inner_texts()
    assert len(set(texts)) == ARTICLES, texts  # each once: the second page starts after the first


def test_reader_pages_a_speakers_quotes_and_articles(paged_server: str, visit: Visit) -> None:
    speaker = _ids(paged_server)["speaker"]
    visit.page.goto(f"{paged_server}/#/speaker/{quote(speaker)}")
    expect(visit.page.locator("h1")).to_have_text("Paul Brandt")
    expect(visit.page.locator("h2", has_text="quotes")).to_have_text(f"{ARTICLES} quotes")
    expect(visit.page.locator("h2", has_text="articles")).to_have_text(f"{ARTICLES} articles")
    # Newest import first: the last file imported heads the list.
    expect(visit.page.locator(".articles-of li").first).to_have_text(
        f"Round {ARTICLES - 1:02} of the Abraham Accords talks"
    )
    _page_through(visit, ".quotes li", "More quotes")
    _page_through(visit, ".articles-of li", "More articles")
    visit.screenshot("speaker", full_page=True)
    visit.assert_clean()


def test_reader_pages_an_agreements_articles(paged_server: str, visit: Visit) -> None:
    agreement = _ids(paged_server)["agreement"]
    visit.page.goto(f"{paged_server}/#/agreement/{quote(agreement)}")
    expect(visit.page.locator("h1")).to_have_text("Abraham Accords")
    expect(visit.page.locator("h2", has_text="articles")).to_have_text(f"{ARTICLES} articles")
    _page_through(visit, ".articles-of li", "More articles")
    visit.screenshot("agreement", full_page=True)
    visit.assert_clean()
