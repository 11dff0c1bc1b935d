"""Per-request batch loaders: one SQL statement per relation and batch, results aligned with keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise import connections
from tortoise.functions import Count
from tortoise.models import Model

from service import events
from service.db import read_connection
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


def _by_id(model: type[M]) -> Callable[[list[int]], Any]:
    async def load(ids: list[int]) -> list[M | None]:
        rows = {row.pk: row for row in await model.filter(id__in=set(ids))}
        return [rows.get(i) for i in ids]

    return load


async def quotes_by_article(article_ids: list[int]) -> list[list[Quote]]:
    grouped: dict[int, list[Quote]] = defaultdict(list)
    for quote in await Quote.filter(article_id__in=set(article_ids)).order_by("article_id", "position"):
        grouped[quote.article_id].append(quote)
    return [grouped[i] for i in article_ids]


async def memberships_by_agreement(agreement_ids: list[int]) -> list[list[Membership]]:
    grouped: dict[int, list[Membership]] = defaultdict(list)
    for row in await Membership.filter(agreement_id__in=set(agreement_ids)).order_by("id"):
        grouped[row.agreement_id].append(row)
    return [grouped[i] for i in agreement_ids]


async def memberships_by_country(country_ids: list[int]) -> list[list[Membership]]:
    grouped: dict[int, list[Membership]] = defaultdict(list)
    for row in await Membership.filter(country_id__in=set(country_ids)).order_by("id"):
        grouped[row.country_id].append(row)
    return [grouped[i] for i in country_ids]


def _grouped(link: type[Model], key: str, value: str) -> Callable[[list[int]], Any]:
    """A column's values grouped by another column's (one side of a link table by the other)."""

    async def load(ids: list[int]) -> list[list[Any]]:
        grouped: dict[int, list[Any]] = defaultdict(list)
        rows = await link.filter(**{f"{key}__in": set(ids)}).order_by("id").values_list(key, value)
        for k, v in rows:
            grouped[k].append(v)
        return [grouped[i] for i in ids]

    return load


def _counts(model: type[Model], key: str) -> Callable[[list[int]], Any]:
    async def load(ids: list[int]) -> list[int]:
        rows = (
            await model.filter(**{f"{key}__in": set(ids)}).annotate(n=Count("id")).group_by(key).values_list(key, "n")
        )
        counts = dict(rows)
        return [counts.get(i, 0) for i in ids]

    return load


NO_CURSOR = 2**62  # an "after" beyond every id, for pages in descending order


def _page_ids(
    table: str, parent: str, child: str = "id", descending: bool = False
) -> Callable[[list[tuple[int, int, int]]], Any]:
    """Pages of child ids per parent, keyed (parent id, after id, limit): one statement of
    index-ordered LIMIT subqueries, so a parent with 100,000 children costs no more than one
    with ten."""

    async def load(keys: list[tuple[int, int, int]]) -> list[list[int]]:
        conn = connections.get(read_connection())
        dollar = conn.capabilities.dialect == "postgres"
        values: list[Any] = []

        def mark(value: Any) -> str:
            values.append(value)
            return f"${len(values)}" if dollar else "?"

        order, beyond = ("DESC", "<") if descending else ("ASC", ">")
        unique = list(dict.fromkeys(keys))
        parts = [
            f"SELECT * FROM (SELECT {parent} AS parent, {child} AS child, CAST({mark(n)} AS INTEGER) AS k FROM {table} "
            f"WHERE {parent} = {mark(p)} AND {child} {beyond} {mark(after)} "
            f"ORDER BY {child} {order} LIMIT {mark(limit)}) AS page{n}"
            for n, (p, after, limit) in enumerate(unique)
        ]
        found: dict[int, list[int]] = defaultdict(list)
        for row in await conn.execute_query_dict(" UNION ALL ".join(parts), values):
            found[row["k"]].append(row["child"])
        index = {key: n for n, key in enumerate(unique)}
        return [found[index[key]] for key in keys]

    return load


@dataclass
class Loaders:
    """Created anew for every request, so nothing is cached across requests."""

    article_by_id: DataLoader[int, Article | None] = field(init=False)
    quote_by_id: DataLoader[int, Quote | None] = field(init=False)
    speaker_by_id: DataLoader[int, Speaker | None] = field(init=False)
    country_by_id: DataLoader[int, Country | None] = field(init=False)
    agreement_by_id: DataLoader[int, Agreement | None] = field(init=False)
    quotes_by_article: DataLoader[int, list[Quote]] = field(init=False)
    memberships_by_agreement: DataLoader[int, list[Membership]] = field(init=False)
    memberships_by_country: DataLoader[int, list[Membership]] = field(init=False)
    country_ids_by_article: DataLoader[int, list[int]] = field(init=False)
    agreement_ids_by_article: DataLoader[int, list[int]] = field(init=False)
    speaker_ids_by_article: DataLoader[int, list[int]] = field(init=False)
    article_ids_by_speaker: DataLoader[tuple[int, int, int], list[int]] = field(init=False)
    article_ids_by_country: DataLoader[tuple[int, int, int], list[int]] = field(init=False)
    article_ids_by_agreement: DataLoader[tuple[int, int, int], list[int]] = field(init=False)
    aliases_by_speaker: DataLoader[int, list[str]] = field(init=False)
    speaker_count_by_country: DataLoader[int, int] = field(init=False)
    quote_count_by_country: DataLoader[int, int] = field(init=False)
    quote_count_by_agreement: DataLoader[int, int] = field(init=False)
    quote_ids_page_by_speaker: DataLoader[tuple[int, int, int], list[int]] = field(init=False)
    speaker_ids_page_by_country: DataLoader[tuple[int, int, int], list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.article_by_id = DataLoader(_by_id(Article))
        self.quote_by_id = DataLoader(_by_id(Quote))
        self.speaker_by_id = DataLoader(_by_id(Speaker))
        self.country_by_id = DataLoader(_countries.load)
        self.agreement_by_id = DataLoader(_by_id(Agreement))
        self.quotes_by_article = DataLoader(quotes_by_article)
        self.memberships_by_agreement = DataLoader(memberships_by_agreement)
        self.memberships_by_country = DataLoader(memberships_by_country)
        self.country_ids_by_article = DataLoader(_grouped(ArticleCountry, "article_id", "country_id"))
        self.agreement_ids_by_article = DataLoader(_grouped(ArticleAgreement, "article_id", "agreement_id"))
        self.speaker_ids_by_article = DataLoader(_grouped(ArticleSpeaker, "article_id", "speaker_id"))
        # Newest articles first, a page at a time: a country may be in 100,000 of them.
        self.article_ids_by_speaker = DataLoader(_page_ids("article_speaker", "speaker_id", "article_id", True))
        self.article_ids_by_country = DataLoader(_page_ids("article_country", "country_id", "article_id", True))
        self.article_ids_by_agreement = DataLoader(_page_ids("article_agreement", "agreement_id", "article_id", True))
        self.aliases_by_speaker = DataLoader(_grouped(SpeakerAlias, "speaker_id", "alias"))
        self.speaker_count_by_country = DataLoader(_counts(Speaker, "country_id"))
        self.quote_count_by_country = DataLoader(_counts(Quote, "speaker__country_id"))
        self.quote_count_by_agreement = DataLoader(_counts(Quote, "article__agreement_links__agreement_id"))
        self.quote_ids_page_by_speaker = DataLoader(_page_ids("quote", "speaker_id"))
        self.speaker_ids_page_by_country = DataLoader(_page_ids("speaker", "country_id"))


async def load_all(loader: DataLoader[int, M | None], ids: Sequence[int]) -> list[M]:
    """Rows for ids, skipping any deleted meanwhile."""
    return [row for row in await loader.load_many(list(ids)) if row is not None]
