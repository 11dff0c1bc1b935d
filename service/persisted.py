"""Persisted queries: Apollo's automatic persisted queries (APQ), and an allow-list for production.

APQ, as Apollo Client's `createPersistedQueryLink` and Apollo Server 4 speak it: a request whose
`extensions.persistedQuery` is `{"version": 1, "sha256Hash": H}` and that has no `query` runs the
document known by H; an unknown H is answered `PersistedQueryNotFound` (code
PERSISTED_QUERY_NOT_FOUND, HTTP 200, `Cache-Control: private, no-cache, must-revalidate`), and the
client retries with the text and H: the text is checked against H (a mismatch is refused, since
anyone could otherwise bind a hash to another document), remembered and run.

The APQ store is per worker, in memory, bounded (LRU). Not a database table: a registration is a
write any anonymous client could make, and on SQLite every write changes the file that
`events.generation()` watches, dropping every worker's response cache and ETags for each new
document seen. A worker that has not seen a document yet costs the client one extra round trip.

The allow-list (QUOTEGRAPH_PERSISTED_ONLY) is shared by every worker: documents registered at
build time by `quotegraph persist` live in the `persisted_query` table. With it on, only those run,
sent by hash or as the very text registered; anything else is refused with a code saying so.
Registered documents also answer APQ hashes when the allow-list is off.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from graphql import GraphQLError, OperationDefinitionNode, parse, print_ast

from service.db import fetch

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
VERSION_NOT_SUPPORTED = "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"
NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
NOT_REGISTERED = "PERSISTED_QUERY_NOT_REGISTERED"
# What Apollo Server sends with its persisted-query errors: a CDN must not keep a miss, or every
# client behind it would be told to send the text again forever.
UNCACHED = {"Cache-Control": "private, no-cache, must-revalidate"}
KEY_LENGTH = 128  # a SHA-256 in hex is 64; room for a prefixed or longer id of a manifest
PERSIST_ADVICE = "register it at build time with `quotegraph persist FILE...` and send its sha256Hash"


class PersistedQueryError(Exception):
    """A persisted-query request refused: answered as one GraphQL error with `status`."""

    def __init__(self, status: int, message: str, code: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
        self.headers = dict(headers or {})


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _LRU:
    """Hash -> text, bounded in entries and in characters; the least recently used go first."""

    def __init__(self, max_entries: int, max_chars: int) -> None:
        self.max_entries, self.max_chars = max_entries, max_chars
        self.entries: OrderedDict[str, str] = OrderedDict()
        self.chars = 0

    def get(self, key: str) -> str | None:
        text = self.entries.get(key)
        if text is not None:
            self.entries.move_to_end(key)
        return text

    def put(self, key: str, text: str) -> None:
        if self.max_entries <= 0 or len(text) > self.max_chars // 10:
            return  # one huge document must not evict everything else
        old = self.entries.pop(key, None)
        self.chars -= len(old) if old is not None else 0
        self.entries[key] = text
        self.chars += len(text)
        while len(self.entries) > self.max_entries or self.chars > self.max_chars:
            _, evicted = self.entries.popitem(last=False)
            self.chars -= len(evicted)


async def registered(key: str) -> str | None:
    """The text registered under `key` by `quotegraph persist`, or None."""
    rows = await fetch("SELECT text FROM persisted_query WHERE id = ?", (key,))
    return str(rows[0]["text"]) if rows else None


class PersistedQueries:
    """Resolves a request's document from its `extensions.persistedQuery` (see the module doc)."""

    def __init__(self, max_entries: int, only_registered: bool, max_chars: int = 16_000_000) -> None:
        self.apq = max_entries > 0
        self.only_registered = only_registered
        # In allow-list mode this holds registered documents only: a cache of the table.
        self.store = _LRU(max_entries, max_chars)

    async def document(self, query: str | None, extensions: Mapping[str, Any] | None) -> str | None:
        """The text to run; raises PersistedQueryError for a request refused."""
        persisted = extensions.get("persistedQuery") if extensions else None
        if persisted is None:
            if query and self.only_registered and await self._lookup(sha256(query)) != query:
                raise PersistedQueryError(
                    403,
                    "this server runs only registered documents (QUOTEGRAPH_PERSISTED_ONLY) and this one "
                    f"is not: {PERSIST_ADVICE}",
                    NOT_ALLOWED,
                )
            return query
        key = _hash_of(persisted)
        if not self.apq and not self.only_registered:
            raise PersistedQueryError(200, "PersistedQueryNotSupported", NOT_SUPPORTED, UNCACHED)
        if query:
            if sha256(query) != key:
                raise PersistedQueryError(400, "provided sha does not match query", HASH_MISMATCH)
            if not self.only_registered:
                self.store.put(key, query)
                return query
        text = await self._lookup(key)
        if text is not None:
            return text
        if self.only_registered:
            raise PersistedQueryError(
                404,
                f"no document is registered with sha256Hash {key[:80]!r}, and this server runs only "
                f"registered documents (QUOTEGRAPH_PERSISTED_ONLY): {PERSIST_ADVICE}",
                NOT_REGISTERED,
            )
        raise PersistedQueryError(200, "PersistedQueryNotFound", NOT_FOUND, UNCACHED)

    async def _lookup(self, key: str) -> str | None:
        text = self.store.get(key)
        if text is None and (text := await registered(key)) is not None:
            self.store.put(key, text)  # registered texts never change under their hash
        return text


