from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from schema.context import Info
from schema.filters import (
    ARTICLE_ORDERINGS,
    NAME_ORDERINGS,
    QUOTE_ORDERINGS,
    SPEAKER_ORDERINGS,
    ArticleFilter,
    ArticleOrder,
    NameOrder,
    QuoteFilter,
    QuoteOrder,
    SpeakerFilter,
    SpeakerOrder,
)
from schema.pagination import paginate
from schema.types.agreement import Agreement, AgreementConnection
from schema.types.article import Article, ArticleConnection
from schema.types.common import After, Before, First, Last
from schema.types.country import Country, CountryConnection
from schema.types.quote import Quote, QuoteConnection
from schema.types.speaker import Speaker, SpeakerConnection
from service import models


def _filter(description: str) -> object:
    return strawberry.argument(description=description)


@strawberry.type(description="Read the graph of who said what.")
class Query:
    node: relay.Node | None = relay.node(description="Any object by its global ID; null when none has it.")

    @strawberry.field(description="Articles, newest first unless `orderBy` says otherwise.")
    async def articles(
        self,
        info: Info,
        filter: Annotated[ArticleFilter | None, _filter("Only articles matching this.")] = None,
        order_by: Annotated[ArticleOrder, _filter("The order of the list.")] = ArticleOrder.DATE_DESC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> ArticleConnection:
        queryset = models.Article.all()
        if filter is not None:
            queryset = filter.apply(queryset)
        loader = info.context.loaders.article_by_id
        page = await paginate(queryset, ARTICLE_ORDERINGS[order_by], first, after, last, before, loader.load_many)
        return ArticleConnection.from_page(page, Article.from_model)

    @strawberry.field(description="Quotes of every article, newest first unless `orderBy` says otherwise.")
    async def quotes(
        self,
        info: Info,
        filter: Annotated[QuoteFilter | None, _filter("Only quotes matching this.")] = None,
        order_by: Annotated[QuoteOrder, _filter("The order of the list.")] = QuoteOrder.DATE_DESC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> QuoteConnection:
        queryset = models.Quote.all()
        if filter is not None:
            queryset = filter.apply(queryset)
        loader = info.context.loaders.quote_by_id
        page = await paginate(queryset, QUOTE_ORDERINGS[order_by], first, after, last, before, loader.load_many)
        return QuoteConnection.from_page(page, Quote.from_model)

    @strawberry.field(description="Speakers by name; `orderBy: QUOTE_COUNT_DESC` gives the top speakers.")
    async def speakers(
        self,
        info: Info,
        filter: Annotated[SpeakerFilter | None, _filter("Only speakers matching this.")] = None,
        order_by: Annotated[SpeakerOrder, _filter("The order of the list.")] = SpeakerOrder.NAME_ASC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> SpeakerConnection:
        queryset = models.Speaker.all()
        if filter is not None:
            queryset = filter.apply(queryset)
        loader = info.context.loaders.speaker_by_id
        page = await paginate(queryset, SPEAKER_ORDERINGS[order_by], first, after, last, before, loader.load_many)
        return SpeakerConnection.from_page(page, Speaker.from_model)

    @strawberry.field(description="Countries mentioned in articles, by name.")
    async def countries(
        self,
        order_by: Annotated[NameOrder, _filter("The order of the list.")] = NameOrder.NAME_ASC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> CountryConnection:
        page = await paginate(models.Country.all(), NAME_ORDERINGS[order_by], first, after, last, before)
        return CountryConnection.from_page(page, Country.from_model)

    @strawberry.field(description="Agreements mentioned in articles, by name.")
    async def agreements(
        self,
        order_by: Annotated[NameOrder, _filter("The order of the list.")] = NameOrder.NAME_ASC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> AgreementConnection:
        page = await paginate(models.Agreement.all(), NAME_ORDERINGS[order_by], first, after, last, before)
        return AgreementConnection.from_page(page, Agreement.from_model)
