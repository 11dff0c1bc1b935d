"""The Subscription type. Events are resolved at most RESOLVING_AT_ONCE at a time per worker, so
that a burst of distinct subscriptions leaves database connections (and the loop) to HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Annotated
from weakref import WeakKeyDictionary

import strawberry

from schema.context import Info
from schema.filters import QuoteFilter
from schema.loaders import Loaders
from schema.types.quote import Quote
from service import models
from service.events import broker

# A few at once keep subscriptions flowing while most of the pool (QUOTEGRAPH_DB_POOL_MAX) serves HTTP.
RESOLVING_AT_ONCE = 2
_gates: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = WeakKeyDictionary()


def _gate() -> asyncio.Semaphore:
    # One per event loop: a semaphore is bound to the loop it first waited on.
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(RESOLVING_AT_ONCE)
    return gate


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
            # Held while the event's quotes are loaded and their selections resolved (that runs
            # between the yields): the consumer only hands results on (service/live.py).
            async with _gate():
                queryset = models.Quote.filter(article_id=article_id)
                if filter is not None:
                    queryset = filter.apply(queryset)
                # A subscription's context lives as long as its connection: load afresh per event.
                info.context.loaders = Loaders()
                for row in await queryset.order_by("position"):  # rows not kept until the next event
                    yield Quote.from_model(row)
