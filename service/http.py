"""The GraphQL HTTP endpoint: strawberry's ASGI view with our context and JSON encoding."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from schema.context import Context


class QuoteGraphQL(GraphQL[Context, None]):
    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(request=request, response=response)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        # GraphiQL from the local bundle (service/web.py); strawberry's CDN page when not built.
        from service.web import graphiql_page

        page = graphiql_page()
        return page if page is not None else await super().render_graphql_ide(request)
