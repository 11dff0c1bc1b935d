"""Typed filter inputs and orderings for the top-level connections, applied as SQL.

Every value a client gives here passes schema/inputs.py's checks before it reaches SQL.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from typing import Any, Literal, TypeVar

import strawberry
from pypika_tortoise.context import SqlContext
from pypika_tortoise.terms import Term, ValueWrapper
from pypika_tortoise.utils import format_alias_sql
from tortoise import connections
from tortoise.models import Model
from tortoise.queryset import QuerySet

from schema.inputs import client_id, client_moment, client_text, global_id_parts, shown
from schema.pagination import Ordering
from schema.types.common import QuoteKind, SpeakerKind
from service import models, settings
from service.errors import UserError

M = TypeVar("M", bound=Model)


class FilterError(UserError):
    """A filter argument is wrong; the message names it."""

    code = "INVALID_FILTER"


class SearchTooLongError(FilterError):
    """A `search` filter past QUOTEGRAPH_MAX_SEARCH_LENGTH or QUOTEGRAPH_MAX_SEARCH_WORDS."""

    code = "SEARCH_TOO_LONG"


def decode_id(value: strawberry.ID, type_name: str, argument: str) -> int:
    """The database id inside a global ID of the given type."""
    text = str(value)
    parts = global_id_parts(text)
    if parts is None:
        raise FilterError(f"`{argument}`: {shown(text)} is not an ID")
    key = client_id(parts[1]) if parts[0] == type_name else None
    if key is None:
        raise FilterError(f"`{argument}`: {shown(text)} is not the ID of a {type_name}")
    return key


def _country_code(value: str, argument: str) -> str:
    code = client_text(value, argument, FilterError).strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise FilterError(f'`{argument}`: give an ISO 3166 alpha-2 code such as "KZ", not {shown(value, 20)}')
    return code


_WORD = re.compile(r"\w+")


def search_words(query: str, argument: str) -> list[str]:
    """The words of a `search` filter, within QUOTEGRAPH_MAX_SEARCH_LENGTH and _WORDS.

    The length is checked first, in constant time, so a megabyte of words is refused before
    anything walks it."""
    limit = settings.MAX_SEARCH_LENGTH
    if len(query) > limit:
        raise SearchTooLongError(
            f"`{argument}` may be at most {limit:,} characters (QUOTEGRAPH_MAX_SEARCH_LENGTH), not {len(query):,}"
        )
    words = _WORD.findall(client_text(query, argument, FilterError, limit))
    if not words:
        raise FilterError(f"`{argument}` needs at least one word")
    if len(words) > settings.MAX_SEARCH_WORDS:
        raise SearchTooLongError(
            f"`{argument}` may have at most {settings.MAX_SEARCH_WORDS} words (QUOTEGRAPH_MAX_SEARCH_WORDS), "
            f"not {len(words):,}"
        )
    return words


class BoundSQL(Term):
    """SQL text with `{}` where each value goes, the values bound as parameters (RawSQL takes none)."""

    def __init__(self, sql: str, values: list[Any]) -> None:
        super().__init__()
        self.sql = sql
        self.values = values

    def get_sql(self, ctx: SqlContext) -> str:
        sql = self.sql.format(*(ValueWrapper(value).get_sql(ctx) for value in self.values))
        return format_alias_sql(sql, self.alias, ctx) if ctx.with_alias else sql


def text_search(
    queryset: QuerySet[M], column: str, query: str, argument: str, mode: Literal["words", "substrings"] = "words"
) -> QuerySet[M]:
    """Rows whose `column` matches every word of `query`, as one SQL condition whatever the
    number of words: full-text (stemmed, GIN-indexed) on PostgreSQL in "words" mode, else each
    word as a case-insensitive substring ("macr" finds Macron)."""
    words = list(dict.fromkeys(search_words(query, argument)))
    postgres = connections.get("default").capabilities.dialect == "postgres"
    target = f'"{queryset.model._meta.db_table}"."{column}"'  # our own names, never a client's
    if postgres and mode == "words":
        match = BoundSQL(f"to_tsvector('english', {target}) @@ plainto_tsquery('english', {{}})", [" ".join(words)])
    else:
        # instr/strpos, not LIKE: a word's `_` would be a LIKE wildcard.
        find = "strpos" if postgres else "instr"
        match = BoundSQL(_all_of(f"({find}(UPPER({target}), UPPER({{}})) > 0)", len(words)), words)
    return queryset.annotate(search_match=match).filter(search_match=True)


def _all_of(term: str, count: int) -> str:
    """`count` copies of `term` joined by AND as a balanced tree: SQLite refuses an expression
    nested 1,000 deep, which a chain of 1,000 ANDs is."""
    if count == 1:
        return term
    half = count // 2
    return f"({_all_of(term, half)} AND {_all_of(term, count - half)})"


def _date_range(queryset: QuerySet[M], date_from: datetime | None, date_to: datetime | None) -> QuerySet[M]:
    if date_from is not None:
        queryset = queryset.filter(date__gte=client_moment(date_from, "filter.dateFrom", FilterError))
    if date_to is not None:
        queryset = queryset.filter(date__lt=client_moment(date_to, "filter.dateTo", FilterError))
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
            queryset = queryset.filter(publisher=client_text(self.publisher, "filter.publisher", FilterError))
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
            queryset = text_search(queryset, "name", self.search, "filter.search", mode="substrings")
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
    DATE_DESC = strawberry.enum_value(
        "DATE_DESC", description="Newest first, by `date` (publication, else import time)."
    )
    DATE_ASC = strawberry.enum_value("DATE_ASC", description="Oldest first, by `date`.")
    TITLE_ASC = strawberry.enum_value("TITLE_ASC", description="By title, A to Z.")
    TITLE_DESC = strawberry.enum_value("TITLE_DESC", description="By title, Z to A.")
    QUOTE_COUNT_DESC = strawberry.enum_value("QUOTE_COUNT_DESC", description="Most quotes first.")
    QUOTE_COUNT_ASC = strawberry.enum_value("QUOTE_COUNT_ASC", description="Fewest quotes first.")


@strawberry.enum(description="Orders for the list of quotes.")
class QuoteOrder(Enum):
    DATE_DESC = strawberry.enum_value("DATE_DESC", description="Newest first, by the article's `date`.")
    DATE_ASC = strawberry.enum_value("DATE_ASC", description="Oldest first, by the article's `date`.")


@strawberry.enum(description="Orders for the list of speakers: QUOTE_COUNT_DESC gives the top speakers.")
class SpeakerOrder(Enum):
    NAME_ASC = strawberry.enum_value("NAME_ASC", description="By name, A to Z.")
    NAME_DESC = strawberry.enum_value("NAME_DESC", description="By name, Z to A.")
    QUOTE_COUNT_DESC = strawberry.enum_value("QUOTE_COUNT_DESC", description="Most quotes first: the top speakers.")
    QUOTE_COUNT_ASC = strawberry.enum_value("QUOTE_COUNT_ASC", description="Fewest quotes first.")


@strawberry.enum(description="Orders for lists of countries and agreements.")
class NameOrder(Enum):
    NAME_ASC = strawberry.enum_value("NAME_ASC", description="By name, A to Z.")
    NAME_DESC = strawberry.enum_value("NAME_DESC", description="By name, Z to A.")


DATE, NAME, COUNT = ("date", "datetime"), ("name", "str"), ("quote_count", "int")
ARTICLE_ORDERINGS = _orderings(ArticleOrder, {"DATE": DATE, "TITLE": ("title", "str"), "QUOTE_COUNT": COUNT})
QUOTE_ORDERINGS = _orderings(QuoteOrder, {"DATE": DATE})
SPEAKER_ORDERINGS = _orderings(SpeakerOrder, {"NAME": NAME, "QUOTE_COUNT": COUNT})
NAME_ORDERINGS = _orderings(NameOrder, {"NAME": NAME})
