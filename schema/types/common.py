from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any, Generic, Self, TypeVar

import strawberry
from strawberry import relay

from schema.inputs import MAX_ID, client_id, shown
from schema.pagination import Page
from service.errors import UserError
from service.parsing.records import MembershipStatus, QuoteKind, SpeakerKind

# The parser's enums are the GraphQL enums: strawberry.enum registers each class in place.
strawberry.enum(QuoteKind, description="How a quote is given in the text.")
strawberry.enum(SpeakerKind, description="What kind of source a speaker is.")
strawberry.enum(MembershipStatus, description="Where a country stands with an agreement.")

__all__ = ["MembershipStatus", "QuoteKind", "SpeakerKind"]

NodeT = TypeVar("NodeT", bound=relay.Node)


class InvalidIdError(UserError):
    code = "INVALID_ID"


def node_keys(type_name: str, node_ids: Iterable[str]) -> list[int]:
    """Database ids from the id part of global IDs; a malformed one is a clear error."""
    keys: list[int] = []
    for node_id in node_ids:
        key = client_id(node_id)
        if key is None:
            raise InvalidIdError(
                f"{shown(node_id)} is not the ID of any {type_name}: ids are whole numbers from 1 to {MAX_ID:,}"
            )
        keys.append(key)
    return keys


First = Annotated[
    int | None,
    strawberry.argument(description="Return the first n items (default 20 without `last`, at most 100)."),
]
After = Annotated[str | None, strawberry.argument(description="Return items after this cursor (`pageInfo.endCursor`).")]
Last = Annotated[int | None, strawberry.argument(description="Return the last n items (at most 100), with `before`.")]
Before = Annotated[
    str | None,
    strawberry.argument(description="Return items before this cursor (`pageInfo.startCursor`)."),
]


@strawberry.type(description="A range of the article's text: `text` is `article.text[start:end]`.")
class Span:
    start: int = strawberry.field(description="Offset of the first character, in code points.")
    end: int = strawberry.field(description="Offset just past the last character, in code points.")
    text: str = strawberry.field(description="The characters of the range, as written.")

    @classmethod
    def optional(cls, start: int | None, end: int | None, text: str | None) -> Span | None:
        if start is None or end is None or text is None:
            return None
        return cls(start=start, end=end, text=text)


@strawberry.type(description="A page of a list, in Relay's connection shape.")
class CountedConnection(relay.Connection[NodeT], Generic[NodeT]):
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole list holds, across all pages.")
    async def total_count(self) -> int:
        return await self.count()

    @classmethod
    def from_page(cls, page: Page[Any], to_node: Callable[[Any], NodeT]) -> Self:
        edges = [
            relay.Edge(cursor=cursor, node=to_node(row)) for cursor, row in zip(page.cursors, page.rows, strict=True)
        ]
        return cls(
            edges=edges,
            page_info=relay.PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            count=page.count,
        )
