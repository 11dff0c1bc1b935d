"""All configuration, read once from the environment (and an optional `.env` file)."""

from __future__ import annotations

from pathlib import Path

from starlette.config import Config

config = Config(".env" if Path(".env").is_file() else None)

# Where the graph lives: SQLite by default (no server needed), or postgres://user@host:port/db.
DATABASE_URL: str = config("DATABASE_URL", default="sqlite://quotegraph.sqlite3")
# A read replica of DATABASE_URL (PostgreSQL streaming replication): queries read from it.
REPLICA_URL: str | None = config("QUOTEGRAPH_REPLICA_URL", default=None)
HOST: str = config("QUOTEGRAPH_HOST", default="127.0.0.1")
PORT: int = config("QUOTEGRAPH_PORT", cast=int, default=8000)
# `quotegraph serve`: seconds a connection may take to send a request's headers (a slow client
# holding a connection open is closed), largest request head in bytes, seconds an idle keep-alive
# connection stays open, and connections served at once (more get 503).
HEADER_TIMEOUT: float = config("QUOTEGRAPH_HEADER_TIMEOUT", cast=float, default=10.0)
MAX_HEADER_BYTES: int = config("QUOTEGRAPH_MAX_HEADER_BYTES", cast=int, default=65_536)
KEEP_ALIVE_TIMEOUT: int = config("QUOTEGRAPH_KEEP_ALIVE_TIMEOUT", cast=int, default=5)
MAX_CONNECTIONS: int = config("QUOTEGRAPH_MAX_CONNECTIONS", cast=int, default=1000)
# Connections each app worker keeps open to PostgreSQL.
DB_POOL_MAX: int = config("QUOTEGRAPH_DB_POOL_MAX", cast=int, default=10)
# Largest page a connection returns (`first`).
MAX_PAGE_SIZE: int = config("QUOTEGRAPH_MAX_PAGE_SIZE", cast=int, default=100)
# Longest `search` filter, in characters, and most words in it: each word is a term of the SQL.
MAX_SEARCH_LENGTH: int = config("QUOTEGRAPH_MAX_SEARCH_LENGTH", cast=int, default=500)
MAX_SEARCH_WORDS: int = config("QUOTEGRAPH_MAX_SEARCH_WORDS", cast=int, default=32)
# Largest article accepted by the importer, in bytes.
MAX_ARTICLE_BYTES: int = config("QUOTEGRAPH_MAX_ARTICLE_BYTES", cast=int, default=5_000_000)
# Largest JSON Lines record (one line) or .json file the importer reads, in bytes: room for an
# article's text escaped in JSON and the annotations `quotegraph export` writes beside it.
MAX_RECORD_BYTES: int = config("QUOTEGRAPH_MAX_RECORD_BYTES", cast=int, default=8 * MAX_ARTICLE_BYTES)
# Bearer token every mutation must present; with none set, mutations are refused.
API_TOKEN: str | None = config("QUOTEGRAPH_API_TOKEN", default=None)
# Mutations parse articles in this many worker processes per app worker (0: on the event loop);
# one parse longer than PARSE_TIMEOUT seconds fails with PARSE_TIMEOUT (its process is replaced);
# with every worker busy and PARSE_QUEUE articles waiting, the next is refused with PARSE_BUSY.
PARSE_WORKERS: int = config("QUOTEGRAPH_PARSE_WORKERS", cast=int, default=2)
PARSE_TIMEOUT: float = config("QUOTEGRAPH_PARSE_TIMEOUT", cast=float, default=5.0)
PARSE_QUEUE: int = config("QUOTEGRAPH_PARSE_QUEUE", cast=int, default=16)

# "production" masks errors and, by default, turns off introspection and GraphiQL.
ENV: str = config("QUOTEGRAPH_ENV", default="development")
PRODUCTION: bool = ENV == "production"
INTROSPECTION: bool = config("QUOTEGRAPH_INTROSPECTION", cast=bool, default=not PRODUCTION)
GRAPHIQL: bool = config("QUOTEGRAPH_GRAPHIQL", cast=bool, default=not PRODUCTION)
# Origins allowed to call the API from a browser, comma-separated ("*" for any).
CORS_ORIGINS: list[str] = [o.strip() for o in config("QUOTEGRAPH_CORS_ORIGINS", default="").split(",") if o.strip()]
# Limits on a GraphQL request.
MAX_QUERY_DEPTH: int = config("QUOTEGRAPH_MAX_QUERY_DEPTH", cast=int, default=12)
MAX_ALIASES: int = config("QUOTEGRAPH_MAX_ALIASES", cast=int, default=30)
MAX_TOKENS: int = config("QUOTEGRAPH_MAX_TOKENS", cast=int, default=2000)
MAX_QUERY_COST: int = config("QUOTEGRAPH_MAX_QUERY_COST", cast=int, default=50_000)
MAX_QUERY_LENGTH: int = config("QUOTEGRAPH_MAX_QUERY_LENGTH", cast=int, default=100_000)
MAX_BODY_BYTES: int = config("QUOTEGRAPH_MAX_BODY_BYTES", cast=int, default=10_000_000)
REQUEST_TIMEOUT: float = config("QUOTEGRAPH_REQUEST_TIMEOUT", cast=float, default=10.0)
# Largest response to one GraphQL request, counted in text as it is built (RESPONSE_TOO_LARGE).
MAX_RESPONSE_BYTES: int = config("QUOTEGRAPH_MAX_RESPONSE_BYTES", cast=int, default=10_000_000)
# Responses to repeated queries kept per worker until the next write (0 turns the cache off).
RESPONSE_CACHE_ENTRIES: int = config("QUOTEGRAPH_RESPONSE_CACHE", cast=int, default=1000)
# Compiled plans for queries answered once before (schema/plans.py); 0 runs every query through strawberry.
QUERY_PLANS: int = config("QUOTEGRAPH_QUERY_PLANS", cast=int, default=256)
# Apollo's automatic persisted queries: documents each worker remembers by hash (0 turns APQ off).
PERSISTED_QUERIES: int = config("QUOTEGRAPH_PERSISTED_QUERIES", cast=int, default=1000)
# Production allow-list: only documents registered by `quotegraph persist` run.
PERSISTED_ONLY: bool = config("QUOTEGRAPH_PERSISTED_ONLY", cast=bool, default=False)
# Cache-Control of successful GET queries without Authorization: seconds fresh, and seconds a cache
# may serve it stale while it revalidates (0 leaves the directive out). An ETag comes with them.
HTTP_MAX_AGE: int = config("QUOTEGRAPH_HTTP_MAX_AGE", cast=int, default=0)
HTTP_STALE_WHILE_REVALIDATE: int = config("QUOTEGRAPH_HTTP_STALE_WHILE_REVALIDATE", cast=int, default=0)
# Live subscriptions: in flight on one WebSocket connection, and in one worker (refusals carry
# TOO_MANY_SUBSCRIPTIONS); results a subscriber may fall behind by before it is ended (SLOW_SUBSCRIBER).
MAX_SUBSCRIPTIONS_PER_CONNECTION: int = config("QUOTEGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION", cast=int, default=20)
MAX_SUBSCRIPTIONS: int = config("QUOTEGRAPH_MAX_SUBSCRIPTIONS", cast=int, default=1000)
SUBSCRIBER_QUEUE: int = config("QUOTEGRAPH_SUBSCRIBER_QUEUE", cast=int, default=1000)
# Seconds /healthz waits for the database before answering 503.
HEALTHZ_TIMEOUT: float = config("QUOTEGRAPH_HEALTHZ_TIMEOUT", cast=float, default=2.0)
