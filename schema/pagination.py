"""Keyset pagination (never OFFSET): cursors carry the ordering, its sort value and the row id, and
for a nested list (a speaker's quotes) the list it came from, so that no other list takes it."""

from __future__ import annotations

import base64
import binascii
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

import orjson
from tortoise import connections
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from schema.inputs import MAX_ID, client_id, client_moment, client_text, shown
from service import events, settings
from service.db import read_connection
from service.errors import UserError

DEFAULT_PAGE_SIZE = 20
M = TypeVar("M", bound=Model)


class PaginationError(UserError):
    """A client's paging arguments are wrong; the message says how."""

    code = "INVALID_PAGINATION"


@dataclass(frozen=True)
class Ordering:
    name: str  # the GraphQL enum value, e.g. "DATE_DESC"; cursors are bound to it
    column: str
    descending: bool
    kind: Literal["int", "str", "datetime"] = "str"


ID_ORDER = Ordering("ID_ASC", "id", descending=False, kind="int")
# Newest first: ids grow with imports, so a link table's (parent, child id) index gives the order.
NEWEST_ORDER = Ordering("ID_DESC", "id", descending=True, kind="int")


def list_scope(parent_type: str, parent_id: int, field: str) -> str:
    """What a nested list's cursors are bound to: one parent's one list ("Speaker:7:quotes")."""
    return f"{parent_type}:{parent_id}:{field}"


def encode_cursor(ordering: Ordering, value: Any, row_id: int, scope: str | None = None) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = orjson.dumps([ordering.name, value, row_id] if scope is None else [ordering.name, value, row_id, scope])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# An edge's cursor: base64 of [ordering, sort value, id]; a title of 500 characters, each
# escaped in JSON, stays far below this.
MAX_CURSOR_LENGTH = 10_000


def decode_cursor(cursor: str, ordering: Ordering, scope: str | None = None) -> tuple[Any, int]:
    """The (sort value, id) a cursor points at, each a value the database accepts; a clear error
    for anything else, and for a cursor of another list (`scope`: see list_scope)."""
    invalid = PaginationError(f"invalid cursor {shown(cursor)}: pass an edge's `cursor` or a `pageInfo` cursor")
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise invalid
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, value, raw_id, *rest = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error, TypeError, orjson.JSONDecodeError):
        raise invalid from None
    row_id = client_id(raw_id) if isinstance(raw_id, int) else None
    if row_id is None or len(rest) > 1 or (rest and not isinstance(rest[0], str)):
        raise invalid
    if name != ordering.name:
        raise PaginationError(
            f"the cursor belongs to ordering {shown(str(name))}, not {ordering.name!r}: "
            "page with cursors from the same ordering"
        )
    if (rest[0] if rest else None) != scope:
        # A speaker's cursor on another speaker's quotes would page from a row not in the list.
        raise PaginationError("the cursor belongs to another list: page each list with its own cursors")
    try:
        return _sort_value(value, ordering), row_id
    except ValueError:  # PaginationError among them: a cursor is opaque, so one message for all
        raise invalid from None


def _sort_value(value: Any, ordering: Ordering) -> Any:
    """A cursor's sort value as the column holds it: an int within the column's range, text a
    database can compare, a moment UTC can hold; ValueError for anything else."""
    if ordering.kind == "int":
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID:
            return value
        raise ValueError(value)
    if not isinstance(value, str):
        raise ValueError(value)
    if ordering.kind == "datetime":
        return client_moment(datetime.fromisoformat(value), "cursor", PaginationError)
    return client_text(value, "cursor", PaginationError, MAX_CURSOR_LENGTH)


def page_size(count: int | None, argument: str = "first") -> int:
    size = DEFAULT_PAGE_SIZE if count is None else count
    if size < 0:
        raise PaginationError(f"`{argument}` must be 0 or more, not {size}")
    if size > settings.MAX_PAGE_SIZE:
        raise PaginationError(f"`{argument}` may be at most {settings.MAX_PAGE_SIZE}, not {size}: page with cursors")
    return size


def _beyond(ordering: Ordering, value: Any, row_id: int, forward: bool) -> Q:
    """Rows strictly after (value, id) in the direction of travel."""
    op = "gt" if ordering.descending != forward else "lt"  # moving towards larger values?
    column = ordering.column
    after_id: dict[str, Any] = {f"id__{op}": row_id}
    if ordering.column == "id":
        return Q(**after_id)
    beyond: dict[str, Any] = {f"{column}__{op}": value}
    tie: dict[str, Any] = {column: value, **after_id}
    return Q(**beyond) | Q(**tie)


@dataclass
class Page(Generic[M]):
    rows: list[M]
    cursors: list[str]
    has_next: bool
    has_previous: bool
    count: Callable[[], Awaitable[int]]


# As the response cache's: a bound on staleness should a PostgreSQL notification ever be lost.
COUNT_TTL_SECONDS = 60.0
COUNT_ENTRIES = 1024


