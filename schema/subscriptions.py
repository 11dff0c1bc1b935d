from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from schema.context import Info
from schema.filters import QuoteFilter
from schema.loaders import Loaders
from schema.types.quote import Quote
from service import models
from service.events import broker


@strawberry.type(description="Live updates over graphql-transport-ws.")
class Subscription:
    @strawberry.subscription(
        description="Each quote of every article imported from now on (by any process on "
        "PostgreSQL; by this server on SQLite), in text order, that matches the filter."
    )
    async def quote_added(
        self,
        info: Info,
        filter: Annotated[QuoteFilter | None, strawberry.argument(description="Only quotes matching this.")] = None,
    ) -> AsyncGenerator[Quote, None]:
        if filter is not None:
            filter.apply(models.Quote.all())  # a bad filter fails now, not at the first event
        async for article_id in broker.subscribe():
            queryset = models.Quote.filter(article_id=article_id)
            if filter is not None:
                queryset = filter.apply(queryset)
            rows = await queryset.order_by("position")
            # A subscription's context lives as long as its connection: load afresh per event.
            info.context.loaders = Loaders()
            for row in rows:
                yield Quote.from_model(row)
