"""Where articles come from: text files, JSON Lines, JSON, standard input; and their metadata.

A text file is one article whose first non-empty line is the title. JSON Lines and JSON hold
records `{title, text, url, publisher, publishedAt, language, externalId}` of which only `text`
is required. Every record carries its origin ("path:line") so a report can name it.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from dateutil import parser as dateparser

from service import settings
from service.htmltext import html_to_text, looks_like_html
from service.parsing import ArticleError, content_hash

SUFFIXES = (".txt", ".jsonl", ".ndjson", ".json")
FIELDS = {"title", "text", "url", "publisher", "publishedAt", "language", "externalId", "annotations"}


@dataclass(frozen=True)
class ArticleInput:
    text: str
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    external_id: str | None = None
    # Quotes, speakers, countries and agreements as `quotegraph export` wrote them: stored as
    # given instead of extracted again, so corrections survive the round trip.
    annotations: dict[str, Any] | None = field(default=None, hash=False, compare=False)

    @cached_property  # asked for by the identity, the unchanged check and the writer
    def content_hash(self) -> str:
        return content_hash(self.text)

    @property
    def identity(self) -> str:
        """What makes a re-import the same article: its external id, else URL, else its text."""
        if self.external_id:
            return "ext:" + hashlib.sha256(self.external_id.encode()).hexdigest()
        if self.url:
            return "url:" + hashlib.sha256(self.url.encode()).hexdigest()
        return "hash:" + self.content_hash


@dataclass(frozen=True)
class SourceRecord:
    origin: str  # "path" or "path:line"
    input: ArticleInput | None = None
    error: str | None = None


# dateutil reads a date a character at a time in Python: no date needs more than this.
MAX_DATE_LENGTH = 100
# What no database column stores (PostgreSQL refuses NUL in text; neither backend can encode a
# lone surrogate as UTF-8): a record holding one fails alone instead of failing its transaction.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# The longest value of each metadata field: the width of its column in service/models.py.
LIMITS = {"title": 500, "url": 2000, "publisher": 200, "language": 16, "externalId": 500}


def unstorable(value: str) -> re.Match[str] | None:
    """The first character of `value` that no text column stores (NUL, a lone surrogate)."""
    return _UNSTORABLE.search(value)


def storable(value: str, where: str) -> str:
    """`value`, or ArticleError when it holds a NUL or a lone surrogate code point."""
    if (found := unstorable(value)) is not None:
        what = "a NUL character" if found.group() == "\x00" else "a lone surrogate (not valid Unicode)"
        raise ArticleError(f"`{where}` holds {what} at character {found.start():,}")
    return value


def parse_datetime(value: object, where: str = "publishedAt") -> datetime:
    """ISO 8601 and common formats ("March 3, 2024", RFC 2822), as UTC; naive times are UTC.

    Raises ArticleError for what is not a date, or a date that UTC cannot hold (before year 1
    or after 9999 once converted, an offset of a day or more)."""
    if not isinstance(value, str) or not value.strip():
        raise ArticleError(f'`{where}` must be a date string such as "2024-03-05T10:00:00Z"')
    if len(value) > MAX_DATE_LENGTH:
        raise ArticleError(f"`{where}` is {len(value):,} characters long; a date has at most {MAX_DATE_LENGTH}")
    text = storable(value, where).strip()
    parsed = _read_datetime(text, where)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ArticleError(f"`{where}`: {text!r} falls outside the years 1 to 9999 in UTC") from None
    except ValueError:  # datetime refuses a UTC offset of a day or more
        raise ArticleError(f"`{where}`: the UTC offset of {text!r} is not less than 24 hours") from None


def _read_datetime(text: str, where: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        with warnings.catch_warnings():
            # An unknown zone name ("10:00 XST") is dropped: the time is read as UTC, as naive ones are.
            warnings.simplefilter("ignore", dateparser.UnknownTimezoneWarning)
            return dateparser.parse(text, fuzzy=False)
    except (ValueError, OverflowError):
        raise ArticleError(f"`{where}`: cannot read {text[:60]!r} as a date") from None


def _optional_string(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ArticleError(f"`{key}` must be a string, not {type(value).__name__}")
    value = value.strip()
    if len(value) > LIMITS[key]:
        raise ArticleError(f"`{key}` is {len(value):,} characters long; at most {LIMITS[key]:,} are allowed")
    return storable(value, key) or None


def article_from_json(data: object) -> ArticleInput:
    """An ArticleInput from one JSON record, or ArticleError naming the field at fault."""
    if not isinstance(data, dict):
        raise ArticleError(f"a record must be a JSON object, not {type(data).__name__}")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        shown = ", ".join(repr(name[:40]) for name in unknown[:5])
        raise ArticleError(f"unknown field(s) {shown}; known: {', '.join(sorted(FIELDS))}")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ArticleError("`text` is required and must be a non-empty string")
    if len(text) > settings.MAX_ARTICLE_BYTES:
        raise ArticleError(
            f"`text` is {len(text):,} characters; an article may have at most "
            f"{settings.MAX_ARTICLE_BYTES:,} (QUOTEGRAPH_MAX_ARTICLE_BYTES)"
        )
    published = data.get("publishedAt")
    annotations = data.get("annotations")
    if annotations is not None and not isinstance(annotations, dict):
        raise ArticleError("`annotations` must be an object as `quotegraph export` writes it")
    return ArticleInput(
        text=storable(text, "text"),
        title=_optional_string(data, "title"),
        url=_optional_string(data, "url"),
        publisher=_optional_string(data, "publisher"),
        published_at=parse_datetime(published) if published is not None else None,
        language=_optional_string(data, "language"),
        external_id=_optional_string(data, "externalId"),
        annotations=annotations,
    )


def decode(data: bytes, where: str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{where} is not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r})"
        ) from None
    if "\x00" in text:
        raise ArticleError(f"{where} holds NUL bytes: it looks binary, not text")
    return text


OnRead = Callable[[int], None]
LINES = (".jsonl", ".ndjson")
_BOM = b"\xef\xbb\xbf"
_SKIP = 1 << 20  # bytes held at a time while skipping the rest of an over-long line


def _ignore(size: int) -> None:
    pass


def _too_big(size: str, limit: int, setting: str, what: str) -> str:
    return f"{size} bytes; {what} may have at most {limit:,} ({setting})"


def _article_too_big(size: str) -> str:
    return _too_big(size, settings.MAX_ARTICLE_BYTES, "QUOTEGRAPH_MAX_ARTICLE_BYTES", "an article")


def _json_too_big(size: str) -> str:
    what = "a .json document is read whole: it"
    advice = "; write JSON Lines (.jsonl), read a line at a time, for more"
    return _too_big(size, settings.MAX_RECORD_BYTES, "QUOTEGRAPH_MAX_RECORD_BYTES", what) + advice


def _lines(stream: BinaryIO, on_read: OnRead) -> Iterator[tuple[int, bytes | None]]:
    """Each line with its number, read one at a time; None for a line longer than
    QUOTEGRAPH_MAX_RECORD_BYTES, which is skipped without being held whole."""
    limit, number = settings.MAX_RECORD_BYTES, 0
    while line := stream.readline(limit + 1):
        number += 1
        on_read(len(line))
        if len(line) <= limit or line.endswith(b"\n"):
            yield number, line
            continue
        while rest := stream.readline(_SKIP):
            on_read(len(rest))
            if rest.endswith(b"\n"):
                break
        yield number, None


def _json_line(where: str, line: bytes | None) -> SourceRecord:
    if line is None:
        limit = settings.MAX_RECORD_BYTES
        too_long = _too_big(f"{limit:,}", limit, "QUOTEGRAPH_MAX_RECORD_BYTES", "a record")
        return SourceRecord(where, error=f"the line is more than {too_long}")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = line[exc.start : exc.start + 1]
        return SourceRecord(where, error=f"the line is not valid UTF-8 (byte {exc.start}: {bad!r})")
    try:
        return SourceRecord(where, article_from_json(orjson.loads(text)))
    except orjson.JSONDecodeError as exc:
        return SourceRecord(where, error=f"not valid JSON: {exc}")
    except ArticleError as exc:
        return SourceRecord(where, error=str(exc))


def _jsonl_records(origin: str, lines: Iterable[tuple[int, bytes | None]]) -> Iterator[SourceRecord]:
    for number, line in lines:
        if number == 1 and line is not None:
            line = line.removeprefix(_BOM)
        if line is None or line.strip():
            yield _json_line(f"{origin}:{number}", line)


def _json_records(origin: str, data: bytes) -> Iterator[SourceRecord]:
    try:
        parsed = orjson.loads(decode(data, "the document"))
    except orjson.JSONDecodeError as exc:
        yield SourceRecord(origin, error=f"not valid JSON: {exc}")
        return
    except ArticleError as exc:
        yield SourceRecord(origin, error=str(exc))
        return
    items = parsed if isinstance(parsed, list) else [parsed]
    for index, item in enumerate(items):
        where = f"{origin}[{index}]" if isinstance(parsed, list) else origin
        try:
            yield SourceRecord(where, article_from_json(item))
        except ArticleError as exc:
            yield SourceRecord(where, error=str(exc))


def _text_record(origin: str, data: bytes) -> SourceRecord:
    try:
        text = decode(data, "the file")
    except ArticleError as exc:
        return SourceRecord(origin, error=str(exc))
    if looks_like_html(text):
        text = html_to_text(text)
    return SourceRecord(origin, ArticleInput(text=text))


def _file_records(path: Path, on_read: OnRead) -> Iterator[SourceRecord]:
    origin, suffix = str(path), path.suffix.lower()
    limit = settings.MAX_RECORD_BYTES if suffix == ".json" else settings.MAX_ARTICLE_BYTES
    too_big = _json_too_big if suffix == ".json" else _article_too_big
    try:
        with path.open("rb") as stream:
            if suffix in LINES:
                yield from _jsonl_records(origin, _lines(stream, on_read))
                return
            size = os.fstat(stream.fileno()).st_size
            # Bounded even if the file grows after the check.
            data = stream.read(limit + 1) if size <= limit else b""
            on_read(len(data))
    except OSError as exc:
        yield SourceRecord(origin, error=f"cannot read the file: {exc.strerror or exc}")
        return
    if size > limit or len(data) > limit:
        yield SourceRecord(origin, error="the file is " + too_big(f"{max(size, len(data)):,}"))
    elif suffix == ".json":
        yield from _json_records(origin, data)
    else:
        yield _text_record(origin, data)


def _stdin_records(stream: BinaryIO, on_read: OnRead) -> Iterator[SourceRecord]:
    """Standard input as JSON Lines, a JSON document or one text article, told apart by its
    first lines: JSON Lines when its first line is a JSON object on its own, or the next starts
    another."""
    lines = _lines(stream, on_read)
    head: list[tuple[int, bytes | None]] = []
    content: list[bytes | None] = []  # the lines of head that are not blank, stripped
    size = 0
    for number, line in lines:
        head.append((number, line))
        size += len(line or b"")
        if line is None or line.strip():
            content.append(None if line is None else line.removeprefix(_BOM).strip())
        if len(content) == 2 or size > settings.MAX_RECORD_BYTES:
            break
    first = content[0] if content else b""
    if first is not None and first.startswith(b"{") and (len(content) < 2 or _jsonl_start(first, content[1])):
        yield from _jsonl_records("<stdin>", itertools.chain(head, lines))
        return
    is_json = first is not None and first.startswith((b"{", b"["))
    limit = settings.MAX_RECORD_BYTES if is_json else settings.MAX_ARTICLE_BYTES
    data = b"".join(line or b"" for _, line in head)
    if None not in content and size <= limit:
        data += stream.read(limit + 1 - size)
        on_read(len(data) - size)
    if None in content or len(data) > limit:
        too_big = _json_too_big if is_json else _article_too_big
        yield SourceRecord("<stdin>", error="standard input holds more than " + too_big(f"{limit:,}"))
    elif is_json:
        yield from _json_records("<stdin>", data)
    else:
        yield _text_record("<stdin>", data)


def _jsonl_start(first: bytes, second: bytes | None) -> bool:
    if second is not None and second.startswith(b"{"):
        return True
    try:
        orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return True


def files_under(paths: Iterable[Path]) -> list[Path]:
    """Each path itself, or every article file (*.txt, *.jsonl, *.json) under a directory."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES))
        else:
            files.append(path)
    return files


def read_records(paths: Iterable[Path | str], on_read: OnRead = _ignore) -> Iterator[SourceRecord]:
    """Every record of every path, in order, read lazily: a JSON Lines file a line at a time,
    other files whole within their limit; "-" reads standard input. `on_read` hears of every
    byte read, as it is read."""
    for item in paths:
        if str(item) == "-":
            yield from _stdin_records(sys.stdin.buffer, on_read)
            continue
        for path in files_under([Path(item)]):
            yield from _file_records(path, on_read)
