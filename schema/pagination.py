"""Keyset cursors and page-size checks shared by every connection."""

from __future__ import annotations

import base64
import binascii

from service import settings

DEFAULT_PAGE_SIZE = 20
_PREFIX = "cursor:v1:"


class PaginationError(ValueError):
    pass


def encode_cursor(row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{row_id}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The id a cursor points after; 0 (before everything) for no cursor."""
    if cursor is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8")
        if not raw.startswith(_PREFIX):
            raise ValueError
        return int(raw.removeprefix(_PREFIX))
    except (ValueError, UnicodeError, binascii.Error):
        raise PaginationError(
            f"invalid cursor {cursor!r}: pass an edge's `cursor` or `pageInfo.endCursor` as `after`"
        ) from None


def page_size(first: int | None) -> int:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if size < 0:
        raise PaginationError(f"`first` must be 0 or more, not {size}")
    if size > settings.MAX_PAGE_SIZE:
        raise PaginationError(
            f"`first` may be at most {settings.MAX_PAGE_SIZE}, not {size}: page with `after`"
        )
    return size
