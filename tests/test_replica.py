"""With QUOTEGRAPH_REPLICA_URL, Tortoise's router sends reads to the replica and writes to the primary."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext

from service.app import create_app
from service.db import prepare_schema, tortoise_config
from service.importer import import_text
from tests.conftest import graphql

COUNT = "{ articles { totalCount edges { node { title } } } }"


async def test_reads_go_to_the_replica_and_writes_to_the_primary(tmp_path: Path) -> None:
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    EXECUTOR_CACHE.clear()
    ctx = TortoiseContext()
    async with ctx:
        await ctx.init(
            config=tortoise_config(f"sqlite://{primary}", f"sqlite://{replica}"), _enable_global_fallback=True
        )
        await prepare_schema()

        async def replicate() -> None:  # what streaming replication does, by hand
            await ctx.connections.get("default").execute_script("PRAGMA wal_checkpoint(TRUNCATE)")
            await ctx.connections.get("replica").close()
            shutil.copy(primary, replica)

        await replicate()

        assert (await import_text("Written\n“To the primary,” said Mayor Ana Lund.\n")).status == "imported"
        transport = httpx.ASGITransport(app=create_app(f"sqlite://{primary}"))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            before = await graphql(http, COUNT)
            await replicate()
            await import_text("Second\n“Also to the primary,” said Mayor Ana Lund.\n")  # invalidates caches
            after = await graphql(http, COUNT)
    assert before["articles"]["totalCount"] == 0  # read from the replica, which lagged
    assert after["articles"]["totalCount"] == 1
    assert [e["node"]["title"] for e in after["articles"]["edges"]] == ["Written"]
