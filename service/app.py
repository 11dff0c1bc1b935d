"""create_app(): the ASGI application (GraphQL at /graphql, GraphiQL, /healthz)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp
from tortoise import connections
from tortoise.contrib.starlette import RegisterTortoise

from schema.build import schema
from service import events, settings, web
from service.cache import ResponseCache
from service.db import is_postgres, prepare_schema, sqlite_path, tortoise_config
from service.http import QuoteGraphQL
from service.middleware import middleware


async def healthz(request: Request) -> Response:
    await connections.get("default").execute_query("SELECT 1")
    return JSONResponse({"status": "ok"})


def create_app(db_url: str | None = None, generate_schemas: bool = True) -> Starlette:
    graphql = QuoteGraphQL(schema, graphql_ide="graphiql", allowed_origins=settings.CORS_ORIGINS)

    endpoint: ASGIApp = graphql
    if settings.RESPONSE_CACHE_ENTRIES > 0:
        endpoint = ResponseCache(graphql, max_entries=settings.RESPONSE_CACHE_ENTRIES)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=tortoise_config(db_url)):
            if generate_schemas:
                await prepare_schema()
            url = db_url or settings.DATABASE_URL
            if is_postgres(url):
                await events.broker.listen(url)
            else:
                events.watch_sqlite(sqlite_path(url))
            try:
                yield
            finally:
                await events.broker.close()

    app = Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            *web.routes(),
        ],
        lifespan=lifespan,
        middleware=middleware(),
    )
    app.state.graphql = graphql
    return app
