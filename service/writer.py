"""Writes one parsed article inside one transaction, resolving speakers across articles."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from datetime import UTC, datetime

import pycountry
from tortoise.backends.base.client import BaseDBAsyncClient

from service import events
from service.models import (
    Agreement,
    Article,
    ArticleAgreement,
    ArticleCountry,
    ArticleSpeaker,
    Country,
    Membership,
    MergedSpeakerKey,
    Quote,
    Speaker,
    SpeakerAlias,
)
from service.parsing import ArticleError
from service.parsing.countries import country_name
from service.parsing.dates import event_date
from service.parsing.records import MembershipStatus, ParsedArticle, QuoteKind, SpeakerKind, SpeakerRecord
from service.sources import ArticleInput

_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def normalise(name: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name, for keys and alias lookups."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w\s'-]", " ", plain.casefold().replace("’", "'")).split())


def anonymous_prefix(identity: str) -> str:
    """Anonymous sources ("one official") belong to their article: their keys start with this."""
    return f"anonymous:{hashlib.sha256(identity.encode()).hexdigest()[:16]}:"


def speaker_key(record: SpeakerRecord, identity: str) -> str:
    if record.entity_key:
        return record.entity_key
    if record.kind is SpeakerKind.ANONYMOUS:
        return anonymous_prefix(identity) + normalise(record.key)
    return f"{record.kind.value.lower()}:{normalise(record.name)}"


def _compatible(short: str, long: str) -> bool:
    """ "trump" names the same person as "donald trump"; "bill clinton" not "hillary clinton"."""
    short_words, long_words = set(short.split()), set(long.split())
    return short_words <= long_words or long_words <= short_words


async def country_row(conn: BaseDBAsyncClient, alpha2: str) -> Country | None:
    """The stored country of an ISO alpha-2 code, created on first use; None for no such code."""
    iso = pycountry.countries.get(alpha_2=alpha2) if len(alpha2) == 2 else None
    if iso is None:
        return None
    country, _ = await Country.get_or_create(
        alpha2=alpha2, defaults={"alpha3": iso.alpha_3, "name": country_name(alpha2)}, using_db=conn
    )
    return country


async def _speakers_by_id(conn: BaseDBAsyncClient, ids: set[int]) -> dict[int, Speaker]:
    # Tortoise sends a query even for an empty IN list; most articles need none.
    return {s.id: s for s in await Speaker.filter(id__in=ids).using_db(conn)} if ids else {}


async def add_quote_counts(conn: BaseDBAsyncClient, changes: Counter[int]) -> None:
    """Add to speakers' quote counts in one statement (an increment: safe under concurrency)."""
    changes = Counter({i: n for i, n in changes.items() if n})
    if not changes:
        return
    dollar = conn.capabilities.dialect == "postgres"
    values: list[int] = []

    def mark(value: int) -> str:
        values.append(value)
        return f"${len(values)}" if dollar else "?"

    cases = " ".join(f"WHEN {mark(i)} THEN CAST({mark(n)} AS INTEGER)" for i, n in sorted(changes.items()))
    ids = ", ".join(mark(i) for i in sorted(changes))
    await conn.execute_query(
        f"UPDATE speaker SET quote_count = quote_count + CASE id {cases} END WHERE id IN ({ids})", values
    )


