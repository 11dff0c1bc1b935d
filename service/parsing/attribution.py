"""Cues and sources: who says it, found around a position in a sentence's tokens."""

from __future__ import annotations

from dataclasses import dataclass

from service.parsing.lexicon import (
    ADDRESSEE_VERBS,
    ANONYMOUS_HEADS,
    BARE_CUES,
    BELIEF_FORMS,
    CUE_FORMS,
    CUE_PREMODIFIERS,
    DETERMINERS,
    NOT_NAMES,
    PRONOUNS,
    QUOTE_CUE_FORMS,
    ROLE_NOUNS,
    TITLE_PREMODIFIERS,
)
from service.parsing.speakers import NAME_CONNECTORS, Cast, Entity
from service.parsing.text import Token

# Words after an anonymous head that open its postmodifier: "people familiar with the matter".
_POSTMODIFIERS = frozenset(
    {"familiar", "close", "for", "at", "with", "in", "from", "of", "to", "on", "briefed", "who"}
)
_STOP_WORDS = frozenset(
    {"that", "which", "and", "but", "or", "as", "because", "if", "when", "while", "so", "than",
     "is", "was", "are", "were", "be", "been", "has", "have", "had", "will", "would", "not",
     "without", "about", "with", "from", "into", "by", "after", "before", "during", "against",
     "over", "under", "through", "despite", "like"}
)
POSSESSIVES = frozenset({"his", "her", "their", "its", "our", "my", "your"})
# Words before a cue's form that make it a noun: "the report", "his comments", "these claims".
NOUN_MARKERS = POSSESSIVES | {"the", "a", "an", "these", "those"}
TIME_WORDS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
     "yesterday", "tonight", "morning", "afternoon", "evening", "night", "week", "month", "year",
     "last", "this", "on"}
)
_INTRODUCTIONS = frozenset(
    {"in", "on", "at", "after", "before", "during", "since", "for", "from", "with", "by", "as",
     "when", "while", "although", "though", "if", "because", "but", "and", "so", "yet", "still",
     "however", "meanwhile", "later", "earlier", "then", "now", "also", "speaking", "asked"}
)
_ADDRESSEES = frozenset({"reporters", "journalists", "supporters", "the", "a", "an", "me", "us",
                         "him", "her", "them", "crowd", "audience", "viewers", "listeners"})


@dataclass(frozen=True, slots=True)
class Attribution:
    cue: tuple[int, int] | None
    source: tuple[int, int] | None
    entity: Entity | None
    cue_index: int = -1  # token index of the cue in the searched tokens
    base: str = ""  # the cue's base verb


def is_cue(token: Token, quoted: bool) -> str | None:
    word = token.lower
    base = (QUOTE_CUE_FORMS if quoted else CUE_FORMS).get(word) or BELIEF_FORMS.get(word)
    if base is None:
        return None
    if token.is_capital and not (word.endswith("ing") or word == "according"):
        return None  # "The Huffington Post", "Report"
    if word == base and base not in BARE_CUES:
        return None  # "a question", "the report": nouns far more often than verbs
    return base


def _is_head(token: Token) -> bool:
    return token.lower in ANONYMOUS_HEADS or token.lower in ROLE_NOUNS


