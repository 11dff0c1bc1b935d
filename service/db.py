"""Tortoise configuration shared by the app, the CLI and the tests."""

from __future__ import annotations

import asyncio
import fcntl
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any, TypeVar

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget
from tortoise.transactions import in_transaction

from service import settings

MODELS = ["service.models"]
MIGRATIONS = "service.migrations"
INITIAL_MIGRATION = "0001_initial"


def _connection(url: str) -> dict[str, Any]:
    connection = expand_db_url(url)
    if connection["engine"] == "tortoise.backends.asyncpg":
        connection["credentials"]["maxsize"] = settings.DB_POOL_MAX
    elif connection["engine"] == "tortoise.backends.sqlite":
        # Wait for another process's write instead of failing at once with "database is locked".
        connection["credentials"].setdefault("busy_timeout", 15_000)
        # In WAL mode NORMAL cannot corrupt the database; a power cut may lose the last commits.
        connection["credentials"].setdefault("synchronous", "NORMAL")
    return connection


class ReplicaRouter:
    """Reads outside a transaction go to the read replica; every write to the primary."""

    def db_for_read(self, model: type) -> str:
        return REPLICA

    def db_for_write(self, model: type) -> str:
        return "default"


REPLICA = "replica"


def tortoise_config(db_url: str | None = None, replica_url: str | None = None) -> dict[str, Any]:
    connections_config = {"default": _connection(db_url or settings.DATABASE_URL)}
    replica = replica_url if replica_url is not None else settings.REPLICA_URL
    config: dict[str, Any] = {
        "connections": connections_config,
        "apps": {"models": {"models": MODELS, "default_connection": "default", "migrations": MIGRATIONS}},
        "use_tz": True,
        "timezone": "UTC",
    }
    if replica:
        connections_config[REPLICA] = _connection(replica)
        config["routers"] = ["service.db.ReplicaRouter"]
    return config


def read_connection() -> str:
    """The connection reads outside a transaction use: the replica when one is configured."""
    return REPLICA if REPLICA in connections.db_config else "default"


