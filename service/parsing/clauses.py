"""Where a quotation's attribution sits: the reporting clause before it, the tail after it,
a colon or a shared subject."""

# ruff: noqa: RUF001 - quotation marks and dashes are this module's subject

from __future__ import annotations

from dataclasses import replace

from service.parsing.attribution import Attribution, is_cue, subject_np
from service.parsing.document import MASK
from service.parsing.lexicon import CUE_FORMS
from service.parsing.reported import Reported

_CLAUSE_OPENERS = frozenset({"and", "but", "while", "whereas", "although", "though", "yet"})
_DASHES = frozenset({"—", "–", "-", "―", "--"})
_TAIL_PUNCTUATION = _DASHES | {","}
_STOP_OPENERS = _CLAUSE_OPENERS | {"or", "so", "as", "then", "when", "after", "before"}
_SUBORDINATORS = frozenset({"after", "when", "before", "as", "while", "because", "if", "since",
                            "until", "once", "although", "though", "whether"})


class Clauses(Reported):
    """Finds the cue and source of a quotation among the article's tokens."""

    # attribution ----------------------------------------------------------------------------
    def head(self, lo: int, hi: int) -> Attribution | None:
        """The reporting clause before a quotation: the first speech cue with a source in the
        quotation's clause ("X said that Y would 'z'"), else the last cue of any kind."""
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
                if found is not None and self._introduces(found, hi):
                    return found
                break
        for c in range(start, hi):
            tok = tokens[c]
            if tok.lower in CUE_FORMS and not tok.lower.endswith("ing") and is_cue(tok, True):
                found = self.resolver.before(tokens, c, start, True)
                if found is not None and not self._subordinate(found):
                    return found
        return self.last_cue(lo, hi)

    def _subordinate(self, found: Attribution) -> bool:
        """'after the winner was declared', 'when X said': a cue in a subordinate clause."""
        if found.source is None:
            return False
        first = self.token_at(found.source[0])
        return first > 0 and self.tokens[first - 1].lower in _SUBORDINATORS

    def coordinated(self, lo: int, hi: int) -> Attribution | None:
        """The nearest cue when it shares an earlier cue's subject: "X said A, adding that “B”",
        "X criticised A and accused B of “C”"."""
        tokens = self.tokens
        for c in range(hi - 1, lo + 1, -1):
            tok = tokens[c]
            base = is_cue(tok, True)
            if base is None:
                continue
            prev = tokens[c - 1].lower
            if tok.lower.endswith("ing"):  # a speech verb: "describing it as" keeps "added"
                if prev != "," or tok.lower not in CUE_FORMS:
                    return None
            elif prev not in {"and", "but"}:
                return None
            subject = self.last_cue(lo, c - 1)
            if subject is None and prev == "and":  # "ProPublica obtained a video and said"
                subject = self.subject(lo, c - 1)
            if subject is None or subject.source is None:
                return None
            return replace(subject, cue=(tok.start, tok.end), cue_index=c, base=base)
        return None

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
                # "..., said X: “...”" but not "X, who ..., said the plan was “...”"
                if found is not None and found.source is not None and (
                    self.token_at(found.source[1]) >= hi
                    or self.tokens[self.token_at(found.source[1])].text in {",", ":", "“", '"'}
                ):
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
        for c in range(k + 1, min(hi, k + 16)):
            depth += {"(": 1, ")": -1}.get(tokens[c].text, 0)
            if (depth <= 0 and tokens[c].text in {".", "“", '"', "”"}) or \
                    tokens[c].text.startswith(MASK):
                break
            if is_cue(tokens[c], True) and not tokens[c].lower.endswith("ing"):
                found = self.resolver.before(tokens, c, k, True)
                if found is None or found.source is None:
                    continue
                first = self.token_at(found.source[0])
                if first == k or (first > k + 1 and tokens[first - 1].text == "," and not any(
                    is_cue(t, True) for t in tokens[k:first]
                )):  # "“...” in the Senate, she said"
                    return found, c + 1
                if k < first <= k + 4 and all(t.is_word for t in tokens[k:first]) and \
                        tokens[k].lower not in _STOP_OPENERS:
                    # "Clinton press secretary Brian Fallon said"
                    return replace(found, source=(tokens[k].start, found.source[1])), c + 1
        return None

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
        entity = self.resolver.entity(tokens, *subject)
        if entity is None and not self.resolver.is_pronoun(tokens, *subject):
            return None
        cue = (tokens[colon].start, tokens[colon].end)
        return Attribution(cue, self.resolver.span(tokens, *subject), entity, colon, ":")

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
