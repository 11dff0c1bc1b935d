"""Per-request batch loaders: one SQL statement per relation and batch, results aligned with keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import date as Day
from functools import cache
from types import SimpleNamespace
from typing import Any, TypeVar

from tortoise import fields
from tortoise.functions import Count
from tortoise.models import Model

from schema.batching import BatchLoader
from schema.pagination import PageKey
from service import events
from service.db import fetch
from service.models import (
    Agreement,
    Article,
    ArticleAgreement,
    ArticleCountry,
    ArticleSpeaker,
    Country,
    Membership,
    Quote,
    Speaker,
    SpeakerAlias,
)

M = TypeVar("M", bound=Model)
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class _SmallTable:
    """All rows of a small, rarely written table (countries: at most 249), kept per process and
    reloaded after any write, so resolving a country costs no SQL at all."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.rows: dict[int, Any] = {}
        self.generation: tuple[int, ...] | None = None

    async def load(self, ids: list[int]) -> list[Any]:
        generation = events.generation()
        if generation != self.generation or any(i not in self.rows for i in ids):
            self.rows = {row.pk: row for row in await self.model.all()}
            self.generation = generation
        return [self.rows.get(i) for i in ids]


_countries = _SmallTable(Country)


class Row(SimpleNamespace):
    """A row read without Tortoise: the model's attributes, and `pk` like a model's."""

    @property
    def pk(self) -> int:
        return self.id  # type: ignore[no-any-return]


def _light_rows(model: type[Model]) -> tuple[str, Callable[[dict[str, Any]], Any]]:
    # Only once Tortoise has set the models up: before that, foreign keys have no `_id` column.
    return _light_rows_of_ready(model) if model._meta._inited else _light_rows_of_ready.__wrapped__(model)


@cache
def _light_rows_of_ready(model: type[Model]) -> tuple[str, Callable[[dict[str, Any]], Any]]:
    """The column list of a model and a function turning a fetched row into a light object with
    the model's attribute names and Python values: what the types' from_model read, without
    Tortoise's model machinery (~25 µs a row)."""
    projection = model._meta.fields_db_projection
    # Selected `AS` the attribute names, so a fetched row is the attributes as they are stored.
    columns = ", ".join(f'"{column}" AS "{attr}"' for attr, column in projection.items())
    conversions = [
        (attr, convert) for attr in projection if (convert := _conversion(model._meta.fields_map[attr])) is not None
    ]

    def light(row: dict[str, Any]) -> Any:
        for attr, convert in conversions:
            value = row[attr]
            if value is not None:
                row[attr] = convert(value)
        return Row(**row)

    return columns, light


def _conversion(field: fields.Field[Any]) -> Callable[[Any], Any] | None:
    if isinstance(field, fields.data.CharEnumFieldInstance):
        return field.enum_type
    if isinstance(field, fields.DatetimeField):
        return _aware
    if isinstance(field, fields.DateField):
        return lambda value: Day.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(field, fields.BooleanField):
        return bool
    return None


def _aware(value: Any) -> datetime:
    """A stored timestamp as an aware UTC datetime, as Tortoise gives it (use_tz)."""
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


# Most values in one `IN (...)`: asyncpg takes at most 32,767 parameters a statement, and SQLite
# builds may allow as few; a level of a query can name more objects than that.
IN_CHUNK = 10_000
# Most LIMIT subqueries joined by UNION ALL in one statement: SQLite refuses a compound SELECT of
# more than 500 ("too many terms in compound SELECT"), and 500 parents are one level of one query.
UNION_CHUNK = 250


