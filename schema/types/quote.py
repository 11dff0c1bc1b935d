from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from schema.batching import batched
from schema.context import Info
from schema.loaders import one_each
from schema.types.common import CountedConnection, QuoteKind, Span, node_keys
from service import models

if TYPE_CHECKING:
    from schema.types.article import Article
    from schema.types.speaker import Speaker


async def _speakers(quotes: list[Quote], info: Info) -> list[Speaker | None]:
    from schema.types.speaker import Speaker

    return await one_each(quotes, "speaker_id", info.context.loaders.speaker_by_id, Speaker.from_model)


async def _articles(quotes: list[Quote], info: Info) -> list[Article | None]:
    from schema.types.article import Article

    return await one_each(quotes, "article_id", info.context.loaders.article_by_id, Article.from_model)


@strawberry.type(description="Words an article attributes to a speaker, with where they stand in it.")
class Quote(relay.Node):
    id: relay.NodeID[int]
    text: str = strawberry.field(description="The quoted words, without quotation marks.")
    kind: QuoteKind = strawberry.field(description="Direct, partial or indirect (reported) speech.")
    span: Span = strawberry.field(description="Where the quoted words stand in the article's text.")
    cue: Span | None = strawberry.field(description='The reporting verb or phrase as written ("said", "According to").')
    source: Span | None = strawberry.field(
        description='The mention naming the speaker as written ("Trump", "He", "One official").'
    )
    position: int = strawberry.field(description="0 for the article's first quote, 1 for the next, ...")
    article_id: strawberry.Private[int]
    speaker_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, row: models.Quote) -> Quote:
        return cls(
            id=row.id,
            text=row.text,
            kind=row.kind,
            span=Span(start=row.start, end=row.end, text=row.span_text or row.text),
            cue=Span.optional(row.cue_start, row.cue_end, row.cue_text),
            source=Span.optional(row.source_start, row.source_end, row.source_text),
            position=row.position,
            article_id=row.article_id,
            speaker_id=row.speaker_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Quote | None]:
        rows = await info.context.loaders.quote_by_id.load_many(node_keys("Quote", node_ids))
        return [cls.from_model(row) if row else None for row in rows]

    @strawberry.field(description="Who said it, when the source could be resolved.")
    @batched(_speakers)
    async def speaker(self, info: Info) -> Annotated[Speaker, strawberry.lazy("schema.types.speaker")] | None:
        return (await _speakers([self], info))[0]

    @strawberry.field(description="The article the quote is in.")
    @batched(_articles)
    async def article(self, info: Info) -> Annotated[Article, strawberry.lazy("schema.types.article")]:
        article = (await _articles([self], info))[0]
        assert article is not None  # a quote is deleted with its article
        return article


@strawberry.type(description="A page of quotes.")
class QuoteConnection(CountedConnection[Quote]):
    pass
