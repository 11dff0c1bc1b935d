"""The schema comes from Tortoise migrations in service/migrations, kept in step with the models."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.utils import generate_schema_for_client

from service.db import prepare_schema, tortoise_config
from service.importer import import_text
from service.models import Article
from tests.conftest import BACKENDS
from tests.live import QUOTEGRAPH, run_cli
from tests.test_bulk import _database


async def test_migrations_match_the_models(db: str) -> None:
    apps = {"models": tortoise_config(db)["apps"]["models"]}
    ctx = TortoiseContext()
    async with ctx:
        await ctx.init(config=tortoise_config(db))
        changes = await MigrationAutodetector(ctx.apps, apps).changes()
    assert changes == [], "models changed: run `tortoise -c service.db.TORTOISE_ORM makemigrations`"


async def test_prepare_schema_is_idempotent_and_keeps_data(db: str) -> None:
    await import_text("Kept\n“Still here,” said Mayor Ana Lund.\n")
    await prepare_schema()
    await prepare_schema()
    assert await Article.all().count() == 1


async def test_a_database_made_before_migrations_is_adopted(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/old.sqlite3"
    ctx = TortoiseContext()
    async with ctx:
        await ctx.init(config=tortoise_config(url), _enable_global_fallback=True)
        await generate_schema_for_client(connections.get("default"), safe=False)  # the old way
        await import_text("Old\n“From before,” said Mayor Ana Lund.\n")
        await prepare_schema()
        applied = await connections.get("default").execute_query_dict("SELECT name FROM tortoise_migrations")
        assert [row["name"] for row in applied] == ["0001_initial"]
        assert await Article.all().count() == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_workers_starting_together_migrate_once(backend: str, tmp_path: Path) -> None:
    with _database(backend, tmp_path, "fresh") as env:
        processes = [
            subprocess.Popen([QUOTEGRAPH, "stats", "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(4)
        ]
        for process in processes:
            stdout, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, stderr
            assert json.loads(stdout)["articles"] == 0
        assert run_cli("stats", env=env).returncode == 0
