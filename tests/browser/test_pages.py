"""The pages in headless Chromium, offline: GraphiQL from local assets, the reader on the seed."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx
from playwright.sync_api import expect

from service import web
from tests.browser.conftest import Visit, _missing

SEED_TITLE = "Kazakhstan to Join Abraham Accords"
SEED_QUOTES = """{
  articles(first: 1) {
    edges { node { id title quotes { id text span { start end text } speaker { name } } } }
  }
}"""


def _seed(served: str) -> dict[str, Any]:
    body = httpx.post(f"{served}/graphql", json={"query": SEED_QUOTES}, timeout=10).json()
    assert "errors" not in body, body
    node: dict[str, Any] = body["data"]["articles"]["edges"][0]["node"]
    assert node["title"].startswith(SEED_TITLE)
    return node


def test_graphiql_runs_a_query_from_local_assets(served: str, visit: Visit) -> None:
    if not web.BUILD_STAMP.is_file():
        _missing("GraphiQL assets are not built: run scripts/build-web (needs npm)")
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
