"""Import articles: parse first (pure), then write each article in one transaction.

Idempotent by content hash: importing the same text again changes nothing. Speakers resolve to
one entity across articles through their natural key (kind and normalised full name) and their
aliases ("Trump" -> "Donald Trump").
"""

from __future__ import annotations

import asyncio
from collections import Counter
import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from service import events, settings
from service.models import (
    Agreement,
    Article,
    ArticleAgreement,
    ArticleCountry,
    ArticleSpeaker,
    Country,
    Membership,
    Quote,
    Speaker,
    SpeakerAlias,
)
from service.parsing import ArticleError, parse_article
from service.parsing.countries import country_name
from service.parsing.records import (
    MembershipStatus,
    ParsedArticle,
    SpeakerKind,
    SpeakerRecord,
)

Status = Literal["imported", "unchanged", "failed"]


@dataclass
class ImportResult:
    source: str  # a path, or a label such as "<mutation>"
    status: Status
    article_id: int | None = None
    title: str | None = None
    quotes: int = 0
    speakers: int = 0
    countries: int = 0
    agreements: int = 0
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportReport:
    results: list[ImportResult] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def failed(self) -> int:
        return self.count("failed")

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": self.count("imported"),
            "unchanged": self.count("unchanged"),
            "failed": self.failed,
            "quotes": sum(result.quotes for result in self.results),
            "results": [result.to_json() for result in self.results],
        }


def normalise(name: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name, for keys and alias lookups."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s'-]", " ", plain.casefold().replace("’", "'")).split())


def read_article_file(path: Path) -> str:
    """The text of an article file, or ArticleError saying why it cannot be read."""
    try:
        size = path.stat().st_size
        if size > settings.MAX_ARTICLE_BYTES:
            raise ArticleError(
                f"the file is {size:,} bytes; articles may have at most "
                f"{settings.MAX_ARTICLE_BYTES:,} (QUOTEGRAPH_MAX_ARTICLE_BYTES)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot read the file: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"the file is not valid UTF-8 (byte {exc.start}: {data[exc.start:exc.start + 1]!r})"
        ) from None


