"""Pages served beside the API (the reader page, GraphiQL's assets)."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    return []
