"""`quotegraph export`: every article with what was found in it, corrections included, as JSON
Lines that `quotegraph import` reads back into the same graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from enum import StrEnum
from typing import Any, TypeVar

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
from service.parsing import MAX_TITLE_LENGTH, ArticleError, content_hash
from service.parsing.countries import country_name
from service.parsing.records import (
    AgreementRecord,
    CountryRecord,
    MembershipRecord,
    MembershipStatus,
    ParsedArticle,
    QuoteKind,
    QuoteRecord,
    Span,
    SpeakerKind,
    SpeakerRecord,
)
from service.sources import ArticleInput, storable
from service.writer import normalise

E = TypeVar("E", bound=StrEnum)
FORMAT_VERSION = 1
BATCH = 200


def _span(start: int | None, end: int | None) -> list[int] | None:
    return None if start is None or end is None else [start, end]


async def export_records() -> AsyncIterator[dict[str, Any]]:
    """One record per article in import order, loaded in batches (a bounded number of queries)."""
    last_id = 0
    countries = {c.id: c.alpha2 for c in await Country.all()}
    while True:
        articles = await Article.filter(id__gt=last_id).order_by("id").limit(BATCH)
        if not articles:
            return
        last_id = articles[-1].id
        ids = [a.id for a in articles]
        quotes: dict[int, list[Quote]] = defaultdict(list)
        for quote in await Quote.filter(article_id__in=ids).order_by("article_id", "position"):
            quotes[quote.article_id].append(quote)
        speaker_links: dict[int, list[int]] = defaultdict(list)
        for article_id, speaker_id in (
            await ArticleSpeaker.filter(article_id__in=ids).order_by("id").values_list("article_id", "speaker_id")
        ):
            speaker_links[article_id].append(speaker_id)
        speaker_ids = {i for links in speaker_links.values() for i in links}
        speaker_ids |= {q.speaker_id for qs in quotes.values() for q in qs if q.speaker_id}
        speakers = {s.id: s for s in await Speaker.filter(id__in=speaker_ids)}
        aliases: dict[int, list[str]] = defaultdict(list)
        for speaker_id, alias in await SpeakerAlias.filter(speaker_id__in=speaker_ids).values_list(
            "speaker_id", "alias"
        ):
            aliases[speaker_id].append(alias)
        merged: dict[int, list[str]] = defaultdict(list)
        for speaker_id, key in await MergedSpeakerKey.filter(speaker_id__in=speaker_ids).values_list(
            "speaker_id", "key"
        ):
            merged[speaker_id].append(key)
        country_links: dict[int, list[int]] = defaultdict(list)
        for article_id, country_id in (
            await ArticleCountry.filter(article_id__in=ids).order_by("id").values_list("article_id", "country_id")
        ):
            country_links[article_id].append(country_id)
        agreement_links: dict[int, list[int]] = defaultdict(list)
        for article_id, agreement_id in (
            await ArticleAgreement.filter(article_id__in=ids).order_by("id").values_list("article_id", "agreement_id")
        ):
            agreement_links[article_id].append(agreement_id)
        agreement_ids = {i for links in agreement_links.values() for i in links}
        agreements = {a.id: a for a in await Agreement.filter(id__in=agreement_ids)}
        members: dict[int, list[Membership]] = defaultdict(list)
        for membership in await Membership.filter(agreement_id__in=agreement_ids).order_by("id"):
            members[membership.agreement_id].append(membership)

        for article in articles:
            article_speakers = [speakers[i] for i in dict.fromkeys(speaker_links[article.id]) if i in speakers]
            yield {
                "externalId": article.external_id,
                "url": article.url,
                "title": article.title,
                "publisher": article.publisher,
                "publishedAt": article.published_at.isoformat() if article.published_at else None,
                "language": article.language,
                "text": article.text,
                "annotations": {
                    "version": FORMAT_VERSION,
                    "dateline": article.dateline,
                    "quotes": [
                        {
                            "text": q.text,
                            "kind": q.kind.value,
                            "span": [q.start, q.end],
                            "cue": _span(q.cue_start, q.cue_end),
                            "source": _span(q.source_start, q.source_end),
                            "speaker": speakers[q.speaker_id].key if q.speaker_id in speakers else None,
                            "corrected": q.corrected,
                        }
                        for q in quotes[article.id]
                    ],
                    "speakers": [
                        {
                            "key": s.key,
                            "name": s.name,
                            "kind": s.kind.value,
                            "title": s.title,
                            "country": countries.get(s.country_id) if s.country_id else None,
                            "aliases": sorted(aliases[s.id]),
                            "mergedKeys": sorted(merged[s.id]),
                            "corrected": s.corrected,
                        }
                        for s in article_speakers
                    ],
                    "countries": [countries[i] for i in country_links[article.id]],
                    "agreements": [
                        {
                            "name": agreements[i].name,
                            "members": [
                                {"country": countries[m.country_id], "status": m.status.value, "date": m.date}
                                for m in members[i]
                            ],
                        }
                        for i in agreement_links[article.id]
                    ],
                },
            }


# The widths of the columns the records are stored in (service/models.py): a value past one
# fails its record here instead of failing the article's transaction.
KEY_LENGTH = 300
NAME_LENGTH = 200
MARKED_LENGTH = 500  # a quote's cue and source, stored as text
DATELINE_LENGTH = 100
DATE_LENGTH = 64


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ArticleError(f"`annotations.{where}` must be an object, not {type(value).__name__}")
    return value


def _list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ArticleError(f"`annotations.{where}` must be a list, not {type(value).__name__}")
    return value


def _string(value: object, where: str, limit: int | None = None) -> str:
    if not isinstance(value, str):
        raise ArticleError(f"`annotations.{where}` must be a string, not {type(value).__name__}")
    if limit is not None and len(value) > limit:
        raise ArticleError(f"`annotations.{where}` is {len(value):,} characters long; at most {limit:,} are allowed")
    return storable(value, f"annotations.{where}")


def _optional(value: object, where: str, limit: int | None = None) -> str | None:
    return None if value is None else _string(value, where, limit)


def _name(value: object, where: str) -> str:
    """A name, whose normalised form (an alias: NFKD may lengthen it) fits its column too."""
    name = _string(value, where, NAME_LENGTH)
    if len(normalise(name)) > NAME_LENGTH:
        raise ArticleError(f"`annotations.{where}` is longer than {NAME_LENGTH} characters once normalised")
    return name


def _flag(value: object, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ArticleError(f"`annotations.{where}` must be true or false, not {type(value).__name__}")
    return value


def _choice(kind: type[E], value: object, where: str) -> E:
    if isinstance(value, str) and value in kind.__members__.values():
        return kind(value)
    raise ArticleError(f"`annotations.{where}` must be one of {', '.join(kind)}")


def _country(value: object, where: str) -> str:
    code = _string(value, where, 2)
    try:
        country_name(code)
    except (KeyError, LookupError):
        raise ArticleError(f"`annotations.{where}`: {code!r} is not an ISO 3166 alpha-2 country code") from None
    return code


def _checked_span(text: str, value: object, where: str, limit: int | None = None) -> Span | None:
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or not 0 <= value[0] <= value[1] <= len(text)
    ):
        raise ArticleError(f"`annotations.{where}` must be [start, end] inside the text")
    if limit is not None and value[1] - value[0] > limit:
        raise ArticleError(f"`annotations.{where}` spans more than {limit} characters")
    return Span.of(text, value[0], value[1])


def _speaker(value: object, where: str) -> SpeakerRecord:
    data = _object(value, where)
    key = _string(data.get("key"), f"{where}.key", KEY_LENGTH)
    return SpeakerRecord(
        key=key,
        entity_key=key,
        name=_name(data.get("name"), f"{where}.name"),
        kind=_choice(SpeakerKind, data.get("kind"), f"{where}.kind"),
        title=_optional(data.get("title"), f"{where}.title", NAME_LENGTH),
        country=None if data.get("country") is None else _country(data["country"], f"{where}.country"),
        aliases=tuple(
            _name(a, f"{where}.aliases[{n}]") for n, a in enumerate(_list(data.get("aliases"), f"{where}.aliases"))
        ),
        corrected=_flag(data.get("corrected"), f"{where}.corrected"),
        merged_keys=tuple(
            _string(k, f"{where}.mergedKeys[{n}]", KEY_LENGTH)
            for n, k in enumerate(_list(data.get("mergedKeys"), f"{where}.mergedKeys"))
        ),
    )


def _quote(text: str, value: object, where: str, speakers: set[str]) -> QuoteRecord:
    data = _object(value, where)
    span = _checked_span(text, data.get("span"), f"{where}.span")
    if span is None:
        raise ArticleError(f"`annotations.{where}.span` is required")
    speaker = _optional(data.get("speaker"), f"{where}.speaker")
    if speaker is not None and speaker not in speakers:
        raise ArticleError(f"`annotations.{where}.speaker` names no speaker of the record")
    return QuoteRecord(
        text=_string(data.get("text"), f"{where}.text"),
        kind=_choice(QuoteKind, data.get("kind"), f"{where}.kind"),
        span=span,
        cue=_checked_span(text, data.get("cue"), f"{where}.cue", MARKED_LENGTH),
        source=_checked_span(text, data.get("source"), f"{where}.source", MARKED_LENGTH),
        speaker=speaker,
        corrected=_flag(data.get("corrected"), f"{where}.corrected"),
    )


def _member(value: object, where: str) -> MembershipRecord:
    data = _object(value, where)
    return MembershipRecord(
        _country(data.get("country"), f"{where}.country"),
        _choice(MembershipStatus, data.get("status"), f"{where}.status"),
        _optional(data.get("date"), f"{where}.date", DATE_LENGTH),
    )


def _agreement(value: object, where: str) -> AgreementRecord:
    data = _object(value, where)
    members = _list(data.get("members"), f"{where}.members")
    return AgreementRecord(
        name=_string(data.get("name"), f"{where}.name", NAME_LENGTH),
        members=tuple(_member(m, f"{where}.members[{n}]") for n, m in enumerate(members)),
    )


def parsed_from_annotations(source: ArticleInput) -> ParsedArticle:
    """The records an export holds for an article, checked, in place of extracting them again.

    Raises ArticleError naming the first value that is not as `quotegraph export` writes it, or
    that the database could not store."""
    data = source.annotations or {}
    text = source.text
    if data.get("version") != FORMAT_VERSION:
        raise ArticleError(f"`annotations.version` must be {FORMAT_VERSION} (written by `quotegraph export`)")
    speakers = tuple(_speaker(s, f"speakers[{n}]") for n, s in enumerate(_list(data.get("speakers"), "speakers")))
    known = {s.key for s in speakers}
    quotes = tuple(_quote(text, q, f"quotes[{n}]", known) for n, q in enumerate(_list(data.get("quotes"), "quotes")))
    countries = tuple(
        CountryRecord(alpha2=code, name=country_name(code))
        for code in (_country(c, f"countries[{n}]") for n, c in enumerate(_list(data.get("countries"), "countries")))
    )
    agreements = tuple(
        _agreement(a, f"agreements[{n}]") for n, a in enumerate(_list(data.get("agreements"), "agreements"))
    )
    title = source.title or text.strip().splitlines()[0].strip()
    if len(title) > MAX_TITLE_LENGTH:
        raise ArticleError(
            f"the first line is {len(title):,} characters long; a title may have at most {MAX_TITLE_LENGTH}"
        )
    return ParsedArticle(
        title=title,
        text=text,
        dateline=_optional(data.get("dateline"), "dateline", DATELINE_LENGTH),
        publisher=source.publisher,
        quotes=quotes,
        speakers=speakers,
        countries=countries,
        agreements=agreements,
        content_hash=content_hash(text),
    )