def article_files(paths: Iterable[Path]) -> list[Path]:
    """Files to import: each path itself, or every *.txt under a directory, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.txt") if p.is_file()))
        else:
            files.append(path)
    return files


def _speaker_key(record: SpeakerRecord, content_hash: str) -> str:
    if record.kind is SpeakerKind.ANONYMOUS:
        # "one official" in one article is not "one official" in another.
        return f"anonymous:{content_hash[:16]}:{normalise(record.key)}"
    return f"{record.kind.value.lower()}:{normalise(record.name)}"


_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def _compatible(short: str, long: str) -> bool:
    """"trump" names the same person as "donald trump"; "bill clinton" not "hillary clinton"."""
    short_words, long_words = short.split(), long.split()
    return set(short_words) <= set(long_words) or set(long_words) <= set(short_words)


class _Writer:
    """Writes one parsed article inside one transaction."""

    def __init__(self, parsed: ParsedArticle, conn: BaseDBAsyncClient) -> None:
        self.parsed = parsed
        self.conn = conn
        self.countries: dict[str, Country] = {}

    async def country(self, alpha2: str) -> Country:
        if alpha2 not in self.countries:
            import pycountry

            alpha3 = pycountry.countries.get(alpha_2=alpha2).alpha_3
            self.countries[alpha2], _ = await Country.get_or_create(
                alpha2=alpha2,
                defaults={"alpha3": alpha3, "name": country_name(alpha2)},
                using_db=self.conn,
            )
        return self.countries[alpha2]

    async def resolve_speaker(self, record: SpeakerRecord) -> Speaker:
        key = _speaker_key(record, self.parsed.content_hash)
        speaker = await Speaker.filter(key=key).using_db(self.conn).first()
        if speaker is None:
            # A speaker merged into another by a correction resolves to the kept one.
            speaker = await Speaker.filter(merged_keys__key=key).using_db(self.conn).first()
        aliases = {normalise(record.name), *(normalise(alias) for alias in record.aliases)}
        if record.kind is SpeakerKind.PERSON:
            # A later article may name the person by surname alone ("Trump").
            words = [w for w in normalise(record.name).split() if w not in _NAME_SUFFIXES]
            if len(words) > 1:
                aliases.add(words[-1])
        aliases.discard("")
        if speaker is None and record.kind is not SpeakerKind.ANONYMOUS:
            speaker = await self._by_alias(record, aliases)
        country = await self.country(record.country) if record.country else None
        if speaker is None:
            speaker, _ = await Speaker.get_or_create(
                key=key,
                defaults={
                    "name": record.name,
                    "kind": record.kind,
                    "title": record.title,
                    "country_id": country.id if country else None,
                },
                using_db=self.conn,
            )
        else:
            await self._enrich(speaker, record, country)
        await SpeakerAlias.bulk_create(
            [SpeakerAlias(speaker_id=speaker.id, alias=alias) for alias in sorted(aliases)],
            ignore_conflicts=True,
            using_db=self.conn,
        )
        return speaker

    async def _by_alias(self, record: SpeakerRecord, aliases: set[str]) -> Speaker | None:
        full = normalise(record.name)
        rows = await SpeakerAlias.filter(alias__in=aliases, speaker__kind=record.kind).using_db(
            self.conn
        ).prefetch_related("speaker")
        candidates = {row.speaker_id: row.speaker for row in rows}
        matching = [s for s in candidates.values() if _compatible(normalise(s.name), full)]
        # An alias shared by several people ("clinton") names none of them.
        return matching[0] if len(matching) == 1 else None

    async def _enrich(self, speaker: Speaker, record: SpeakerRecord, country: Country | None) -> None:
        if speaker.corrected:
            return
        changed: list[str] = []
        if len(record.name.split()) > len(speaker.name.split()):
            speaker.name = record.name
            changed.append("name")
        if record.title and not speaker.title:
            speaker.title = record.title
            changed.append("title")
        if country is not None and speaker.country_id is None:
            speaker.country_id = country.id
            changed.append("country_id")
        if changed:
            await speaker.save(update_fields=changed, using_db=self.conn)

    async def agreement(self, name: str) -> Agreement:
        agreement, _ = await Agreement.get_or_create(name=name, using_db=self.conn)
        return agreement

    async def write(self) -> Article:
        parsed = self.parsed
        now = datetime.now(UTC)
        article = await Article.create(
            title=parsed.title,
            text=parsed.text,
            dateline=parsed.dateline,
            publisher=parsed.publisher,
            content_hash=parsed.content_hash,
            date=now,
            quote_count=len(parsed.quotes),
            using_db=self.conn,
        )
        speakers = {record.key: await self.resolve_speaker(record) for record in parsed.speakers}
        await Quote.bulk_create(
            [
                Quote(
                    article_id=article.id,
                    position=position,
                    text=quote.text,
                    kind=quote.kind,
                    start=quote.span.start,
                    end=quote.span.end,
                    span_text=None if quote.span.text == quote.text else quote.span.text,
                    cue_start=quote.cue.start if quote.cue else None,
                    cue_end=quote.cue.end if quote.cue else None,
                    cue_text=quote.cue.text if quote.cue else None,
                    source_start=quote.source.start if quote.source else None,
                    source_end=quote.source.end if quote.source else None,
                    source_text=quote.source.text if quote.source else None,
                    speaker_id=speakers[quote.speaker].id if quote.speaker in speakers else None,
                    date=article.date,
                )
                for position, quote in enumerate(parsed.quotes)
            ],
            using_db=self.conn,
        )
        quoted = Counter(
            speakers[quote.speaker].id for quote in parsed.quotes if quote.speaker in speakers
        )
        for speaker_id, count in sorted(quoted.items()):
            await Speaker.filter(id=speaker_id).using_db(self.conn).update(
                quote_count=F("quote_count") + count
            )
        speaker_ids = sorted({speaker.id for speaker in speakers.values()})
        await ArticleSpeaker.bulk_create(
            [ArticleSpeaker(article_id=article.id, speaker_id=i) for i in speaker_ids],
            using_db=self.conn,
        )
        country_ids = [(await self.country(c.alpha2)).id for c in parsed.countries]
        await ArticleCountry.bulk_create(
            [ArticleCountry(article_id=article.id, country_id=i) for i in dict.fromkeys(country_ids)],
            using_db=self.conn,
        )
        agreement_ids: list[int] = []
        for record in parsed.agreements:
            agreement = await self.agreement(record.name)
            agreement_ids.append(agreement.id)
            for member in record.members:
                await self.membership(agreement, member.country, member.status, member.date)
        await ArticleAgreement.bulk_create(
            [ArticleAgreement(article_id=article.id, agreement_id=i) for i in dict.fromkeys(agreement_ids)],
            using_db=self.conn,
        )
        if self.conn.capabilities.dialect == "postgres":
            # Delivered to every LISTENing process when, and only if, this transaction commits.
            await self.conn.execute_query("SELECT pg_notify($1, $2)", [events.CHANNEL, str(article.id)])
        return article

    async def membership(
        self, agreement: Agreement, alpha2: str, status: MembershipStatus, date: str | None
    ) -> None:
        country = await self.country(alpha2)
        membership, created = await Membership.get_or_create(
            agreement_id=agreement.id,
            country_id=country.id,
            defaults={"status": status, "date": date},
            using_db=self.conn,
        )
        if created:
            return
        # Joining turns into membership; a member does not go back to joining.
        changed: list[str] = []
        if membership.status is MembershipStatus.JOINING and status is MembershipStatus.MEMBER:
            membership.status = status
            membership.date = date
            changed += ["status", "date"]
        elif date and not membership.date and membership.status is status:
            membership.date = date
            changed.append("date")
        if changed:
            await membership.save(update_fields=changed, using_db=self.conn)


def _result(source: str, status: Status, article: Article, parsed: ParsedArticle) -> ImportResult:
    return ImportResult(
        source=source,
        status=status,
        article_id=article.id,
        title=article.title,
        quotes=len(parsed.quotes),
        speakers=len(parsed.speakers),
        countries=len(parsed.countries),
        agreements=len(parsed.agreements),
    )


async def import_parsed(parsed: ParsedArticle, source: str = "<input>") -> ImportResult:
    """Store one parsed article in one transaction; an article already stored is left alone."""
    for attempt in range(8):
        existing = await Article.filter(content_hash=parsed.content_hash).first()
        if existing is not None:
            return _result(source, "unchanged", existing, parsed)
        try:
            async with in_transaction() as conn:
                article = await _Writer(parsed, conn).write()
            if not events.is_postgres():
                events.broker.publish(article.id)
            return _result(source, "imported", article, parsed)
        except IntegrityError:
            # Another importer stored the same article (or a speaker) at the same moment: look
            # again; the next round finds the article or the rows it was racing for.
            continue
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == 7:
                raise
            await asyncio.sleep(0.05 * 2**attempt)  # SQLite: another process is writing
    raise ArticleError("the article could not be stored: it kept conflicting with concurrent imports")


async def import_text(text: str, source: str = "<input>", title: str | None = None) -> ImportResult:
    """Parse and store one article; errors in the input come back as a failed result."""
    try:
        parsed = parse_article(text, title=title)
    except ArticleError as exc:
        return ImportResult(source=source, status="failed", error=str(exc))
    return await import_parsed(parsed, source)


async def import_files(
    paths: Sequence[Path],
    on_result: Callable[[ImportResult], Awaitable[None] | None] | None = None,
) -> ImportReport:
    """Import every file; a file that fails is reported and the others still import."""
    report = ImportReport()
    for path in paths:
        try:
            result = await import_text(read_article_file(path), source=str(path))
        except ArticleError as exc:
            result = ImportResult(source=str(path), status="failed", error=str(exc))
        report.results.append(result)
        if on_result is not None:
            maybe = on_result(result)
            if maybe is not None:
                await maybe
    return report