def remembered_count(key: Hashable, count: Callable[[], Awaitable[int]]) -> Callable[[], Awaitable[int]]:
    """`count`, remembered per database until anything is written anywhere (events.generation()):
    a list's pages after one cursor and another share their `totalCount`, and a count of 100,000
    rows is paid once per write instead of once per page."""

    async def counted() -> int:
        conn = connections.get(read_connection())
        store: OrderedDict[Hashable, tuple[tuple[int, ...], float, int]] | None = conn.__dict__.get(COUNTS_ATTRIBUTE)
        if store is None:
            store = conn.__dict__[COUNTS_ATTRIBUTE] = OrderedDict()
        generation, now = events.generation(), time.monotonic()
        entry = store.get(key)
        if entry is not None and entry[0] == generation and now - entry[1] < COUNT_TTL_SECONDS:
            return entry[2]
        total = await count()
        store[key] = (generation, now, total)  # the generation from before counting: never newer
        store.move_to_end(key)
        while len(store) > COUNT_ENTRIES:
            store.popitem(last=False)
        return total

    return counted


COUNTS_ATTRIBUTE = "_quotegraph_counts"  # held by the Tortoise client, so a database's counts die with it


def _direction(
    first: int | None, after: str | None, last: int | None, before: str | None
) -> tuple[bool, int, str | None]:
    """Forwards or not, the page size and the cursor to start from."""
    if first is not None and last is not None:
        raise PaginationError("pass `first` or `last`, not both")
    if after is not None and before is not None:
        raise PaginationError("pass `after` or `before`, not both")
    forward = last is None and before is None
    limit = page_size(first, "first") if forward else page_size(last, "last")
    return forward, limit, after if forward else before


async def paginate(
    queryset: QuerySet[M],
    ordering: Ordering,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    load: Callable[[list[int]], Awaitable[list[Any]]] | None = None,
    count_key: Hashable | None = None,
) -> Page[Any]:
    """One page of `queryset` in `ordering`, forwards (first/after) or backwards (last/before).

    With `load` (a loader's load_many), the query selects only ids and the ordering column, and
    the rows come from `load`: the request's loader then holds them for any later lookup."""
    forward, limit, cursor = _direction(first, after, last, before)
    query = queryset
    if cursor is not None:
        value, row_id = decode_cursor(cursor, ordering)
        query = query.filter(_beyond(ordering, value, row_id, forward))
    descending = ordering.descending == forward
    sign = "-" if descending else ""
    columns = [f"{sign}{ordering.column}"] + ([] if ordering.column == "id" else [f"{sign}id"])
    query = query.order_by(*columns).limit(limit + 1)
    keys: list[tuple[int, Any]]
    rows: list[Any]
    if load is None:
        rows = list(await query)
        keys = [(row.pk, getattr(row, ordering.column)) for row in rows]
    else:
        keys = [(row_id, value) for row_id, value in await query.values_list("id", ordering.column)]
    more = len(keys) > limit
    keys = keys[:limit]
    if not forward:
        keys.reverse()
    if load is None:
        rows = rows[:limit]
        if not forward:
            rows.reverse()
    else:
        loaded = await load([row_id for row_id, _ in keys])
        kept = [(key, row) for key, row in zip(keys, loaded, strict=True) if row is not None]  # deleted meanwhile
        keys, rows = [key for key, _ in kept], [row for _, row in kept]
    cursors = [encode_cursor(ordering, value, row_id) for row_id, value in keys]
    return Page(
        rows=rows,
        cursors=cursors,
        has_next=more if forward else cursor is not None,
        has_previous=cursor is not None if forward else more,
        count=queryset.count if count_key is None else remembered_count(count_key, queryset.count),
    )


# A page of one parent's children: (parent id, child id to start beyond, limit, descending), the
# start 0 or NO_CURSOR without a cursor; loaded as child ids in the order asked.
PageKey = tuple[int, int, int, bool]
NO_CURSOR = 2**62  # beyond every id, for a page in descending order from the top
Window = tuple[int | None, str | None, int | None, str | None]  # first, after, last, before


async def child_page(
    load_ids: Callable[[PageKey], Awaitable[list[int]]],
    load_rows: Callable[[list[int]], Awaitable[list[M]]],
    ordering: Ordering,
    scope: tuple[str, int, str],
    window: Window,
    count: Callable[[], Awaitable[int]],
) -> Page[M]:
    """A page of a parent's children (`scope`: parent type, parent id, field) in `ordering` (by
    the child's id), forwards or backwards, batched across parents by `load_ids`. Its cursors
    are bound to the parent's list."""
    assert ordering.column == "id"
    forward, limit, cursor = _direction(*window)
    bound = list_scope(*scope)
    descending = ordering.descending == forward
    start = decode_cursor(cursor, ordering, bound)[1] if cursor is not None else NO_CURSOR if descending else 0
    ids = await load_ids((scope[1], start, limit + 1, descending))
    more = len(ids) > limit
    ids = ids[:limit]
    if not forward:
        ids.reverse()
    rows = await load_rows(ids)
    return Page(
        rows=rows,
        cursors=[encode_cursor(ordering, row.pk, row.pk, bound) for row in rows],
        has_next=more if forward else cursor is not None,
        has_previous=cursor is not None if forward else more,
        count=count,
    )