class ArticleWriter:
    def __init__(self, conn: BaseDBAsyncClient, source: ArticleInput, parsed: ParsedArticle) -> None:
        self.conn = conn
        self.source = source
        self.parsed = parsed
        self.countries: dict[str, Country] = {}

    async def lock_entities(self) -> None:
        """On PostgreSQL, lock the natural keys this article writes, in one global order, so that
        concurrent imports sharing speakers, countries or agreements wait for each other instead
        of deadlocking."""
        if self.conn.capabilities.dialect != "postgres":
            return
        parsed, identity = self.parsed, self.source.identity
        keys = {speaker_key(record, identity) for record in parsed.speakers}
        keys |= {f"country:{c.alpha2}" for c in parsed.countries}
        keys |= {f"country:{r.country}" for r in parsed.speakers if r.country}
        keys |= {f"agreement:{a.name}" for a in parsed.agreements}
        keys |= {f"country:{m.country}" for a in parsed.agreements for m in a.members}
        for lock in sorted(
            {int.from_bytes(hashlib.blake2b(k.encode(), digest_size=8).digest(), "big", signed=True) for k in keys}
        ):
            await self.conn.execute_query("SELECT pg_advisory_xact_lock($1)", [lock])

    async def create(self) -> Article:
        await self.lock_entities()
        article = await Article.create(**self._fields(), using_db=self.conn)
        await self._write_contents(article, {})
        return article

    async def replace(self, article: Article) -> Article:
        """The same article with a changed text: everything derived from the text is rewritten;
        corrected attributions are kept where their quote is still there."""
        await self.lock_entities()
        old = await Quote.filter(article_id=article.id).using_db(self.conn)
        corrected = {(q.text, q.kind): q.speaker_id for q in old if q.corrected and q.speaker_id}
        removed = Counter(q.speaker_id for q in old if q.speaker_id)
        await add_quote_counts(self.conn, Counter({i: -n for i, n in removed.items()}))
        for link in (Quote, ArticleSpeaker, ArticleCountry, ArticleAgreement):
            await link.filter(article_id=article.id).using_db(self.conn).delete()
        fields = self._fields()
        fields.pop("imported_at", None)
        await Article.filter(id=article.id).using_db(self.conn).update(**fields)
        await article.refresh_from_db(using_db=self.conn)
        await self._write_contents(article, corrected)
        # Anonymous sources the new text no longer has go with their last quote.
        await (
            Speaker.filter(
                kind=SpeakerKind.ANONYMOUS, key__startswith=anonymous_prefix(article.identity), quote_count=0
            )
            .using_db(self.conn)
            .delete()
        )
        return article

    def _fields(self) -> dict[str, object]:
        source, parsed = self.source, self.parsed
        now = datetime.now(UTC)
        return {
            "title": parsed.title,
            "text": parsed.text,
            "dateline": parsed.dateline,
            "publisher": source.publisher or parsed.publisher,
            "url": source.url,
            "language": source.language,
            "external_id": source.external_id,
            "identity": source.identity,
            "content_hash": parsed.content_hash,
            "published_at": source.published_at,
            "imported_at": now,
            "date": source.published_at or now,
            "event_date": event_date(parsed.text, source.published_at.date()) if source.published_at else None,
            "quote_count": len(parsed.quotes),
        }

    async def _write_contents(self, article: Article, corrected: dict[tuple[str, QuoteKind], int]) -> None:
        parsed = self.parsed
        await self.preload_countries(
            {c.alpha2 for c in parsed.countries} | {m.country for a in parsed.agreements for m in a.members}
        )
        speakers = await self.resolve_speakers(parsed.speakers)
        quotes = []
        for position, quote in enumerate(parsed.quotes):
            speaker = speakers.get(quote.speaker) if quote.speaker else None
            speaker_id = speaker.id if speaker else None
            is_corrected = quote.corrected
            if (quote.text, quote.kind) in corrected:
                speaker_id, is_corrected = corrected[(quote.text, quote.kind)], True
            quotes.append(
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
                    speaker_id=speaker_id,
                    date=article.date,
                    corrected=is_corrected,
                )
            )
        await Quote.bulk_create(quotes, using_db=self.conn)
        await add_quote_counts(self.conn, Counter(q.speaker_id for q in quotes if q.speaker_id))
        speaker_ids = {s.id for s in speakers.values()} | {q.speaker_id for q in quotes if q.speaker_id}
        await ArticleSpeaker.bulk_create(
            [ArticleSpeaker(article_id=article.id, speaker_id=i) for i in sorted(speaker_ids)],
            using_db=self.conn,
        )
        country_ids = [(await self.country(c.alpha2)).id for c in parsed.countries]
        await ArticleCountry.bulk_create(
            [ArticleCountry(article_id=article.id, country_id=i) for i in dict.fromkeys(country_ids)],
            using_db=self.conn,
        )
        agreement_ids: list[int] = []
        for record in parsed.agreements:
            agreement, _ = await Agreement.get_or_create(name=record.name, using_db=self.conn)
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
        await events.notify_write(self.conn)

    async def country(self, alpha2: str) -> Country:
        if alpha2 not in self.countries:
            country = await country_row(self.conn, alpha2)
            if country is None:
                raise ArticleError(f"{alpha2!r} is not an ISO 3166 alpha-2 country code")
            self.countries[alpha2] = country
        return self.countries[alpha2]

    @staticmethod
    def _aliases(record: SpeakerRecord) -> set[str]:
        aliases = {normalise(record.name), *(normalise(alias) for alias in record.aliases)}
        if record.kind is SpeakerKind.PERSON:
            # A later article may name the person by surname alone ("Trump").
            words = [w for w in normalise(record.name).split() if w not in _NAME_SUFFIXES]
            if len(words) > 1:
                aliases.add(words[-1])
        aliases.discard("")
        return aliases

    async def resolve_speakers(self, records: tuple[SpeakerRecord, ...]) -> dict[str, Speaker]:
        """The stored speaker of every record (by its key), created where none matches: by
        natural key, then by a key merged into another speaker, then by an unambiguous alias.
        A handful of statements for the whole article, not a handful per speaker."""
        conn, identity = self.conn, self.source.identity
        keys = {record.key: speaker_key(record, identity) for record in records}
        aliases = {record.key: self._aliases(record) for record in records}
        by_key = {s.key: s for s in await Speaker.filter(key__in=set(keys.values())).using_db(conn)}
        missing = [k for k in keys.values() if k not in by_key]
        if missing:
            merged = await MergedSpeakerKey.filter(key__in=missing).using_db(conn).values_list("key", "speaker_id")
            kept = await _speakers_by_id(conn, {i for _, i in merged})
            by_key.update({key: kept[i] for key, i in merged if i in kept})
        resolved: dict[str, Speaker] = {r.key: by_key[keys[r.key]] for r in records if keys[r.key] in by_key}
        unresolved = [
            r for r in records if r.key not in resolved and r.kind is not SpeakerKind.ANONYMOUS and not r.entity_key
        ]
        if unresolved:
            await self._resolve_by_alias(unresolved, aliases, resolved)
        await self.preload_countries({r.country for r in records if r.country})
        fresh: dict[str, SpeakerRecord] = {}
        for record in records:
            country = await self.country(record.country) if record.country else None
            if record.key in resolved:
                await self._enrich(resolved[record.key], record, country)
            else:
                fresh.setdefault(keys[record.key], record)
        if fresh:
            # One INSERT for every new speaker; one a concurrent import created first is kept as is.
            await Speaker.bulk_create(
                [
                    Speaker(
                        key=key,
                        name=r.name,
                        kind=r.kind,
                        title=r.title,
                        country_id=self.countries[r.country].id if r.country else None,
                        corrected=r.corrected,
                    )
                    for key, r in fresh.items()
                ],
                ignore_conflicts=True,
                using_db=conn,
            )
            created = {s.key: s for s in await Speaker.filter(key__in=list(fresh)).using_db(conn)}
            resolved.update({r.key: created[keys[r.key]] for r in records if r.key not in resolved})
        await SpeakerAlias.bulk_create(
            [SpeakerAlias(speaker_id=resolved[r.key].id, alias=a) for r in records for a in sorted(aliases[r.key])],
            ignore_conflicts=True,
            using_db=conn,
        )
        merged_keys = [MergedSpeakerKey(key=k, speaker_id=resolved[r.key].id) for r in records for k in r.merged_keys]
        if merged_keys:
            await MergedSpeakerKey.bulk_create(merged_keys, ignore_conflicts=True, using_db=conn)
        return resolved

    async def _resolve_by_alias(
        self, records: list[SpeakerRecord], aliases: dict[str, set[str]], resolved: dict[str, Speaker]
    ) -> None:
        wanted = set().union(*(aliases[r.key] for r in records))
        rows = await SpeakerAlias.filter(alias__in=wanted).using_db(self.conn).values_list("alias", "speaker_id")
        owners: dict[str, set[int]] = {}
        for alias, speaker_id in rows:
            owners.setdefault(alias, set()).add(speaker_id)
        candidates = await _speakers_by_id(self.conn, {i for _, i in rows})
        for record in records:
            full = normalise(record.name)
            ids: set[int] = set().union(*(owners.get(a, set()) for a in aliases[record.key]))
            matching = [
                candidates[i]
                for i in sorted(ids)
                if i in candidates
                and candidates[i].kind is record.kind
                and _compatible(normalise(candidates[i].name), full)
            ]
            # An alias shared by several people ("clinton") names none of them.
            if len(matching) == 1:
                resolved[record.key] = matching[0]

    async def preload_countries(self, codes: set[str]) -> None:
        wanted = codes - set(self.countries)
        if wanted:
            found = await Country.filter(alpha2__in=wanted).using_db(self.conn)
            self.countries.update({c.alpha2: c for c in found})

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

    async def membership(self, agreement: Agreement, alpha2: str, status: MembershipStatus, date: str | None) -> None:
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
            membership.status, membership.date = status, date
            changed += ["status", "date"]
        elif date and not membership.date and membership.status is status:
            membership.date = date
            changed.append("date")
        if changed:
            await membership.save(update_fields=changed, using_db=self.conn)
