"""The loaders read rows without Tortoise's models: the values must be the ones Tortoise gives."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.models import Model

from schema.loaders import Loaders, _light_rows
from service import models
from service.db import fetch
from service.importer import import_input
from service.sources import ArticleInput
from tests.conftest import SEED_PATH

SEED = SEED_PATH.read_text(encoding="utf-8")


async def test_light_rows_hold_what_tortoise_models_hold(db: str) -> None:
    published = datetime(2025, 11, 6, 21, 30, tzinfo=UTC)
    await import_input(ArticleInput(text=SEED, published_at=published, url="https://example.org/kz"), "seed")
    compared = 0
    for model in (models.Article, models.Quote, models.Speaker, models.Agreement, models.Membership):
        columns, light = _light_rows(model)
        rows = {row["id"]: light(row) for row in await fetch(f"SELECT {columns} FROM {model._meta.db_table}")}
        instances: list[Model] = await model.all()
        assert instances and len(rows) == len(instances)
        for instance in instances:
            row = rows[instance.pk]
            assert row.pk == instance.pk
            for attr in model._meta.fields_db_projection:
                expected, got = getattr(instance, attr), getattr(row, attr)
                assert got == expected and type(got) is type(expected), (model.__name__, attr, got, expected)
                if isinstance(expected, datetime):
                    assert got.isoformat() == expected.isoformat()
                compared += 1
    article = await models.Article.get(url="https://example.org/kz")
    assert article.published_at == published and article.event_date is not None
    assert compared > 200


async def test_loaders_align_results_with_keys(db: str) -> None:
    await import_input(ArticleInput(text=SEED), "seed")
    article = await models.Article.get()
    loaders = Loaders()
    missing = article.id + 1000
    rows = await loaders.article_by_id.load_many([article.id, missing, article.id])
    assert rows[0] is not None and rows[0].title == article.title and rows[1] is None and rows[2] is rows[0]
    quotes, none = await loaders.quotes_by_article.load_many([article.id, missing])
    assert [q.position for q in quotes] == list(range(11)) and none == []
    assert quotes[0].text == "great call" and quotes[0].kind is models.QuoteKind.PARTIAL
    countries = await loaders.country_ids_by_article.load(article.id)
    assert len(countries) == 7
