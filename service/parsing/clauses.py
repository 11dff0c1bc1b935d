"""Where a quotation's attribution sits: the reporting clause before it, the tail after it,
a colon or a shared subject."""

from __future__ import annotations

from dataclasses import replace

from service.parsing.attribution import Attribution
from service.parsing.document import MASK
from service.parsing.lexicon import ADDRESSEE_VERBS, CUE_FORMS, CUE_PREMODIFIERS
from service.parsing.phrases import STOP_WORDS, TIME_WORDS, is_cue, subject_np
from service.parsing.reported import Reported

DOCUMENTS = frozenset({"statement", "release", "article", "report", "letter", "memo", "email",
                       "post", "tweet", "ad", "video", "message", "note", "editorial", "op-ed"})
PHRASAL = {"put": "it", "puts": "it", "went": "on", "goes": "on", "shot": "back",
           "fired": "back", "hit": "back", "wrote": "back", "spoke": "of", "weighed": "in"}
STATEMENT_VERBS = frozenset({"issued", "released", "sent", "posted", "published", "tweeted"})
DOCUMENT_OPENERS = frozenset({"a", "an", "the", "its", "his", "her", "their", "new", "press",
                              "written", "news", "brief", "short", "long", "joint"})

_CLAUSE_OPENERS = frozenset({"and", "but", "while", "whereas", "although", "though", "yet"})
_DASHES = frozenset({"—", "–", "-", "―", "--"})
_TAIL_PUNCTUATION = _DASHES | {","}
_SUBORDINATORS = frozenset({"after", "when", "before", "as", "while", "because", "if", "since",
                            "until", "once", "although", "though", "whether"})
_STOP_OPENERS = _CLAUSE_OPENERS | _SUBORDINATORS | {"or", "so", "then", "unless"}


