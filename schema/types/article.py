from __future__ import annotations

from collections.abc import Iterable
from datetime import date as Day
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from schema.context import Info
from schema.loaders import load_all
from schema.types.common import CountedConnection, node_keys
from service import models

if TYPE_CHECKING:
    from schema.types.agreement import Agreement
    from schema.types.country import Country
    from schema.types.quote import Quote
    from schema.types.speaker import Speaker


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

    @strawberry.field(description="The article's quotes, in text order.")
    async def quotes(self, info: Info) -> list[Annotated[Quote, strawberry.lazy("schema.types.quote")]]:
        from schema.types.quote import Quote

        return [Quote.from_model(q) for q in await info.context.loaders.quotes_by_article.load(self.id)]

    @strawberry.field(description="Countries the article mentions, in order of first mention.")
    async def countries(self, info: Info) -> list[Annotated[Country, strawberry.lazy("schema.types.country")]]:
        from schema.types.country import Country

        loaders = info.context.loaders
        ids = await loaders.country_ids_by_article.load(self.id)
        return [Country.from_model(row) for row in await load_all(loaders.country_by_id, ids)]

    @strawberry.field(description="Agreements the article mentions, in order of first mention.")
    async def agreements(self, info: Info) -> list[Annotated[Agreement, strawberry.lazy("schema.types.agreement")]]:
        from schema.types.agreement import Agreement

        loaders = info.context.loaders
        ids = await loaders.agreement_ids_by_article.load(self.id)
        return [Agreement.from_model(row) for row in await load_all(loaders.agreement_by_id, ids)]

    @strawberry.field(description="Everyone the article names or quotes: people, organisations, anonymous sources.")
    async def speakers(self, info: Info) -> list[Annotated[Speaker, strawberry.lazy("schema.types.speaker")]]:
        from schema.types.speaker import Speaker

        loaders = info.context.loaders
        ids = await loaders.speaker_ids_by_article.load(self.id)
        return [Speaker.from_model(row) for row in await load_all(loaders.speaker_by_id, ids)]


@strawberry.type(description="A page of articles.")
class ArticleConnection(CountedConnection[Article]):
    pass