def np_before(tokens: list[Token], end: int, lo: int) -> tuple[int, int] | None:
    """Token range [i, end) of the noun phrase that ends at tokens[end - 1]."""
    k = end - 1
    if k < lo:
        return None
    if tokens[k].text == ")":  # "Rep. Ann Lee (D-Ohio) said"
        opening = k - 1
        while opening >= lo and opening > k - 8 and tokens[opening].text != "(":
            opening -= 1
        if opening < lo or tokens[opening].text != "(":
            return None
        found = np_before(tokens, opening, lo)
        return (found[0], end) if found else None
    last = tokens[k]
    if last.lower in PRONOUNS or last.lower == "who":
        return k, end
    if last.lower in _STOP_WORDS and not last.is_capital:
        return None
    if last.text == "¤" or not last.is_word:
        return None
    i = k
    quoted_name = k >= 1 and tokens[k - 1].text in {"”", '"'} and \
        last.lower not in DETERMINERS  # "“...,” Read said"
    if last.is_capital and (last.bare not in NOT_NAMES or quoted_name):
        while i - 1 >= lo:
            prev = tokens[i - 1]
            if (prev.is_capital and prev.is_word and not prev.possessive
                    and prev.bare not in NOT_NAMES) or (
                prev.lower in NAME_CONNECTORS and i - 2 >= lo and tokens[i - 2].is_capital
            ):
                i -= 1
            elif prev.lower in TITLE_PREMODIFIERS or prev.lower in {"former", "the"}:
                i -= 1
                if prev.lower == "the":
                    break
            else:
                break
        if tokens[i].bare in NOT_NAMES and tokens[i].lower not in {"the"}:
            return None
        return i, end
    # a lowercase head: walk back over modifiers to a determiner (or a capitalised modifier)
    if not _is_head(last):
        # "people familiar with the matter said": find an anonymous head a few words back
        for h in range(k - 1, max(lo, k - 7) - 1, -1):
            if tokens[h].text in {",", "¤"}:
                break
            if _is_head(tokens[h]) and h + 1 < end and tokens[h + 1].lower in _POSTMODIFIERS:
                found = np_before(tokens, h + 1, lo)
                return (found[0], end) if found else (h, end)
        d = k - 1  # "the paper said", ", a city engineer said"
        while d >= lo and d > k - 4 and tokens[d].lower.isalpha() and not tokens[d].is_capital \
                and tokens[d].lower not in DETERMINERS and tokens[d].lower not in _STOP_WORDS:
            d -= 1
        if d >= lo and tokens[d].lower in {"the", "a", "an"} and last.lower.isalpha() and (
            d == k - 1 or d == lo or tokens[d - 1].text in {",", "¤", "”", '"'}
        ):
            return d, end
        return None
    while i - 1 >= lo and k - i < 6:
        prev = tokens[i - 1]
        if prev.lower in DETERMINERS or prev.text.isdigit():
            i -= 1
            if tokens[i - 1].possessive if i - 1 >= lo else False:
                continue
            break
        if prev.possessive and prev.is_capital:
            i -= 1
            while i - 1 >= lo and tokens[i - 1].is_capital and tokens[i - 1].is_word:
                i -= 1
            break
        if prev.is_word and prev.lower not in _STOP_WORDS and not is_cue(prev, True) and (
            prev.is_capital or prev.lower.isalpha() or "-" in prev.text
        ):
            i -= 1
            continue
        break
    if i == k and last.lower not in {"officials", "sources", "people", "experts", "analysts",
                                     "aides", "critics", "democrats", "republicans"}:
        return None  # a bare singular noun is no source ("officials said" is one)
    return i, end


def _np_after(tokens: list[Token], start: int, hi: int) -> tuple[int, int] | None:
    if start >= hi:
        return None
    first = tokens[start]
    if first.lower in PRONOUNS and first.lower not in {"it", "i"}:
        return start, start + 1
    if not first.is_word:
        return None
    if first.lower in POSSESSIVES:  # "according to his personal physician"
        j = start + 1
        while j < hi and j - start < 6 and tokens[j].is_word and not tokens[j].is_capital and \
                tokens[j].lower not in _STOP_WORDS:
            j += 1
        return (start, j) if j > start + 1 else None
    j = start
    capital_run = False
    while j < hi and j - start < 9:
        tok = tokens[j]
        if not tok.is_word:
            break
        if (tok.is_capital and tok.bare not in NOT_NAMES) or tok.text.isupper():
            capital_run = True
        elif (capital_run and tok.lower not in NAME_CONNECTORS) or tok.lower in _STOP_WORDS \
                or (is_cue(tok, True) and j > start):
            break
        j += 1
        if tok.possessive and j < hi and not tokens[j].is_capital:
            continue
    while j > start and (tokens[j - 1].lower in NAME_CONNECTORS or tokens[j - 1].lower == "the"):
        j -= 1
    if j == start:
        return None
    if not capital_run and not any(_is_head(t) for t in tokens[start:j]) and \
            not (tokens[start].lower in {"the", "a", "an"} and j - start >= 2):
        return None
    return start, j


def subject_np(tokens: list[Token], lo: int, hi: int) -> tuple[int, int] | None:
    """The noun phrase opening a clause at tokens[lo] (or after an opening "Soon after,")."""
    starts = [lo] + [k + 1 for k in range(lo, min(hi, lo + 8)) if tokens[k].text == ","]
    for start in starts:
        if start >= hi:
            break
        first = tokens[start]
        if first.lower in PRONOUNS and first.lower not in {"it", "i"}:
            return start, start + 1
        if first.lower in _INTRODUCTIONS:
            continue
        k = start
        if first.lower in DETERMINERS or first.lower in {"his", "her", "their", "its"}:
            k += 1
        end = -1
        while k < hi and k - start < 6 and tokens[k].is_word:
            tok = tokens[k]
            if tok.is_capital and tok.bare not in NOT_NAMES:
                end = k + 1
            elif _is_head(tok) or (tok.lower in NAME_CONNECTORS and end > 0):
                end = k + 1 if _is_head(tok) else end
            elif end > 0 or tok.lower in _STOP_WORDS or is_cue(tok, True):
                break
            k += 1
            if tokens[k - 1].possessive:
                continue
        if end > 0:
            return start, end
    return None


