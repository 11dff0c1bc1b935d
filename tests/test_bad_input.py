"""Bad articles: a clear per-file error or a sensible import, never a traceback or a half-written row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.parsing import parse_article
from service.parsing.quotes import extract_quotes
from tests.live import environment, run_cli

SEED = "“We will build the bridge,” said Mayor Ana Lund."


def _import(tmp_path: Path, name: str, data: bytes) -> dict[str, object]:
    env = environment(DATABASE_URL=f"sqlite://{tmp_path}/bad.sqlite3", QUOTEGRAPH_MAX_ARTICLE_BYTES="20000000")
    path = tmp_path / name
    path.write_bytes(data)
    done = run_cli("import", str(path), "--json", env=env)
    assert "Traceback" not in done.stderr, done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    result = report["results"][0]  # type: ignore[index]
    assert isinstance(result, dict)
    assert done.returncode == (1 if result["status"] == "failed" else 0)
    return result


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("empty.txt", b"", "the article is empty"),
        ("blank.txt", b"\n \r\n\t\n", "the article is empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not valid UTF-8"),
        ("nul.txt", b"Title\nText\x00with a NUL byte", "NUL bytes"),
        ("latin1.txt", "Café crème\nDéjà vu".encode("latin-1"), "not valid UTF-8 (byte 3"),
        ("huge.txt", b"Title\n" + b"word " * 5_000_000, "an article may have at most 20,000,000"),
    ],
)
def test_unusable_files_get_a_clear_error(tmp_path: Path, name: str, data: bytes, error: str) -> None:
    result = _import(tmp_path, name, data)
    assert result["status"] == "failed"
    assert error in str(result["error"])


@pytest.mark.parametrize(
    ("name", "data", "title", "quotes"),
    [
        ("crlf.txt", f"Bridge plan\r\n{SEED}\r\n".encode(), "Bridge plan", ["We will build the bridge,"]),
        ("title-only.txt", b"Just a headline\n", "Just a headline", []),
        (
            "unbalanced.txt",
            "Odd marks\n“We will build the bridge, said Mayor Ana Lund.\nNo one agreed.\n".encode(),
            "Odd marks",
            None,
        ),
        (
            "page.html",
            f"<!DOCTYPE html><html><head><title>Bridge plan</title></head><body><p>{SEED}</p></body></html>".encode(),
            "Bridge plan",
            ["We will build the bridge,"],
        ),
    ],
)
def test_awkward_files_import_sensibly(
    tmp_path: Path, name: str, data: bytes, title: str, quotes: list[str] | None
) -> None:
    result = _import(tmp_path, name, data)
    assert result["status"] == "imported", result
    assert result["title"] == title
    env = environment(DATABASE_URL=f"sqlite://{tmp_path}/bad.sqlite3")
    exported = json.loads(run_cli("export", env=env).stdout.splitlines()[0])
    found = [q["text"] for q in exported["annotations"]["quotes"]]
    if quotes is not None:
        assert found == quotes
    else:  # an unclosed mark must not swallow the rest of the article
        assert all(len(text) < 60 for text in found)
    for quote in exported["annotations"]["quotes"]:
        start, end = quote["span"]
        assert 0 <= start <= end <= len(exported["text"])


MARKS = st.sampled_from(
    ["“", "”", '"', "‘", "’", "'", "«", "»", "\n", "\r\n", ",", ".", ":", " said ", " He ", "According to "]
)
TEXT = st.lists(st.one_of(MARKS, st.text(max_size=12)), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_extractor_never_raises_and_every_span_is_exact(text: str) -> None:
    quotes, speakers = extract_quotes(text)
    keys = {speaker.key for speaker in speakers}
    for quote in quotes:
        spans = [quote.span, quote.cue, quote.source, *quote.parts]
        for span in spans:
            if span is not None:
                assert 0 <= span.start <= span.end <= len(text)
                assert text[span.start : span.end] == span.text
        assert quote.speaker is None or quote.speaker in keys


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_parse_article_either_parses_or_says_why(text: str) -> None:
    try:
        parsed = parse_article(text)
    except ValueError as exc:
        assert str(exc)
        return
    assert parsed.text == text
    for country in parsed.countries:
        for mention in country.mentions:
            assert text[mention.start : mention.end] == mention.text
