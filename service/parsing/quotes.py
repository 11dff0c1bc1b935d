"""Quote extraction and attribution: quoted and reported speech, each with its cue and speaker."""

from __future__ import annotations

from dataclasses import dataclass

from service.parsing.attribution import Attribution, content_start
from service.parsing.clauses import Clauses
from service.parsing.document import MASK
from service.parsing.lexicon import BELIEF_VERBS
from service.parsing.marks import Quotation
from service.parsing.records import QuoteKind, QuoteRecord, Span, SpeakerRecord

# Words right before a quotation that make it a name or a term, not speech.
SCARE_MARKERS = frozenset(
    {"so-called", "dubbed", "titled", "entitled", "nicknamed", "term", "word", "phrase",
     "slogan", "hashtag", "headline", "label", "motto", "banner", "named", "sign", "signs"}
)
MAX_SCARE_WORDS = 3


_SMALL_WORDS = frozenset({"a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or",
                          "but", "by", "with", "from", "as", "is", "vs."})


def _title_case(words: list[str]) -> bool:
    """Two or more words, every one but the small ones capitalised: a title, not speech."""
    content = [w for w in words if w.lower() not in _SMALL_WORDS and w[:1].isalpha()]
    return len(words) >= 2 and len(content) >= 2 and all(w[:1].isupper() for w in content)


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


class Extractor(Clauses):
    """Quotations of one article with their attributions."""

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
        into_next = tail_hi != hi
        tail_hi = self._stop_at_mark(after, tail_hi)
        head = self.head(lo, open_index)
        if head is not None and self._introduces(head, open_index):
            return Found(quotation, sentence, head)
        tail = self.tail(after, tail_hi)
        asked = self.text[quotation.end - 1:quotation.end] in {"?", "!"}  # "“Why?” X asked."
        if tail is not None and into_next and (
            head is not None or (tail[1] < tail_hi - 6 and not asked)
            or self.tokens[tail[1]].lower == "that"
        ):
            tail = None  # the next sentence reports something else: "He added that ..."
        if tail is not None:
            context = None
            if open_index > lo and after < hi:  # "content with a “quote,” X said."
                context = (self.tokens[lo].start, quotation.close_mark)
            return Found(quotation, sentence, tail[0], tail[1], True, context)
        if head is None:
            colon = self.colon_intro(sentence, lo, open_index)
            if colon is not None:
                return Found(quotation, sentence, colon)
            if open_index == lo and after >= hi:
                return Found(quotation, sentence, self.previous_report(sentence))
            # "“A” and “B,” X said": a later quotation's tail covers this one
            return Found(quotation, sentence, None)
        context = None
        if head is not None and head.cue_index >= 0:
            context = self.clause(head, open_index, after, hi)
        return Found(quotation, sentence, head, context=context)

    def previous_report(self, sentence: int) -> Attribution | None:
        """'X says she got a call. “...”': a quotation standing alone after a report of speech in
        the sentence before it, in the same paragraph."""
        if sentence == 0 or self.sentence_paragraph[sentence - 1] != self.sentence_paragraph[sentence]:
            return None
        lo, hi = self.sentence_tokens(sentence - 1)
        if any(t.text.startswith(MASK) for t in self.tokens[lo:hi]):
            return None  # its quotations carry the attribution
        return self._first_speech(lo, hi)

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
        end = self.clause_end(max(after - 3, start), hi)
        while end > after and tokens[end - 1].text in {".", ",", ";", ":", "!", "?"}:
            end -= 1
        if end <= start:
            return None
        return tokens[start].start, max(tokens[end - 1].end, tokens[after - 1].end)

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
        if len(q.parts) == 1 and found.attribution is None and _title_case(words):
            return True  # "the film “Seven Days in May”", "a book, “The Art of the Deal,”"
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
            records.append(self.record(text, kind, span, attribution,
                                        spans if len(spans) > 1 else (), context))
        return records

    def _continues(self, group: list[Found], item: Found) -> bool:
        """One speaker's run of quotations: '“A,” he said, “B.”', '“A,” he said. “B.”',
        'He said: “A.” “B.”' - nothing but their attribution and punctuation between them."""
        prev = group[-1]
        owner = next((f.attribution for f in group if f.attribution), None)
        here = self.sentence_paragraph[item.sentence]
        # a paragraph that is one unattributed quotation continues the previous speaker
        if self.sentence_paragraph[prev.sentence] != here and (
            owner is None
            or item.attribution is not None
            or self.sentence_paragraph[prev.sentence] != here - 1
            or item.quotation.open_mark != self.paragraphs[here][0]
        ):
            return False
        if owner is not None and item.attribution is not None and \
                item.attribution.entity is not owner.entity:
            return False
        opening = self.token_at(item.quotation.open_mark)
        if item.sentence == prev.sentence and item.attribution_cue in {None, prev.attribution_cue} \
                and (prev.from_tail or self.text[item.quotation.start].islower()) \
                and self.text[prev.quotation.end - 1:prev.quotation.end] == "," \
                and opening > 0 and self.tokens[opening - 1].text == ",":
            return True  # '“A,” said X, speaking of Y, “and B.”': one sentence, one speaker
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
            attribution: Attribution | None = other.attribution
            if attribution is not None:
                return attribution
        if index > 0 and self.sentence_paragraph[groups[index - 1][0].sentence] == paragraph - 1:
            previous = groups[index - 1][0].attribution
            if previous is not None and previous.entity is not None:
                return Attribution(None, None, previous.entity)
        return None

def extract_quotes(text: str) -> tuple[tuple[QuoteRecord, ...], tuple[SpeakerRecord, ...]]:
    """Pure: article text (whole document, first line is the title) -> quotes in text order and
    the article's speakers."""
    extractor = Extractor(text)
    quoted = extractor.quote_records()
    reported = extractor.indirect_records(quoted)
    quotes = sorted([*quoted, *reported], key=lambda q: (q.span.start, q.span.end))
    used = {q.speaker for q in quotes if q.speaker is not None}
    return tuple(quotes), extractor.cast.records(used)
