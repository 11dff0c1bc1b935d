"""Tortoise configuration shared by the app, the CLI and the tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url

from service import settings

MODELS = ["service.models"]


def tortoise_config(db_url: str | None = None) -> dict[str, Any]:
    connection = expand_db_url(db_url or settings.DATABASE_URL)
    if connection["engine"] == "tortoise.backends.asyncpg":
        connection["credentials"]["maxsize"] = settings.DB_POOL_MAX
    return {
        "connections": {"default": connection},
        "apps": {"models": {"models": MODELS, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def is_postgres(db_url: str | None = None) -> bool:
    return (db_url or settings.DATABASE_URL).startswith(("postgres://", "postgresql://", "asyncpg://"))


@asynccontextmanager
async def database(db_url: str | None = None) -> AsyncIterator[None]:
    """Open the database for a CLI command, creating the tables when they are missing."""
    await Tortoise.init(config=tortoise_config(db_url), _enable_global_fallback=True)
    try:
        await Tortoise.generate_schemas(safe=True)
        yield
    finally:
        await Tortoise.close_connections()
