"""Scripted imports as pipelines run them: JSON Lines, stdin, --jobs, --fail-fast, resuming after
SIGKILL, updates under one identity, and export -> import round trips."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from service import models, settings
from service.importer import import_input
from service.sources import ArticleInput, parse_datetime
from tests.conftest import BACKENDS, graphql
from tests.live import QUOTEGRAPH, environment, postgres_database, run_cli


def _record(n: int, **extra: Any) -> dict[str, Any]:
    city = ["Oslo", "Lima", "Nairobi", "Hanoi"][n % 4]
    mayor = ["Ana Lund", "Eva Moreno", "Tomas Berg", "Lina Park"][n % 4]
    return {
        "externalId": f"wire-{n}",
        "title": f"Council meeting {n} in {city}",
        "text": (
            f"“Session {n} is now open,” said Mayor {mayor}.\n"
            f"Senator Piet Brandt said that the budget for item {n} was approved.\n"
            f"“We disagree about item {n},” one council member said.\n"
        ),
        "publisher": "Example Wire",
        "publishedAt": f"2024-03-{n % 28 + 1:02d}T09:00:00Z",
        **extra,
    }


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@contextmanager
def _database(backend: str, tmp_path: Path, name: str) -> Iterator[dict[str, str]]:
    if backend == "postgres":
        with postgres_database() as url:
            yield environment(DATABASE_URL=url)
    else:
        yield environment(DATABASE_URL=f"sqlite://{tmp_path}/{name}.sqlite3")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _stats(env: dict[str, str]) -> dict[str, int]:
    done = run_cli("stats", "--json", env=env)
    assert done.returncode == 0, done.stderr
    counts: dict[str, int] = json.loads(done.stdout)
    return counts


def test_jsonl_report_names_failed_lines_and_exit_code(tmp_path: Path) -> None:
    env = environment(DATABASE_URL=f"sqlite://{tmp_path}/db.sqlite3")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps(_record(1)) + "\n{oops\n" + json.dumps({"title": "no text"}) + "\n" + json.dumps(_record(2)) + "\n",
        encoding="utf-8",
    )
    done = run_cli("import", str(feed), "--json", env=env)
    report = json.loads(done.stdout)
    assert done.returncode == 1
    assert (report["imported"], report["failed"]) == (2, 2)
    assert [f["source"] for f in report["failures"]] == [f"{feed}:2", f"{feed}:3"]
    assert report["failures"][1]["error"] == "`text` is required and must be a non-empty string"
    assert "Traceback" not in done.stderr


def test_fail_fast_stops_at_the_first_failure(tmp_path: Path) -> None:
    env = environment(DATABASE_URL=f"sqlite://{tmp_path}/db.sqlite3")
    feed = _write_jsonl(tmp_path / "feed.jsonl", [_record(1), {"text": ""}, _record(2)])
    done = run_cli("import", str(feed), "--json", "--fail-fast", env=env)
    report = json.loads(done.stdout)
    assert done.returncode == 1
    assert report["stopped"] is True
    assert [r["status"] for r in report["results"]] == ["imported", "failed"]


def test_standard_input_is_read_as_json_lines_or_text(tmp_path: Path) -> None:
    env = environment(DATABASE_URL=f"sqlite://{tmp_path}/db.sqlite3")
    lines = "".join(json.dumps(_record(n)) + "\n" for n in range(3))
    done = subprocess.run(
        [QUOTEGRAPH, "import", "-", "--json"], input=lines, env=env, capture_output=True, text=True, timeout=120
    )
    assert json.loads(done.stdout)["imported"] == 3
    text = "A plain article\n“Plain words,” said Mayor Ana Lund.\n"
    done = subprocess.run(
        [QUOTEGRAPH, "import", "-", "--json"], input=text, env=env, capture_output=True, text=True, timeout=120
    )
    report = json.loads(done.stdout)
    assert report["imported"] == 1 and report["results"][0]["source"] == "<stdin>"
    assert report["results"][0]["title"] == "A plain article"


def test_jobs_two_builds_the_same_graph_as_one(tmp_path: Path) -> None:
    feed = _write_jsonl(tmp_path / "feed.jsonl", [_record(n) for n in range(40)])
    graphs = []
    for jobs in ("1", "2"):
        env = environment(DATABASE_URL=f"sqlite://{tmp_path}/jobs{jobs}.sqlite3")
        done = run_cli("import", str(feed), "--jobs", jobs, "--json", env=env)
        assert json.loads(done.stdout)["imported"] == 40, done.stderr
        export = run_cli("export", env=env)
        graphs.append(export.stdout)
        again = json.loads(run_cli("import", str(feed), "--json", env=env).stdout)
        assert again["unchanged"] == 40
    assert graphs[0] == graphs[1]
    assert len(graphs[0].splitlines()) == 40


# Long enough that the kill, once 20 articles are in, lands mid-run however fast the import goes
# (a `stats` run between polls takes about a second; imports run at ~800 articles/s).
KILLED_FEED = 3000


def test_sigkill_mid_import_leaves_a_consistent_database_that_a_rerun_completes(backend: str, tmp_path: Path) -> None:
    feed = _write_jsonl(tmp_path / "feed.jsonl", [_record(n) for n in range(KILLED_FEED)])
    with _database(backend, tmp_path, "killed") as env:
        process = subprocess.Popen(
            [QUOTEGRAPH, "import", str(feed), "--quiet"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.3)
            try:
                if _stats(env)["articles"] >= 20:
                    break
            except (AssertionError, json.JSONDecodeError):
                continue  # the tables may not exist yet
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        partial = _stats(env)
        assert 0 < partial["articles"] < KILLED_FEED
        assert partial["quotes"] == 3 * partial["articles"]  # no article half-written

        done = run_cli("import", str(feed), "--json", env=env)
        report = json.loads(done.stdout)
        assert report["failed"] == 0, report["failures"]
        assert report["unchanged"] >= partial["articles"] - 0
        assert report["imported"] + report["unchanged"] == KILLED_FEED
        final = _stats(env)
        assert (final["articles"], final["quotes"]) == (KILLED_FEED, 3 * KILLED_FEED)


async def test_changed_text_under_one_identity_updates_and_keeps_corrections(db: str) -> None:
    first = ArticleInput(
        external_id="story-9",
        title="Ferry strike",
        text="“The ferries stop tonight,” said Captain Ola Berg.\n“We will talk,” said Minister Kari Dahl.\n",
    )
    assert (await import_input(first)).status == "imported"
    berg = await models.Speaker.get(name="Ola Berg")
    talk = await models.Quote.get(text__startswith="We will talk")
    from service.corrections import reattribute_quote

    await reattribute_quote(talk.id, berg.id)  # a newsroom's correction

    changed = ArticleInput(
        external_id="story-9",
        title="Ferry strike ends",
        text="“The ferries run again,” said Captain Ola Berg.\n“We will talk,” said Minister Kari Dahl.\n",
    )
    result = await import_input(changed)
    assert result.status == "updated"
    assert await models.Article.all().count() == 1
    article = await models.Article.get(external_id="story-9")
    assert article.title == "Ferry strike ends"
    quotes = {q.text: q for q in await models.Quote.filter(article_id=article.id)}
    assert set(quotes) == {"The ferries run again,", "We will talk,"}
    assert quotes["We will talk,"].speaker_id == berg.id and quotes["We will talk,"].corrected
    assert (await models.Speaker.get(id=berg.id)).quote_count == 2
    assert (await models.Speaker.get(name="Kari Dahl")).quote_count == 0
    assert (await import_input(changed)).status == "unchanged"


def test_export_round_trip_reproduces_the_graph(backend: str, tmp_path: Path) -> None:
    feed = _write_jsonl(tmp_path / "feed.jsonl", [_record(n) for n in range(12)])
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    with _database(backend, tmp_path, "source") as env:
        assert run_cli("import", str(feed), str(seeds), env=env).returncode == 0
        token = "t"
        env_api = {**env, "QUOTEGRAPH_API_TOKEN": token}
        _correct(env_api, token, tmp_path)
        exported = run_cli("export", "--output", str(tmp_path / "a.jsonl"), env=env)
        assert exported.returncode == 0, exported.stderr
        stats = _stats(env)
    with _database(backend, tmp_path, "copy") as env:
        done = run_cli("import", str(tmp_path / "a.jsonl"), "--json", env=env)
        assert json.loads(done.stdout)["imported"] == 13, done.stdout
        assert run_cli("export", "--output", str(tmp_path / "b.jsonl"), env=env).returncode == 0
        assert _stats(env) == stats
    first, second = (tmp_path / "a.jsonl").read_text(), (tmp_path / "b.jsonl").read_text()
    assert first == second
    records = [json.loads(line) for line in first.splitlines()]
    merged = [s for r in records for s in r["annotations"]["speakers"] if s["mergedKeys"]]
    assert merged and merged[0]["name"] == "Piet Brandt"
    assert any(q["corrected"] for r in records for q in r["annotations"]["quotes"])


def _correct(env: dict[str, str], token: str, tmp_path: Path) -> None:
    """Make two corrections through a served API: a merge and a reattribution."""
    from tests.live import serve

    with (
        serve(env, tmp_path / "corrections.log") as base,
        httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http,
    ):

        def query(q: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
            body = http.post("/graphql", json={"query": q, "variables": variables or {}}).json()
            assert "errors" not in body, body
            data: dict[str, Any] = body["data"]
            return data

        speakers = query("{ speakers(first: 100) { edges { node { id name } } } }")["speakers"]["edges"]
        ids = {e["node"]["name"]: e["node"]["id"] for e in speakers}
        merged = query(
            "mutation ($k: ID!, $m: [ID!]!) { mergeSpeakers(keep: $k, merge: $m) { __typename } }",
            {"k": ids["Piet Brandt"], "m": [ids["Ana Lund"]]},
        )
        assert merged["mergeSpeakers"]["__typename"] == "MergeSpeakersSuccess"
        quote = query("{ quotes(first: 1) { edges { node { id } } } }")["quotes"]["edges"][0]["node"]["id"]
        moved = query(
            "mutation ($q: ID!, $s: ID!) { reattributeQuote(quote: $q, speaker: $s) { __typename } }",
            {"q": quote, "s": ids["Donald Trump"]},
        )
        assert moved["reattributeQuote"]["__typename"] == "ReattributeQuoteSuccess"


async def test_import_articles_mutation_reports_each_record(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "API_TOKEN", "tok")
    mutation = """mutation ($input: [ArticleInput!]!) { importArticles(input: $input) {
      __typename ... on ImportArticlesSuccess { results { index status quoteCount error article { title url publisher publishedAt } } }
      ... on InvalidInputError { message field } } }"""
    good = {
        "text": "“Open,” said Mayor Ana Lund.",
        "title": "Harbour",
        "url": "https://e.org/h",
        "publisher": "Wire",
        "publishedAt": "2024-03-05",
    }
    data = await graphql(
        client, mutation, {"input": [good, {"text": "x", "publishedAt": "someday"}, good]}, token="tok"
    )
    results = data["importArticles"]["results"]
    assert [(r["index"], r["status"]) for r in results] == [(0, "IMPORTED"), (1, "FAILED"), (2, "UNCHANGED")]
    assert results[0]["article"] == {
        "title": "Harbour",
        "url": "https://e.org/h",
        "publisher": "Wire",
        "publishedAt": "2024-03-05T00:00:00+00:00",
    }
    assert "publishedAt" in results[1]["error"]

    too_many = await graphql(client, mutation, {"input": [good] * 101}, token="tok")
    assert too_many["importArticles"]["__typename"] == "InvalidInputError"
    assert await models.Article.all().count() == 1


async def test_metadata_filters_and_orders_articles(client: httpx.AsyncClient) -> None:
    for n, day in ((1, "2024-01-10"), (2, "2023-12-01"), (3, "2024-02-20")):
        published = parse_datetime(day)
        source = ArticleInput(
            text=f"Story {n}\n“Line {n},” said Mayor Ana Lund.",
            published_at=published,
            external_id=f"s{n}",
            publisher="Wire" if n != 2 else "Post",
        )
        assert (await import_input(source)).status == "imported"
    data = await graphql(
        client,
        '{ articles(orderBy: DATE_ASC, filter: {dateFrom: "2024-01-01T00:00:00Z"}) { edges { node { title publisher } } } }',
    )
    assert [e["node"]["title"] for e in data["articles"]["edges"]] == ["Story 1", "Story 3"]
    data = await graphql(client, '{ articles(filter: {publisher: "Post"}) { edges { node { title } } } }')
    assert [e["node"]["title"] for e in data["articles"]["edges"]] == ["Story 2"]
    data = await graphql(client, "{ articles(orderBy: DATE_DESC) { edges { node { title publishedAt } } } }")
    assert [e["node"]["publishedAt"][:10] for e in data["articles"]["edges"]] == [
        "2024-02-20",
        "2024-01-10",
        "2023-12-01",
    ]


async def test_relative_day_resolves_against_published_at(client: httpx.AsyncClient) -> None:
    friday = parse_datetime("2025-11-07T15:00:00Z")
    text = "Accord news\nThe decision, announced on Thursday, was welcomed.\n"
    await import_input(ArticleInput(text=text, published_at=friday, external_id="rel-1"))
    await import_input(ArticleInput(text="Undated\nAnnounced on Thursday.\n", external_id="rel-2"))
    data = await graphql(client, "{ articles(orderBy: TITLE_ASC) { edges { node { title eventDate } } } }")
    assert [(e["node"]["title"], e["node"]["eventDate"]) for e in data["articles"]["edges"]] == [
        ("Accord news", "2025-11-06"),
        ("Undated", None),
    ]
