"""A response cache for GraphQL queries, keyed by the request and invalidated by every write.

Queries are public and deterministic for a given state of the database, so a repeated request
(same document, variables and Accept) can be answered with the bytes of the last answer, until
anything is written. Writes are counted by `events.generation()`: bumped in-process by every
write, by PostgreSQL NOTIFY from other processes, and on SQLite by the database file changing.
Only successful query operations are cached; mutations and errors never are. A document named by
its hash (persisted queries) is cached under the request too, as the view resolved it.

`NotModified` answers a GET's `If-None-Match` with 304 when the answer's ETag (service/http.py)
matches, before any body leaves; with the cache in front, a repeated revalidation runs nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import orjson
from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import events
from service.http import DOCUMENT_SCOPE_KEY

TTL_SECONDS = 60.0  # a bound on staleness should a PostgreSQL notification ever be lost


@dataclass
class _Entry:
    generation: tuple[int, ...]
    stored: float
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


@lru_cache(maxsize=1024)
def _is_query(document: str, operation_name: str | None) -> bool:
    try:
        ast = parse(document)
    except GraphQLError:
        return False
    operations = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    return len(chosen) == 1 and chosen[0].operation is OperationType.QUERY


def _operation(scope: Scope, body: bytes) -> tuple[str, str | None] | None:
    document = scope.get(DOCUMENT_SCOPE_KEY)
    if document is not None:
        query, name = document
        return (query, name) if isinstance(query, str) else None
    method, query_string = scope["method"], scope.get("query_string", b"")
    try:
        if method == "POST":
            data = orjson.loads(body)
        else:
            from urllib.parse import parse_qs

            params = parse_qs(query_string.decode("latin-1"))
            data = {k: v[0] for k, v in params.items()}
    except (orjson.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("query"), str):
        return None
    name = data.get("operationName")
    return data["query"], name if isinstance(name, str) else None


class ResponseCache:
    def __init__(self, app: ASGIApp, max_entries: int = 1000, max_bytes: int = 64_000_000) -> None:
        self.app = app
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self.size = 0
        self.hits = self.misses = 0
        # Requests missing on a key that another request is already computing wait for it.
        self.pending: dict[bytes, asyncio.Future[_Entry | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or method not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        accept = headers.get(b"accept", b"")
        if method == "GET" and b"text/html" in accept:  # GraphiQL's page
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        # An answer to a request with Authorization carries other Cache-Control headers.
        authorized = b"1" if b"authorization" in headers else b"0"
        key = hashlib.blake2b(
            b"\0".join(
                (
                    method.encode(),
                    scope.get("query_string", b""),
                    accept,
                    headers.get(b"content-type", b""),
                    authorized,
                    body,
                )
            ),
            digest_size=20,
        ).digest()
        generation = events.generation()
        entry = self.entries.get(key)
        if entry is None or entry.generation != generation or time.monotonic() - entry.stored >= TTL_SECONDS:
            entry = None
            if (pending := self.pending.get(key)) is not None:
                entry = await asyncio.shield(pending)  # the same query is running: share its answer
        if entry is not None and entry.generation == generation:
            if key in self.entries:
                self.entries.move_to_end(key)
            self.hits += 1
            await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
            await send({"type": "http.response.body", "body": entry.body})
            return
        self.misses += 1
        future: asyncio.Future[_Entry | None] = asyncio.get_running_loop().create_future()
        self.pending.setdefault(key, future)
        try:
            await self._compute(scope, receive, send, body, key, generation, future)
        finally:
            if self.pending.get(key) is future:
                del self.pending[key]
            if not future.done():
                future.set_result(None)

    async def _compute(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        body: bytes,
        key: bytes,
        generation: tuple[int, ...],
        future: asyncio.Future[_Entry | None],
    ) -> None:
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, replay, capture)
        response = b"".join(chunks)
        if (
            start.get("status") == 200
            and b'"errors"' not in response
            and (operation := _operation(scope, body)) is not None
            and _is_query(*operation)
        ):
            entry = _Entry(generation, time.monotonic(), 200, list(start.get("headers", [])), response)
            self._store(key, entry)
            if not future.done():
                future.set_result(entry)

    def _store(self, key: bytes, entry: _Entry) -> None:
        if len(entry.body) > self.max_bytes // 10:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self.entries[key] = entry
        self.size += len(entry.body)
        while self.entries and (len(self.entries) > self.max_entries or self.size > self.max_bytes):
            _, evicted = self.entries.popitem(last=False)
            self.size -= len(evicted.body)


# Headers a 304 repeats from the 200 it stands for (RFC 9110, 15.4.5), and CORS's own.
_NOT_MODIFIED_HEADERS = {b"cache-control", b"content-location", b"date", b"etag", b"expires", b"vary"}


def _matches(if_none_match: str, tag: str) -> bool:
    """If-None-Match's weak comparison: `*`, or any listed tag equal to `tag` ignoring W/."""
    if if_none_match.strip() == "*":
        return True
    opaque = tag.removeprefix("W/")
    return any(candidate.strip().removeprefix("W/") == opaque for candidate in if_none_match.split(","))


class NotModified:
    """Turns a GET's 200 into a 304 when its ETag matches the request's If-None-Match."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        if if_none_match is None:
            await self.app(scope, receive, send)
            return
        replaced = False

        async def conditional(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start":
                tag = MutableHeaders(scope=message).get("etag")
                if message["status"] == 200 and tag is not None and _matches(if_none_match, tag):
                    replaced = True
                    kept = [(k, v) for k, v in message.get("headers", []) if k.lower() in _NOT_MODIFIED_HEADERS]
                    await send({"type": "http.response.start", "status": 304, "headers": kept})
                    await send({"type": "http.response.body", "body": b""})
                    return
            elif message["type"] == "http.response.body" and replaced:
                return  # the body of the 200 stays here
            await send(message)

        await self.app(scope, receive, conditional)
