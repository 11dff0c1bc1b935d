"""Corrections newsrooms make to what the extractor found. Each runs in one transaction."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient

from service import events
from service.db import write_transaction
from service.errors import UserError
from service.models import (
    Article,
    ArticleSpeaker,
    MergedSpeakerKey,
    Quote,
    Speaker,
    SpeakerAlias,
)
from service.parsing import ArticleError
from service.parsing.records import SpeakerKind
from service.sources import storable
from service.writer import add_quote_counts, anonymous_prefix, country_row

UNSET = object()
T = TypeVar("T")


async def corrected(body: Callable[[BaseDBAsyncClient], Awaitable[T]]) -> T:
    """`body` in one writing transaction (safe to cancel: see db.write_transaction) that, once
    committed, invalidates cached responses everywhere."""

    async def notifying(conn: BaseDBAsyncClient) -> T:
        await events.notify_write(conn)
        return await body(conn)

    result = await write_transaction(notifying)
    events.wrote()
    return result


_ALPHA2 = re.compile("[A-Z]{2}")


class CorrectionError(UserError):
    """A correction cannot be made; `field` names the argument at fault."""

    def __init__(self, message: str, field: str, not_found: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.not_found = not_found


async def _speaker(speaker_id: int, field: str, conn: BaseDBAsyncClient) -> Speaker:
    speaker = await Speaker.filter(id=speaker_id).using_db(conn).first()
    if speaker is None:
        raise CorrectionError(f"no speaker has the ID given as `{field}`", field, not_found=True)
    return speaker


async def reattribute_quote(quote_id: int, speaker_id: int) -> Quote:
    """Attribute a quote to another speaker; the choice is kept through later imports."""

    async def change(conn: BaseDBAsyncClient) -> Quote:
        quote = await Quote.filter(id=quote_id).using_db(conn).select_for_update().first()
        if quote is None:
            raise CorrectionError("no quote has the ID given as `quote`", "quote", not_found=True)
        await _speaker(speaker_id, "speaker", conn)
        if quote.speaker_id != speaker_id:
            moved = Counter({speaker_id: 1})
            if quote.speaker_id is not None:
                moved[quote.speaker_id] = -1
            await add_quote_counts(conn, moved)
            await ArticleSpeaker.bulk_create(
                [ArticleSpeaker(article_id=quote.article_id, speaker_id=speaker_id)],
                ignore_conflicts=True,
                using_db=conn,
            )
        quote.speaker_id = speaker_id
        quote.corrected = True
        await quote.save(update_fields=["speaker_id", "corrected"], using_db=conn)
        return quote

    return await corrected(change)


async def merge_speakers(keep_id: int, merge_ids: list[int]) -> tuple[Speaker, int]:
    """Fold speakers into one: their quotes, aliases and articles move, and later imports that
    name any of them resolve to the kept speaker. Returns the kept speaker and how many merged."""
    merge_ids = [i for i in dict.fromkeys(merge_ids) if i != keep_id]
    if not merge_ids:
        raise CorrectionError("`merge` must name at least one speaker other than `keep`", "merge")

    async def change(conn: BaseDBAsyncClient) -> tuple[Speaker, int]:
        keep = await Speaker.filter(id=keep_id).using_db(conn).select_for_update().first()
        if keep is None:
            raise CorrectionError("no speaker has the ID given as `keep`", "keep", not_found=True)
        merged = await Speaker.filter(id__in=merge_ids).using_db(conn).select_for_update()
        if len(merged) != len(merge_ids):
            raise CorrectionError("some IDs given as `merge` name no speaker", "merge", not_found=True)
        aliases = await SpeakerAlias.filter(speaker_id__in=merge_ids).using_db(conn).values_list("alias", flat=True)
        articles = (
            await ArticleSpeaker.filter(speaker_id__in=merge_ids).using_db(conn).values_list("article_id", flat=True)
        )
        await SpeakerAlias.bulk_create(
            [SpeakerAlias(speaker_id=keep_id, alias=a) for a in sorted(set(aliases))],
            ignore_conflicts=True,
            using_db=conn,
        )
        await ArticleSpeaker.bulk_create(
            [ArticleSpeaker(article_id=a, speaker_id=keep_id) for a in sorted(set(articles))],
            ignore_conflicts=True,
            using_db=conn,
        )
        await Quote.filter(speaker_id__in=merge_ids).using_db(conn).update(speaker_id=keep_id)
        await MergedSpeakerKey.filter(speaker_id__in=merge_ids).using_db(conn).update(speaker_id=keep_id)
        await MergedSpeakerKey.bulk_create(
            [MergedSpeakerKey(key=s.key, speaker_id=keep_id) for s in merged],
            ignore_conflicts=True,
            using_db=conn,
        )
        keep.quote_count += sum(s.quote_count for s in merged)
        keep.title = keep.title or next((s.title for s in merged if s.title), None)
        keep.country_id = keep.country_id or next((s.country_id for s in merged if s.country_id), None)
        await Speaker.filter(id__in=merge_ids).using_db(conn).delete()
        await keep.save(update_fields=["quote_count", "title", "country_id"], using_db=conn)
        return keep, len(merged)

    return await corrected(change)


@dataclass
class SpeakerChanges:
    title: object = UNSET  # str | None
    country: object = UNSET  # ISO alpha-2 str | None
    kind: object = UNSET  # SpeakerKind


async def update_speaker(speaker_id: int, changes: SpeakerChanges) -> Speaker:
    """Set a speaker's title, country or kind; later imports keep the correction."""

    async def change(conn: BaseDBAsyncClient) -> Speaker:
        speaker = await Speaker.filter(id=speaker_id).using_db(conn).select_for_update().first()
        if speaker is None:
            raise CorrectionError("no speaker has the ID given as `speaker`", "speaker", not_found=True)
        fields = ["corrected"]
        if changes.title is not UNSET:
            title = changes.title.strip() if isinstance(changes.title, str) else None
            if title is not None and not 0 < len(title) <= 200:
                raise CorrectionError("`title` must have 1 to 200 characters, or be null", "title")
            if title is not None:
                try:
                    storable(title, "title")  # no NUL or lone surrogate, which no column holds
                except ArticleError as exc:
                    raise CorrectionError(str(exc), "title") from None
            speaker.title = title
            fields.append("title")
        if changes.country is not UNSET:
            speaker.country_id = None
            if changes.country is not None:
                code = str(changes.country).strip().upper()
                country = await country_row(conn, code) if _ALPHA2.fullmatch(code) else None
                if country is None:
                    raise CorrectionError(f"`country`: {code[:20]!r} is not an ISO 3166 alpha-2 code", "country")
                speaker.country_id = country.id
            fields.append("country_id")
        if changes.kind is not UNSET:
            if not isinstance(changes.kind, SpeakerKind):
                raise CorrectionError("`kind` must be PERSON, ORGANIZATION or ANONYMOUS", "kind")
            speaker.kind = changes.kind
            fields.append("kind")
        speaker.corrected = True
        await speaker.save(update_fields=fields, using_db=conn)
        return speaker

    return await corrected(change)


async def delete_article(article_id: int) -> int:
    """Delete an article with its quotes and its anonymous sources; returns how many quotes went."""

    async def change(conn: BaseDBAsyncClient) -> int:
        article = await Article.filter(id=article_id).using_db(conn).select_for_update().first()
        if article is None:
            raise CorrectionError("no article has the ID given as `article`", "article", not_found=True)
        speaker_ids: list[int | None] = await (
            Quote.filter(article_id=article_id).using_db(conn).values_list("speaker_id", flat=True)  # type: ignore[assignment]
        )
        removed = Counter(i for i in speaker_ids if i is not None)
        await add_quote_counts(conn, Counter({i: -n for i, n in removed.items()}))
        await article.delete(using_db=conn)
        # Anonymous sources belong to their article (their key carries its identity).
        await (
            Speaker.filter(kind=SpeakerKind.ANONYMOUS, key__startswith=anonymous_prefix(article.identity))
            .using_db(conn)
            .delete()
        )
        return len(speaker_ids)

    return await corrected(change)
