"""The pages over HTTP, in-process, no browser: which GraphiQL is served; the reader page."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from service import web
from service.app import create_app

HTML = {"Accept": "text/html"}


@pytest.fixture
async def http(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    # No lifespan, so no database: none of these pages reads it.
    app = create_app(f"sqlite://{tmp_path}/unused.sqlite3")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


async def test_graphiql_page_is_the_local_bundle_when_built(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stamp = tmp_path / ".built"
    stamp.write_text("now\n")
    monkeypatch.setattr(web, "BUILD_STAMP", stamp)
    response = await http.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    version = stamp.stat().st_mtime_ns
    assert f'src="/static/build/graphiql.js?v={version}"' in response.text
    assert "unpkg.com" not in response.text and "https://" not in response.text


async def test_graphiql_page_falls_back_to_the_cdn_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(web, "BUILD_STAMP", tmp_path / "not-built" / ".built")
    with caplog.at_level(logging.WARNING, logger="service.web"):
        app = create_app(f"sqlite://{tmp_path}/unused.sqlite3")
    assert "scripts/build-web" in caplog.text and "CDN" in caplog.text
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        response = await http.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert "unpkg.com/graphiql" in response.text


async def test_reader_page_and_its_assets_are_served(http: httpx.AsyncClient) -> None:
    page = await http.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/reader/reader.js">' in page.text
    script = await http.get("/static/reader/reader.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert (await http.get("/static/reader/reader.css")).status_code == 200
    assert (await http.get("/static/missing.js")).status_code == 404
