from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from schema.context import Info
from schema.types.common import CountedConnection, QuoteKind, Span, node_keys
from service import models

if TYPE_CHECKING:
    from schema.types.article import Article
    from schema.types.speaker import Speaker


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
    async def speaker(self, info: Info) -> Annotated[Speaker, strawberry.lazy("schema.types.speaker")] | None:
        from schema.types.speaker import Speaker

        if self.speaker_id is None:
            return None
        row = await info.context.loaders.speaker_by_id.load(self.speaker_id)
        return Speaker.from_model(row) if row else None

    @strawberry.field(description="The article the quote is in.")
    async def article(self, info: Info) -> Annotated[Article, strawberry.lazy("schema.types.article")]:
        from schema.types.article import Article

        row = await info.context.loaders.article_by_id.load(self.article_id)
        assert row is not None  # a quote is deleted with its article
        return Article.from_model(row)


@strawberry.type(description="A page of quotes.")
class QuoteConnection(CountedConnection[Quote]):
    pass
