"""Noun phrases around a cue: the source before it ("the senior official said"), after it
("said Ann Lee"), or opening the clause; and whether a word is a cue at all."""

from __future__ import annotations

from service.parsing.heads import ANONYMOUS_HEADS
from service.parsing.lexicon import (
    BARE_CUES,
    BELIEF_FORMS,
    CUE_FORMS,
    DETERMINERS,
    NOT_NAMES,
    PRONOUNS,
    QUOTE_CUE_FORMS,
    ROLE_NOUNS,
    TITLE_PREMODIFIERS,
)
from service.parsing.speakers import NAME_CONNECTORS
from service.parsing.text import Token

# Words after an anonymous head that open its postmodifier: "people familiar with the matter".
_POSTMODIFIERS = frozenset(
    {"familiar", "close", "for", "at", "with", "in", "from", "of", "to", "on", "briefed", "who"}
)
STOP_WORDS = frozenset(
    {"that", "which", "and", "but", "or", "as", "because", "if", "when", "while", "so", "than",
     "is", "was", "are", "were", "be", "been", "has", "have", "had", "will", "would", "not",
     "without", "about", "with", "from", "into", "by", "after", "before", "during", "against",
     "over", "under", "through", "despite", "like"}
)
_PREPOSITIONS = frozenset({"to", "at", "in", "on", "for", "with", "from", "by", "of", "about"})
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
     "however", "meanwhile", "later", "earlier", "then", "now", "also", "speaking", "asked",
     "outside", "inside", "across", "near", "behind", "among", "amid", "despite", "without"}
)


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


def is_head(token: Token) -> bool:
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
    if last.lower in PRONOUNS or last.lower == "who" or last.bare.lower() in {"he", "she", "it"}:
        return k, end  # "he", "who", "He's claiming"
    if last.lower in STOP_WORDS and not last.is_capital:
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
    if not is_head(last):
        # "people familiar with the matter said": find an anonymous head a few words back
        for h in range(k - 1, max(lo, k - 7) - 1, -1):
            if tokens[h].text in {",", "¤"}:
                break
            if is_head(tokens[h]) and h + 1 < end and (
                tokens[h + 1].lower in _POSTMODIFIERS or tokens[h + 1].lower.endswith("ing")
            ):  # "people familiar with ...", "protesters marching through ..."
                found = np_before(tokens, h + 1, lo)
                return (found[0], end) if found else (h, end)
        if k - 1 >= lo and tokens[k - 1].possessive and tokens[k - 1].is_capital:
            i = k - 1  # "Ivana Lee's brief said"
            while i - 1 >= lo and tokens[i - 1].is_capital and tokens[i - 1].is_word and \
                    tokens[i - 1].bare not in NOT_NAMES:
                i -= 1
            return i, end
        d = k - 1  # "the paper said", ", a city engineer said", "the New York businessman says"
        while d >= lo and d > k - 4 and tokens[d].bare.isalpha() and \
                tokens[d].bare not in NOT_NAMES and tokens[d].lower not in DETERMINERS and \
                tokens[d].lower not in STOP_WORDS:
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
        if prev.is_word and prev.lower not in STOP_WORDS and not is_cue(prev, True) and (
            prev.is_capital or prev.lower.isalpha() or "-" in prev.text
        ):
            i -= 1
            continue
        break
    if i == k and last.lower not in {"officials", "sources", "people", "experts", "analysts",
                                     "aides", "critics", "democrats", "republicans"}:
        return None  # a bare singular noun is no source ("officials said" is one)
    return i, end


def np_after(tokens: list[Token], start: int, hi: int) -> tuple[int, int] | None:
    if start >= hi:
        return None
    first = tokens[start]
    if first.lower in PRONOUNS and first.lower not in {"it", "i"}:
        return start, start + 1
    if not first.is_word or first.lower in _PREPOSITIONS:
        return None
    if first.lower in POSSESSIVES:  # "according to his personal physician"
        j = start + 1
        while j < hi and j - start < 6 and tokens[j].is_word and not tokens[j].is_capital and \
                tokens[j].lower not in STOP_WORDS:
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
        elif (capital_run and tok.lower not in NAME_CONNECTORS) or tok.lower in STOP_WORDS \
                or (is_cue(tok, True) and j > start):
            break
        j += 1
        if tok.possessive and j < hi and not tokens[j].is_capital:
            continue
    while j > start and (tokens[j - 1].lower in NAME_CONNECTORS or tokens[j - 1].lower == "the"):
        j -= 1
    if j == start:
        return None
    if not capital_run and not any(is_head(t) for t in tokens[start:j]) and \
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
            elif is_head(tok) or (tok.lower in NAME_CONNECTORS and end > 0):
                end = k + 1 if is_head(tok) else end
            elif end > 0 or tok.lower in STOP_WORDS or is_cue(tok, True):
                break
            k += 1
            if tokens[k - 1].possessive:
                continue
        if end > 0:
            return start, end
    return None


def skip_appositive(tokens: list[Token], k: int, lo: int) -> int:
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
                    and (before.is_capital or before.text == ")" or is_head(before)))
                or (opener.is_capital and before is not None and before.is_capital
                    and (any(t.lower in {"of", "for", "at"} for t in tokens[j + 1:k])
                         or opener.possessive or opener.text[:2] in {"R-", "D-", "I-"}))):
            return j
        if not (opener.is_capital and before is not None and before.is_capital):
            return k + 1
        j -= 1  # "X, a salesman from Sumter, South Carolina, says": a place, look further back
    return k + 1
