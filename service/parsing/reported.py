"""Reported speech without quotation marks: "X said that ...", "according to X, ...",
"..., officials said."."""

from __future__ import annotations

from service.parsing.attribution import Attribution, content_start
from service.parsing.document import MASK, Document
from service.parsing.lexicon import BELIEF_FORMS, CUE_FORMS
from service.parsing.records import QuoteKind, QuoteRecord, Span

MIN_INDIRECT_WORDS = 3
_MARKS = frozenset(MASK + "\u201c\u201d\"\u2018\u00ab\u00bb\u201e")


class Reported(Document):
    def indirect_records(self, taken: list[QuoteRecord]) -> list[QuoteRecord]:
        records: list[QuoteRecord] = []
        for index in range(len(self.sentences)):
            lo, hi = self.sentence_tokens(index)
            found = self._reported(lo, hi)
            if found is not None:
                records.append(found)
        return records

    def _reported(self, lo: int, hi: int) -> QuoteRecord | None:
        tokens = self.tokens
        end = hi
        while end > lo and not (tokens[end - 1].is_word or tokens[end - 1].text[0] == MASK):
            end -= 1
        for c in range(lo, end):
            tok = tokens[c]
            if tok.lower == "according" and c + 1 < end and tokens[c + 1].lower == "to":
                found = self.resolver.after(tokens, c, end, False)
                if found is None or found.source is None:
                    continue
                src_end = self.token_at(found.source[1])
                if c == lo or tokens[c - 1].text == ",":
                    if c == lo:  # "According to X, content."
                        return self._indirect(src_end, end, found, skip_comma=True)
                    return self._indirect(lo, c - 1, found)  # "content, according to X."
                continue
            base = CUE_FORMS.get(tok.lower) or BELIEF_FORMS.get(tok.lower)
            if base is None or tok.lower.endswith("ing"):
                continue
            found = self.resolver.before(tokens, c, lo, False)
            if found is None:
                if c > lo and tokens[c - 1].text == ",":  # "content, said the official."
                    found = self.resolver.after(tokens, c, end, False)
                    if found is not None and found.source is not None:
                        stop = self.token_at(found.source[1])
                        if stop >= end:
                            return self._indirect(lo, c - 1, found)
                continue
            source_start = self.token_at(found.source[0]) if found.source else c
            if source_start > lo and tokens[source_start - 1].text == ",":
                tail = c + 1
                while tail < end and tokens[tail].is_word and tokens[tail].lower != "that" \
                        and tail - c < 6:
                    tail += 1
                if tail >= end:  # "content, sources said [on Sunday]."
                    return self._indirect(lo, source_start - 1, found)
            start = content_start(tokens, c, end, base)
            if tokens[start - 1].lower != "that" and any(t.text[0] in _MARKS for t in
                                                          tokens[lo:c]):
                continue  # a quotation's tail: "“...,” Trump said in a statement."
            if start < end and (tokens[start - 1].lower == "that" or base in {"say"}):
                return self._indirect(start, self.clause_end(start, end), found)
        return None

    def _indirect(self, lo: int, hi: int, found: Attribution, skip_comma: bool = False) -> \
            QuoteRecord | None:
        tokens = self.tokens
        while skip_comma and lo < hi and tokens[lo].text == ",":
            lo += 1
        if any(t.text[0] in _MARKS for t in tokens[lo:hi]):
            return None  # quotations carry their own attribution
        while hi > lo and not tokens[hi - 1].is_word:
            hi -= 1
        words = [t for t in tokens[lo:hi] if t.is_word]
        if len(words) < MIN_INDIRECT_WORDS:
            return None
            return None
        span = Span.of(self.text, tokens[lo].start, tokens[hi - 1].end)
        return self.record(span.text, QuoteKind.INDIRECT, span, found, ())
