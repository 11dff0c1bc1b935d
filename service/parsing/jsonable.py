"""Parsed records as plain JSON values (`quotegraph extract --json`)."""

from __future__ import annotations

from typing import Any

from service.parsing.records import ParsedArticle, Span


def _span(span: Span | None) -> dict[str, Any] | None:
    return None if span is None else {"start": span.start, "end": span.end, "text": span.text}


def article_json(parsed: ParsedArticle) -> dict[str, Any]:
    speakers = {speaker.key: speaker for speaker in parsed.speakers}
    return {
        "title": parsed.title,
        "dateline": parsed.dateline,
        "publisher": parsed.publisher,
        "quotes": [
            {
                "text": quote.text,
                "kind": quote.kind.value,
                "span": _span(quote.span),
                "cue": _span(quote.cue),
                "source": _span(quote.source),
                "speaker": (
                    {"name": speakers[quote.speaker].name, "kind": speakers[quote.speaker].kind.value}
                    if quote.speaker in speakers
                    else None
                ),
            }
            for quote in parsed.quotes
        ],
        "speakers": [
            {
                "name": speaker.name,
                "kind": speaker.kind.value,
                "title": speaker.title,
                "country": speaker.country,
                "aliases": list(speaker.aliases),
            }
            for speaker in parsed.speakers
        ],
        "countries": [{"isoCode": c.alpha2, "name": c.name} for c in parsed.countries],
        "agreements": [
            {
                "name": agreement.name,
                "members": [
                    {"country": m.country, "status": m.status.value, "date": m.date} for m in agreement.members
                ],
            }
            for agreement in parsed.agreements
        ],
    }
