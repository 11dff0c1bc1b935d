"""All configuration, read once from the environment (and an optional `.env` file)."""

from __future__ import annotations

from pathlib import Path

from starlette.config import Config

config = Config(".env" if Path(".env").is_file() else None)

# Where the graph lives: SQLite by default (no server needed), or postgres://user@host:port/db.
DATABASE_URL: str = config("DATABASE_URL", default="sqlite://quotegraph.sqlite3")
HOST: str = config("QUOTEGRAPH_HOST", default="127.0.0.1")
PORT: int = config("QUOTEGRAPH_PORT", cast=int, default=8000)
# Connections each app worker keeps open to PostgreSQL.
DB_POOL_MAX: int = config("QUOTEGRAPH_DB_POOL_MAX", cast=int, default=10)
# Largest page a connection returns (`first`).
MAX_PAGE_SIZE: int = config("QUOTEGRAPH_MAX_PAGE_SIZE", cast=int, default=100)
# Largest article accepted by the importer, in bytes.
MAX_ARTICLE_BYTES: int = config("QUOTEGRAPH_MAX_ARTICLE_BYTES", cast=int, default=5_000_000)
# Bearer token every mutation must present; with none set, mutations are refused.
API_TOKEN: str | None = config("QUOTEGRAPH_API_TOKEN", default=None)
