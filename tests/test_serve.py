"""`quotegraph import` and `quotegraph serve` as a user runs them: real processes, real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.live import environment, run_cli, serve


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    env = environment(DATABASE_URL=f"sqlite://{tmp_path}/served.sqlite3")
    imported = run_cli("import", str(ROOT / "seeds"), "--json", env=env)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["imported"] == 1
    with serve(env, tmp_path / "serve.log") as url:
        yield url


def test_served_graphql_answers_with_the_seed(server: str) -> None:
    response = httpx.post(
        f"{server}/graphql",
        json={"query": "{ articles { totalCount edges { node { title countries { isoCode } } } } }"},
        timeout=10,
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    assert body["data"]["articles"]["totalCount"] == 1
    node = body["data"]["articles"]["edges"][0]["node"]
    assert node["title"].startswith("Kazakhstan to Join Abraham Accords")
    assert {"KZ", "IL", "US"} <= {c["isoCode"] for c in node["countries"]}


def test_served_graphiql_page(server: str) -> None:
    response = httpx.get(f"{server}/graphql", headers={"Accept": "text/html"}, timeout=10)
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_cli_import_reports_failures_with_exit_code(tmp_path: Path) -> None:
    env = environment(DATABASE_URL=f"sqlite://{tmp_path}/cli.sqlite3")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe not text")
    result = run_cli("import", str(bad), str(ROOT / "seeds"), "--json", env=env)
    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert (report["imported"], report["failed"]) == (1, 1)
    failed = next(r for r in report["results"] if r["status"] == "failed")
    assert failed["source"] == str(bad) and "not valid UTF-8" in failed["error"]
    assert "Traceback" not in result.stderr


def test_cli_extract_prints_one_json_line_per_file() -> None:
    seed = ROOT / "seeds" / "kazakhstan-abraham-accords.txt"
    result = run_cli("extract", str(seed), "--json", env=environment())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["path"] == str(seed)
    assert record["title"].startswith("Kazakhstan to Join")
    text = seed.read_text(encoding="utf-8")
    for quote in record["quotes"]:
        assert text[quote["span"]["start"] : quote["span"]["end"]] == quote["span"]["text"]
    assert [c["isoCode"] for c in record["countries"]] == ["KZ", "IL", "US", "BH", "MA", "SD", "AE"]
