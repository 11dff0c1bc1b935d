"""ASGI middleware in front of every route: CORS from an allow-list, 304 for a matching
If-None-Match, and a cap on request bodies."""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import settings
from service.cache import NotModified
from service.http import error_response, negotiate


class BodyLimit:
    """Refuses a body over MAX_BODY_BYTES with a 413, before the app reads any of it.

    A declared Content-Length is checked up front; a chunked body is read here up to the limit
    (the GraphQL view reads whole bodies anyway) and replayed to the app.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = settings.MAX_BODY_BYTES
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self.refuse(headers, limit, scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self.refuse(headers, limit, scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    @staticmethod
    async def refuse(headers: Headers, limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413,
            f"the request body is larger than {limit:,} bytes (QUOTEGRAPH_MAX_BODY_BYTES)",
            "BODY_TOO_LARGE",
            media_type=negotiate(headers.get("accept")),
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


# What GraphQL clients send beside the safelisted ones: Apollo Client's client awareness and CSRF
# headers, a token, and a revalidation's If-None-Match; Relay, urql and gql send a subset.
CORS_ALLOW_HEADERS = [
    "Authorization",
    "Content-Type",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "If-None-Match",
]
# Beside the safelisted response headers (Cache-Control, Content-Type, ...): a script revalidates
# with the ETag.
CORS_EXPOSE_HEADERS = ["ETag"]


class CORS(CORSMiddleware):
    """Starlette's CORS, without naming Origin twice in a Vary the view already set."""

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        async def deduplicated(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                tokens = [t.strip() for v in headers.getlist("vary") for t in v.split(",") if t.strip()]
                if tokens:
                    unique: dict[str, str] = {}
                    for token in tokens:
                        unique.setdefault(token.lower(), token)
                    headers["Vary"] = ", ".join(unique.values())
            await send(message)

        await super().send(message, deduplicated, request_headers)


def middleware() -> list[Middleware]:
    stack = []
    if settings.CORS_ORIGINS:
        # Bearer tokens, not cookies, authorise mutations: no credentials are allowed. A preflight
        # answers GET as POST: a GET with Content-Type or a client header needs one too.
        stack.append(
            Middleware(
                CORS,
                allow_origins=settings.CORS_ORIGINS,
                allow_methods=["GET", "POST"],
                allow_headers=CORS_ALLOW_HEADERS,
                expose_headers=CORS_EXPOSE_HEADERS,
                max_age=600,
            )
        )
    # Outside the response cache: a revalidation answered from the cache runs nothing.
    stack.append(Middleware(NotModified))
    stack.append(Middleware(BodyLimit))
    return stack