async def fetch(sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """The rows of one read statement outside any transaction, as dicts; `?` marks parameters.

    PostgreSQL (or the replica) answers through the pool. A SQLite file answers on the event
    loop's own thread: aiosqlite hands every statement to a worker thread and back, ~120 µs a
    round trip here against ~12 µs for an indexed lookup itself, and in WAL mode a reader never
    waits for a writer. Should the file be busy all the same, the statement goes through aiosqlite.
    """
    conn = connections.get(read_connection())
    rows: list[dict[str, Any]]
    if conn.capabilities.dialect == "postgres":
        rows = await conn.execute_query_dict(_numbered(sql), list(params))
        return rows
    reader = _sqlite_reader(conn)
    if reader is not None:
        try:
            cursor = reader.execute(sql, params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except sqlite3.OperationalError:
            pass  # busy or locked: wait for it on aiosqlite's thread instead
    rows = await conn.execute_query_dict(sql, list(params))
    return rows


def _sqlite_reader(conn: BaseDBAsyncClient) -> sqlite3.Connection | None:
    """A read-only connection to the client's SQLite file, living as long as the client."""
    reader: sqlite3.Connection | None = conn.__dict__.get("_quotegraph_reader")
    if reader is None:
        path = getattr(conn, "filename", None)
        if not path or path == ":memory:":
            return None
        # timeout=0: never sleep on the event loop's thread waiting for a lock.
        reader = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        reader.execute("PRAGMA query_only = ON")
        conn.__dict__["_quotegraph_reader"] = reader
    return reader


T = TypeVar("T")


async def write_transaction(body: Callable[[BaseDBAsyncClient], Awaitable[T]], connection: str = "default") -> T:
    """`body(conn)` in one transaction that no cancellation of the caller can leave open.

    Tortoise's in_transaction() takes the SQLite connection's lock (or a pooled PostgreSQL
    connection) and only then awaits BEGIN; a cancellation landing there (a request's time limit
    firing at the first await after CPU work) skips its __aexit__, so the lock is never released
    (every later query of the worker waits for it) or the connection never goes back to the pool,
    idle in transaction. So the transaction runs in a task of its own: a cancellation of the caller
    reaches the body only while the body runs, never BEGIN, COMMIT or ROLLBACK, and the caller
    waits for the rollback before the cancellation goes on.
    """
    state = _Phase()

    async def run() -> T:
        async with in_transaction(connection) as conn:
            state.in_body = True
            state.entered.set()
            try:
                return await body(conn)
            finally:
                state.in_body = False

    task = asyncio.create_task(run())
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await _wind_down(task, state)
        raise


class _Phase:
    def __init__(self) -> None:
        self.in_body = False
        self.entered = asyncio.Event()


async def _wind_down(task: asyncio.Task[Any], state: _Phase) -> None:
    """Stop a transaction whose caller was cancelled: cancel its body once BEGIN is done (an
    unfinished BEGIN or a COMMIT under way runs to its end), and wait for the rollback, whatever
    further cancellations come meanwhile."""
    cancelled = False
    while not task.done():
        if state.in_body and not cancelled:
            task.cancel()
            cancelled = True
        waiters: list[asyncio.Future[Any]] = [task]
        if not state.entered.is_set():
            waiters.append(asyncio.ensure_future(state.entered.wait()))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            pass  # the caller's cancellation is raised once the connection is free again
        finally:
            for waiter in waiters[1:]:
                waiter.cancel()
    if not task.cancelled():
        task.exception()  # retrieved: the caller's cancellation is what goes on


@lru_cache(maxsize=1024)
def _numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2, ...`."""
    parts = sql.split("?")
    return "".join(part + (f"${n}" if n < len(parts) else "") for n, part in enumerate(parts, start=1))


def __getattr__(name: str) -> Any:
    # `tortoise -c service.db.TORTOISE_ORM makemigrations` reads the configuration from here.
    if name == "TORTOISE_ORM":
        return tortoise_config()
    raise AttributeError(name)


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
    """Bring the database to the current schema with the migrations in service/migrations;
    safe when several workers start at once."""
    conn = connections.get("default")
    if conn.capabilities.dialect != "postgres":
        path = getattr(conn, "filename", ":memory:")
        if path == ":memory:":
            await _migrate(conn)
            return
        # Processes opening one SQLite file together take turns, through a lock file beside it.
        with open(f"{path}.migrate-lock", "a") as lock:
            await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
            try:
                await _migrate(conn)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return
    # Workers starting together would each try to apply the same migration: one at a time, by a
    # session lock held on a connection of its own that runs nothing else.
    import asyncpg

    lock_conn = await asyncpg.connect(
        **{key: getattr(conn, key) for key in ("user", "password", "host", "port", "database")}
    )
    try:
        await lock_conn.execute(f"SELECT pg_advisory_lock({_SCHEMA_LOCK})")
        await _migrate(conn)
        for statement in POSTGRES_INDEXES:
            await conn.execute_script(statement)
    finally:
        await lock_conn.close()  # closing the session releases its lock


async def _migrate(conn: BaseDBAsyncClient) -> None:
    apps = {"models": tortoise_config()["apps"]["models"]}
    executor = MigrationExecutor(conn, apps)
    applied = await executor.recorder.applied_migrations() if await _has_table(conn, "tortoise_migrations") else []
    if not applied and await _has_table(conn, "article"):
        # A database made before migrations existed (by generate_schemas): its tables are the
        # initial migration's, so record that one as applied and run only what follows.
        await executor.migrate([MigrationTarget(app_label="models", name=INITIAL_MIGRATION)], fake=True)
    await executor.migrate()


async def _has_table(conn: BaseDBAsyncClient, table: str) -> bool:
    if conn.capabilities.dialect == "postgres":
        rows = await conn.execute_query_dict("SELECT to_regclass($1) IS NOT NULL AS present", [table])
    else:
        rows = await conn.execute_query_dict(
            "SELECT COUNT(*) > 0 AS present FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
        )
    return bool(rows[0]["present"])


@asynccontextmanager
async def database(db_url: str | None = None) -> AsyncIterator[None]:
    """Open the database for a CLI command, creating the tables when they are missing."""
    await Tortoise.init(config=tortoise_config(db_url), _enable_global_fallback=True)
    try:
        await prepare_schema()
        yield
    finally:
        await Tortoise.close_connections()
