"""Quotation marks: which characters open and close a quotation, paragraph by paragraph."""

from __future__ import annotations

from dataclasses import dataclass

from service.parsing.lexicon import (
    CLOSING_DOUBLE,
    CLOSING_SINGLE,
    OPENING_DOUBLE,
    OPENING_SINGLE,
    STRAIGHT_DOUBLE,
    STRAIGHT_SINGLE,
)

_OPENING_CONTEXT = frozenset(" \t\n\r([{—–-/:;,\u00a0") | OPENING_DOUBLE | OPENING_SINGLE


@dataclass(frozen=True, slots=True)
class Quotation:
    """A quoted passage: `parts` are (start, end) of the words inside its marks, one a paragraph."""

    parts: tuple[tuple[int, int], ...]

    @property
    def start(self) -> int:
        return self.parts[0][0]

    @property
    def end(self) -> int:
        return self.parts[-1][1]

    @property
    def open_mark(self) -> int:
        return self.parts[0][0] - 1

    @property
    def close_mark(self) -> int:
        """Index just past the closing mark (or the end of the last part when it has none)."""
        return self.parts[-1][1] + 1


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            spans.append((pos + lead, pos + lead + len(stripped)))
        pos = end + 1
    return spans


def _is_letter(ch: str) -> bool:
    return ch.isalnum()


def _single_role(text: str, i: int, start: int, end: int) -> str | None:
    """'open', 'close' or None (an apostrophe) for a single mark at i within [start, end)."""
    ch = text[i]
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < end else " "
    if _is_letter(before) and _is_letter(after):
        return None  # don't, Tokayev's
    if (ch in OPENING_SINGLE or ch == STRAIGHT_SINGLE) and \
            (before in _OPENING_CONTEXT or i == start) and _is_letter(after):
        if after.isdigit() and ch == STRAIGHT_SINGLE:
            return None  # '90s
        return "open"
    if (ch in CLOSING_SINGLE or ch == STRAIGHT_SINGLE) and not before.isspace() and \
            not _is_letter(after):
        return "close"
    return None


def _starts_with_opening(text: str, start: int, end: int) -> bool:
    return start < end and (text[start] in OPENING_DOUBLE or text[start] == STRAIGHT_DOUBLE)


def find_quotations(text: str) -> list[Quotation]:
    """Quoted passages in text order. Single marks count only outside double ones; a paragraph
    left open continues when the next one opens with a mark; any other open mark is dropped."""
    found: list[Quotation] = []
    paras = paragraphs(text)
    carried: list[tuple[int, int]] = []  # parts of a quotation running over paragraphs
    for index, (pstart, pend) in enumerate(paras):
        double_open: int | None = None
        single_open: int | None = None
        if carried:
            double_open = pstart  # the continuation's opening mark sits at pstart
            first = pstart + 1
        else:
            first = pstart
        for i in range(first, pend):
            ch = text[i]
            if ch in OPENING_DOUBLE:
                double_open = i
                single_open = None
                carried = []
            elif ch in CLOSING_DOUBLE or ch == STRAIGHT_DOUBLE:
                if double_open is None:
                    if ch == STRAIGHT_DOUBLE or (i + 1 < pend and _is_letter(text[i + 1])):
                        double_open = i
                        single_open = None
                    continue
                parts = [*carried, (double_open + 1, i)]
                carried = []
                kept = tuple(p for p in parts if p[0] < p[1])
                if kept:
                    found.append(Quotation(kept))
                double_open = None
            elif double_open is None and (ch in OPENING_SINGLE or ch in CLOSING_SINGLE
                                          or ch == STRAIGHT_SINGLE):
                role = _single_role(text, i, pstart, pend)
                if role == "open" and single_open is None:
                    single_open = i
                elif role == "close" and single_open is not None:
                    if i > single_open + 1:
                        found.append(Quotation(((single_open + 1, i),)))
                    single_open = None
        if double_open is not None:
            nxt = paras[index + 1] if index + 1 < len(paras) else None
            if nxt is not None and _starts_with_opening(text, *nxt) and pend > double_open + 1:
                carried = [*carried, (double_open + 1, pend)]
            else:
                carried = []
        else:
            carried = []
    found.sort(key=lambda q: q.start)
    return found
