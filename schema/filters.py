"""Typed filter inputs and orderings for the top-level connections, applied as SQL."""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry import relay
from tortoise import connections
from tortoise.expressions import RawSQL
from tortoise.models import Model
from tortoise.queryset import QuerySet

from schema.pagination import Ordering
from schema.types.common import QuoteKind, SpeakerKind
from service import models
from service.errors import UserError

M = TypeVar("M", bound=Model)


class FilterError(UserError):
    """A filter argument is wrong; the message names it."""

    code = "INVALID_FILTER"


def decode_id(value: strawberry.ID, type_name: str, argument: str) -> int:
    """The database id inside a global ID of the given type."""
    try:
        global_id = relay.GlobalID.from_id(str(value))
    except Exception:  # strawberry raises several kinds for malformed base64
        raise FilterError(f"`{argument}`: {str(value)[:100]!r} is not an ID") from None
    if global_id.type_name != type_name or not global_id.node_id.isdigit():
        raise FilterError(f"`{argument}`: {str(value)[:100]!r} is not the ID of a {type_name}")
    return int(global_id.node_id)


def _country_code(value: str, argument: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise FilterError(f'`{argument}`: give an ISO 3166 alpha-2 code such as "KZ", not {value[:20]!r}')
    return code


def text_search(queryset: QuerySet[M], column: str, query: str, argument: str) -> QuerySet[M]:
    """Full-text search on PostgreSQL (stemmed, GIN-indexed); every word as a substring on SQLite."""
    words = re.findall(r"\w+", query)
    if not words:
        raise FilterError(f"`{argument}` needs at least one word")
    if connections.get("default").capabilities.dialect == "postgres":
        # RawSQL takes no parameters; the words are \\w+ only, so they cannot break the literal.
        terms = " ".join(words)
        table = queryset.model._meta.db_table
        match = RawSQL(f"to_tsvector('english', \"{table}\".\"{column}\") @@ plainto_tsquery('english', '{terms}')")
        return queryset.annotate(search_match=match).filter(search_match=True)
    for word in words:
        queryset = queryset.filter(**{f"{column}__icontains": word})
    return queryset


def _date_range(queryset: QuerySet[M], date_from: datetime | None, date_to: datetime | None) -> QuerySet[M]:
    if date_from is not None:
        queryset = queryset.filter(date__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(date__lt=date_to)
    return queryset


DATE_FROM = "Only items dated on or after this time (the article's publication or import time)."
DATE_TO = "Only items dated before this time."


@strawberry.input(description="Narrow the list of quotes; every given field must hold.")
class QuoteFilter:
    speaker: strawberry.ID | None = strawberry.field(default=None, description="Said by this speaker.")
    speaker_kind: SpeakerKind | None = strawberry.field(default=None, description="Said by this kind of speaker.")
    speaker_country: str | None = strawberry.field(
        default=None, description='Said by a speaker of this country (ISO alpha-2 code, "US").'
    )
    agreement: strawberry.ID | None = strawberry.field(
        default=None, description="In articles that mention this agreement."
    )
    article: strawberry.ID | None = strawberry.field(default=None, description="In this article.")
    kind: QuoteKind | None = strawberry.field(default=None, description="Direct, partial or indirect.")
    search: str | None = strawberry.field(default=None, description="Words the quote contains.")
    date_from: datetime | None = strawberry.field(default=None, description=DATE_FROM)
    date_to: datetime | None = strawberry.field(default=None, description=DATE_TO)

    def apply(self, queryset: QuerySet[models.Quote]) -> QuerySet[models.Quote]:
        if self.speaker is not None:
            queryset = queryset.filter(speaker_id=decode_id(self.speaker, "Speaker", "filter.speaker"))
        if self.speaker_kind is not None:
            queryset = queryset.filter(speaker__kind=self.speaker_kind)
        if self.speaker_country is not None:
            code = _country_code(self.speaker_country, "filter.speakerCountry")
            queryset = queryset.filter(speaker__country__alpha2=code)
        if self.agreement is not None:
            agreement_id = decode_id(self.agreement, "Agreement", "filter.agreement")
            queryset = queryset.filter(article__agreement_links__agreement_id=agreement_id)
        if self.article is not None:
            queryset = queryset.filter(article_id=decode_id(self.article, "Article", "filter.article"))
        if self.kind is not None:
            queryset = queryset.filter(kind=self.kind)
        if self.search is not None:
            queryset = text_search(queryset, "text", self.search, "filter.search")
        return _date_range(queryset, self.date_from, self.date_to)


@strawberry.input(description="Narrow the list of articles; every given field must hold.")
class ArticleFilter:
    country: str | None = strawberry.field(
        default=None, description='Mentioning this country (ISO alpha-2 code, "KZ").'
    )
    agreement: strawberry.ID | None = strawberry.field(default=None, description="Mentioning this agreement.")
    speaker: strawberry.ID | None = strawberry.field(default=None, description="Naming or quoting this speaker.")
    search: str | None = strawberry.field(default=None, description="Words the title contains.")
    publisher: str | None = strawberry.field(default=None, description="Published by (exactly this name).")
    date_from: datetime | None = strawberry.field(default=None, description=DATE_FROM)
    date_to: datetime | None = strawberry.field(default=None, description=DATE_TO)

    def apply(self, queryset: QuerySet[models.Article]) -> QuerySet[models.Article]:
        if self.publisher is not None:
            queryset = queryset.filter(publisher=self.publisher)
        if self.country is not None:
            code = _country_code(self.country, "filter.country")
            queryset = queryset.filter(country_links__country__alpha2=code)
        if self.agreement is not None:
            agreement_id = decode_id(self.agreement, "Agreement", "filter.agreement")
            queryset = queryset.filter(agreement_links__agreement_id=agreement_id)
        if self.speaker is not None:
            speaker_id = decode_id(self.speaker, "Speaker", "filter.speaker")
            queryset = queryset.filter(speaker_links__speaker_id=speaker_id)
        if self.search is not None:
            queryset = text_search(queryset, "title", self.search, "filter.search")
        return _date_range(queryset, self.date_from, self.date_to)


@strawberry.input(description="Narrow the list of speakers; every given field must hold.")
class SpeakerFilter:
    search: str | None = strawberry.field(default=None, description="Words of the speaker's name.")
    kind: SpeakerKind | None = strawberry.field(default=None, description="Person, organisation or anonymous.")
    country: str | None = strawberry.field(default=None, description='Of this country (ISO alpha-2 code, "IL").')

    def apply(self, queryset: QuerySet[models.Speaker]) -> QuerySet[models.Speaker]:
        if self.search is not None:
            words = re.findall(r"\w+", self.search)
            if not words:
                raise FilterError("`filter.search` needs at least one word")
            for word in words:
                queryset = queryset.filter(name__icontains=word)
        if self.kind is not None:
            queryset = queryset.filter(kind=self.kind)
        if self.country is not None:
            queryset = queryset.filter(country__alpha2=_country_code(self.country, "filter.country"))
        return queryset


def _orderings(enum: type[Enum], columns: dict[str, tuple[str, str]]) -> dict[Enum, Ordering]:
    result = {}
    for member in enum:
        prefix, _, direction = member.name.rpartition("_")
        column, kind = columns[prefix]
        result[member] = Ordering(member.name, column, direction == "DESC", kind)  # type: ignore[arg-type]
    return result


@strawberry.enum(description="Orders for the list of articles.")
class ArticleOrder(Enum):
    DATE_DESC = "DATE_DESC"
    DATE_ASC = "DATE_ASC"
    TITLE_ASC = "TITLE_ASC"
    TITLE_DESC = "TITLE_DESC"
    QUOTE_COUNT_DESC = "QUOTE_COUNT_DESC"
    QUOTE_COUNT_ASC = "QUOTE_COUNT_ASC"


@strawberry.enum(description="Orders for the list of quotes.")
class QuoteOrder(Enum):
    DATE_DESC = "DATE_DESC"
    DATE_ASC = "DATE_ASC"


@strawberry.enum(description="Orders for the list of speakers: QUOTE_COUNT_DESC gives the top speakers.")
class SpeakerOrder(Enum):
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"
    QUOTE_COUNT_DESC = "QUOTE_COUNT_DESC"
    QUOTE_COUNT_ASC = "QUOTE_COUNT_ASC"


@strawberry.enum(description="Orders for lists of countries and agreements.")
class NameOrder(Enum):
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"


DATE, NAME, COUNT = ("date", "datetime"), ("name", "str"), ("quote_count", "int")
ARTICLE_ORDERINGS = _orderings(ArticleOrder, {"DATE": DATE, "TITLE": ("title", "str"), "QUOTE_COUNT": COUNT})
QUOTE_ORDERINGS = _orderings(QuoteOrder, {"DATE": DATE})
SPEAKER_ORDERINGS = _orderings(SpeakerOrder, {"NAME": NAME, "QUOTE_COUNT": COUNT})
NAME_ORDERINGS = _orderings(NameOrder, {"NAME": NAME})
