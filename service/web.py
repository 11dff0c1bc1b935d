"""Pages served beside the API: the reader page at /, GraphiQL's local assets under /static/."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
# Written by scripts/build-web (npm + esbuild) at install time; absent when npm was not available.
BUILD = STATIC / "build"
BUILD_STAMP = BUILD / ".built"
GRAPHIQL_TEMPLATE = STATIC / "graphiql.html"
CDN_FALLBACK = (
    "GraphiQL assets are not built (%s missing; run scripts/build-web, which needs npm): "
    "/graphql serves strawberry's GraphiQL page, which loads from a CDN and is blank offline"
)


async def reader(request: Request) -> Response:
    return FileResponse(STATIC / "reader" / "index.html")


@cache
def _graphiql_html(built: int) -> str:
    # `built` (the build's mtime) keys the cache and busts the browser's cache after a rebuild.
    return GRAPHIQL_TEMPLATE.read_text(encoding="utf-8").replace("{{ version }}", str(built))


def graphiql_page() -> Response | None:
    """GraphiQL from the local bundle; None when it is not built (the caller falls back)."""
    try:
        built = BUILD_STAMP.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    return HTMLResponse(_graphiql_html(built))


def routes() -> list[BaseRoute]:
    if not BUILD_STAMP.is_file():
        logger.warning(CDN_FALLBACK, BUILD_STAMP)
    return [
        Route("/", reader, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
