from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from schema.context import Info
from schema.loaders import load_all
from schema.pagination import ID_ORDER, child_page, remembered_count
from schema.types.common import After, Before, CountedConnection, First, Last, node_keys
from schema.types.speaker import Speaker, SpeakerConnection
from service import models

if TYPE_CHECKING:
    from schema.types.agreement import Membership
    from schema.types.article import ArticleConnection


@strawberry.type(description="An ISO 3166 country.")
class Country(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The country's common English name (ISO 3166).")
    iso_code: str = strawberry.field(description='ISO 3166-1 alpha-2 code ("KZ").')
    alpha3: str = strawberry.field(description='ISO 3166-1 alpha-3 code ("KAZ").')

    @classmethod
    def from_model(cls, row: models.Country) -> Country:
        return cls(id=row.id, name=row.name, iso_code=row.alpha2, alpha3=row.alpha3)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Country | None]:
        rows = await info.context.loaders.country_by_id.load_many(node_keys("Country", node_ids))
        return [cls.from_model(row) if row else None for row in rows]

    @strawberry.field(description="Speakers of this country, in the order they were first seen.")
    async def speakers(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> SpeakerConnection:
        loaders = info.context.loaders
        page = await child_page(
            loaders.speaker_ids_page_by_country.load,
            lambda ids: load_all(loaders.speaker_by_id, ids),
            ID_ORDER,
            ("Country", self.id, "speakers"),
            (first, after, last, before),
            count=remembered_count(
                ("Country.speakers", self.id), lambda: loaders.speaker_count_by_country.load(self.id)
            ),
        )
        return SpeakerConnection.from_page(page, Speaker.from_model)

    @strawberry.field(description="How many quotes speakers of this country have.")
    async def quote_count(self, info: Info) -> int:
        return await info.context.loaders.quote_count_by_country.load(self.id)

    @strawberry.field(
        description="The agreements the country is a member of or is joining "
        "(a plain list: one per agreement it is party to)."
    )
    async def memberships(self, info: Info) -> list[Annotated[Membership, strawberry.lazy("schema.types.agreement")]]:
        from schema.types.agreement import Membership

        rows = await info.context.loaders.memberships_by_country.load(self.id)
        return [Membership.from_model(row) for row in rows]

    @strawberry.field(description="Articles that mention the country, newest import first.")
    async def articles(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> Annotated[ArticleConnection, strawberry.lazy("schema.types.article")]:
        from schema.types.article import article_connection

        loaders = info.context.loaders
        return await article_connection(
            info,
            ("Country", self.id),
            loaders.article_ids_page_by_country,
            loaders.article_count_by_country,
            (first, after, last, before),
        )


@strawberry.type(description="A page of countries.")
class CountryConnection(CountedConnection[Country]):
    pass
