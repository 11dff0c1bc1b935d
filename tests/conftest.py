"""Fixtures: every database test runs on SQLite, and on PostgreSQL when one answers on 5432."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext
from tortoise.models import Model

from service import models
from service.db import prepare_schema, tortoise_config

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgres://postgres@{PG_HOST}:{PG_PORT}/postgres"


def postgres_available() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


BACKENDS = ["sqlite", "postgres"] if postgres_available() else ["sqlite"]


def admin_sql(sql: str) -> None:
    """Run one statement on the maintenance database, from any context (a thread of its own,
    since a caller may already be inside an event loop)."""
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for the whole run, dropped at the end."""
    if not postgres_available():
        pytest.skip("no PostgreSQL on 127.0.0.1:5432 (.ci/run starts one)")
    name = f"quotegraph_test_{uuid.uuid4().hex[:12]}"
    admin_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return f"sqlite://{tmp_path}/test.sqlite3"


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[str]:
    """An empty database with the schema, open in this test's Tortoise context."""
    # Tortoise caches compiled INSERTs per connection name, not per dialect; one process of the
    # app only ever has one backend, but this suite switches between two.
    EXECUTOR_CACHE.clear()
    ctx = TortoiseContext()
    async with ctx:
        await ctx.init(config=tortoise_config(db_url), _enable_global_fallback=True)
        await prepare_schema()
        if db_url.startswith("postgres"):
            tables = ", ".join(
                model._meta.db_table
                for model in vars(models).values()
                if isinstance(model, type) and issubclass(model, Model) and model is not Model
            )
            await ctx.connections.get("default").execute_script(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        yield db_url


@pytest.fixture
async def client(db: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app, in-process; the db fixture stands in for the lifespan."""
    from service.app import create_app

    transport = httpx.ASGITransport(app=create_app(db))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def graphql(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """The `data` of a GraphQL response; fails the test on any error."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "seeds" / "kazakhstan-abraham-accords.txt"
