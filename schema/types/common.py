from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from enum import Enum
from typing import Annotated, Any, Generic, Self, TypeVar

import strawberry
from strawberry import relay
from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.scalar import ScalarDefinition

from schema.inputs import MAX_ID, client_id, shown
from schema.pagination import Page
from service.errors import UserError
from service.parsing.records import MembershipStatus, QuoteKind, SpeakerKind

EnumT = TypeVar("EnumT", bound=Enum)


def described_enum(enum: type[EnumT], description: str, values: Mapping[EnumT, str]) -> type[EnumT]:
    """strawberry.enum with a description for each value, for enums defined where strawberry is
    not imported (the parser's: service/parsing must import nothing outside itself)."""
    if missing := [member.name for member in enum if member not in values]:
        raise ValueError(f"{enum.__name__}: no description for {', '.join(missing)}")
    strawberry.enum(enum, description=description)
    definition: StrawberryEnumDefinition = enum.__strawberry_definition__  # type: ignore[attr-defined]
    for value in definition.values:
        value.description = values[enum[value.name]]
    return enum


# The parser's enums are the GraphQL enums: strawberry.enum registers each class in place.
described_enum(
    QuoteKind,
    "How a quote is given in the text.",
    {
        QuoteKind.DIRECT: "A whole sentence in quotation marks.",
        QuoteKind.PARTIAL: "Quoted words inside the writer's own sentence; `context` holds the reported clause.",
        QuoteKind.INDIRECT: 'Reported speech without quotation marks ("she said the talks had failed").',
    },
)
described_enum(
    SpeakerKind,
    "What kind of source a speaker is.",
    {
        SpeakerKind.PERSON: "A person named in the article.",
        SpeakerKind.ORGANIZATION: "An organization speaking as one: a ministry, an agency, a company.",
        SpeakerKind.ANONYMOUS: 'A source the article does not name: "a senior official", "three U.S. officials".',
    },
)
described_enum(
    MembershipStatus,
    "Where a country stands with an agreement.",
    {
        MembershipStatus.MEMBER: "The country has joined the agreement.",
        MembershipStatus.JOINING: "The country is set to join; `date` says when, as the text gives it.",
    },
)

__all__ = ["MembershipStatus", "QuoteKind", "SpeakerKind"]

# RFC 3339 defines full-date and date-time in its section 5.6; clients and code generators map a
# scalar with this URL to their date types.
RFC_3339 = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"

# strawberry's own Date and DateTime (their parsing and serializing: the compiled plans use the
# schema's scalars), with the URL and descriptions that say the exact format.
SCALARS: dict[object, ScalarDefinition] = {
    dt.date: replace(
        DateDefinition,
        description="A calendar date, as RFC 3339's full-date: `2024-05-01`. Accepted in the same form.",
        specified_by_url=RFC_3339,
        implementation=None,  # built anew for this schema
    ),
    dt.datetime: replace(
        DateTimeDefinition,
        description="A moment, as RFC 3339's date-time. Sent in UTC with its offset, with fractional seconds "
        "only when there are any: `2024-05-01T12:30:00+00:00`, `2024-05-01T12:30:00.250000+00:00`. "
        "Accepted: any RFC 3339 date-time (`2024-05-01T14:30:00+02:00`, `2024-05-01T12:30:00Z`); "
        "without an offset it is taken as UTC, and a date alone (`2024-05-01`) as its midnight UTC.",
        specified_by_url=RFC_3339,
        implementation=None,
    ),
}

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
