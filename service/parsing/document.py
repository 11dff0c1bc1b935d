"""One article prepared for attribution: quotations masked, tokens, sentences, the cast."""

from __future__ import annotations

import bisect

from service.parsing.attribution import Attribution, Resolver
from service.parsing.countries import country_code
from service.parsing.heads import ANONYMOUS_GROUPS
from service.parsing.marks import Quotation, find_quotations, paragraphs
from service.parsing.phrases import is_cue, np_before
from service.parsing.records import QuoteKind, QuoteRecord, Span
from service.parsing.speakers import Cast
from service.parsing.text import sentences, tokenize

MASK = "¤"
_KEEP = frozenset(".,!?;:")


def mask_quotations(text: str, quotations: list[Quotation]) -> str:
    """The text with quoted words replaced by MASK (last punctuation kept), offsets unchanged."""
    chars = list(text)
    for quotation in quotations:
        for start, end in quotation.parts:
            last = end - 1 if end > start and text[end - 1] in _KEEP else end
            for i in range(start, last):
                chars[i] = MASK
    return "".join(chars)


class Document:
    def __init__(self, text: str) -> None:
        self.text = text
        self.quotations = find_quotations(text)
        self.masked = mask_quotations(text, self.quotations)
        self.tokens = tokenize(self.masked)
        self.token_starts = [t.start for t in self.tokens]
        self.paragraphs = paragraphs(text)
        self.sentences: list[tuple[int, int]] = []
        self.sentence_paragraph: list[int] = []
        for index, (start, end) in enumerate(self.paragraphs):
            for span in sentences(self.masked, start, end):
                self.sentences.append(span)
                self.sentence_paragraph.append(index)
        self.sentence_starts = [s for s, _ in self.sentences]
        self.cast = Cast(text)
        self.cast.scan_people(self.tokens)
        self.resolver = Resolver(self.cast, self.sentence_starts)
        self.scan_groups()

    def scan_groups(self) -> None:
        """Register anonymous groups given a country ("three U.S. officials") in text order, so
        a later "one official" is known to be one of them."""
        tokens = self.tokens
        for k, tok in enumerate(tokens):
            if tok.lower not in ANONYMOUS_GROUPS:
                continue
            for back in (1, 2):
                if k - back >= 0 and country_code(tokens[k - back].bare) is not None:
                    found = np_before(tokens, k + 1, max(0, k - 5))
                    if found is not None:
                        self.resolver.entity(tokens, *found)
                    break

    # positions ------------------------------------------------------------------------------
    def token_at(self, pos: int) -> int:
        return bisect.bisect_left(self.token_starts, pos)

    def sentence_of(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.sentence_starts, pos) - 1)

    def sentence_tokens(self, index: int) -> tuple[int, int]:
        start, end = self.sentences[index]
        return self.token_at(start), self.token_at(end)

    def clause_end(self, start: int, end: int) -> int:
        tokens = self.tokens
        for k in range(start + 1, end):
            if tokens[k].text != ",":
                continue
            nxt = k + 2 if k + 2 < end and tokens[k + 1].text in {"”", '"'} else k + 1
            if nxt < end and tokens[nxt].lower.endswith("ing") and is_cue(tokens[nxt], True):
                return k  # "..., adding", "...,” adding"
        return end

    def record(self, text: str, kind: QuoteKind, span: Span, attribution: Attribution | None,
                parts: tuple[Span, ...], context: Span | None = None) -> QuoteRecord:
        if attribution is None:
            return QuoteRecord(text=text, kind=kind, span=span, parts=parts, context=context)
        cue = Span.of(self.text, *attribution.cue) if attribution.cue else None
        source = Span.of(self.text, *attribution.source) if attribution.source else None
        key = attribution.entity.key if attribution.entity else None
        return QuoteRecord(text=text, kind=kind, span=span, cue=cue, source=source, speaker=key,
                           parts=parts, context=context)
