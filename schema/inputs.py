"""Checks for every value a client sends that reaches SQL: row ids, text, moments in time.

One helper for each kind, used by every path (node IDs, filter IDs, cursors, filter strings,
dates), so a hostile value gets the same clear error wherever it is sent, on every backend: the
database never sees a value it would refuse (PostgreSQL's `integer` stops at 2**31 - 1, its text
holds no NUL; a datetime at the calendar's edge overflows when made UTC). Every check is linear in
the value's size, and lengths are checked before anything else looks at the value.
"""

from __future__ import annotations

from datetime import UTC, datetime

from strawberry import relay

from service.errors import UserError
from service.sources import unstorable

# Ids are PostgreSQL `integer`s (serial): the same bound on SQLite, so one API answers alike on both.
MAX_ID = 2**31 - 1
MAX_ID_DIGITS = len(str(MAX_ID))
# A global ID is base64 of "Type:1234567890": far below this; longer is not an ID.
MAX_GLOBAL_ID_LENGTH = 200
# Filter strings that name one thing (a publisher, a country code): five times the longest name
# column (200 characters), so no stored name is refused.
MAX_NAME_LENGTH = 1_000


def client_id(value: str | int) -> int | None:
    """The row id a client's digits (or JSON integer) name, 1 to MAX_ID; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        # Length first: int() of a million digits is quadratic.
        if not 0 < len(value) <= MAX_ID_DIGITS or not value.isascii() or not value.isdigit():
            return None
        value = int(value)
    return value if 1 <= value <= MAX_ID else None


def global_id_parts(value: str) -> tuple[str, str] | None:
    """(type name, id part) of a global ID; None when `value` is not one."""
    if len(value) > MAX_GLOBAL_ID_LENGTH:
        return None
    try:
        global_id = relay.GlobalID.from_id(value)
    except Exception:  # strawberry raises several kinds for malformed base64 and text
        return None
    return global_id.type_name, global_id.node_id


def shown(value: str, limit: int = 60) -> str:
    """A client's value, cut short, for an error message."""
    return repr(value[:limit]) + ("..." if len(value) > limit else "")


def client_text(value: str, argument: str, error: type[UserError], max_length: int = MAX_NAME_LENGTH) -> str:
    """`value` when a database can hold and compare it: at most `max_length` characters, no NUL
    (PostgreSQL text cannot hold one) and no lone surrogate (not encodable as UTF-8)."""
    if len(value) > max_length:
        raise error(f"`{argument}` may be at most {max_length:,} characters, not {len(value):,}")
    if unstorable(value) is None:
        return value
    if "\x00" in value:
        raise error(f"`{argument}` holds a NUL character (\\u0000), which no text here can contain")
    raise error(f"`{argument}` holds a lone UTF-16 surrogate: send valid Unicode text")


def client_moment(value: datetime, argument: str, error: type[UserError]) -> datetime:
    """`value` in UTC (a naive one is taken as UTC, as the database's clock is); a clear error when
    UTC has no such moment (0001-01-01T00:00:00+14:00 lies before year 1)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise error(
            f"`{argument}`: {value.isoformat()} lies outside the years 1 to 9999 once made UTC: "
            "give a moment within them"
        ) from None
