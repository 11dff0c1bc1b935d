from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from schema.batching import batched
from schema.context import Info
from schema.loaders import load_all, one_each
from schema.pagination import ID_ORDER, child_page
from schema.types.common import After, Before, CountedConnection, First, Last, SpeakerKind, node_keys
from schema.types.quote import Quote, QuoteConnection
from service import models

if TYPE_CHECKING:
    from schema.types.article import ArticleConnection
    from schema.types.country import Country


async def _countries(speakers: list[Speaker], info: Info) -> list[Country | None]:
    from schema.types.country import Country

    return await one_each(speakers, "country_id", info.context.loaders.country_by_id, Country.from_model)


@strawberry.type(description="A person, an organisation or an anonymous source quoted or named in articles.")
class Speaker(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The fullest form of the name the articles give.")
    kind: SpeakerKind = strawberry.field(description="Person, organisation or anonymous source.")
    title: str | None = strawberry.field(description='Office or role ("Prime Minister"), when known.')
    quote_count: int = strawberry.field(description="How many quotes are attributed to the speaker.")
    country_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, row: models.Speaker) -> Speaker:
        return cls(
            id=row.id,
            name=row.name,
            kind=row.kind,
            title=row.title,
            quote_count=row.quote_count,
            country_id=row.country_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Speaker | None]:
        rows = await info.context.loaders.speaker_by_id.load_many(node_keys("Speaker", node_ids))
        return [cls.from_model(row) if row else None for row in rows]

    @strawberry.field(description="The country the speaker speaks for or comes from, when known.")
    @batched(_countries)
    async def country(self, info: Info) -> Annotated[Country, strawberry.lazy("schema.types.country")] | None:
        return (await _countries([self], info))[0]

    @strawberry.field(description='Every form of the name seen in articles, normalised ("trump").')
    async def aliases(self, info: Info) -> list[str]:
        return sorted(await info.context.loaders.aliases_by_speaker.load(self.id))

    @strawberry.field(description="The speaker's quotes, oldest import first.")
    async def quotes(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> QuoteConnection:
        loaders = info.context.loaders
        page = await child_page(
            loaders.quote_ids_page_by_speaker.load,
            lambda ids: load_all(loaders.quote_by_id, ids),
            ID_ORDER,
            ("Speaker", self.id, "quotes"),
            (first, after, last, before),
            count=self._quote_count,
        )
        return QuoteConnection.from_page(page, Quote.from_model)

    async def _quote_count(self) -> int:
        return self.quote_count  # kept on the row: no COUNT over a speaker's 100,000 quotes

    @strawberry.field(description="Articles that name or quote the speaker, newest import first.")
    async def articles(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> Annotated[ArticleConnection, strawberry.lazy("schema.types.article")]:
        from schema.types.article import article_connection

        loaders = info.context.loaders
        return await article_connection(
            info,
            ("Speaker", self.id),
            loaders.article_ids_page_by_speaker,
            loaders.article_count_by_speaker,
            (first, after, last, before),
        )


@strawberry.type(description="A page of speakers.")
class SpeakerConnection(CountedConnection[Speaker]):
    pass
