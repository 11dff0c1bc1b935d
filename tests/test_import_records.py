"""Every field of an imported record is accepted or fails that record alone, with its origin and a
reason: through `quotegraph import` (JSON Lines) and through `importArticles`. Sources are read
lazily, a line at a time."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
from hypothesis import strategies as st
from rich.console import Console

from schema.mutations import ArticleInput as GraphQLArticleInput
from service import cli, importer, models, settings
from service.parsing import ArticleError
from service.parsing.dates import event_date
from service.sources import FIELDS, SourceRecord, article_from_json, parse_datetime, read_records
from tests.conftest import BACKENDS, graphql
from tests.live import QUOTEGRAPH, environment, postgres_database, run_cli

TEXT = "Harbour news\n“We open today,” said Mayor Ana Lund.\n"
EDGE_TEXT = "Edge news\nThe port opened yesterday, said Mayor Ana Lund.\n"

# (field, value, what the error says): each must fail its record alone.
BAD_FIELDS: list[tuple[str, Any, str]] = [
    ("publishedAt", "0001-01-01T00:00:00+14:00", "outside the years 1 to 9999"),
    ("publishedAt", "9999-12-31T23:59:59-14:00", "outside the years 1 to 9999"),
    ("publishedAt", "0000-01-01", "cannot read"),
    ("publishedAt", "10000-01-01T00:00:00Z", "cannot read"),
    ("publishedAt", "2024-01-01T00:00:00+99:00", "UTC offset"),
    ("publishedAt", "2024-01-01 00:00 +9999", "UTC offset"),
    ("publishedAt", "2024-01-01 00:00 -2400", "UTC offset"),
    ("publishedAt", "2024-03-05\x00", "NUL"),
    ("publishedAt", "2024-03-05 " + "1" * 5000, "characters long"),
    ("publishedAt", "[/] [red]x", "cannot read"),  # no markup for the terminal's report
    ("publishedAt", 20240305, "must be a date string"),
    ("publishedAt", ["2024-03-05"], "must be a date string"),
    ("title", "Harbour\x00news", "`title` holds a NUL"),
    ("title", 5, "`title` must be a string, not int"),
    ("title", True, "`title` must be a string, not bool"),
    ("title", "t" * 501, "`title` is 501 characters long"),
    ("url", "https://e.org/\x00", "`url` holds a NUL"),
    ("url", {"href": "x"}, "`url` must be a string, not dict"),
    ("url", "https://e.org/" + "a" * 2000, "`url` is 2,014 characters long"),
    ("publisher", "Wire\x00", "`publisher` holds a NUL"),
    ("publisher", 1.5, "`publisher` must be a string, not float"),
    ("publisher", "p" * 201, "`publisher` is 201 characters long"),
    ("language", "en\x00", "`language` holds a NUL"),
    ("language", ["en"], "`language` must be a string, not list"),
    ("language", "e" * 17, "`language` is 17 characters long"),
    ("externalId", "id\x00", "`externalId` holds a NUL"),
    ("externalId", 7, "`externalId` must be a string, not int"),
    ("externalId", "x" * 501, "`externalId` is 501 characters long"),
    ("text", "Title\nBody\x00", "`text` holds a NUL"),
    ("text", 12, "`text` is required and must be a non-empty string"),
    ("text", "", "`text` is required"),
]
# Values only a GraphQL client (json.loads) can send: orjson refuses them in a JSON Lines file.
SURROGATES: list[tuple[str, Any, str]] = [
    (name, value, f"`{name}` holds a lone surrogate")
    for name, value in [
        ("title", "Harbour \ud800"),
        ("url", "https://e.org/\udfff"),
        ("publisher", "\udc80Wire"),
        ("language", "e\ud801"),
        ("externalId", "id-\ud800"),
        ("text", "Title\nBody \ud800"),
        ("publishedAt", "2024-03-05\ud800"),
    ]
]
# Values at the edge that are fine.
GOOD_FIELDS: list[tuple[str, Any]] = [
    ("publishedAt", "0001-01-01T00:00:00Z"),
    ("publishedAt", "0001-01-01T00:00:00-14:00"),
    ("publishedAt", "9999-12-31T23:59:59Z"),
    ("publishedAt", "9999-12-31T23:59:59+14:00"),
    ("title", "  "),
    ("language", "e" * 16),
    ("externalId", "x" * 500),
]


def _record(field: str, value: Any, n: int) -> dict[str, Any]:
    record: dict[str, Any] = {"text": EDGE_TEXT, "externalId": f"rec-{n}"}
    record[field] = value
    return record


@pytest.mark.parametrize(("field", "value", "message"), BAD_FIELDS + SURROGATES)
def test_article_from_json_fails_a_bad_field_with_its_name(field: str, value: Any, message: str) -> None:
    with pytest.raises(ArticleError) as raised:
        article_from_json(_record(field, value, 0))
    assert message in str(raised.value)
    assert len(str(raised.value)) < 300


# The GraphQL input types its fields as strings: GraphQL refuses other types before the resolver.
@pytest.mark.parametrize(("field", "value", "message"), [c for c in BAD_FIELDS + SURROGATES if isinstance(c[1], str)])
def test_graphql_article_input_fails_a_bad_field_as_article_error(field: str, value: Any, message: str) -> None:
    names = {"publishedAt": "published_at", "externalId": "external_id"}
    given = _record(field, value, 0)
    item = GraphQLArticleInput(**{names.get(k, k): v for k, v in given.items()})
    with pytest.raises(ArticleError, match="`"):
        item.to_source()


@pytest.mark.parametrize(("field", "value"), GOOD_FIELDS)
def test_article_from_json_accepts_values_at_the_edge(field: str, value: Any) -> None:
    article = article_from_json(_record(field, value, 0))
    if field == "publishedAt":
        assert article.published_at is not None and article.published_at.tzinfo is UTC


def test_parse_datetime_reads_the_calendar_edges_as_utc() -> None:
    assert parse_datetime("0001-01-01T00:00:00-14:00") == datetime(1, 1, 1, 14, tzinfo=UTC)
    assert parse_datetime("9999-12-31T23:59:59+14:00") == datetime(9999, 12, 31, 9, 59, 59, tzinfo=UTC)


def _feed(path: Path) -> tuple[Path, dict[int, str], int]:
    """A JSON Lines file mixing good records, every bad field and broken lines: the expected
    failure of each line by number, and how many lines should import."""
    lines: list[bytes] = []
    failures: dict[int, str] = {}
    good = 0
    for n, (field, value, message) in enumerate(BAD_FIELDS):
        lines.append(json.dumps(_record(field, value, n)).encode())
        failures[len(lines)] = message
        lines.append(json.dumps(_record("title", f"Good {n}", 1000 + n)).encode())
        good += 1
    for n, (field, value) in enumerate(GOOD_FIELDS):
        lines.append(json.dumps(_record(field, value, 2000 + n)).encode())
        good += 1
    lines.append(b'{"text": "Caf\xe9 news\\nBody.", "externalId": "latin-1"}')
    failures[len(lines)] = "not valid UTF-8"
    lines.append(b'{"text": "\\ud800 lone", "externalId": "escaped-surrogate"}')
    failures[len(lines)] = "not valid JSON"
    lines.append(json.dumps({"text": TEXT, "externalId": "last"}).encode())
    good += 1
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, failures, good


@pytest.fixture(params=BACKENDS)
def cli_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    if request.param == "postgres":
        with postgres_database() as url:
            yield environment(DATABASE_URL=url)
    else:
        yield environment(DATABASE_URL=f"sqlite://{tmp_path}/records.sqlite3")


def test_cli_import_fails_each_bad_record_alone(cli_env: dict[str, str], tmp_path: Path) -> None:
    feed, failures, good = _feed(tmp_path / "feed.jsonl")
    done = run_cli("import", str(feed), "--json", env=cli_env)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert (report["imported"], report["failed"]) == (good, len(failures))
    reported = {int(f["source"].rsplit(":", 1)[1]): f["error"] for f in report["failures"]}
    assert {f["code"] for f in report["failures"]} == {"INVALID_ARTICLE"}
    assert set(reported) == set(failures)
    for line, message in failures.items():
        assert message in reported[line], (line, reported[line])
        assert f"{feed}:{line}: " in done.stderr  # the human report names the line too
    again = run_cli("import", str(feed), "--json", env=cli_env)
    assert json.loads(again.stdout)["unchanged"] == good
    exported = run_cli("export", env=cli_env)
    assert exported.returncode == 0, exported.stderr
    dates = {json.loads(line)["publishedAt"] for line in exported.stdout.splitlines()}
    assert {"0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"} <= dates


IMPORT_ARTICLES = """mutation ($input: [ArticleInput!]!) { importArticles(input: $input) {
  __typename ... on ImportArticlesSuccess { results { index status error article { publishedAt eventDate } } } } }"""


async def test_import_articles_fails_each_bad_record_alone(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "API_TOKEN", "tok")
    # Strings only (GraphQL types the fields), no lone surrogates (the endpoint's JSON reader
    # refuses them: test_graphql_article_input_fails_a_bad_field_as_article_error covers them).
    bad = [_record(field, value, n) for n, (field, value, _) in enumerate(BAD_FIELDS) if isinstance(value, str)]
    edge = [_record("publishedAt", "0001-01-01T00:00:00Z", 900), _record("publishedAt", "9999-12-31T23:59:59Z", 901)]
    batch = edge + [r for r in bad if r["text"]]
    assert len(batch) <= importer_batch_limit()
    data = await graphql(client, IMPORT_ARTICLES, {"input": batch}, token="tok")
    results = data["importArticles"]["results"]
    assert [r["status"] for r in results] == ["IMPORTED", "IMPORTED"] + ["FAILED"] * (len(batch) - 2)
    assert all(r["error"] and "`" in r["error"] for r in results[2:]), results
    assert await models.Article.all().count() == 2
    stored = {a.external_id: a for a in await models.Article.all()}
    assert stored["rec-900"].published_at == datetime(1, 1, 1, tzinfo=UTC)
    assert stored["rec-900"].event_date is None  # "yesterday" of 0001-01-01 is before the calendar
    assert stored["rec-901"].published_at == datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    listed = await graphql(client, "{ articles(orderBy: DATE_ASC) { edges { node { publishedAt eventDate } } } }")
    assert [e["node"]["publishedAt"][:4] for e in listed["articles"]["edges"]] == ["0001", "9999"]


def importer_batch_limit() -> int:
    from schema.mutations import MAX_BATCH

    return MAX_BATCH


def _jsonl(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            out.write(json.dumps({"text": f"Story {n}\n“Line {n},” said Mayor Ana Lund.\n", "externalId": f"s{n}"}))
            out.write("\n")
    return path


def test_read_records_reads_a_line_at_a_time(tmp_path: Path) -> None:
    feed = _jsonl(tmp_path / "big.jsonl", 5000)
    read: list[int] = []
    records = read_records([feed], on_read=read.append)
    first = next(records)
    assert first.origin == f"{feed}:1" and first.input is not None
    assert sum(read) < feed.stat().st_size / 100
    assert sum(len(r.origin) > 0 for r in records) == 4999
    assert sum(read) == feed.stat().st_size


def test_jsonl_record_over_the_line_limit_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "MAX_RECORD_BYTES", 1000)
    feed = tmp_path / "long.jsonl"
    feed.write_text(
        json.dumps({"text": "One\nBody."})
        + "\n"
        + json.dumps({"text": "Two\n" + "x" * 5000})
        + "\n"
        + json.dumps({"text": "Three\nBody."})
        + "\n",
        encoding="utf-8",
    )
    records = list(read_records([feed]))
    assert [r.origin for r in records] == [f"{feed}:1", f"{feed}:2", f"{feed}:3"]
    assert records[0].input is not None and records[2].input is not None
    assert records[1].error is not None and "QUOTEGRAPH_MAX_RECORD_BYTES" in records[1].error


def test_json_file_over_the_limit_fails_with_advice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "MAX_RECORD_BYTES", 1000)
    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"text": f"T{n}\nBody."} for n in range(100)]), encoding="utf-8")
    (record,) = list(read_records([many]))
    assert record.error is not None
    assert "QUOTEGRAPH_MAX_RECORD_BYTES" in record.error and ".jsonl" in record.error


async def test_import_stores_the_first_record_before_reading_the_last(db: str, tmp_path: Path) -> None:
    feed = _jsonl(tmp_path / "feed.jsonl", 3 * importer.CHUNK)
    events: list[str] = []

    def reading() -> Iterator[SourceRecord]:
        for record in read_records([feed]):
            events.append("read")
            yield record

    def stored(result: importer.ImportResult) -> None:
        events.append("stored")

    report = await importer.import_records(reading(), on_result=stored)
    assert report.failed == 0 and events.count("stored") == 3 * importer.CHUNK
    assert events.index("stored") < len(events) - 1 - events[::-1].index("read")
    assert await models.Article.all().count() == 3 * importer.CHUNK


def test_cli_import_streams_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    feed = _jsonl(tmp_path / "feed.jsonl", 3 * importer.CHUNK)
    events: list[str] = []
    real_read, real_store = cli_read_records(), importer.store

    def reading(paths: Any, on_read: Any = None) -> Iterator[SourceRecord]:
        for record in real_read(paths, on_read=on_read):
            events.append("read")
            yield record

    async def storing(prepared: importer.Prepared) -> importer.ImportResult:
        events.append("stored")
        return await real_store(prepared)

    monkeypatch.setattr("service.sources.read_records", reading)
    monkeypatch.setattr(importer, "store", storing)
    out, err = io.StringIO(), io.StringIO()
    args = cli._parser().parse_args(["import", str(feed), "--json", "--database", f"sqlite://{tmp_path}/s.sqlite3"])
    status = asyncio.run(cli._import(args, Console(file=out), Console(file=err)))
    assert status == 0, err.getvalue()
    assert json.loads(out.getvalue())["imported"] == 3 * importer.CHUNK
    assert events.index("stored") < len(events) - 1 - events[::-1].index("read")


def cli_read_records() -> Any:
    from service import sources

    return sources.read_records


def test_cli_progress_counts_bytes_of_the_total(tmp_path: Path) -> None:
    feed = _jsonl(tmp_path / "feed.jsonl", 20)
    size = feed.stat().st_size
    out, err = io.StringIO(), io.StringIO()
    args = cli._parser().parse_args(["import", str(feed), "--database", f"sqlite://{tmp_path}/p.sqlite3"])
    terminal = Console(file=err, force_terminal=True, width=200)
    status = asyncio.run(cli._import(args, Console(file=out), terminal))
    assert status == 0
    shown = err.getvalue()
    assert f"{size / 1000:.1f}/{size / 1000:.1f} kB" in shown, shown[-2000:]
    assert "20 articles" in shown


ANNOTATED_TEXT = "Harbour news\n“We open today,” said Mayor Ana Lund. Kazakhstan joins the Abraham Accords.\n"


def _annotated(n: int, change: Any = None) -> dict[str, Any]:
    """A record as `quotegraph export` writes it, with `change` applied to its annotations."""
    annotations: dict[str, Any] = {
        "version": 1,
        "dateline": None,
        "quotes": [
            {
                "text": "We open today,",
                "kind": "DIRECT",
                "span": [14, 28],
                "cue": [30, 34],
                "source": [35, 49],
                "speaker": "person:ana lund",
                "corrected": False,
            }
        ],
        "speakers": [
            {
                "key": "person:ana lund",
                "name": "Ana Lund",
                "kind": "PERSON",
                "title": "Mayor",
                "country": "NO",
                "aliases": ["ana lund", "lund"],
                "mergedKeys": [],
                "corrected": False,
            }
        ],
        "countries": ["KZ"],
        "agreements": [{"name": "Abraham Accords", "members": [{"country": "KZ", "status": "JOINING", "date": None}]}],
    }
    if change is not None:
        change(annotations)
    return {"externalId": f"annotated-{n}", "text": ANNOTATED_TEXT, "annotations": annotations}


def _speaker(**values: Any) -> Any:
    return lambda a: a["speakers"][0].update(values)


def _quote(**values: Any) -> Any:
    return lambda a: a["quotes"][0].update(values)


def _member(**values: Any) -> Any:
    return lambda a: a["agreements"][0]["members"][0].update(values)


def _set(key: str, value: Any) -> Any:
    return lambda a: a.__setitem__(key, value)


# Values of an export's annotations that no column can hold or that name nothing: each fails its record.
BAD_ANNOTATIONS: list[tuple[Any, str]] = [
    (_speaker(name="Ana\x00Lund"), "speakers[0].name` holds a NUL"),
    (_speaker(name="A" * 201), "speakers[0].name` is 201 characters long"),
    (_speaker(name="\ufdfa" * 20), "once normalised"),  # NFKD: one character, 18 letters
    (_speaker(name=5), "speakers[0].name` must be a string, not int"),
    (_speaker(key={"x": 1}), "speakers[0].key` must be a string, not dict"),
    (_speaker(key="k" * 301), "speakers[0].key` is 301 characters long"),
    (_speaker(country="ZZ"), "'ZZ' is not an ISO 3166 alpha-2 country code"),
    (_speaker(country="NOR"), "speakers[0].country` is 3 characters long"),
    (_speaker(aliases="Ana"), "speakers[0].aliases` must be a list, not str"),
    (_speaker(aliases=["a" * 201]), "speakers[0].aliases[0]` is 201 characters long"),
    (_speaker(aliases=[5]), "speakers[0].aliases[0]` must be a string, not int"),
    (_speaker(title="T" * 201), "speakers[0].title` is 201 characters long"),
    (_speaker(title=3), "speakers[0].title` must be a string, not int"),
    (_speaker(mergedKeys=["k" * 301]), "speakers[0].mergedKeys[0]` is 301 characters long"),
    (_speaker(kind="ROBOT"), "speakers[0].kind` must be one of PERSON, ORGANIZATION, ANONYMOUS"),
    (_speaker(corrected="yes"), "speakers[0].corrected` must be true or false"),
    (_set("speakers", [["x"]]), "speakers[0]` must be an object, not list"),
    (_set("speakers", {"a": 1}), "speakers` must be a list, not dict"),
    (_set("countries", ["ZZ"]), "countries[0]`: 'ZZ' is not an ISO 3166"),
    (_set("countries", [["US"]]), "countries[0]` must be a string, not list"),
    (_set("countries", "US"), "countries` must be a list, not str"),
    (lambda a: a["agreements"][0].update(name="X" * 201), "agreements[0].name` is 201 characters long"),
    (_member(country="ZZ"), "agreements[0].members[0].country`: 'ZZ'"),
    (_member(status="LEFT"), "members[0].status` must be one of MEMBER, JOINING"),
    (_member(date="d" * 65), "members[0].date` is 65 characters long"),
    (_member(date=5), "members[0].date` must be a string, not int"),
    (_set("dateline", "D" * 101), "dateline` is 101 characters long"),
    (_set("dateline", 5), "dateline` must be a string, not int"),
    (_set("dateline", "D\x00"), "dateline` holds a NUL"),
    (_quote(text=7), "quotes[0].text` must be a string, not int"),
    (_quote(text="a\x00b"), "quotes[0].text` holds a NUL"),
    (_quote(span=None), "quotes[0].span` is required"),
    (_quote(span=[0, 10_000]), "quotes[0].span` must be [start, end] inside the text"),
    (_quote(cue=[True, 3]), "quotes[0].cue` must be [start, end]"),
    (_quote(speaker=["x"]), "quotes[0].speaker` must be a string, not list"),
    (_quote(speaker="person:nobody"), "quotes[0].speaker` names no speaker of the record"),
    (_quote(kind="SHOUTED"), "quotes[0].kind` must be one of DIRECT, PARTIAL, INDIRECT"),
    (_set("quotes", "x"), "quotes` must be a list, not str"),
    (_set("version", "1"), "`annotations.version` must be 1"),
]


@pytest.mark.parametrize(("change", "message"), BAD_ANNOTATIONS)
def test_annotations_fail_a_bad_value_with_its_path(change: Any, message: str) -> None:
    prepared = importer.prepare(SourceRecord("r", article_from_json(_annotated(0, change))))
    assert prepared.parsed is None and prepared.error is not None
    assert message in prepared.error


def test_annotations_of_an_export_are_read_back() -> None:
    prepared = importer.prepare(SourceRecord("r", article_from_json(_annotated(0))))
    assert prepared.parsed is not None, prepared.error
    assert [q.speaker for q in prepared.parsed.quotes] == ["person:ana lund"]


def test_annotations_with_a_long_first_line_fail_alone() -> None:
    record = _annotated(0)
    record["text"] = "T" * 600 + "\n" + ANNOTATED_TEXT
    record["annotations"]["quotes"] = []
    prepared = importer.prepare(SourceRecord("r", article_from_json(record)))
    assert prepared.error is not None and "a title may have at most 500" in prepared.error


def test_cli_import_fails_each_bad_annotation_alone(cli_env: dict[str, str], tmp_path: Path) -> None:
    feed = tmp_path / "annotated.jsonl"
    records = [_annotated(0)] + [_annotated(n + 1, change) for n, (change, _) in enumerate(BAD_ANNOTATIONS)]
    records.append(_annotated(len(records)))
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    done = run_cli("import", str(feed), "--json", env=cli_env)
    assert "Traceback" not in done.stderr, done.stderr
    report = json.loads(done.stdout)
    assert (report["imported"], report["failed"]) == (2, len(BAD_ANNOTATIONS)), report["failures"][:3]
    for failure, (_, message) in zip(report["failures"], BAD_ANNOTATIONS, strict=True):
        assert message in failure["error"], failure


class _Stdin:
    """Standard input over bytes, counting what has been read from it."""

    def __init__(self, data: bytes) -> None:
        self.raw = io.BytesIO(data)
        self.buffer = io.BufferedReader(self.raw, buffer_size=1024)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"text": "One\\nBody."}\n{"text": "Two\\nBody."}\n', ["<stdin>:1", "<stdin>:2"]),
        (b'\n\n{"text": "One\\nBody."}\n', ["<stdin>:3"]),
        (b'{oops\n{"text": "Two\\nBody."}\n', ["<stdin>:1 error", "<stdin>:2"]),  # JSON Lines all the same
        (b'\xef\xbb\xbf{"text": "One\\nBody."}', ["<stdin>:1"]),
        (b'{\n  "text": "One\\nBody."\n}\n', ["<stdin>"]),  # one pretty-printed object
        (b'[{"text": "One\\nBody."}, {"text": 4}]', ["<stdin>[0]", "<stdin>[1] error"]),
        (b"\n\nA title\nSome text.\n", ["<stdin>"]),
        (b"A title\n\xff\n", ["<stdin> error"]),
    ],
)
def test_standard_input_is_told_apart_by_its_first_lines(
    data: bytes, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin(data))
    records = list(read_records(["-"]))
    assert [r.origin + (" error" if r.error else "") for r in records] == expected


def test_standard_input_json_lines_are_read_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = b"".join(b'{"text": "Story %d\\nBody."}\n' % n for n in range(20_000))
    stdin = _Stdin(lines)
    monkeypatch.setattr("sys.stdin", stdin)
    records = read_records(["-"])
    assert next(records).origin == "<stdin>:1"
    assert stdin.raw.tell() < len(lines) / 100
    assert sum(1 for _ in records) == 19_999


def test_standard_input_text_over_the_limit_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "MAX_ARTICLE_BYTES", 1000)
    stdin = _Stdin(b"Title\n" + b"a line of words\n" * 100_000)
    monkeypatch.setattr("sys.stdin", stdin)
    (record,) = list(read_records(["-"]))
    assert record.error is not None and "QUOTEGRAPH_MAX_ARTICLE_BYTES" in record.error
    assert stdin.raw.tell() < 100_000  # what is past the limit is not read


DATE_PARTS = "0001 9999 0000 10000 2024 - T : + Z 14 24 99 00 12 31 Jan PM EST UTC GMT +14:00 -14:00 +2400 . , 1e309"
DATEISH = st.lists(st.sampled_from([*DATE_PARTS.split(), " ", "\x00", "\ud800"]), max_size=14).map("".join)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    DATEISH,
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


@hypothesis.settings(max_examples=400, deadline=None)
@hypothesis.given(st.one_of(DATEISH, st.text(max_size=60)))
def test_parse_datetime_returns_utc_or_says_why(value: str) -> None:
    try:
        parsed = parse_datetime(value)
    except ArticleError as exc:
        assert "`publishedAt`" in str(exc)
        return
    assert parsed.tzinfo is UTC


@hypothesis.settings(max_examples=400, deadline=None)
@hypothesis.given(st.dictionaries(st.sampled_from(sorted(FIELDS - {"annotations"})), VALUES, max_size=7))
def test_article_from_json_accepts_or_names_the_field(record: dict[str, Any]) -> None:
    try:
        article = article_from_json(record)
    except ArticleError as exc:
        assert "`" in str(exc) and len(str(exc)) < 400
        return
    for value in (article.text, article.title, article.url, article.publisher, article.language, article.external_id):
        assert value is None or ("\x00" not in value and value.encode("utf-8"))


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("It opened yesterday.", date.min, None),
        ("It opened on Sunday.", date.min, None),  # 0001-01-01 is a Monday: the Sunday before is not in the calendar
        ("It opened on Monday.", date.min, date.min),
        ("It opened today.", date.min, date.min),
        ("It opened yesterday.", date.max, date.max - timedelta(days=1)),
    ],
)
def test_event_date_at_the_calendar_edge(text: str, published: date, expected: date | None) -> None:
    assert event_date(text, published) == expected


def test_cli_import_from_a_pipe_stores_records_before_the_input_ends(tmp_path: Path) -> None:
    env = environment(DATABASE_URL=f"sqlite://{tmp_path}/pipe.sqlite3")
    total = 6 * importer.CHUNK
    lines = [json.dumps({"text": f"Story {n}\nBody {n}.", "externalId": f"p{n}"}) + "\n" for n in range(total)]
    with subprocess.Popen(
        [QUOTEGRAPH, "import", "-", "--json"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write("".join(lines[: total // 2]))
            process.stdin.flush()
            stored = 0
            deadline = time.monotonic() + 60  # a bound for a loaded machine, not a measurement
            while stored == 0 and time.monotonic() < deadline:
                time.sleep(0.3)
                done = run_cli("stats", "--json", env=env)
                stored = json.loads(done.stdout)["articles"] if done.returncode == 0 else 0
            # Half the input is written and the pipe is still open: what is stored was read lazily.
            assert 0 < stored <= total // 2
            process.stdin.write("".join(lines[total // 2 :]))
            process.stdin.close()
            out = process.stdout.read()
        finally:
            if process.poll() is None and process.stdin.closed is False:
                process.kill()
    assert process.returncode == 0
    assert json.loads(out)["imported"] == total


IMPORT_ARTICLE = """mutation($t: String!, $title: String) { importArticle(text: $t, title: $title) {
    __typename ... on InvalidArticleError { field code message } ... on ImportArticleSuccess { quoteCount } } }"""


@pytest.mark.parametrize(
    ("text", "title", "field", "message"),
    [
        ("A story\n“Hi,” she said.\n", "Bad\x00title", "title", "NUL"),
        ("A story\n“Hi,\x00” she said.\n", None, "text", "NUL"),
        ("   \n\t", None, "text", "empty"),
    ],
)
async def test_import_article_fails_a_bad_field_with_its_name(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, text: str, title: str | None, field: str, message: str
) -> None:
    monkeypatch.setattr(settings, "API_TOKEN", "tok")
    data = await graphql(client, IMPORT_ARTICLE, {"t": text, "title": title}, token="tok")
    outcome = data["importArticle"]
    assert outcome["__typename"] == "InvalidArticleError"
    assert (outcome["field"], outcome["code"]) == (field, "INVALID_ARTICLE")
    assert message in outcome["message"]
    assert await models.Article.all().count() == 0


async def test_a_name_too_long_once_normalised_fails_its_article_alone(db: str) -> None:
    # "ﬃ" normalises to "ffi": the speaker's key outgrows its column although the text fits.
    long_name = "A title\n\n“We will win,” said Mayor Ana Lu" + "ﬃ" * 120 + ".\n"
    results = [await importer.import_text(long_name), await importer.import_text("Fine\n“Yes,” said Ana Lund.\n")]
    assert [(r.status, r.code) for r in results] == [("failed", "INVALID_ARTICLE"), ("imported", None)]
    assert results[0].error is not None and results[0].error.startswith("cannot be stored")
    assert await models.Article.all().count() == 1
