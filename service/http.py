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
