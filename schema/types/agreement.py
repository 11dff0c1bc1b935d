from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from schema.context import Info
from schema.types.common import After, Before, CountedConnection, First, Last, MembershipStatus, node_keys
from schema.types.country import Country
from service import models

if TYPE_CHECKING:
    from schema.types.article import ArticleConnection


@strawberry.type(description='A named agreement between countries ("Abraham Accords").')
class Agreement(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The agreement's name as articles give it.")

    @classmethod
    def from_model(cls, row: models.Agreement) -> Agreement:
        return cls(id=row.id, name=row.name)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Agreement | None]:
        rows = await info.context.loaders.agreement_by_id.load_many(node_keys("Agreement", node_ids))
        return [cls.from_model(row) if row else None for row in rows]

    @strawberry.field(description="Countries that are members or are joining (a plain list: at most one per country).")
    async def members(self, info: Info) -> list[Membership]:
        rows = await info.context.loaders.memberships_by_agreement.load(self.id)
        return [Membership.from_model(row) for row in rows]

    @strawberry.field(description="How many quotes the articles mentioning the agreement hold.")
    async def quote_count(self, info: Info) -> int:
        return await info.context.loaders.quote_count_by_agreement.load(self.id)

    @strawberry.field(description="Articles that mention the agreement, newest import first.")
    async def articles(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> Annotated[ArticleConnection, strawberry.lazy("schema.types.article")]:
        from schema.types.article import article_connection

        loaders = info.context.loaders
        return await article_connection(
            info,
            ("Agreement", self.id),
            loaders.article_ids_page_by_agreement,
            loaders.article_count_by_agreement,
            (first, after, last, before),
        )


@strawberry.type(description="A country's standing in an agreement.")
class Membership:
    status: MembershipStatus = strawberry.field(description="Member, or announced and joining.")
    date: str | None = strawberry.field(description="When it joined or will, as the text gives it.")
    country_id: strawberry.Private[int]
    agreement_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: models.Membership) -> Membership:
        return cls(status=row.status, date=row.date, country_id=row.country_id, agreement_id=row.agreement_id)

    @strawberry.field(description="The member country.")
    async def country(self, info: Info) -> Country:
        row = await info.context.loaders.country_by_id.load(self.country_id)
        assert row is not None  # memberships are deleted with their country
        return Country.from_model(row)

    @strawberry.field(description="The agreement.")
    async def agreement(self, info: Info) -> Agreement:
        row = await info.context.loaders.agreement_by_id.load(self.agreement_id)
        assert row is not None
        return Agreement.from_model(row)


@strawberry.type(description="A page of agreements.")
class AgreementConnection(CountedConnection[Agreement]):
    pass
