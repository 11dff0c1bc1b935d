"""Quote extraction and attribution: quoted and reported speech, each with its cue and speaker."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from service.parsing.attribution import (
    Attribution,
    Resolver,
    content_start,
    is_cue,
    np_before,
    subject_np,
)
from service.parsing.countries import country_code
from service.parsing.lexicon import ANONYMOUS_GROUPS, BELIEF_FORMS, BELIEF_VERBS, CUE_FORMS
from service.parsing.marks import Quotation, find_quotations, paragraphs
from service.parsing.records import QuoteKind, QuoteRecord, Span, SpeakerRecord
from service.parsing.speakers import Cast
from service.parsing.text import Token, sentences, tokenize

MASK = "¤"
_KEEP = frozenset(".,!?;:")
# Words right before a quotation that make it a name or a term, not speech.
SCARE_MARKERS = frozenset(
    {"so-called", "dubbed", "titled", "entitled", "nicknamed", "term", "word", "phrase",
     "slogan", "hashtag", "headline", "label", "motto", "banner", "named", "chanting", "chanted",
     "chants", "sign", "signs", "reading", "read"}
)
MAX_SCARE_WORDS = 3
MIN_INDIRECT_WORDS = 3
_CLAUSE_OPENERS = frozenset({"and", "but", "while", "whereas", "although", "though", "yet"})
_MARKS = frozenset(MASK + "“”\"‘«»„")


def mask_quotations(text: str, quotations: list[Quotation]) -> str:
    """The text with quoted words replaced by MASK (last punctuation kept), offsets unchanged."""
    chars = list(text)
    for quotation in quotations:
        for start, end in quotation.parts:
            last = end - 1 if end > start and text[end - 1] in _KEEP else end
            for i in range(start, last):
                if not chars[i].isspace() or True:
                    chars[i] = MASK
    return "".join(chars)


@dataclass(slots=True)
class Found:
    quotation: Quotation
    sentence: int
    attribution: Attribution | None
    tail_end: int = -1  # token index after the tail attribution, when it is one
    from_tail: bool = False
    context: tuple[int, int] | None = None  # the reported clause around a partial quotation

    @property
    def attribution_cue(self) -> tuple[int, int] | None:
        return self.attribution.cue if self.attribution else None


class Extractor:
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
        self.resolver = Resolver(self.cast, self.sentence_starts)

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

    # attribution ----------------------------------------------------------------------------
    def head(self, lo: int, hi: int) -> Attribution | None:
        """The reporting clause before a quotation: the first speech cue with a source in the
        quotation's clause ("X said that Y would 'z'"), else the last cue of any kind."""
        tokens = self.tokens
        start = lo
        for k in range(hi - 1, lo, -1):
            if tokens[k].text == ";" or tokens[k].text == "," and k + 1 < hi and \
                    tokens[k + 1].lower in _CLAUSE_OPENERS:
                start = k + 1
                break
        for c in range(start, hi):
            tok = tokens[c]
            if tok.lower in CUE_FORMS and not tok.lower.endswith("ing") and is_cue(tok, True):
                found = self.resolver.before(tokens, c, start, True)
                if found is not None:
                    return found
        return self.last_cue(lo, hi)

    def last_cue(self, lo: int, hi: int) -> Attribution | None:
        tokens = self.tokens
        for c in range(hi - 1, lo - 1, -1):
            tok = tokens[c]
            base = is_cue(tok, True)
            if tok.lower == "according" and c + 1 < hi and tokens[c + 1].lower == "to":
                found = self.resolver.after(tokens, c, hi, True)
                if found is not None:
                    return found
                continue
            if base is None:
                continue
            found = self.resolver.before(tokens, c, lo, True)
            if found is not None:
                return found
            if tok.lower.endswith("ing"):
                subject = self.last_cue(lo, c)  # "..., Trump said, calling it ..."
                if subject is None:
                    subject = self.subject(lo, c)
                if subject is not None:
                    return replace(subject, cue=(tok.start, tok.end), cue_index=c, base=base)
            elif c > lo and tokens[c - 1].text in {",", "”", '"', "’"}:
                found = self.resolver.after(tokens, c, hi, True)
                if found is not None:
                    return found
        return None

    def subject(self, lo: int, hi: int) -> Attribution | None:
        """The first named or pronoun mention in tokens[lo:hi]: a participle's subject."""
        tokens = self.tokens
        for k in range(lo, hi):
            tok = tokens[k]
            if tok.lower in {"he", "she", "they"}:
                entity = self.cast.resolve_pronoun(tok.text, tok.start, self.sentence_starts)
                if entity is not None:
                    return Attribution(None, (tok.start, tok.end), entity)
            for start, end, idx in self.cast.mentions:
                if start == tok.start:
                    return Attribution(None, (start, end), self.cast.entities[idx])
        found = subject_np(tokens, lo, hi)
        if found is not None:
            entity = self.resolver.entity(tokens, *found)
            if entity is not None:
                return Attribution(None, self.resolver.span(tokens, *found), entity)
        return None

    def tail(self, lo: int, hi: int) -> tuple[Attribution, int] | None:
        """An attribution opening tokens[lo:hi] right after a quotation: ', he said', 'said X'."""
        tokens = self.tokens
        k = lo
        while k < hi and tokens[k].text in {",", "—", "–", "-"}:
            k += 1
        if k >= hi:
            return None
        if is_cue(tokens[k], True) and not tokens[k].lower.endswith("ing"):
            found = self.resolver.after(tokens, k, hi, True)
            if found is not None and found.source is not None:
                return found, self.token_at(found.source[1])
            return None
        for c in range(k + 1, min(hi, k + 12)):
            if tokens[c].text in {".", "“", '"', "”"} or tokens[c].text.startswith(MASK):
                break
            if is_cue(tokens[c], True):
                found = self.resolver.before(tokens, c, k, True)
                if found is None or found.source is None:
                    continue
                first = self.token_at(found.source[0])
                if first == k:
                    return found, c + 1
                if k < first <= k + 4 and all(t.is_word for t in tokens[k:first]):
                    # "Clinton press secretary Brian Fallon said"
                    return replace(found, source=(tokens[k].start, found.source[1])), c + 1
        return None

    def attribute(self, quotation: Quotation) -> Found:
        sentence = self.sentence_of(quotation.open_mark)
        lo, hi = self.sentence_tokens(sentence)
        open_index = self.token_at(quotation.open_mark)
        close_index = self.token_at(quotation.end)
        # the closing mark token (and kept punctuation) sit at or after close_index
        after = close_index
        while after < len(self.tokens) and self.tokens[after].start < quotation.close_mark:
            after += 1
        tail_hi = hi
        if after >= hi:  # the quotation ends its sentence: "“...!” Trump concluded."
            nxt = sentence + 1
            if nxt < len(self.sentences) and \
                    self.sentence_paragraph[nxt] == self.sentence_paragraph[sentence]:
                tail_hi = self.sentence_tokens(nxt)[1]
        tail_hi = self._stop_at_mark(after, tail_hi)
        head = self.head(lo, open_index)
        if head is not None and self._introduces(head, open_index):
            return Found(quotation, sentence, head)
        tail = self.tail(after, tail_hi)
        if tail is not None and tail_hi != hi and (head is not None or tail[1] < tail_hi - 6
                                                   or self.tokens[tail[1]].lower == "that"):
            tail = None  # the next sentence reports something else: "He added that ..."
        if tail is not None:
            context = None
            if open_index > lo and after < hi:  # "content with a “quote,” X said."
                context = (self.tokens[lo].start, quotation.close_mark)
            return Found(quotation, sentence, tail[0], tail[1], True, context)
        if head is None:  # "“A” and “B,” X said": a later quotation's tail covers this one
            return Found(quotation, sentence, None)
        context = None
        if head is not None and head.cue_index >= 0:
            context = self.clause(head, open_index, after, hi)
        return Found(quotation, sentence, head, context=context)

    def clause(self, head: Attribution, open_index: int, after: int, hi: int) -> \
            tuple[int, int] | None:
        """The reported clause from the cue to the clause's end, holding the quotation."""
        tokens = self.tokens
        if head.base == "according to" and head.source is not None:
            start = self.token_at(head.source[1])
            while start < open_index and tokens[start].text == ",":
                start += 1
        else:
            start = content_start(tokens, head.cue_index, open_index + 1, head.base)
        if start > open_index:
            start = open_index
        end = self._clause_end(max(after - 1, start), hi)
        while end > after and tokens[end - 1].text in {".", ",", ";", ":", "!", "?"}:
            end -= 1
        if end <= start:
            return None
        return tokens[start].start, tokens[end - 1].end

    def _introduces(self, head: Attribution, open_index: int) -> bool:
        """'X said: “...”', 'said X, “...”': nothing but the source and punctuation between."""
        if head.cue_index < 0:
            return False
        source = head.source or (-1, -1)
        for tok in self.tokens[head.cue_index + 1:open_index]:
            if tok.is_word and not source[0] <= tok.start < source[1] and \
                    tok.lower not in {"to", "that"}:
                return False
        return True

    def _stop_at_mark(self, lo: int, hi: int) -> int:
        for k in range(lo, hi):
            if self.tokens[k].text.startswith(MASK):
                return k - 1
        return hi

    # assembling -----------------------------------------------------------------------------
    def is_scare(self, found: Found) -> bool:
        q = found.quotation
        words = self.text[q.start:q.end].split()
        before = self.token_at(q.open_mark) - 1
        if before >= 0 and self.tokens[before].lower in SCARE_MARKERS:
            return True
        if len(q.parts) > 1 or len(words) > MAX_SCARE_WORDS:
            return False
        # a thinker's words are not quoted: "she thinks cats are “cuties”"
        return found.attribution is None or found.attribution.base in BELIEF_VERBS

    def kind(self, found: Found) -> QuoteKind:
        q = found.quotation
        first = self.text[q.start:q.start + 1]
        lo, _ = self.sentence_tokens(found.sentence)
        open_index = self.token_at(q.open_mark)
        head = [t for t in self.tokens[lo:open_index] if t.text not in {"“", '"', "‘", "'"}]
        intro = bool(head) and head[-1].text in {":", ","} and found.attribution is not None \
            and not found.from_tail
        starts = not head or intro
        if starts and (first.isupper() or first.isdigit() or not first.isalpha()):
            return QuoteKind.DIRECT
        return QuoteKind.PARTIAL

    def quote_records(self) -> list[QuoteRecord]:
        found = [self.attribute(q) for q in self.quotations]
        for index, item in enumerate(found):
            if item.attribution is not None:
                continue
            for later in found[index + 1:]:
                if later.sentence != item.sentence:
                    break
                if later.attribution is not None and later.from_tail:
                    item.attribution, item.context = later.attribution, later.context
                    break
        merged: list[list[Found]] = []
        for item in found:
            if merged and self._continues(merged[-1], item):
                merged[-1].append(item)
            else:
                merged.append([item])
        records: list[QuoteRecord] = []
        groups = [g for g in merged if len(g) > 1 or not self.is_scare(g[0])]
        for index, group in enumerate(groups):
            first = group[0]
            attribution = next((f.attribution for f in group if f.attribution), None)
            if attribution is None:  # the paragraph's neighbour, then the previous paragraph's
                attribution = self._neighbour(groups, index)
            parts = tuple(p for f in group for p in f.quotation.parts)
            spans = tuple(Span.of(self.text, s, e) for s, e in parts)
            text = " ".join(s.text for s in spans)
            span = Span.of(self.text, parts[0][0], parts[-1][1])
            kind = self.kind(first)
            context = None
            if kind is QuoteKind.PARTIAL and len(group) == 1 and first.context is not None:
                start, end = first.context
                if start < span.start - 1 or end > span.end + 1:
                    context = Span.of(self.text, start, end)
            records.append(self._record(text, kind, span, attribution,
                                        spans if len(spans) > 1 else (), context))
        return records

    def _continues(self, group: list[Found], item: Found) -> bool:
        """One speaker's run of quotations: '“A,” he said, “B.”', '“A,” he said. “B.”',
        'He said: “A.” “B.”' - nothing but their attribution and punctuation between them."""
        prev = group[-1]
        owner = next((f.attribution for f in group if f.attribution), None)
        here = self.sentence_paragraph[item.sentence]
        if self.sentence_paragraph[prev.sentence] != here:
            # a paragraph that is one unattributed quotation continues the previous speaker
            if owner is None or item.attribution is not None or \
                    self.sentence_paragraph[prev.sentence] != here - 1 or \
                    item.quotation.open_mark != self.paragraphs[here][0]:
                return False
        if owner is not None and item.attribution is not None and \
                item.attribution.entity is not owner.entity:
            return False
        lo = self.token_at(prev.quotation.end)
        hi = self.token_at(item.quotation.open_mark)
        limit = prev.tail_end
        if prev.from_tail and 0 < prev.tail_end < len(self.tokens) and (
            item.attribution is None or item.attribution.cue == prev.attribution_cue
        ) and self.sentences[item.sentence][0] == item.quotation.open_mark:
            # "“A,” said X, a delegate from Y. “B.”", "“A,” X said at a rally. “B.”"
            tail_sentence = self.sentence_of(self.tokens[prev.tail_end - 1].start)
            limit = self.token_at(self.sentences[tail_sentence][1])
        for k in range(lo, hi):
            tok = self.tokens[k]
            if tok.is_word and not (prev.from_tail and k < limit):
                return False
        return True

    def _neighbour(self, groups: list[list[Found]], index: int) -> Attribution | None:
        paragraph = self.sentence_paragraph[groups[index][0].sentence]
        for k in [*range(index - 1, -1, -1), *range(index + 1, len(groups))]:
            other = groups[k][0]
            if self.sentence_paragraph[other.sentence] != paragraph:
                continue
            if other.attribution is not None:
                return other.attribution
        if index > 0 and self.sentence_paragraph[groups[index - 1][0].sentence] == paragraph - 1:
            previous = groups[index - 1][0].attribution
            if previous is not None and previous.entity is not None:
                return Attribution(None, None, previous.entity)
        return None

    def _record(self, text: str, kind: QuoteKind, span: Span, attribution: Attribution | None,
                parts: tuple[Span, ...], context: Span | None = None) -> QuoteRecord:
        if attribution is None:
            return QuoteRecord(text=text, kind=kind, span=span, parts=parts, context=context)
        cue = Span.of(self.text, *attribution.cue) if attribution.cue else None
        source = Span.of(self.text, *attribution.source) if attribution.source else None
        key = attribution.entity.key if attribution.entity else None
        return QuoteRecord(text=text, kind=kind, span=span, cue=cue, source=source, speaker=key,
                           parts=parts, context=context)

    # reported speech ------------------------------------------------------------------------
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
            if start < end and (tokens[start - 1].lower == "that" or base in {"say"}):
                return self._indirect(start, self._clause_end(start, end), found)
        return None

    def _clause_end(self, start: int, end: int) -> int:
        tokens = self.tokens
        for k in range(start + 1, end):
            if tokens[k].text == "," and k + 1 < end and tokens[k + 1].lower.endswith("ing") \
                    and is_cue(tokens[k + 1], True):
                return k
        return end

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
        return self._record(span.text, QuoteKind.INDIRECT, span, found, ())


def _first_word_token(tokens: list[Token]) -> Token | None:
    return next((t for t in tokens if t.is_word), None)


def extract_quotes(text: str) -> tuple[tuple[QuoteRecord, ...], tuple[SpeakerRecord, ...]]:
    """Pure: article text (whole document, first line is the title) -> quotes in text order and
    the article's speakers."""
    extractor = Extractor(text)
    quoted = extractor.quote_records()
    reported = extractor.indirect_records(quoted)
    quotes = sorted([*quoted, *reported], key=lambda q: (q.span.start, q.span.end))
    used = {q.speaker for q in quotes if q.speaker is not None}
    return tuple(quotes), extractor.cast.records(used)
