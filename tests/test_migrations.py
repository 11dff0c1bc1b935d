"""The schema comes from Tortoise migrations in service/migrations, kept in step with the models."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget

from service.db import prepare_schema, tortoise_config
from service.importer import import_text
from service.models import Article
from tests.conftest import BACKENDS, ROOT
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
        conn = connections.get("default")
        # The tables as the first release made them, by generate_schemas, with no migration records.
        executor = MigrationExecutor(conn, {"models": tortoise_config(url)["apps"]["models"]})
        await executor.migrate([MigrationTarget(app_label="models", name="0001_initial")])
        await conn.execute_script("DROP TABLE tortoise_migrations")
        await conn.execute_script(
            "INSERT INTO article (title, text, identity, content_hash, imported_at, date, quote_count) "
            "VALUES ('Old', 'Old\nText', 'hash:x', 'x', '2024-01-01', '2024-01-01', 0)"
        )
        await prepare_schema()
        applied = await conn.execute_query_dict("SELECT name FROM tortoise_migrations ORDER BY id")
        assert applied[0]["name"] == "0001_initial"
        assert len(applied) == len(list((ROOT / "service" / "migrations").glob("0*.py")))
        assert await Article.all().count() == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_workers_starting_together_migrate_once(backend: str, tmp_path: Path) -> None:
    with _database(backend, tmp_path, "fresh") as env:
        processes = [
            subprocess.Popen(
                [QUOTEGRAPH, "stats", "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(4)
        ]
        for process in processes:
            stdout, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, stderr
            assert json.loads(stdout)["articles"] == 0
        assert run_cli("stats", env=env).returncode == 0
