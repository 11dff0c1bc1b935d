"""Pure parsing: article text -> frozen records with character spans. No database, no I/O."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from service.parsing.agreements import find_agreements
from service.parsing.countries import find_countries
from service.parsing.quotes import extract_quotes
from service.parsing.records import ParsedArticle

__all__ = ["ArticleError", "content_hash", "parse_article"]

MAX_TITLE_LENGTH = 500

# "WASHINGTON (AP) — ...", "Washington: ...", "LONDON, March 3 (Reuters) - ..."
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Za-z.'’ -]{1,40}?(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?)"
    r"\s*(?:\((?P<publisher>[A-Z][\w .&-]{0,40})\))?\s*(?::|—|–|--|-)\s+"
)


class ArticleError(ValueError):
    """The text cannot be imported as an article; the message says why."""


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _title_and_body_start(text: str) -> tuple[str, int]:
    for match in re.finditer(r"[^\r\n]+", text):
        line = match.group(0).strip()
        if line:
            return line, match.end()
    raise ArticleError("the article is empty: it needs a title line and some text")


def parse_article(text: str, title: str | None = None) -> ParsedArticle:
    """Parse a document into an article's records; without `title`, its first non-empty line is it.

    Raises ArticleError when the text holds no title or is not text at all.
    """
    if "\x00" in text:
        raise ArticleError("the file holds NUL bytes: it looks binary, not text")
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        raise ArticleError("the text holds lone surrogate code points: it is not valid Unicode")
    if title is not None and title.strip():
        title, body_start = title.strip(), 0
    else:
        title, body_start = _title_and_body_start(text)
    if len(title) > MAX_TITLE_LENGTH:
        raise ArticleError(
            f"the first line is {len(title)} characters long; a title may have at most {MAX_TITLE_LENGTH}"
        )
    body = text[body_start:].lstrip()
    dateline = publisher = None
    if match := _DATELINE.match(body):
        dateline = match.group("place").strip()
        publisher = match.group("publisher")
    quotes, speakers = extract_quotes(text)
    return ParsedArticle(
        title=title,
        text=text,
        dateline=dateline,
        publisher=publisher,
        quotes=quotes,
        speakers=speakers,
        countries=find_countries(text),
        agreements=find_agreements(text),
        content_hash=content_hash(text),
    )
