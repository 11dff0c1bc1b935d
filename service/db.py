"""Tortoise configuration shared by the app, the CLI and the tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tortoise import Tortoise, connections
from tortoise.transactions import in_transaction
from tortoise.utils import generate_schema_for_client, get_schema_sql
from tortoise.backends.base.config_generator import expand_db_url

from service import settings

MODELS = ["service.models"]


def tortoise_config(db_url: str | None = None) -> dict[str, Any]:
    connection = expand_db_url(db_url or settings.DATABASE_URL)
    if connection["engine"] == "tortoise.backends.asyncpg":
        connection["credentials"]["maxsize"] = settings.DB_POOL_MAX
    elif connection["engine"] == "tortoise.backends.sqlite":
        # Wait for another process's write instead of failing at once with "database is locked".
        connection["credentials"].setdefault("busy_timeout", 15_000)
    return {
        "connections": {"default": connection},
        "apps": {"models": {"models": MODELS, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def sqlite_path(db_url: str | None = None) -> str | None:
    """The file of a SQLite database URL; None for an in-memory one or another backend."""
    connection = expand_db_url(db_url or settings.DATABASE_URL)
    path = connection["credentials"].get("file_path")
    return None if connection["engine"] != "tortoise.backends.sqlite" or path in (None, ":memory:") else str(path)


def is_postgres(db_url: str | None = None) -> bool:
    return (db_url or settings.DATABASE_URL).startswith(("postgres://", "postgresql://", "asyncpg://"))


# Indexes Tortoise cannot declare: full-text search on PostgreSQL.
POSTGRES_INDEXES = (
    "CREATE INDEX IF NOT EXISTS quote_text_fts ON quote USING GIN (to_tsvector('english', text))",
    "CREATE INDEX IF NOT EXISTS article_title_fts ON article USING GIN (to_tsvector('english', title))",
)
_SCHEMA_LOCK = 0x71756F7465  # any constant shared by every process


async def prepare_schema() -> None:
    """Create missing tables and indexes; safe when several workers start at once."""
    conn = connections.get("default")
    if conn.capabilities.dialect != "postgres":
        await generate_schema_for_client(conn, safe=True)
        return
    async with in_transaction() as tx:
        # Concurrent CREATE TABLE IF NOT EXISTS can still collide on PostgreSQL: serialise it.
        await tx.execute_query(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
        await tx.execute_script(get_schema_sql(tx, safe=True))
        for statement in POSTGRES_INDEXES:
            await tx.execute_script(statement)


@asynccontextmanager
async def database(db_url: str | None = None) -> AsyncIterator[None]:
    """Open the database for a CLI command, creating the tables when they are missing."""
    await Tortoise.init(config=tortoise_config(db_url), _enable_global_fallback=True)
    try:
        await prepare_schema()
        yield
    finally:
        await Tortoise.close_connections()