def _chunks(values: list[T], size: int) -> list[list[T]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


async def _fetch_in(sql: str, values: list[Any]) -> list[dict[str, Any]]:
    """The rows of `sql` (with `{marks}` where the IN list goes) for every value, IN_CHUNK at a time."""
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(values, IN_CHUNK):
        rows += await fetch(sql.format(marks=_marks(chunk)), chunk)
    return rows


@cache
def _by_id(model: type[M]) -> Callable[[list[int]], Any]:
    table = model._meta.db_table

    async def load(ids: list[int]) -> list[Any]:
        columns, light = _light_rows(model)
        sql = f"SELECT {columns} FROM {table} WHERE id IN ({{marks}})"
        rows = {row["id"]: light(row) for row in await _fetch_in(sql, list(dict.fromkeys(ids)))}
        return [rows.get(i) for i in ids]

    return load


@cache
def _children(model: type[Model], key: str, order: str) -> Callable[[list[int]], Any]:
    """Rows of a model grouped by a column (quotes by article, memberships by country)."""
    table = model._meta.db_table

    async def load(ids: list[int]) -> list[list[Any]]:
        columns, light = _light_rows(model)
        grouped: dict[int, list[Any]] = defaultdict(list)
        sql = f"SELECT {columns} FROM {table} WHERE {key} IN ({{marks}}) ORDER BY {key}, {order}"
        for row in await _fetch_in(sql, list(dict.fromkeys(ids))):
            grouped[row[key]].append(light(row))
        return [grouped[i] for i in ids]

    return load


@cache
def _grouped(link: type[Model], key: str, value: str) -> Callable[[list[int]], Any]:
    """A column's values grouped by another column's (one side of a link table by the other)."""
    table = link._meta.db_table

    async def load(ids: list[int]) -> list[list[Any]]:
        grouped: dict[int, list[Any]] = defaultdict(list)
        sql = f"SELECT {key}, {value} FROM {table} WHERE {key} IN ({{marks}}) ORDER BY id"
        for row in await _fetch_in(sql, list(dict.fromkeys(ids))):
            grouped[row[key]].append(row[value])
        return [grouped[i] for i in ids]

    return load


@cache
def _counts(model: type[Model], key: str) -> Callable[[list[int]], Any]:
    async def load(ids: list[int]) -> list[int]:
        counts: dict[int, int] = {}
        for chunk in _chunks(list(dict.fromkeys(ids)), IN_CHUNK):
            query = model.filter(**{f"{key}__in": chunk}).annotate(n=Count("id")).group_by(key)
            counts.update(await query.values_list(key, "n"))
        return [counts.get(i, 0) for i in ids]

    return load


@cache
def _page_ids(table: str, parent: str, child: str = "id") -> Callable[[list[PageKey]], Any]:
    """Pages of child ids per parent, keyed (parent id, child id to start beyond, limit,
    descending): a statement of index-ordered LIMIT subqueries for every UNION_CHUNK parents,
    forward and backward pages alike, so a parent with 100,000 children costs no more than one
    with ten."""
    pages = {
        descending: (
            f"SELECT * FROM (SELECT {child} AS child, CAST(? AS INTEGER) AS k FROM {table} "
            f"WHERE {parent} = ? AND {child} {beyond} CAST(? AS BIGINT) ORDER BY {child} {order} LIMIT ?) AS page{{n}}"
        )
        for descending, order, beyond in ((False, "ASC", ">"), (True, "DESC", "<"))
    }

    async def load(keys: list[PageKey]) -> list[list[int]]:
        unique = list(dict.fromkeys(keys))
        found: dict[int, list[int]] = defaultdict(list)
        for start in range(0, len(unique), UNION_CHUNK):
            chunk = list(enumerate(unique[start : start + UNION_CHUNK], start))
            sql = " UNION ALL ".join(pages[descending].format(n=n) for n, (_, _, _, descending) in chunk)
            values = [value for n, (p, beyond, limit, _) in chunk for value in (n, p, beyond, limit)]
            for row in await fetch(sql, values):
                found[row["k"]].append(row["child"])
        index = {key: n for n, key in enumerate(unique)}
        return [found[index[key]] for key in keys]

    return load


@dataclass
class Loaders:
    """Created anew for every request, so nothing is cached across requests."""

    article_by_id: BatchLoader[int, Article | None] = field(init=False)
    quote_by_id: BatchLoader[int, Quote | None] = field(init=False)
    speaker_by_id: BatchLoader[int, Speaker | None] = field(init=False)
    country_by_id: BatchLoader[int, Country | None] = field(init=False)
    agreement_by_id: BatchLoader[int, Agreement | None] = field(init=False)
    quotes_by_article: BatchLoader[int, list[Quote]] = field(init=False)
    memberships_by_agreement: BatchLoader[int, list[Membership]] = field(init=False)
    memberships_by_country: BatchLoader[int, list[Membership]] = field(init=False)
    country_ids_by_article: BatchLoader[int, list[int]] = field(init=False)
    agreement_ids_by_article: BatchLoader[int, list[int]] = field(init=False)
    speaker_ids_by_article: BatchLoader[int, list[int]] = field(init=False)
    article_ids_page_by_speaker: BatchLoader[PageKey, list[int]] = field(init=False)
    article_ids_page_by_country: BatchLoader[PageKey, list[int]] = field(init=False)
    article_ids_page_by_agreement: BatchLoader[PageKey, list[int]] = field(init=False)
    article_count_by_speaker: BatchLoader[int, int] = field(init=False)
    article_count_by_country: BatchLoader[int, int] = field(init=False)
    article_count_by_agreement: BatchLoader[int, int] = field(init=False)
    aliases_by_speaker: BatchLoader[int, list[str]] = field(init=False)
    speaker_count_by_country: BatchLoader[int, int] = field(init=False)
    quote_count_by_country: BatchLoader[int, int] = field(init=False)
    quote_count_by_agreement: BatchLoader[int, int] = field(init=False)
    quote_ids_page_by_speaker: BatchLoader[PageKey, list[int]] = field(init=False)
    speaker_ids_page_by_country: BatchLoader[PageKey, list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.article_by_id = BatchLoader(_by_id(Article))
        self.quote_by_id = BatchLoader(_by_id(Quote))
        self.speaker_by_id = BatchLoader(_by_id(Speaker))
        self.country_by_id = BatchLoader(_countries.load)
        self.agreement_by_id = BatchLoader(_by_id(Agreement))
        self.quotes_by_article = BatchLoader(_children(Quote, "article_id", "position"))
        self.memberships_by_agreement = BatchLoader(_children(Membership, "agreement_id", "id"))
        self.memberships_by_country = BatchLoader(_children(Membership, "country_id", "id"))
        self.country_ids_by_article = BatchLoader(_grouped(ArticleCountry, "article_id", "country_id"))
        self.agreement_ids_by_article = BatchLoader(_grouped(ArticleAgreement, "article_id", "agreement_id"))
        self.speaker_ids_by_article = BatchLoader(_grouped(ArticleSpeaker, "article_id", "speaker_id"))
        # A page at a time: a country may be in 100,000 articles.
        self.article_ids_page_by_speaker = BatchLoader(_page_ids("article_speaker", "speaker_id", "article_id"))
        self.article_ids_page_by_country = BatchLoader(_page_ids("article_country", "country_id", "article_id"))
        self.article_ids_page_by_agreement = BatchLoader(_page_ids("article_agreement", "agreement_id", "article_id"))
        self.article_count_by_speaker = BatchLoader(_counts(ArticleSpeaker, "speaker_id"))
        self.article_count_by_country = BatchLoader(_counts(ArticleCountry, "country_id"))
        self.article_count_by_agreement = BatchLoader(_counts(ArticleAgreement, "agreement_id"))
        self.aliases_by_speaker = BatchLoader(_grouped(SpeakerAlias, "speaker_id", "alias"))
        self.speaker_count_by_country = BatchLoader(_counts(Speaker, "country_id"))
        self.quote_count_by_country = BatchLoader(_counts(Quote, "speaker__country_id"))
        self.quote_count_by_agreement = BatchLoader(_counts(Quote, "article__agreement_links__agreement_id"))
        self.quote_ids_page_by_speaker = BatchLoader(_page_ids("quote", "speaker_id"))
        self.speaker_ids_page_by_country = BatchLoader(_page_ids("speaker", "country_id"))


async def one_each(
    parents: Sequence[Any], key: str, loader: BatchLoader[int, Any], convert: Callable[[Any], T]
) -> list[T | None]:
    """For each parent, the row its `key` attribute names (None without one), converted."""
    keys: list[int | None] = [getattr(parent, key) for parent in parents]
    rows = iter(await loader.load_many([k for k in keys if k is not None]))
    converted: list[T | None] = []
    for k in keys:
        row = None if k is None else next(rows)
        converted.append(None if row is None else convert(row))
    return converted


async def list_each(
    parents: Sequence[Any], loader: BatchLoader[int, Any], convert: Callable[[Any], T]
) -> list[list[T]]:
    """For each parent, the rows the loader holds under its id, converted."""
    return [[convert(row) for row in rows] for rows in await loader.load_many([parent.id for parent in parents])]


async def linked_each(
    parents: Sequence[Any],
    ids: BatchLoader[int, list[int]],
    rows: BatchLoader[int, Any],
    convert: Callable[[Any], T],
) -> list[list[T]]:
    """For each parent, the rows a link table names for its id, in link order, converted; rows
    deleted meanwhile are skipped."""
    id_lists = await ids.load_many([parent.id for parent in parents])
    wanted = list(dict.fromkeys(i for id_list in id_lists for i in id_list))
    by_id = dict(zip(wanted, await rows.load_many(wanted), strict=True))
    return [[convert(by_id[i]) for i in id_list if by_id[i] is not None] for id_list in id_lists]


async def load_all(loader: BatchLoader[int, Any], ids: Sequence[int]) -> list[Any]:
    """Rows for ids, skipping any deleted meanwhile."""
    return [row for row in await loader.load_many(list(ids)) if row is not None]
