"""Cues and sources: who says it, found around a position in a sentence's tokens."""

from __future__ import annotations

from dataclasses import dataclass

from service.parsing.heads import ANONYMOUS_HEADS
from service.parsing.lexicon import (
    ADDRESSEE_VERBS,
    CUE_PREMODIFIERS,
    NOT_NAMES,
    PLURAL_NOUN_FORMS,
    PRONOUNS,
    ROLE_NOUNS,
    TITLE_PREMODIFIERS,
)
from service.parsing.phrases import (
    NOUN_MARKERS,
    POSSESSIVES,
    TIME_WORDS,
    is_cue,
    is_head,
    np_after,
    np_before,
    skip_appositive,
)
from service.parsing.speakers import NAME_CONNECTORS, Cast, Entity
from service.parsing.text import Token

_ADDRESSEES = frozenset({"reporters", "journalists", "supporters", "the", "a", "an", "me", "us",
                         "him", "her", "them", "crowd", "audience", "viewers", "listeners"})


@dataclass(frozen=True, slots=True)
class Attribution:
    cue: tuple[int, int] | None
    source: tuple[int, int] | None
    entity: Entity | None
    cue_index: int = -1  # token index of the cue in the searched tokens
    base: str = ""  # the cue's base verb


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
        if len(words) == 1 and first.bare.lower() in PRONOUNS:
            return self.cast.resolve_pronoun(first.bare, first.start, self.sentence_starts)
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
        if (first.lower in {"the", "a", "an"} or first.lower in POSSESSIVES or (
            len(words) >= 2 and words[-2].possessive and words[-2].is_capital
        )) and len(words) >= 2 and last.is_word:
            return self.cast.anonymous(words, last, start, end)
        return None

    @staticmethod
    def is_pronoun(tokens: list[Token], i: int, j: int) -> bool:
        return j == i + 1 and tokens[i].bare.lower() in PRONOUNS

    def span(self, tokens: list[Token], i: int, j: int) -> tuple[int, int]:
        return tokens[i].start, tokens[j - 1].start + len(tokens[j - 1].bare)

    def before(self, tokens: list[Token], ci: int, lo: int, quoted: bool) -> Attribution | None:
        """The source ending right before the cue at tokens[ci] ("Trump has said")."""
        base = is_cue(tokens[ci], quoted) or ""
        if ci - 1 >= lo and ((tokens[ci - 1].possessive
                              and tokens[ci - 1].bare.lower() not in PRONOUNS)
                             or tokens[ci - 1].lower in NOUN_MARKERS):
            return None  # "Trump's comments", "the claims": a noun, not a cue
        if ci - 1 >= lo and tokens[ci].lower in PLURAL_NOUN_FORMS and tokens[ci - 1].is_capital \
                and tokens[ci - 1].lower.endswith(("an", "ic", "ish", "ese")):
            return None  # "Republican claims", "Democratic comments"
        k = ci
        while k - 1 >= lo and ((tokens[k - 1].lower in CUE_PREMODIFIERS
                                and not tokens[k - 1].is_capital)
                               or tokens[k - 1].lower in TIME_WORDS
                               or (tokens[k - 1].lower.endswith("ly") and tokens[k - 1].is_word
                               and not tokens[k - 1].is_capital)):
            k -= 1
        comma = k - 1 >= lo and tokens[k - 1].text == ","
        if comma:
            k = skip_appositive(tokens, k - 1, lo)
            if k < ci and k > lo and tokens[k].text == ",":  # "X, a lawyer, one of five, said"
                again = skip_appositive(tokens, k, lo)
                if again <= k:
                    k = again
        found = np_before(tokens, k, lo)
        span_start = -1
        if found is None and comma:
            # "his wife, Ana Pop, wrote": the name, its span from the noun it renames
            inner = np_before(tokens, k - 1, lo) if tokens[k - 1].text == "," else None
            if inner is None or inner[0] - 1 < lo or tokens[inner[0] - 1].text != ",":
                return None
            outer = np_before(tokens, inner[0] - 1, lo)
            if outer is None or not any(is_head(t) for t in tokens[outer[0]:outer[1]]):
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
        found = np_after(tokens, start, hi)
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
    j = k
    while j < hi and tokens[j].lower in TIME_WORDS and j - k < 3:  # "said Sunday that"
        j += 1
    if j > k and j < hi and tokens[j].lower == "that":
        k = j
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
