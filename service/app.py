"""create_app(): the ASGI application (GraphQL at /graphql, GraphiQL, /healthz)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from tortoise import connections
from tortoise.contrib.starlette import RegisterTortoise

from schema.build import schema
from schema.context import Context
from service.db import tortoise_config


class QuoteGraphQL(GraphQL[Context, None]):
    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(request=request, response=response)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


async def healthz(request: Request) -> Response:
    await connections.get("default").execute_query("SELECT 1")
    return JSONResponse({"status": "ok"})


def create_app(db_url: str | None = None, generate_schemas: bool = True) -> Starlette:
    graphql = QuoteGraphQL(schema, graphql_ide="graphiql")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(
            app, config=tortoise_config(db_url), generate_schemas=generate_schemas
        ):
            yield

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )
