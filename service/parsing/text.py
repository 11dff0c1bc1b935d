"""Tokens and sentences over article text, with code-point offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from service.parsing.lexicon import NOT_NAMES

# Abbreviations whose dot does not end a sentence.
ABBREVIATIONS: Final = frozenset(
    {
        "Mr", "Mrs", "Ms", "Dr", "Sen", "Rep", "Gov", "Gen", "Lt", "Col", "Adm", "Rev", "St",
        "Jr", "Sr", "Inc", "Corp", "Co", "No", "Sgt", "Capt", "Maj", "Prof", "Mt", "Ft", "vs",
        "Jan", "Feb", "Mar", "Apr", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec", "Ltd", "Pres",
        "Supt", "Cmdr", "Hon", "Messrs", "approx", "e.g", "i.e", "etc", "Ariz", "Calif",
        "Fla", "Ill", "Mass", "Mich", "Minn", "Penn", "Tenn", "Va", "Wash", "Wis", "Ky", "La",
        "Md", "Mo", "Nev", "Okla", "Ore", "Pa", "Conn", "Del", "Ga", "Ind", "Kan", "Neb", "Colo",
    }
)

TOKEN: Final = re.compile(
    r"(?:[A-Z]\.){2,}"  # U.S., D.C.
    r"|(?:" + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + r")\.(?=\s|$)"
    r"|[A-Z]\.(?=\s[A-Z][a-z])"  # a middle initial: "Richard J. Durbin"
    r"|[RDI]-(?:(?:[A-Z]\.){2}|[A-Z][A-Za-z]{0,5}\.)(?=[\s,;)])"  # party, state: "R-Ky.", "D-S.C."
    r"|\w+(?:[’'\-]\w+)*[’']?"
    r"|¤+"
    r"|[^\w\s]",
)


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str
    lower: str = ""  # text.lower(), computed once: the rules ask for it very often

    def __post_init__(self) -> None:
        if not self.lower and self.text:
            object.__setattr__(self, "lower", self.text.lower())

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalnum()

    @property
    def is_capital(self) -> bool:
        return self.text[:1].isupper()

    @property
    def bare(self) -> str:
        """The word without a possessive ending."""
        if self.text.endswith(("’s", "'s")) and len(self.text) > 2:
            return self.text[:-2]
        if self.text.endswith(("s’", "s'")) and len(self.text) > 2:
            return self.text[:-1]
        return self.text

    @property
    def possessive(self) -> bool:
        return self.bare != self.text


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    stop = len(text) if end is None else end
    return [
        Token(m.start(), m.end(), word, word.lower())
        for m in TOKEN.finditer(text, start, stop)
        for word in (m.group(0),)
    ]


_BOUNDARY: Final = re.compile(r"[.!?]+[”’\"')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9¤])|[.!?]+[”’\"')\]]*$")


def sentences(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of one paragraph. `masked` hides quoted words, so quotes never split."""
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _BOUNDARY.finditer(masked, start, end):
        stop = match.end()
        word = re.search(r"(\S+)$", masked[begin:match.start() + 1])
        if word is not None and match.group(0)[0] == ".":
            last = word.group(1).rstrip(".").lstrip("\"“‘'(")
            if last in ABBREVIATIONS or (len(last) == 1 and last.isupper()):
                continue
            if re.fullmatch(r"(?:[A-Z]\.)+[A-Z]", last):  # U.S. ends a sentence only before
                following = re.match(r"\s+(\w+)", masked[stop:end])  # a word that starts one
                if following is None or following.group(1) not in NOT_NAMES:
                    continue
        spans.append((begin, stop))
        begin = stop
        while begin < end and masked[begin].isspace():
            begin += 1
    if begin < end:
        spans.append((begin, end))
    return spans
