"""Where articles come from: text files, JSON Lines, JSON, standard input; and their metadata.

A text file is one article whose first non-empty line is the title. JSON Lines and JSON hold
records `{title, text, url, publisher, publishedAt, language, externalId}` of which only `text`
is required. Every record carries its origin ("path:line") so a report can name it.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import orjson
from dateutil import parser as dateparser

from service import settings
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


def parse_datetime(value: object, where: str = "publishedAt") -> datetime:
    """ISO 8601 and common formats ("March 3, 2024", RFC 2822); naive times are UTC."""
    if not isinstance(value, str) or not value.strip():
        raise ArticleError(f'`{where}` must be a date string such as "2024-03-05T10:00:00Z"')
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = dateparser.parse(value, fuzzy=False)
        except (ValueError, OverflowError):
            raise ArticleError(f"`{where}`: cannot read {value[:60]!r} as a date") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _optional_string(data: dict[str, Any], key: str, limit: int) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ArticleError(f"`{key}` must be a string, not {type(value).__name__}")
    value = value.strip()
    if len(value) > limit:
        raise ArticleError(f"`{key}` is {len(value)} characters long; at most {limit} are allowed")
    return value or None


def article_from_json(data: object) -> ArticleInput:
    """An ArticleInput from one JSON record, or ArticleError naming the field at fault."""
    if not isinstance(data, dict):
        raise ArticleError(f"a record must be a JSON object, not {type(data).__name__}")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise ArticleError(f"unknown field(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(FIELDS))}")
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
        text=text,
        title=_optional_string(data, "title", 500),
        url=_optional_string(data, "url", 2000),
        publisher=_optional_string(data, "publisher", 200),
        published_at=parse_datetime(published) if published is not None else None,
        language=_optional_string(data, "language", 16),
        external_id=_optional_string(data, "externalId", 500),
        annotations=annotations,
    )


class _HTMLText(HTMLParser):
    BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "li", "title", "article", "section", "tr", "blockquote"}
    SKIP = {"script", "style", "head", "nav", "footer", "noscript"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.lines: list[str] = [""]
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        if tag in self.BLOCKS:
            self.lines.append("")

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop() != tag:
            pass
        if tag in self.BLOCKS:
            self.lines.append("")

    def handle_data(self, data: str) -> None:
        if "title" in self.stack:
            self.title.append(data)
        elif not self.SKIP.intersection(self.stack):
            self.lines[-1] += data


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:1000].lower()
    return head.startswith(("<!doctype html", "<html")) or len(re.findall(r"</?(p|div|br|span|a)\b", head)) >= 3


def html_to_text(html: str) -> str:
    """The readable text of an HTML page: its title line, then one line per paragraph."""
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in parser.lines]
    title = " ".join("".join(parser.title).split())
    body = [line for line in lines if line]
    if title and (not body or body[0] != title):
        body.insert(0, title)
    return "\n".join(body) + "\n"


def decode(data: bytes, where: str) -> str:
    if len(data) > settings.MAX_ARTICLE_BYTES:
        raise ArticleError(
            f"{where} is {len(data):,} bytes; an article may have at most "
            f"{settings.MAX_ARTICLE_BYTES:,} (QUOTEGRAPH_MAX_ARTICLE_BYTES)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{where} is not valid UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r})"
        ) from None
    if "\x00" in text:
        raise ArticleError(f"{where} holds NUL bytes: it looks binary, not text")
    return text


def _text_record(origin: str, text: str) -> SourceRecord:
    if looks_like_html(text):
        text = html_to_text(text)
    return SourceRecord(origin, ArticleInput(text=text))


def _json_records(origin: str, text: str, lines: bool) -> Iterator[SourceRecord]:
    if lines:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{origin}:{number}"
            try:
                yield SourceRecord(where, article_from_json(orjson.loads(line)))
            except orjson.JSONDecodeError as exc:
                yield SourceRecord(where, error=f"not valid JSON: {exc}")
            except ArticleError as exc:
                yield SourceRecord(where, error=str(exc))
        return
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        yield SourceRecord(origin, error=f"not valid JSON: {exc}")
        return
    items = data if isinstance(data, list) else [data]
    for index, item in enumerate(items):
        where = f"{origin}[{index}]" if isinstance(data, list) else origin
        try:
            yield SourceRecord(where, article_from_json(item))
        except ArticleError as exc:
            yield SourceRecord(where, error=str(exc))


def _records_of(origin: str, data: bytes, suffix: str) -> Iterator[SourceRecord]:
    # JSON Lines files may be far larger than one article: the size limit applies per record.
    try:
        text = data.decode("utf-8-sig") if suffix in (".jsonl", ".ndjson") else decode(data, "the file")
    except UnicodeDecodeError as exc:
        yield SourceRecord(origin, error=f"the file is not valid UTF-8 (byte {exc.start})")
        return
    except ArticleError as exc:
        yield SourceRecord(origin, error=str(exc))
        return
    if suffix in (".jsonl", ".ndjson"):
        yield from _json_records(origin, text, lines=True)
    elif suffix == ".json":
        yield from _json_records(origin, text, lines=False)
    else:
        yield _text_record(origin, text)


def files_under(paths: Iterable[Path]) -> list[Path]:
    """Each path itself, or every article file (*.txt, *.jsonl, *.json) under a directory."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES))
        else:
            files.append(path)
    return files


def read_records(paths: Iterable[Path | str]) -> Iterator[SourceRecord]:
    """Every record of every path, in order; "-" reads standard input."""
    for item in paths:
        if str(item) == "-":
            data = sys.stdin.buffer.read()
            stripped = data.lstrip()
            suffix = ".txt"
            if stripped.startswith(b"{"):
                suffix = ".jsonl" if b"\n{" in stripped.strip() or stripped.count(b"\n") == 0 else ".json"
            elif stripped.startswith(b"["):
                suffix = ".json"
            yield from _records_of("<stdin>", data, suffix)
            continue
        for path in files_under([Path(item)]):
            try:
                size = path.stat().st_size
                if path.suffix.lower() not in (".jsonl", ".ndjson") and size > settings.MAX_ARTICLE_BYTES:
                    yield SourceRecord(
                        str(path),
                        error=(
                            f"the file is {size:,} bytes; an article may have at most "
                            f"{settings.MAX_ARTICLE_BYTES:,} (QUOTEGRAPH_MAX_ARTICLE_BYTES)"
                        ),
                    )
                    continue
                data = path.read_bytes()
            except OSError as exc:
                yield SourceRecord(str(path), error=f"cannot read the file: {exc.strerror or exc}")
                continue
            yield from _records_of(str(path), data, path.suffix.lower())
