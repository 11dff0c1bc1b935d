"""create_app(): the ASGI application (GraphQL at /graphql, GraphiQL, /healthz).

/healthz answers 200 `{"status": "ok", ...}` when this worker can serve everything, and 503 when
it cannot, within QUOTEGRAPH_HEALTHZ_TIMEOUT seconds even if the database hangs:
`"unavailable"` when the database does not answer, `"degraded"` on PostgreSQL while the LISTEN
connection is being re-established (queries are answered, uncached, but subscriptions miss other
processes' imports). A load balancer should send new clients elsewhere in both cases; the worker
keeps serving the ones it has and turns 200 again by itself once reconnected.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp
from tortoise import connections
from tortoise.contrib.starlette import RegisterTortoise

from schema.build import schema
from service import events, live, parsepool, settings, web
from service.cache import ResponseCache
from service.db import is_postgres, prepare_schema, sqlite_path, tortoise_config
from service.http import HttpCaching, QuoteGraphQL, allow_list_websockets
from service.middleware import middleware
from service.persisted import PersistedQueries

log = logging.getLogger("quotegraph.health")


async def _database(timeout: float) -> str:
    try:
        async with asyncio.timeout(timeout):
            await connections.get("default").execute_query("SELECT 1")
    except TimeoutError:
        return f"no answer in {timeout:g} s"
    except Exception:  # the probe reports any failure; the log keeps the details
        log.exception("/healthz: the database query failed")
        return "error"
    return "ok"


def healthz(hub: live.Hub, timeout: float) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        database = await _database(timeout)
        body: dict[str, Any] = {
            "status": "ok",
            "database": database,
            "listen": events.broker.state,
            "subscriptions": hub.subscribers,
            "streams": events.broker.subscribers,  # distinct subscriptions listening: resolutions per event
        }
        if database != "ok":
            body["status"] = "unavailable"
        elif events.broker.state == "reconnecting":
            body["status"] = "degraded"
        return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)

    return endpoint


def create_app(db_url: str | None = None, generate_schemas: bool = True) -> Starlette:
    graphql = QuoteGraphQL(
        schema,
        graphql_ide="graphiql",
        allowed_origins=settings.CORS_ORIGINS,
        persisted=PersistedQueries(settings.PERSISTED_QUERIES, only_registered=settings.PERSISTED_ONLY),
        http_caching=HttpCaching(settings.HTTP_MAX_AGE, settings.HTTP_STALE_WHILE_REVALIDATE),
    )
    hub = live.Hub(
        schema,
        per_connection=settings.MAX_SUBSCRIPTIONS_PER_CONNECTION,
        total=settings.MAX_SUBSCRIPTIONS,
        queue_size=settings.SUBSCRIBER_QUEUE,
    )
    live.install(graphql, hub)
    if settings.PERSISTED_ONLY:
        allow_list_websockets(graphql, hub)

    endpoint: ASGIApp = graphql
    if settings.RESPONSE_CACHE_ENTRIES > 0:
        endpoint = ResponseCache(graphql, max_entries=settings.RESPONSE_CACHE_ENTRIES)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=tortoise_config(db_url)):
            if generate_schemas:
                await prepare_schema()
            await parsepool.start()  # parse workers ready before the first import
            url = db_url or settings.DATABASE_URL
            if is_postgres(url):
                await events.broker.listen(url)
            else:
                events.watch_sqlite(sqlite_path(url))
            try:
                yield
            finally:
                await events.broker.close()
                parsepool.shutdown()

    app = Starlette(
        routes=[
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz(hub, settings.HEALTHZ_TIMEOUT)),
            *web.routes(),
        ],
        lifespan=lifespan,
        middleware=middleware(),
    )
    app.state.graphql = graphql
    app.state.subscriptions = hub
    return app
