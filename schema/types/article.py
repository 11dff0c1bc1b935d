from __future__ import annotations

from collections.abc import Iterable
from datetime import date as Day
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from schema.batching import BatchLoader, batched
from schema.context import Info
from schema.loaders import linked_each, list_each, load_all
from schema.pagination import NEWEST_ORDER, PageKey, Window, child_page, remembered_count
from schema.types.common import CountedConnection, node_keys
from service import models

if TYPE_CHECKING:
    from schema.types.agreement import Agreement
    from schema.types.country import Country
    from schema.types.quote import Quote
    from schema.types.speaker import Speaker


async def _quotes(articles: list[Article], info: Info) -> list[list[Quote]]:
    from schema.types.quote import Quote

    return await list_each(articles, info.context.loaders.quotes_by_article, Quote.from_model)


async def _countries(articles: list[Article], info: Info) -> list[list[Country]]:
    from schema.types.country import Country

    loaders = info.context.loaders
    return await linked_each(articles, loaders.country_ids_by_article, loaders.country_by_id, Country.from_model)


async def _agreements(articles: list[Article], info: Info) -> list[list[Agreement]]:
    from schema.types.agreement import Agreement

    loaders = info.context.loaders
    return await linked_each(articles, loaders.agreement_ids_by_article, loaders.agreement_by_id, Agreement.from_model)


async def _speakers(articles: list[Article], info: Info) -> list[list[Speaker]]:
    from schema.types.speaker import Speaker

    loaders = info.context.loaders
    return await linked_each(articles, loaders.speaker_ids_by_article, loaders.speaker_by_id, Speaker.from_model)


@strawberry.type(description="A news article as imported, with the quotes found in it.")
class Article(relay.Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="The article's title: its first non-empty line.")
    text: str = strawberry.field(description="The document exactly as imported; spans index it.")
    dateline: str | None = strawberry.field(
        description='The place the text opens with ("Washington"), when it gives one.'
    )
    publisher: str | None = strawberry.field(
        description='The agency or publisher the dateline names ("AP"), when it gives one.'
    )
    url: str | None = strawberry.field(description="Where the article was published, when known.")
    language: str | None = strawberry.field(description='The article\'s language ("en"), when known.')
    external_id: str | None = strawberry.field(description="The source system's id for the article, when known.")
    content_hash: str = strawberry.field(description="SHA-256 of the text.")
    published_at: datetime | None = strawberry.field(description="When it was published, when known.")
    imported_at: datetime = strawberry.field(description="When the article was imported.")
    date: datetime = strawberry.field(
        description="publishedAt when known, else importedAt: what date filters and orders use."
    )
    event_date: Day | None = strawberry.field(
        description='The day a relative mention in the text names ("announced on Thursday"), '
        "resolved against publishedAt; null without a publication date."
    )
    quote_count: int = strawberry.field(description="How many quotes the article holds.")

    @classmethod
    def from_model(cls, row: models.Article) -> Article:
        return cls(
            id=row.id,
            title=row.title,
            text=row.text,
            dateline=row.dateline,
            publisher=row.publisher,
            url=row.url,
            language=row.language,
            external_id=row.external_id,
            content_hash=row.content_hash,
            published_at=row.published_at,
            imported_at=row.imported_at,
            date=row.date,
            event_date=row.event_date,
            quote_count=row.quote_count,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Article | None]:
        rows = await info.context.loaders.article_by_id.load_many(node_keys("Article", node_ids))
        return [cls.from_model(row) if row else None for row in rows]

    @strawberry.field(description="All the article's quotes, in text order (a plain list: the text bounds it).")
    @batched(_quotes)
    async def quotes(self, info: Info) -> list[Annotated[Quote, strawberry.lazy("schema.types.quote")]]:
        return (await _quotes([self], info))[0]

    @strawberry.field(
        description="Countries the article mentions, in order of first mention (a plain list: at most 249)."
    )
    @batched(_countries)
    async def countries(self, info: Info) -> list[Annotated[Country, strawberry.lazy("schema.types.country")]]:
        return (await _countries([self], info))[0]

    @strawberry.field(
        description="Agreements the article mentions, in order of first mention (a plain list: the text bounds it)."
    )
    @batched(_agreements)
    async def agreements(self, info: Info) -> list[Annotated[Agreement, strawberry.lazy("schema.types.agreement")]]:
        return (await _agreements([self], info))[0]

    @strawberry.field(
        description="Everyone the article names or quotes: people, organisations, anonymous sources "
        "(a plain list: the text bounds it)."
    )
    @batched(_speakers)
    async def speakers(self, info: Info) -> list[Annotated[Speaker, strawberry.lazy("schema.types.speaker")]]:
        return (await _speakers([self], info))[0]


@strawberry.type(description="A page of articles.")
class ArticleConnection(CountedConnection[Article]):
    pass


async def article_connection(
    info: Info,
    parent: tuple[str, int],
    ids_page: BatchLoader[PageKey, list[int]],
    count: BatchLoader[int, int],
    window: Window,
) -> ArticleConnection:
    """A page of the articles linked to one parent (a speaker, a country, an agreement), newest
    import first, its total remembered as the root lists' are."""
    kind, parent_id = parent
    loaders = info.context.loaders
    page = await child_page(
        ids_page.load,
        lambda ids: load_all(loaders.article_by_id, ids),
        NEWEST_ORDER,
        (kind, parent_id, "articles"),
        window,
        count=remembered_count((f"{kind}.articles", parent_id), lambda: count.load(parent_id)),
    )
    return ArticleConnection.from_page(page, Article.from_model)
