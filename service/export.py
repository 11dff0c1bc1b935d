"""`quotegraph export`: every article with what was found in it, corrections included, as JSON
Lines that `quotegraph import` reads back into the same graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

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
from service.parsing import ArticleError, content_hash
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
from service.sources import ArticleInput

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


def _checked_span(text: str, value: object, where: str) -> Span | None:
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or not 0 <= value[0] <= value[1] <= len(text)
    ):
        raise ArticleError(f"`annotations.{where}` must be [start, end] inside the text")
    return Span.of(text, value[0], value[1])


def parsed_from_annotations(source: ArticleInput) -> ParsedArticle:
    """The records an export holds for an article, checked, in place of extracting them again."""
    data = source.annotations or {}
    text = source.text
    if data.get("version") != FORMAT_VERSION:
        raise ArticleError(f"`annotations.version` must be {FORMAT_VERSION} (written by `quotegraph export`)")
    try:
        speakers = tuple(
            SpeakerRecord(
                key=s["key"],
                entity_key=s["key"],
                name=s["name"],
                kind=SpeakerKind(s["kind"]),
                title=s.get("title"),
                country=s.get("country"),
                aliases=tuple(s.get("aliases", ())),
                corrected=bool(s.get("corrected", False)),
                merged_keys=tuple(s.get("mergedKeys", ())),
            )
            for s in data.get("speakers", [])
        )
        known = {s.key for s in speakers}
        quotes = []
        for n, q in enumerate(data.get("quotes", [])):
            span = _checked_span(text, q["span"], f"quotes[{n}].span")
            assert span is not None
            if q.get("speaker") is not None and q["speaker"] not in known:
                raise ArticleError(f"`annotations.quotes[{n}].speaker` names no speaker of the record")
            quotes.append(
                QuoteRecord(
                    text=q["text"],
                    kind=QuoteKind(q["kind"]),
                    span=span,
                    cue=_checked_span(text, q.get("cue"), f"quotes[{n}].cue"),
                    source=_checked_span(text, q.get("source"), f"quotes[{n}].source"),
                    speaker=q.get("speaker"),
                    corrected=bool(q.get("corrected", False)),
                )
            )
        countries = tuple(CountryRecord(alpha2=c, name=country_name(c)) for c in data.get("countries", []))
        agreements = tuple(
            AgreementRecord(
                name=a["name"],
                members=tuple(
                    MembershipRecord(m["country"], MembershipStatus(m["status"]), m.get("date"))
                    for m in a.get("members", [])
                ),
            )
            for a in data.get("agreements", [])
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ArticleError):
            raise
        raise ArticleError(f"`annotations` is not as `quotegraph export` writes it: {exc!r}") from None
    return ParsedArticle(
        title=source.title or text.strip().splitlines()[0].strip(),
        text=text,
        dateline=data.get("dateline"),
        publisher=source.publisher,
        quotes=tuple(quotes),
        speakers=speakers,
        countries=countries,
        agreements=agreements,
        content_hash=content_hash(text),
    )
