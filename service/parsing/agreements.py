"""Agreements ("Abraham Accords", "Paris Agreement") and their member countries.

Membership comes from a few clause shapes around an agreement or its anaphor ("the accords",
"signatories"): "<country> ... to join <agreement>" (JOINING), "<country> joined|signed
<agreement>" and "signatories|members: <list>" and "<agreement> between <list>" (MEMBER).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.parsing.countries import country_mentions
from service.parsing.records import AgreementRecord, MembershipRecord, MembershipStatus, Span

AGREEMENT_HEADS = ("Accords", "Accord", "Agreement", "Treaty", "Pact", "Deal", "Convention")
# Capitalised words forming the name, e.g. "Abraham Accords", "Good Friday Agreement".
_NAME = re.compile(r"\b((?:[A-Z][\w'’-]*\s+){1,4}(?:" + "|".join(AGREEMENT_HEADS) + r"))\b")
_LEADING_NOISE = {"The", "A", "An", "This", "That", "His", "Her", "Their", "My", "Our", "Its"}
_ANAPHOR = re.compile(
    r"\b(?:the|this|that)\s+(?:landmark\s+|historic\s+|new\s+)?"
    r"(?:accords?|agreements?|treaty|pact|deal|signatories|signatory)\b|\bsignatories\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[”\"’']?\s+(?=[“\"A-Z])|\n+")
# The list opens after a dash or colon; inside it only commas and "and" separate, so a closing
# dash ("— A, B and C — D ...") ends it.
_LIST_OPENER = re.compile(r"^(?:\s*(?:,|:|—|–|-)\s*)?(?:\s*\bthe\b\s*)?$")
_LIST_SEPARATOR = re.compile(r"^(?:\s*(?:,|;|\band\b|&|\bor\b)\s*)+(?:\s*\bthe\b\s*)?$")

_JOINING_BEFORE = re.compile(
    r"\b(?:to|will|would|shall|could|may)\s+(?:formally\s+|officially\s+)?join\b"
    r"|\b(?:joins|is joining|are joining|to sign on to|to accede to)\b",
    re.IGNORECASE,
)
_MEMBER_BEFORE = re.compile(
    r"\b(?:joined|signed|acceded to|ratified|(?:is|are|was|were|became)\s+(?:a\s+)?"
    r"(?:members?|signatory|signatories|part(?:ies)?)\s+(?:of|to))\b",
    re.IGNORECASE,
)
_LIST_TRIGGER = re.compile(
    r"\b(?:signatories|signatory countries|signatory nations|members|member states|parties)"
    r"(?:\s+(?:of|to)\s+the\s+(?:[A-Z][\w'-]*\s+)*\w+)?\s*(?:—|–|:|,|include|including|are)\s*"
    r"|\b(?:accords?|agreements?|treaty|pact|deal)\s+between\s+",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:in|on|since)\s+((?:(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+"
    r"(?:\d{1,2},\s+)?)?\d{4})\b"
)


@dataclass(frozen=True, slots=True)
class _Sentence:
    start: int
    end: int


def _sentences(text: str) -> list[_Sentence]:
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        sentences.append(_Sentence(start, match.start()))
        start = match.end()
    sentences.append(_Sentence(start, len(text)))
    return [s for s in sentences if s.end > s.start]


def _clean_name(raw: str) -> str:
    words = raw.split()
    while words and words[0] in _LEADING_NOISE:
        words.pop(0)
    return " ".join(words)


def _list_after(text: str, mentions: list[tuple[str, Span]], position: int) -> list[str]:
    """Countries enumerated from `position` on, until something other than a list separator."""
    codes: list[str] = []
    for code, span in mentions:
        if span.start < position:
            continue
        separator = _LIST_SEPARATOR if codes else _LIST_OPENER
        if not separator.match(text[position : span.start]):
            break
        codes.append(code)
        position = span.end
    return codes


def _list_before(text: str, mentions: list[tuple[str, Span]]) -> list[str]:
    """The enumeration ending with the last mention ("Israel, Bahrain and Morocco")."""
    codes = [mentions[-1][0]]
    for (code, span), (_, following) in zip(reversed(mentions[:-1]), reversed(mentions[1:]), strict=True):
        if not _LIST_SEPARATOR.match(text[span.end : following.start]):
            break
        codes.append(code)
    return codes[::-1]


def find_agreements(text: str) -> tuple[AgreementRecord, ...]:
    """Named agreements in order of first mention, each with the member countries the text states."""
    mentions: dict[str, list[Span]] = {}
    for match in _NAME.finditer(text):
        name = _clean_name(match.group(1))
        if len(name.split()) < 2:
            continue
        offset = match.start(1) + match.group(1).index(name.split()[0])
        mentions.setdefault(name, []).append(Span(offset, match.end(1), text[offset : match.end(1)]))
    if not mentions:
        return ()
    # Headlines capitalise verbs ("Kazakhstan to Join Abraham Accords"): a name that ends with
    # another name found in the text is that name.
    for name in sorted(mentions, key=len, reverse=True):
        words = name.split()
        for cut in range(1, len(words) - 1):
            shorter = " ".join(words[cut:])
            if shorter in mentions and shorter != name:
                for span in mentions.pop(name):
                    start = span.end - len(shorter)
                    mentions[shorter].append(Span(start, span.end, text[start : span.end]))
                mentions[shorter].sort(key=lambda span: span.start)
                break

    # Each reference (a name or an anaphor) belongs to the nearest agreement named before it.
    references: list[tuple[int, int, str]] = [
        (span.start, span.end, name) for name, spans in mentions.items() for span in spans
    ]
    named = sorted(references)
    for match in _ANAPHOR.finditer(text):
        previous = [name for start, _, name in named if start < match.start()]
        if previous:
            references.append((match.start(), match.end(), previous[-1]))
    references.sort()

    statuses: dict[str, dict[str, MembershipRecord]] = {name: {} for name in mentions}

    def record(name: str, code: str, status: MembershipStatus, date: str | None) -> None:
        current = statuses[name].get(code)
        if current is None or (current.status is MembershipStatus.JOINING and status is MembershipStatus.MEMBER):
            statuses[name][code] = MembershipRecord(code, status, date)

    for sentence in _sentences(text):
        inside = [r for r in references if sentence.start <= r[0] < sentence.end]
        if not inside:
            continue
        body = text[sentence.start : sentence.end]
        countries = [(c, s) for c, s in country_mentions(body)]
        for ref_start, ref_end, name in inside:
            local_start, local_end = ref_start - sentence.start, ref_end - sentence.start
            # "<country> ... to join|joined <agreement>": the verb right before the reference,
            # its subject the nearest country before the verb (adjectives like "Israeli" are not
            # subjects, so demonyms ending in a lowercase letter after are skipped by the gap rule).
            before = body[:local_start]
            verb = None
            for pattern, status in (
                (_MEMBER_BEFORE, MembershipStatus.MEMBER),
                (_JOINING_BEFORE, MembershipStatus.JOINING),
            ):
                found = [m for m in pattern.finditer(before) if len(before) - m.end() <= 12]
                if found:
                    verb = (found[-1], status)
                    break
            if verb is not None:
                match, status = verb
                subjects = [(c, s) for c, s in countries if s.end <= match.start()]
                if subjects and "became" in before[subjects[-1][1].end : match.start()]:
                    status = MembershipStatus.MEMBER
                if subjects:
                    date = _DATE.search(body[local_end : local_end + 40])
                    for code in _list_before(body, subjects):
                        record(name, code, status, date.group(1) if date else None)
        # "<agreement> between <list>", "signatories (of <agreement>) — <list>": the list
        # belongs to the reference inside the trigger, else to the one just before it.
        for trigger in _LIST_TRIGGER.finditer(body):
            start, end = trigger.start() + sentence.start, trigger.end() + sentence.start
            owners = [r for r in inside if start <= r[0] < end] or [
                r for r in inside if r[1] <= start and start - r[1] <= 40
            ]
            if owners:
                for code in _list_after(body, countries, trigger.end()):
                    record(owners[-1][2], code, MembershipStatus.MEMBER, None)
    return tuple(
        AgreementRecord(name=name, members=tuple(statuses[name].values()), mentions=tuple(spans))
        for name, spans in mentions.items()
    )