def _skip_appositive(tokens: list[Token], k: int, lo: int) -> int:
    """With tokens[k] == ',' closing "X, a Y at Z,", the index just past X (else k + 1)."""
    j = k - 1
    while j >= lo and k - j <= 40:
        while j >= lo and tokens[j].text not in {",", "¤", ";", ":", "(", ")"}:
            j -= 1
        if j < lo or tokens[j].text != "," or j + 1 >= k or k - j > 40:
            return k + 1
        opener = tokens[j + 1]
        before = tokens[j - 1] if j - 1 >= lo else None
        if (opener.lower in DETERMINERS or opener.lower in {"who", "whose", "which"}
                or opener.text.isdigit() or opener.lower in TITLE_PREMODIFIERS
                or opener.lower.endswith("ing") or opener.lower in {"both", "each", "all"}
                or (not opener.is_capital and opener.is_word and before is not None
                    and (before.is_capital or before.text == ")" or _is_head(before)))
                or (opener.is_capital and before is not None and before.is_capital
                    and (any(t.lower in {"of", "for", "at"} for t in tokens[j + 1:k])
                         or opener.possessive or opener.text[:2] in {"R-", "D-", "I-"}))):
            return j
        if not (opener.is_capital and before is not None and before.is_capital):
            return k + 1
        j -= 1  # "X, a salesman from Sumter, South Carolina, says": a place, look further back
    return k + 1
    opener = tokens[j + 1]
    before = tokens[j - 1] if j - 1 >= lo else None
    if (opener.lower in DETERMINERS or opener.lower in {"who", "whose", "which"}
            or opener.text.isdigit() or opener.lower in TITLE_PREMODIFIERS
            or opener.lower.endswith("ing") or opener.lower in {"both", "each", "all"}
            or (not opener.is_capital and opener.is_word and before is not None
                and (before.is_capital or before.text == ")" or _is_head(before)))
            or (opener.is_capital and before is not None and before.is_capital
                and (any(t.lower in {"of", "for", "at"} for t in tokens[j + 1:k])
                     or opener.possessive or opener.text[:2] in {"R-", "D-", "I-"}))):
        return j
    return k + 1


