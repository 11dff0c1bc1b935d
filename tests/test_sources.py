from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.htmltext import html_to_text
from service.parsing import ArticleError
from service.sources import ArticleInput, article_from_json, parse_datetime, read_records


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05T10:00:00Z", datetime(2024, 3, 5, 10, tzinfo=UTC)),
        ("2024-03-05T12:00:00+02:00", datetime(2024, 3, 5, 10, tzinfo=UTC)),
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
        ("March 5, 2024", datetime(2024, 3, 5, tzinfo=UTC)),
        ("5 March 2024 10:00", datetime(2024, 3, 5, 10, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 10:00:00 GMT", datetime(2024, 3, 5, 10, tzinfo=UTC)),
    ],
)
def test_parse_datetime_reads_iso_and_common_formats(value: str, expected: datetime) -> None:
    assert parse_datetime(value) == expected


@pytest.mark.parametrize("value", ["", "soon", "the day after tomorrow", 20240305])
def test_parse_datetime_refuses_what_is_not_a_date(value: object) -> None:
    with pytest.raises(ArticleError, match="publishedAt"):
        parse_datetime(value)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ([], "a record must be a JSON object, not list"),
        ({"title": "x"}, "`text` is required"),
        ({"text": "  "}, "`text` is required"),
        ({"text": "x", "url": 5}, "`url` must be a string, not int"),
        ({"text": "x", "author": "me"}, "unknown field(s) 'author'"),
        ({"text": "x", "title": "t" * 501}, "`title` is 501 characters long"),
    ],
)
def test_bad_records_name_the_field(record: object, message: str) -> None:
    with pytest.raises(ArticleError) as raised:
        article_from_json(record)
    assert message in str(raised.value)


def test_identity_is_external_id_then_url_then_text() -> None:
    by_id = ArticleInput(text="a", external_id="x-1", url="https://e.org/1")
    assert by_id.identity == ArticleInput(text="changed", external_id="x-1").identity
    by_url = ArticleInput(text="a", url="https://e.org/1")
    assert by_url.identity == ArticleInput(text="changed", url="https://e.org/1").identity
    assert by_url.identity != by_id.identity
    assert ArticleInput(text="a").identity != ArticleInput(text="b").identity


def test_read_records_names_each_line(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"text": "One\\nBody."}\n\nnot json\n{"text": "Two\\nBody."}\n', encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("Three\nBody.\n", encoding="utf-8")
    many = tmp_path / "many.json"
    many.write_text('[{"text": "Four\\nBody."}, {"text": 4}]', encoding="utf-8")

    records = list(read_records([tmp_path]))
    summary = [(Path(r.origin).name, r.input.text.split("\n")[0] if r.input else r.error) for r in records]
    assert summary == [
        ("a.txt", "Three"),
        ("feed.jsonl:1", "One"),
        ("feed.jsonl:3", summary[2][1]),
        ("feed.jsonl:4", "Two"),
        ("many.json[0]", "Four"),
        ("many.json[1]", "`text` is required and must be a non-empty string"),
    ]
    assert str(summary[2][1]).startswith("not valid JSON")


def test_html_becomes_readable_text() -> None:
    page = (
        "<!DOCTYPE html><html><head><title>Port reopens</title><style>p{}</style></head>"
        "<body><nav>Home</nav><p>&ldquo;We are open,&rdquo; said Mayor Ana Lund.</p><p>More <b>news</b>.</p>"
        "<script>var x = 1;</script></body></html>"
    )
    assert html_to_text(page) == "Port reopens\n“We are open,” said Mayor Ana Lund.\nMore news.\n"
