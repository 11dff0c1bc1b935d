"""Browser fixtures: quotegraph served with the seeds, headless Chromium kept on localhost.

Chromium comes from Debian (`apt-get install chromium`), driven by Playwright for Python; the
browsers Playwright downloads are never used. Without Chromium or Playwright the tests skip, except
under CI=true, where a missing browser is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT
from tests.live import environment, run_cli, serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, Route

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Flags Debian's Chromium needs to run headless in a container without phoning Google.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Offline by construction: everything but loopback (which Chromium never proxies) goes to a
    # proxy that refuses connections. The route handler below also records any such attempt.
    "--proxy-server=127.0.0.1:9",
]
VIEWPORT = {"width": 1280, "height": 800}
API_TOKEN = "browser-tests"


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run; scripts/ci-prepare installs it)")
    pytest.skip(reason)


def chromium_path() -> str:
    path = os.environ.get("QUOTEGRAPH_CHROMIUM") or shutil.which("chromium")
    if path is None:
        _missing(
            "Chromium not found: install it with `apt-get install chromium` "
            "(or point QUOTEGRAPH_CHROMIUM at a Chromium binary)"
        )
    assert path is not None
    return path


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`quotegraph import seeds/` then `quotegraph serve`, as a user runs them; the base URL."""
    tmp = tmp_path_factory.mktemp("served")
    env = environment(DATABASE_URL=f"sqlite://{tmp}/browser.sqlite3", QUOTEGRAPH_API_TOKEN=API_TOKEN)
    imported = run_cli("import", str(ROOT / "seeds"), "--json", env=env)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["imported"] >= 1
    with serve(env, tmp / "serve.log") as url:
        yield url


# Module scope, not session: Playwright's sync API holds an asyncio loop open on this thread while
# it runs, and pytest-asyncio cannot run the async tests of other modules until it has stopped.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed: pip install -e '.[test]'")
        raise
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = chromium_path()
    browser = playwright.chromium.launch(
        executable_path=executable, args=CHROMIUM_ARGS, timeout=60_000
    )
    yield browser
    browser.close()


@dataclass
class Visit:
    """A page in a fresh browser context; what it tried to fetch from outside; its errors."""

    page: Page
    name: str
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def screenshot(self, step: str, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{step}.png"
        self.page.screenshot(path=path, full_page=full_page)
        return path

    def assert_clean(self) -> None:
        assert self.external == [], f"the page tried to reach the internet: {self.external}"
        assert self.errors == [], f"errors in the page: {self.errors}"


@pytest.fixture
def visit(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Visit]:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(20_000)
    page = context.new_page()
    seen = Visit(page=page, name=request.node.name.removeprefix("test_"))

    def only_local(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            seen.external.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", only_local)
    page.on("pageerror", lambda error: seen.errors.append(f"{error}"))
    page.on("console", lambda msg: seen.errors.append(msg.text) if msg.type == "error" else None)
    try:
        yield seen
    finally:
        # The last state of every test, passed or failed, is kept for whoever reads the CI run.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{seen.name}-last.png")
        context.close()