def _hash_of(persisted: object) -> str:
    if not isinstance(persisted, Mapping):
        raise PersistedQueryError(
            400, "`extensions.persistedQuery` must be an object: {version: 1, sha256Hash}", "BAD_REQUEST"
        )
    version = persisted.get("version")
    if version != 1 or isinstance(version, bool):
        raise PersistedQueryError(
            400,
            f"Unsupported persisted query version {version!r}: only version 1 (sha256Hash) is supported",
            VERSION_NOT_SUPPORTED,
        )
    key = persisted.get("sha256Hash")
    if not isinstance(key, str) or not key:
        raise PersistedQueryError(
            400, "`extensions.persistedQuery.sha256Hash` must be the SHA-256 of the query, in hex", "BAD_REQUEST"
        )
    return key


# -- the build step: `quotegraph persist FILE...` ------------------------------------------------


@dataclass(frozen=True)
class Registration:
    """One document to register, under `key` (sha256 of `text`, or a manifest's own id)."""

    key: str
    text: str
    name: str | None
    origin: str


_FENCE = re.compile(r"^```graphql[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def read_documents(path: Path) -> list[Registration]:
    """The documents of one file: a .graphql/.gql file is one document; a .md file, each ```graphql
    block; a .json file, Apollo's persisted query manifest (`generatePersistedQueryManifest`) or
    Relay's `{id: text}`. Raises ValueError on a document that does not parse."""
    raw = path.read_text(encoding="utf-8")
    origin = str(path)
    if path.suffix == ".json":
        try:
            manifest = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"{origin}: not JSON: {exc}") from None
        return list(_from_manifest(manifest, origin))
    if path.suffix not in (".md", ".markdown"):
        return list(_registrations(raw, None, origin))
    blocks = [m.group(1) for m in _FENCE.finditer(raw)]
    return [r for index, text in enumerate(blocks) for r in _registrations(text, None, f"{origin}#{index + 1}")]


def _from_manifest(manifest: object, origin: str) -> Iterator[Registration]:
    if isinstance(manifest, dict) and isinstance(manifest.get("operations"), list):
        for operation in manifest["operations"]:
            if not isinstance(operation, dict) or not isinstance(operation.get("body"), str):
                raise ValueError(f"{origin}: each operation needs a string `body`")
            name = operation.get("name") if isinstance(operation.get("name"), str) else None
            key = operation.get("id")
            yield from _registrations(operation["body"], key if isinstance(key, str) else None, origin, name)
        return
    if isinstance(manifest, dict) and all(isinstance(v, str) for v in manifest.values()):
        for key, text in manifest.items():
            yield from _registrations(text, key, origin)
        return
    raise ValueError(f"{origin}: neither an Apollo persisted query manifest nor a Relay {{id: text}} map")


def _registrations(text: str, key: str | None, origin: str, name: str | None = None) -> Iterable[Registration]:
    """`text` under its sha256, under the manifest's id, and graphql-js's printing of it under its
    sha256 (what a client that prints the document itself sends)."""
    try:
        document = parse(text)
    except GraphQLError as exc:
        raise ValueError(f"{origin}: {exc.message}") from None
    printed = print_ast(document)
    if name is None:
        names = [d.name.value for d in document.definitions if isinstance(d, OperationDefinitionNode) and d.name]
        name = ", ".join(names) or None
    # The text as written, without its surrounding blank lines (as copied from a page), and printed.
    keys = {sha256(text): text, sha256(text.strip()): text.strip(), sha256(printed): printed}
    if key:
        if len(key) > KEY_LENGTH:
            raise ValueError(f"{origin}: an id longer than {KEY_LENGTH} characters: {key[:80]!r}...")
        keys[key] = text
    return [Registration(k, t, name, origin) for k, t in keys.items()]


async def register(registrations: Iterable[Registration]) -> int:
    """Store registrations, replacing none (a key names one text for good); the count added."""
    from service.models import PersistedQuery

    added = 0
    for item in registrations:
        _, created = await PersistedQuery.get_or_create(
            id=item.key,
            defaults={"text": item.text, "name": (item.name or "")[:200] or None, "origin": item.origin[:500]},
        )
        added += created
    return added
