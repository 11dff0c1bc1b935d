"""The readable text of an HTML page, for articles saved as web pages."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _HTMLText(HTMLParser):
    BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "li", "title", "article", "section", "tr", "blockquote"}
    SKIP = {"script", "style", "head", "nav", "footer", "noscript"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.lines: list[str] = [""]
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        if tag in self.BLOCKS:
            self.lines.append("")

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop() != tag:
            pass
        if tag in self.BLOCKS:
            self.lines.append("")

    def handle_data(self, data: str) -> None:
        if "title" in self.stack:
            self.title.append(data)
        elif not self.SKIP.intersection(self.stack):
            self.lines[-1] += data


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:1000].lower()
    return head.startswith(("<!doctype html", "<html")) or len(re.findall(r"</?(p|div|br|span|a)\b", head)) >= 3


def html_to_text(html: str) -> str:
    """The readable text of an HTML page: its title line, then one line per paragraph."""
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in parser.lines]
    title = " ".join("".join(parser.title).split())
    body = [line for line in lines if line]
    if title and (not body or body[0] != title):
        body.insert(0, title)
    return "\n".join(body) + "\n"
