from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types.base import get_object_definition
from tortoise.queryset import QuerySet

from schema.batching import BatchLoader
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
from schema.inputs import global_id_parts, shown
from schema.pagination import Ordering, Page, paginate
from schema.types.agreement import Agreement, AgreementConnection
from schema.types.article import Article, ArticleConnection
from schema.types.common import After, Before, First, InvalidIdError, Last
from schema.types.country import Country, CountryConnection
from schema.types.quote import Quote, QuoteConnection
from schema.types.speaker import Speaker, SpeakerConnection
from service import models


def _filter(description: str) -> object:
    return strawberry.argument(description=description)


async def _filtered(
    queryset: QuerySet[Any],
    filter: ArticleFilter | QuoteFilter | SpeakerFilter | None,
    ordering: Ordering,
    window: tuple[int | None, str | None, int | None, str | None],
    loader: BatchLoader[int, Any],
) -> Page[Any]:
    """A page of a filtered list: rows through the request's loader, the total remembered per filter."""
    if filter is not None:
        queryset = filter.apply(queryset)
    key = (queryset.model.__name__, repr(filter))
    return await paginate(queryset, ordering, *window, load=loader.load_many, count_key=key)


NODE_TYPES: dict[str, type[relay.Node]] = {
    get_object_definition(node_type, strict=True).name: node_type
    for node_type in (Agreement, Article, Country, Quote, Speaker)
}


async def _node(info: Info, global_id: str) -> relay.Node | None:
    """The object a global ID names, or None; an ID that names no type of ours is a coded
    INVALID_ID error (relay.node() answers it with strawberry's uncoded one)."""
    parts = global_id_parts(global_id)
    node_type = NODE_TYPES.get(parts[0]) if parts is not None else None
    if parts is None or node_type is None:
        raise InvalidIdError(f"{shown(global_id)} is not the ID of any object: pass an `id` this API gave")
    # Each of our types answers resolve_nodes with a coroutine of one row per ID.
    found: list[relay.Node | None] = await node_type.resolve_nodes(info=info, node_ids=[parts[1]])  # type: ignore[misc]
    return found[0]


@strawberry.type(description="Read the graph of who said what.")
class Query:
    @strawberry.field(description="Any object by its global ID; null when none has it.")
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The ID of the object.")]
    ) -> relay.Node | None:
        return await _node(info, str(id))

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
        page = await _filtered(
            models.Article.all(),
            filter,
            ARTICLE_ORDERINGS[order_by],
            (first, after, last, before),
            info.context.loaders.article_by_id,
        )
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
        page = await _filtered(
            models.Quote.all(),
            filter,
            QUOTE_ORDERINGS[order_by],
            (first, after, last, before),
            info.context.loaders.quote_by_id,
        )
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
        page = await _filtered(
            models.Speaker.all(),
            filter,
            SPEAKER_ORDERINGS[order_by],
            (first, after, last, before),
            info.context.loaders.speaker_by_id,
        )
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
        page = await paginate(
            models.Country.all(), NAME_ORDERINGS[order_by], first, after, last, before, count_key=("countries",)
        )
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
        page = await paginate(
            models.Agreement.all(), NAME_ORDERINGS[order_by], first, after, last, before, count_key=("agreements",)
        )
        return AgreementConnection.from_page(page, Agreement.from_model)