class Resolver:
    """Turns token ranges into source spans and entities of the cast."""

    def __init__(self, cast: Cast, sentence_starts: list[int]) -> None:
        self.cast = cast
        self.sentence_starts = sentence_starts
        self.memo: dict[tuple[int, int], Entity | None] = {}

    def entity(self, tokens: list[Token], i: int, j: int) -> Entity | None:
        key = (tokens[i].start, tokens[j - 1].end)
        if key not in self.memo:
            self.memo[key] = self._entity(tokens, i, j)
        return self.memo[key]

    def _entity(self, tokens: list[Token], i: int, j: int) -> Entity | None:
        if j - i > 2 and tokens[j - 1].text == ")":  # "Rep. Ann Lee (D-Ohio)": the name
            opening = max(k for k in range(i, j) if tokens[k].text == "(") \
                if any(t.text == "(" for t in tokens[i:j]) else i
            return self.entity(tokens, i, opening) if opening > i else None
        words = tokens[i:j]
        first, last = words[0], words[-1]
        start, end = first.start, last.start + len(last.bare)
        if len(words) == 1 and first.lower in PRONOUNS:
            return self.cast.resolve_pronoun(first.text, first.start, self.sentence_starts)
        if len(words) == 1 and first.lower == "who":  # "X, who told Congress: ..."
            k = i - 1
            while k >= 0 and tokens[k].text == ",":
                k -= 1
            antecedent = np_before(tokens, k + 1, max(0, k - 8)) if k >= 0 else None
            if antecedent is None or tokens[antecedent[1] - 1].lower == "who":
                return None
            return self.entity(tokens, *antecedent)
        heads = [w for w in words if w.lower in ANONYMOUS_HEADS]
        if first.lower == "the" and len(words) <= 3 and last.lower in ROLE_NOUNS:
            role = self.cast.resolve_role(" ".join(w.lower for w in words[1:]), start)
            if role is not None:
                self.cast.mention(role, self.cast.text[start:end], start, end)
                return role
        if heads and not (last.is_capital and heads[-1] is not last and not last.possessive
                          and last.bare not in NOT_NAMES and heads[-1].lower != "people"):
            return self.cast.anonymous(words, heads[-1], start, end)
        capitals = [w for w in words if w.is_capital or w.lower in NAME_CONNECTORS
                    or w.lower in TITLE_PREMODIFIERS or w.lower == "the"]
        if capitals and words[-1].is_capital:
            k = 0
            while k < len(words) and not words[k].is_capital and words[k].lower != "the":
                k += 1
            names = words[k:]
            if names:
                return self.cast.named(names, names[0].start, end)
        if (first.lower in {"the", "a", "an"} or first.lower in POSSESSIVES) and len(words) >= 2:
            return self.cast.anonymous(words, last, start, end)
        return None

    @staticmethod
    def is_pronoun(tokens: list[Token], i: int, j: int) -> bool:
        return j == i + 1 and tokens[i].lower in PRONOUNS

    def span(self, tokens: list[Token], i: int, j: int) -> tuple[int, int]:
        return tokens[i].start, tokens[j - 1].start + len(tokens[j - 1].bare)

    def before(self, tokens: list[Token], ci: int, lo: int, quoted: bool) -> Attribution | None:
        """The source ending right before the cue at tokens[ci] ("Trump has said")."""
        base = is_cue(tokens[ci], quoted) or ""
        if ci - 1 >= lo and (tokens[ci - 1].possessive or tokens[ci - 1].lower in NOUN_MARKERS):
            return None  # "Trump's comments", "the claims": a noun, not a cue
        k = ci
        while k - 1 >= lo and ((tokens[k - 1].lower in CUE_PREMODIFIERS
                                and not tokens[k - 1].is_capital)
                               or tokens[k - 1].lower in TIME_WORDS
                               or (tokens[k - 1].lower.endswith("ly") and tokens[k - 1].is_word
                               and not tokens[k - 1].is_capital)):
            k -= 1
        comma = k - 1 >= lo and tokens[k - 1].text == ","
        if comma:
            k = _skip_appositive(tokens, k - 1, lo)
        found = np_before(tokens, k, lo)
        span_start = -1
        if found is None and comma:
            # "his wife, Ana Pop, wrote": the name, its span from the noun it renames
            inner = np_before(tokens, k - 1, lo) if tokens[k - 1].text == "," else None
            if inner is None or inner[0] - 1 < lo or tokens[inner[0] - 1].text != ",":
                return None
            outer = np_before(tokens, inner[0] - 1, lo)
            if outer is None or not any(_is_head(t) for t in tokens[outer[0]:outer[1]]):
                return None
            found, span_start = inner, tokens[outer[0]].start
        if found is None:
            return None
        entity = self.entity(tokens, *found)
        if entity is None and not self.is_pronoun(tokens, *found):
            return None
        cue = (tokens[ci].start, tokens[ci].end)
        span = self.span(tokens, *found)
        if span_start >= 0:
            span = (span_start, span[1])
        return Attribution(cue, span, entity, ci, base)

    def after(self, tokens: list[Token], ci: int, hi: int, quoted: bool) -> Attribution | None:
        """The source right after the cue ("said Trump", "according to the ministry")."""
        base = is_cue(tokens[ci], quoted) or ""
        start = ci + 1
        if tokens[ci].lower == "according" and start < hi and tokens[start].lower == "to":
            start += 1
            base = "according to"
        found = _np_after(tokens, start, hi)
        if found is None:
            return None
        entity = self.entity(tokens, *found)
        if entity is None and not self.is_pronoun(tokens, *found):
            return None
        cue_end = tokens[start - 1].end
        return Attribution((tokens[ci].start, cue_end), self.span(tokens, *found), entity, ci,
                           base)


def content_start(tokens: list[Token], ci: int, hi: int, base: str) -> int:
    """Token index where reported content begins after a cue ("said [in a statement] that")."""
    k = ci + 1
    if base in ADDRESSEE_VERBS:
        while k < hi and tokens[k].is_word and tokens[k].lower != "that" and k - ci < 5 and (
            tokens[k].lower in _ADDRESSEES or tokens[k].is_capital
        ):
            k += 1
    while k < hi and tokens[k].lower in {"in", "on", "at", "during", "to", "via"} and k - ci < 8:
        j = k + 1
        while j < hi and tokens[j].is_word and tokens[j].lower != "that" and j - k < 5:
            j += 1
        if j < hi and (tokens[j].lower == "that" or tokens[j].text == ","):
            k = j
        else:
            break
    while k < hi and tokens[k].text in {",", ":"}:
        k += 1
    if k < hi and tokens[k].lower == "that":
        k += 1
    return k