class Clauses(Reported):
    """Finds the cue and source of a quotation among the article's tokens."""

    # attribution ----------------------------------------------------------------------------
    def head(self, lo: int, hi: int) -> Attribution | None:
        """The reporting clause before a quotation: the first speech cue with a source in the
        quotation's clause ("X said that Y would 'z'"), else the last cue of any kind."""
        found = self._head(lo, hi)
        if found is None or found.source is None:
            return found
        first = self.token_at(found.source[0])
        if first - 1 > lo and self.tokens[first - 1].lower == "what":  # "X condemned what he
            return self.main_clause(lo, first - 1) or found  # called “...”": X's words
        return found

    def main_clause(self, lo: int, hi: int) -> Attribution | None:
        """The subject opening tokens[lo:hi] and the verb after it."""
        tokens = self.tokens
        found = subject_np(tokens, lo, hi)
        if found is None:
            return None
        entity = self.resolver.entity(tokens, *found)
        if entity is None and not self.resolver.is_pronoun(tokens, *found):
            return None
        for k in range(hi - 1, found[1], -1):  # "X made a statement and pledged to act on
            if tokens[k - 1].lower == "and" and tokens[k].is_word and \
                    not tokens[k].is_capital and tokens[k].lower.endswith(("ed", "e", "s")) \
                    and tokens[k].lower not in STOP_WORDS:  # what it called “...”": pledged
                cue = (tokens[k].start, tokens[k].end)
                return Attribution(cue, self.resolver.span(tokens, *found), entity, k, "")
        verb = found[1]
        while verb < hi and (tokens[verb].lower in CUE_PREMODIFIERS or
                             tokens[verb].lower.endswith("ly")):
            verb += 1
        if verb + 1 < hi and tokens[verb].lower in {"on", "last", "this", "earlier"} and \
                tokens[verb + 1].lower in TIME_WORDS:  # "the council on Friday pledged"
            verb += 2
        if verb >= hi or not tokens[verb].is_word or tokens[verb].is_capital or \
                tokens[verb].lower in STOP_WORDS:
            return None
        cue = (tokens[verb].start, tokens[verb].end)
        return Attribution(cue, self.resolver.span(tokens, *found), entity, verb, "")

    def _head(self, lo: int, hi: int) -> Attribution | None:
        tokens = self.tokens
        joined = self.coordinated(lo, hi)
        if joined is not None:
            return joined
        start = lo
        for k in range(hi - 1, lo, -1):
            if tokens[k].text == ";" or (tokens[k].text == "," and k + 1 < hi and \
                    tokens[k + 1].lower in _CLAUSE_OPENERS):
                start = k + 1
                break
        for c in range(hi - 1, start, -1):  # "after X said Y, Z yelled: “...”"
            if is_cue(tokens[c], True) and not tokens[c].lower.endswith("ing"):
                found = self.resolver.before(tokens, c, start, True)
                if found is not None and found.source is not None and \
                        self._introduces(found, hi) and self._opens_clause(found, start):
                    return found
                break
        found = self._first_speech(start, hi)
        if found is None and start > lo and not any(is_cue(t, True) for t in tokens[start:hi]):
            found = self._first_speech(lo, start)  # "X said that A, but not until “B”"
        return found or self.last_cue(lo, hi)

    def _first_speech(self, lo: int, hi: int) -> Attribution | None:
        tokens = self.tokens
        for c in range(lo, hi):
            tok = tokens[c]
            if tok.lower in CUE_FORMS and not tok.lower.endswith("ing") and is_cue(tok, True):
                found = self.resolver.before(tokens, c, lo, True)
                if found is not None and not self._subordinate(found):
                    return found
        return None

    def _opens_clause(self, found: Attribution, start: int) -> bool:
        """The source starts its own clause, not a reported one ("said he believes “...”")."""
        first = self.token_at(found.source[0]) if found.source else start
        if first <= start:
            return True
        prev = self.tokens[first - 1]
        return prev.text in {",", ";", ":", "—"} or prev.lower in _SUBORDINATORS | {"and", "but"}

    def _subordinate(self, found: Attribution) -> bool:
        """'after the winner was declared', 'when X said': a cue in a subordinate clause."""
        if found.source is None:
            return False
        first = self.token_at(found.source[0])
        return self.tokens[first].lower in {"who", "which"} or (
            first > 0 and self.tokens[first - 1].lower in _SUBORDINATORS
        )

    def coordinated(self, lo: int, hi: int) -> Attribution | None:
        """The nearest cue when it shares an earlier cue's subject: "X said A, adding that “B”",
        "X criticised A and accused B of “C”"."""
        tokens = self.tokens
        for c in range(hi - 1, lo + 1, -1):
            tok = tokens[c]
            base = is_cue(tok, True)
            if base is None:
                continue
            own = self.resolver.before(tokens, c, lo, True)
            if own is not None and own.source is not None:
                first = self.token_at(own.source[0])
                if first > lo and (tokens[first - 1].lower == "that"
                                   or is_cue(tokens[first - 1], True)):
                    continue  # "said he thought “...”": the outer cue may be coordinated
                return None
            p = c - 1
            if tokens[p].text in {"”", '"'} and tokens[p - 1].text == ",":  # “...,” adding
                p -= 1
            while p > lo and not tokens[p].is_capital and (  # "and then repeatedly says"
                tokens[p].lower in CUE_PREMODIFIERS or tokens[p].lower.endswith("ly")
            ):
                p -= 1
            prev = tokens[p].lower
            if tok.lower.endswith("ing"):  # a speech verb: "describing it as" keeps "added"
                if prev not in {",", "and", "by"} or tok.lower not in CUE_FORMS:
                    return None
            elif prev not in {"and", "but"}:
                return None
            subject = self._first_speech(lo, p) or self.last_cue(lo, p)
            if subject is None and prev == "and":  # "ProPublica obtained a video and said"
                subject = self.subject(lo, c - 1)
            if subject is None or subject.source is None:
                return None
            return replace(subject, cue=(tok.start, tok.end), cue_index=c, base=base)
        return None

    def phrasal(self, c: int) -> str | None:
        """'put it', 'went on', 'shot back', 'issued a statement': cues of two or three words."""
        tokens = self.tokens
        tok = tokens[c]
        if tok.is_capital or c + 1 >= len(tokens):
            return None
        nxt = tokens[c + 1].lower
        if PHRASAL.get(tok.lower) == nxt:
            return tok.lower
        if tok.lower in STATEMENT_VERBS and nxt in {"a", "the", "this"} and c + 2 < len(tokens) \
                and tokens[c + 2].lower in DOCUMENTS:
            return tok.lower
        return None

    def widen(self, found: Attribution, c: int) -> Attribution:
        """The cue spans the whole phrase: "put it", "issued a statement"."""
        tok = self.tokens[c]
        if is_cue(tok, True) or not self.phrasal(c):
            return found
        last = c + 1 if PHRASAL.get(tok.lower) else c + 2
        return replace(found, cue=(tok.start, self.tokens[last].end))

    def last_cue(self, lo: int, hi: int) -> Attribution | None:
        tokens = self.tokens
        for c in range(hi - 1, lo - 1, -1):
            tok = tokens[c]
            base = is_cue(tok, True)
            if base is None and self.phrasal(c):
                found = self.resolver.before(tokens, c, lo, True)
                if found is not None:
                    return self.widen(found, c)
            if tok.lower == "according" and c + 1 < hi and tokens[c + 1].lower == "to":
                found = self.resolver.after(tokens, c, hi, True)
                if found is not None:
                    return found
                continue
            if base is None:
                continue
            found = self.resolver.before(tokens, c, lo, True)
            ing = tok.lower.endswith("ing")
            document = found is not None and found.source is not None and ing and \
                self._issued(self.token_at(found.source[0]), lo)
            if found is not None and not document:
                return found
            if ing:
                stop = self.token_at(found.source[0]) if document and found and found.source else c
                subject = self.last_cue(lo, stop)  # "..., Trump said, calling it ..."
                if subject is None:
                    subject = self.subject(lo, stop)
                if subject is not None:
                    return replace(subject, cue=(tok.start, tok.end), cue_index=c, base=base)
            elif c > lo and tokens[c - 1].text in {",", "”", '"', "’"}:
                found = self.resolver.after(tokens, c, hi, True)
                # "..., said X: “...”" but not "X, who ..., said the plan was “...”"
                if found is not None and found.source is not None and (
                    self.token_at(found.source[1]) >= hi
                    or self.tokens[self.token_at(found.source[1])].text in {",", ":", "“", '"'}
                ):
                    return found
        return None

    def _issued(self, start: int, lo: int) -> bool:
        """'X issued a statement saying', 'X sent an email saying': the document is an object."""
        tokens = self.tokens
        k = start
        while k < len(tokens) and tokens[k].lower in DOCUMENT_OPENERS:
            k += 1
        head = k
        while head + 1 < len(tokens) and tokens[head + 1].is_word and \
                not tokens[head + 1].lower.endswith("ing") and head - k < 3:
            head += 1
        return start > lo and tokens[start - 1].is_word and not tokens[start - 1].is_capital and \
            tokens[head].lower in DOCUMENTS

    def subject(self, lo: int, hi: int) -> Attribution | None:
        """The clause's subject, else the first named or pronoun mention in tokens[lo:hi]: a
        participle's subject."""
        tokens = self.tokens
        found = subject_np(tokens, lo, hi)
        if found is not None:
            entity = self.resolver.entity(tokens, *found)
            if entity is not None or self.resolver.is_pronoun(tokens, *found):
                return Attribution(None, self.resolver.span(tokens, *found), entity)
        starts = {start: (end, idx) for start, end, idx in reversed(self.cast.mentions)}
        for k in range(lo, hi):
            tok = tokens[k]
            if tok.lower in {"he", "she", "they"}:
                entity = self.cast.resolve_pronoun(tok.text, tok.start, self.sentence_starts)
                if entity is not None:
                    return Attribution(None, (tok.start, tok.end), entity)
            if tok.start in starts:
                end, idx = starts[tok.start]
                return Attribution(None, (tok.start, end), self.cast.entities[idx])
        return None

    def tail(self, lo: int, hi: int) -> tuple[Attribution, int] | None:
        """An attribution opening tokens[lo:hi] right after a quotation: ', he said', 'said X'."""
        tokens = self.tokens
        k = lo
        while k < hi and tokens[k].text in _TAIL_PUNCTUATION:
            k += 1
        if k >= hi:
            return None
        if k > lo and tokens[k - 1].text in _DASHES and tokens[k].is_capital:
            # a signature: "“...” ― Ana Ruiz, Denver"
            found = self.resolver.after(tokens, k - 1, hi, True)
            if found is not None and found.source is not None:
                end = self.token_at(found.source[1])
                if end >= hi or tokens[end].text in {",", ".", "(", ";"}:
                    return found, end
        according = tokens[k].lower == "according" and k + 1 < hi and tokens[k + 1].lower == "to"
        if according or (is_cue(tokens[k], True) and not tokens[k].lower.endswith("ing")):
            found = self.resolver.after(tokens, k, hi, True)
            if found is not None and found.source is not None:
                return found, self.token_at(found.source[1])
            return None
        depth = 0
        for c in range(k + 1, min(hi, k + 24)):
            depth += {"(": 1, ")": -1}.get(tokens[c].text, 0)
            if (depth <= 0 and tokens[c].text in {".", "“", '"', "”"}) or \
                    tokens[c].text.startswith(MASK):
                break
            if (is_cue(tokens[c], True) or self.phrasal(c)) and \
                    not tokens[c].lower.endswith("ing"):
                inverted = self._inverted(k, c, hi)
                if inverted is not None:
                    return inverted
                found = self.resolver.before(tokens, c, k, True)
                if found is None or found.source is None:
                    continue
                source = found.source
                found = self.widen(found, c)
                first = self.token_at(source[0])
                if first == k or (first > k + 1 and tokens[first - 1].text == "," and not any(
                    is_cue(t, True) for t in tokens[k:first]
                )):  # "“...” in the Senate, she said"
                    return found, c + 1
                if first == k + 1 and tokens[k].lower == "as":  # "“...,” as X put it."
                    return found, c + 1
                if k < first <= k + 4 and all(t.is_word for t in tokens[k:first]) and \
                        tokens[k].lower not in _STOP_OPENERS:
                    # "Clinton press secretary Brian Fallon said"
                    return replace(found, source=(tokens[k].start, source[1])), c + 1
        return None

    def _inverted(self, k: int, c: int, hi: int) -> tuple[Attribution, int] | None:
        """'“...” in the primary, said Ann Lee, a professor.': a speech cue after a comma, its
        source after it and then nothing but an appositive."""
        tokens = self.tokens
        if c - 1 <= k or tokens[c - 1].text != "," or tokens[c].lower not in CUE_FORMS or \
                CUE_FORMS[tokens[c].lower] in ADDRESSEE_VERBS or \
                any(is_cue(t, True) for t in tokens[k:c - 1]):
            return None
        found = self.resolver.after(tokens, c, hi, True)
        if found is None or found.source is None or found.entity is None:
            return None
        end = self.token_at(found.source[1])
        if end < hi and tokens[end].text not in {",", ".", "("}:
            return None
        return found, end

    def colon_intro(self, sentence: int, lo: int, open_index: int) -> Attribution | None:
        """'Clinton: “...”', 'Trump issued a statement: “...”', or a paragraph ending in a colon
        before the paragraph the quotation opens."""
        tokens = self.tokens
        colon = open_index - 1
        if colon < lo and sentence > 0 and self.sentence_paragraph[sentence - 1] == \
                self.sentence_paragraph[sentence] - 1:
            plo, phi = self.sentence_tokens(sentence - 1)
            if phi > plo and tokens[phi - 1].text == ":":
                found = self.head(plo, phi - 1)
                lo, colon = plo, phi - 1
                if found is not None:
                    return found
        if colon < lo or tokens[colon].text != ":":
            return None
        subject = subject_np(tokens, lo, colon)
        if subject is None:
            return None
        cue_index = colon
        if subject[1] - subject[0] >= 2 and tokens[subject[0]].lower in CUE_FORMS:
            cue_index = subject[0]  # "Said Ellis: “...”"
            subject = (subject[0] + 1, subject[1])
        entity = self.resolver.entity(tokens, *subject)
        if entity is None and not self.resolver.is_pronoun(tokens, *subject):
            return None
        cue = (tokens[cue_index].start, tokens[cue_index].end)
        return Attribution(cue, self.resolver.span(tokens, *subject), entity, cue_index, ":")

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
