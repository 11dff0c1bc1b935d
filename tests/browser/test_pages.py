"""The pages in headless Chromium, offline: GraphiQL from local assets, the reader on the seed."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx
from playwright.sync_api import WebSocket, expect

from service import web
from tests.browser.conftest import API_TOKEN, Visit, _missing

SEED_TITLE = "Kazakhstan to Join Abraham Accords"
SEED_QUOTES = """{
  articles(first: 100) {
    edges { node { id title quotes { id text span { start end text } speaker { name } } } }
  }
}"""
IMPORT = """mutation Import($text: String!) {
  importArticle(text: $text) { __typename }
}"""


def _api(served: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = httpx.post(
        f"{served}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        timeout=10,
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _seed(served: str) -> dict[str, Any]:
    edges = _api(served, SEED_QUOTES)["articles"]["edges"]
    seeds = [e["node"] for e in edges if e["node"]["title"].startswith(SEED_TITLE)]
    assert len(seeds) == 1, edges
    node: dict[str, Any] = seeds[0]
    return node


def _require_graphiql_build() -> None:
    if not web.BUILD_STAMP.is_file():
        _missing("GraphiQL assets are not built: run scripts/build-web (needs npm)")


def test_graphiql_runs_a_query_from_local_assets(served: str, visit: Visit) -> None:
    _require_graphiql_build()
    page = visit.page
    query = "{ articles { totalCount edges { node { title } } } }"
    page.goto(f"{served}/graphql?q={quote(query)}")
    expect(page.locator(".graphiql-query-editor .monaco-editor")).to_be_visible()
    assert page.locator("script[src^='/static/build/graphiql.js']").count() == 1

    page.get_by_role("button", name=re.compile(r"^Prettify query")).click()
    page.get_by_role("button", name=re.compile(r"^Execute query")).click()
    response = page.locator(".graphiql-response")
    expect(response).to_contain_text('"totalCount": 1')
    expect(response).to_contain_text(SEED_TITLE)
    visit.screenshot("result")

    page.get_by_role("button", name="Show Documentation Explorer").click()
    expect(page.locator(".graphiql-plugin")).to_contain_text("Root Types")
    page.get_by_role("button", name="Show GraphiQL Explorer").click()
    expect(page.locator(".graphiql-plugin")).to_contain_text("articles")
    visit.screenshot("explorer")
    visit.assert_clean()


def test_reader_highlights_the_seed_article(served: str, visit: Visit) -> None:
    seed = _seed(served)
    page = visit.page
    page.goto(f"{served}/")
    article_link = page.locator(".articles a", has_text=SEED_TITLE)
    expect(article_link).to_be_visible()
    visit.screenshot("list")

    article_link.click()
    expect(page.locator("h1")).to_have_text(seed["title"])
    marks = page.locator(".text mark.quote")
    expect(marks.first).to_be_visible()
    # Every quote is highlighted, and its marks hold exactly the characters its span names
    # (spans count code points; the page must not be off by one on the article's dashes and quotes).
    shown = page.evaluate(
        """() => {
          const texts = {};
          for (const m of document.querySelectorAll('.text mark.quote'))
            texts[m.dataset.id] = (texts[m.dataset.id] ?? '') + m.textContent;
          return texts;
        }"""
    )
    assert shown == {q["id"]: q["span"]["text"] for q in seed["quotes"]}
    assert page.locator(".text .cue").count() >= 1 and page.locator(".text .source").count() >= 1
    for part in ("cue", "source"):
        style = page.locator(f".text .{part}").first.evaluate(
            "e => getComputedStyle(e).textDecorationLine"
        )
        assert "underline" in style, part

    # Quotes are coloured by speaker: Trump's and another speaker's differ.
    by_speaker = {q["speaker"]["name"]: q["id"] for q in reversed(seed["quotes"]) if q["speaker"]}
    assert len(by_speaker) >= 2 and "Donald Trump" in by_speaker
    colours = {
        name: page.locator(f"mark[data-id='{quote}']").evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        for name, quote in by_speaker.items()
    }
    assert len(set(colours.values())) == len(colours), colours

    card = page.locator(".cards.quoted .card", has_text="Donald Trump")
    expect(card).to_contain_text("President")
    expect(card).to_contain_text("United States")
    visit.screenshot("article", full_page=True)

    card.get_by_role("link", name="Donald Trump").click()
    expect(page.locator("h1")).to_have_text("Donald Trump")
    said = [q for q in seed["quotes"] if (q["speaker"] or {}).get("name") == "Donald Trump"]
    expect(page.locator(".quotes li")).to_have_count(len(said))
    visit.screenshot("speaker", full_page=True)

    page.go_back()
    expect(page.locator("h1")).to_have_text(seed["title"])
    page.get_by_role("link", name="Abraham Accords", exact=True).click()
    expect(page.locator("h1")).to_have_text("Abraham Accords")
    expect(page.locator("table.members tr", has_text="Kazakhstan")).to_contain_text("Joining")
    visit.screenshot("agreement")
    visit.assert_clean()


# Last in the module: it imports an article into the shared server.
def test_graphiql_receives_a_subscription(served: str, visit: Visit) -> None:
    _require_graphiql_build()
    page = visit.page
    subscription = "subscription { quoteAdded { text speaker { name } } }"
    page.goto(f"{served}/graphql?q={quote(subscription)}")
    expect(page.locator(".graphiql-query-editor .monaco-editor")).to_be_visible()
    sent: list[str] = []

    def record(socket: WebSocket) -> None:
        socket.on("framesent", lambda frame: sent.append(str(frame)))

    page.on("websocket", record)
    page.get_by_role("button", name=re.compile(r"^Execute query")).click()
    for _ in range(200):  # until GraphiQL has subscribed over graphql-transport-ws
        if any('"subscribe"' in frame for frame in sent):
            break
        page.wait_for_timeout(50)
    else:
        raise AssertionError(f"GraphiQL did not subscribe; frames sent: {sent}")
    page.wait_for_timeout(300)  # the server starts listening once it has the subscribe message
    article = 'Browser test\nParis: "We will win," said Emmanuel Macron, the French president.\n'
    assert _api(served, IMPORT, {"text": article})["importArticle"]["__typename"] == (
        "ImportArticleSuccess"
    )
    response = page.locator(".graphiql-response")
    expect(response).to_contain_text("We will win")
    expect(response).to_contain_text("Emmanuel Macron")
    visit.screenshot("event")
    visit.assert_clean()
