"""Import articles: parse first (pure, in parallel processes with `jobs`), then store each article
in one transaction.

An article's identity is its external id or URL when the source gives one, else its text. The
same identity with the same text changes nothing (and is skipped before parsing); with a changed
text, the article and its quotes are rewritten in one transaction, keeping corrected attributions.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Awaitable, Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from asyncpg.exceptions import TransactionRollbackError
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, OperationalError, ValidationError

from service import events
from service.db import write_transaction
from service.models import Article
from service.parsing import ArticleError, parse_article
from service.parsing.records import ParsedArticle
from service.sources import ArticleInput, SourceRecord
from service.writer import ArticleWriter, normalise

__all__ = ["ImportReport", "ImportResult", "import_input", "import_records", "import_text", "normalise"]

Status = Literal["imported", "updated", "unchanged", "failed"]
CHUNK = 64  # records parsed and checked against the database together


@dataclass
class ImportResult:
    source: str  # where the record came from: "path", "path:line", "<mutation>"
    status: Status
    article_id: int | None = None
    title: str | None = None
    quotes: int = 0
    speakers: int = 0
    countries: int = 0
    agreements: int = 0
    error: str | None = None
    code: str | None = None  # why it failed, for a client: INVALID_ARTICLE, PARSE_TIMEOUT, ...

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportReport:
    results: list[ImportResult] = field(default_factory=list)
    stopped: bool = False  # --fail-fast stopped the run at a failure

    def count(self, status: Status) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def failed(self) -> int:
        return self.count("failed")

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": self.count("imported"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "failed": self.failed,
            "quotes": sum(r.quotes for r in self.results if r.status in ("imported", "updated")),
            "stopped": self.stopped,
            "failures": [{"source": r.source, "error": r.error} for r in self.results if r.status == "failed"],
            "results": [result.to_json() for result in self.results],
        }


@dataclass
class Prepared:
    origin: str
    source: ArticleInput | None = None
    parsed: ParsedArticle | None = None
    error: str | None = None
    code: str | None = None


def prepare(record: SourceRecord) -> Prepared:
    """Parse one record (pure; runs in worker processes with --jobs)."""
    if record.input is None:
        return Prepared(record.origin, error=record.error or "unreadable record", code="INVALID_ARTICLE")
    source = record.input
    try:
        if source.annotations is not None:
            from service.export import parsed_from_annotations

            parsed = parsed_from_annotations(source)
        else:
            parsed = parse_article(source.text, title=source.title)
    except ArticleError as exc:
        return Prepared(record.origin, source, error=str(exc), code="INVALID_ARTICLE")
    except Exception as exc:  # an extractor bug must cost one record, not a 10,000-record run
        return Prepared(
            record.origin,
            source,
            error=f"internal error while parsing ({type(exc).__name__}); please report it",
            code="PARSER_ERROR",
        )
    return Prepared(record.origin, source, parsed)


def _result(origin: str, status: Status, article: Article, parsed: ParsedArticle | None) -> ImportResult:
    return ImportResult(
        source=origin,
        status=status,
        article_id=article.id,
        title=article.title,
        quotes=len(parsed.quotes) if parsed else article.quote_count,
        speakers=len(parsed.speakers) if parsed else 0,
        countries=len(parsed.countries) if parsed else 0,
        agreements=len(parsed.agreements) if parsed else 0,
    )


async def store(prepared: Prepared) -> ImportResult:
    """Write one parsed article in one transaction; retried when a concurrent import collides.
    A cancellation (a request's time limit) rolls the article back whole and frees the connection."""
    source, parsed = prepared.source, prepared.parsed
    if source is None or parsed is None:
        return ImportResult(prepared.origin, "failed", error=prepared.error, code=prepared.code)

    async def write(conn: BaseDBAsyncClient) -> tuple[Status, Article]:
        existing = await Article.filter(identity=source.identity).using_db(conn).select_for_update().first()
        if existing is not None and existing.content_hash == parsed.content_hash:
            return "unchanged", existing
        writer = ArticleWriter(conn, source, parsed)
        article = await (writer.replace(existing) if existing else writer.create())
        return ("updated" if existing else "imported"), article

    for attempt in range(8):
        try:
            status, article = await write_transaction(write)
            if status != "unchanged":
                events.wrote()
                if not events.is_postgres():
                    events.broker.publish(article.id)
            return _result(prepared.origin, status, article, parsed)
        except IntegrityError:
            # Another importer stored the same article or speaker at the same moment: the next
            # round finds the rows it was racing for.
            await asyncio.sleep(0.01 * attempt)
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            await asyncio.sleep(0.05 * 2**attempt)  # SQLite: another process is writing
        except TransactionRollbackError:
            # PostgreSQL chose this transaction to break a deadlock or a serialisation conflict.
            await asyncio.sleep(0.02 * 2**attempt * random.random())
        except ValidationError as exc:
            # A value the parser derived does not fit its column (a name that grows past the
            # column's width once normalised): this article fails, the run goes on.
            return ImportResult(
                prepared.origin, "failed", error=f"cannot be stored: {str(exc)[:200]}", code="INVALID_ARTICLE"
            )
    return ImportResult(
        prepared.origin, "failed", error="kept conflicting with concurrent imports; run it again", code="CONFLICT"
    )


async def _unchanged(records: list[SourceRecord]) -> dict[int, Article]:
    """Records already stored with the same text, found with one query: they need no parsing."""
    wanted = {r.input.identity: i for i, r in enumerate(records) if r.input is not None}
    if not wanted:
        return {}
    found = await Article.filter(identity__in=list(wanted)).only(
        "id", "identity", "content_hash", "title", "quote_count"
    )
    same: dict[int, Article] = {}
    for article in found:
        index = wanted[article.identity]
        source = records[index].input
        if source is not None and source.content_hash == article.content_hash:
            same[index] = article
    return same


def _chunks(records: Iterable[SourceRecord]) -> Iterator[list[SourceRecord]]:
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        yield chunk


async def import_records(
    records: Iterable[SourceRecord],
    jobs: int = 1,
    fail_fast: bool = False,
    on_result: Callable[[ImportResult], Awaitable[None] | None] | None = None,
) -> ImportReport:
    """Import every record; a failed record is reported (with its origin) and the rest go on,
    unless `fail_fast`. With jobs > 1, parsing runs in that many processes."""
    report = ImportReport()
    pool: Executor | None = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
    loop = asyncio.get_running_loop()

    async def parse(chunk: list[SourceRecord]) -> tuple[list[SourceRecord], dict[int, Article], list[Prepared]]:
        same = await _unchanged(chunk)
        todo = [r for i, r in enumerate(chunk) if i not in same]
        if pool is not None and len(todo) > 1:
            return chunk, same, list(await asyncio.gather(*(loop.run_in_executor(pool, prepare, r) for r in todo)))
        return chunk, same, [prepare(r) for r in todo]

    chunks = _chunks(records)
    upcoming = asyncio.ensure_future(parse(first)) if (first := next(chunks, None)) else None
    try:
        while upcoming is not None:
            chunk, same, parsed = await upcoming
            # With --jobs, the worker processes parse the next chunk while this one is written.
            following = next(chunks, None)
            upcoming = asyncio.ensure_future(parse(following)) if following and pool is not None else None
            prepared = iter(parsed)
            for index, record in enumerate(chunk):
                if index in same:
                    result = _result(record.origin, "unchanged", same[index], None)
                else:
                    result = await store(next(prepared))
                report.results.append(result)
                if on_result is not None and (pending := on_result(result)) is not None:
                    await pending
                if fail_fast and result.status == "failed":
                    report.stopped = True
                    return report
            if upcoming is None and following is not None:
                upcoming = asyncio.ensure_future(parse(following))
    finally:
        if upcoming is not None and not upcoming.done():
            upcoming.cancel()
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return report


async def import_input(source: ArticleInput, origin: str = "<input>") -> ImportResult:
    """Parse and store one article."""
    return await store(prepare(SourceRecord(origin, source)))


async def import_text(text: str, source: str = "<input>", title: str | None = None) -> ImportResult:
    """Parse and store one article given as text; bad input comes back as a failed result."""
    return await import_input(ArticleInput(text=text, title=title), source)
