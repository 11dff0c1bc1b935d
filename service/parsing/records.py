"""Frozen records the parser returns: everything carries code-point spans into the article text."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class QuoteKind(StrEnum):
    DIRECT = "DIRECT"  # a whole quoted sentence
    PARTIAL = "PARTIAL"  # quoted words inside the writer's sentence
    INDIRECT = "INDIRECT"  # reported speech without quotation marks


class SpeakerKind(StrEnum):
    PERSON = "PERSON"
    ORGANIZATION = "ORGANIZATION"
    ANONYMOUS = "ANONYMOUS"


class MembershipStatus(StrEnum):
    MEMBER = "MEMBER"
    JOINING = "JOINING"


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str

    @classmethod
    def of(cls, document: str, start: int, end: int) -> Span:
        return cls(start, end, document[start:end])


@dataclass(frozen=True, slots=True)
class SpeakerRecord:
    """One speaker entity of an article. `key` is unique within the article."""

    key: str
    name: str
    kind: SpeakerKind
    title: str | None = None
    country: str | None = None  # ISO 3166 alpha-2
    aliases: tuple[str, ...] = ()  # every form the article uses, e.g. ("Trump", "Donald Trump")
    mentions: tuple[Span, ...] = ()
    # Set only when re-importing an export: the stored entity's natural key and correction flag.
    entity_key: str | None = None
    corrected: bool = False
    merged_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuoteRecord:
    text: str  # the quoted words, without quotation marks (parts joined by " " when split)
    kind: QuoteKind
    span: Span  # from the first to the last quoted character
    cue: Span | None = None
    source: Span | None = None
    speaker: str | None = None  # SpeakerRecord.key
    parts: tuple[Span, ...] = ()  # the quoted pieces of a split quote; empty when one piece
    corrected: bool = False  # the speaker was chosen by a person (reattributeQuote)
    # the reported clause a PARTIAL quote sits in ("that ... “...” ..."), marks included: what the
    # speaker is reported to have said; None when the quoted words are the whole content
    context: Span | None = None


@dataclass(frozen=True, slots=True)
class CountryRecord:
    alpha2: str
    name: str  # pycountry's common (or official) name
    mentions: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class MembershipRecord:
    country: str  # ISO 3166 alpha-2
    status: MembershipStatus
    date: str | None = None  # as written or ISO date when the text gives one


@dataclass(frozen=True, slots=True)
class AgreementRecord:
    name: str
    members: tuple[MembershipRecord, ...] = ()
    mentions: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    title: str
    text: str
    dateline: str | None = None
    publisher: str | None = None
    quotes: tuple[QuoteRecord, ...] = ()
    speakers: tuple[SpeakerRecord, ...] = ()
    countries: tuple[CountryRecord, ...] = ()
    agreements: tuple[AgreementRecord, ...] = ()
    content_hash: str = field(default="")
