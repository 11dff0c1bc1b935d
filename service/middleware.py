"""ASGI middleware in front of every route: CORS from an allow-list, and a cap on request bodies."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import settings
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


def middleware() -> list[Middleware]:
    stack = []
    if settings.CORS_ORIGINS:
        # Bearer tokens, not cookies, authorise mutations: no credentials are allowed.
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.CORS_ORIGINS,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            )
        )
    stack.append(Middleware(BodyLimit))
    return stack
