from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from strawberry import relay
from tortoise.models import Model

from schema.pagination import decode_cursor, page_size
from schema.types.agreement import Agreement, AgreementConnection
from schema.types.article import Article, ArticleConnection
from schema.types.common import After, CountedConnection, First
from schema.types.country import Country, CountryConnection
from schema.types.quote import Quote, QuoteConnection
from schema.types.speaker import Speaker, SpeakerConnection
from service import models

N = TypeVar("N")
C = TypeVar("C", bound=CountedConnection[Any])


async def _page(
    model: type[Model],
    to_node: Callable[[Any], N],
    connection: type[C],
    first: int | None,
    after: str | None,
) -> C:
    limit, after_id = page_size(first), decode_cursor(after)
    rows = await model.filter(id__gt=after_id).order_by("id").limit(limit + 1)
    page = connection.build(
        [(row.pk, to_node(row)) for row in rows],
        limit,
        has_previous=after_id > 0,
        count=model.all().count,
    )
    assert isinstance(page, connection)
    return page





@strawberry.type(description="Read the graph of who said what.")
class Query:
    node: relay.Node | None = relay.node(description="Any object by its global ID; null when none has it.")

    @strawberry.field(description="Articles, in import order.")
    async def articles(
        self, first: First = 20, after: After = None
    ) -> ArticleConnection:
        return await _page(models.Article, Article.from_model, ArticleConnection, first, after)

    @strawberry.field(description="Quotes of every article, in import order.")
    async def quotes(self, first: First = 20, after: After = None) -> QuoteConnection:
        return await _page(models.Quote, Quote.from_model, QuoteConnection, first, after)

    @strawberry.field(description="Speakers, in order of first appearance.")
    async def speakers(
        self, first: First = 20, after: After = None
    ) -> SpeakerConnection:
        return await _page(models.Speaker, Speaker.from_model, SpeakerConnection, first, after)

    @strawberry.field(description="Countries mentioned in articles, in order of first appearance.")
    async def countries(
        self, first: First = 20, after: After = None
    ) -> CountryConnection:
        return await _page(models.Country, Country.from_model, CountryConnection, first, after)

    @strawberry.field(description="Agreements mentioned in articles, in order of first appearance.")
    async def agreements(
        self, first: First = 20, after: After = None
    ) -> AgreementConnection:
        return await _page(models.Agreement, Agreement.from_model, AgreementConnection, first, after)
