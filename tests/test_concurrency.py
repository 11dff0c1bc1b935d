"""Eight importers at once over overlapping articles and speakers: nothing duplicated, nothing lost."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BACKENDS
from tests.live import QUOTEGRAPH, run_cli
from tests.test_bulk import _database, _record, _write_jsonl

IMPORTERS = 8


@pytest.mark.parametrize("backend", BACKENDS)
def test_eight_concurrent_importers_over_overlapping_feeds(backend: str, tmp_path: Path) -> None:
    # Importer i takes records 5i .. 5i+29: every record is in several feeds, every speaker in many.
    feeds = [
        _write_jsonl(tmp_path / f"feed{i}.jsonl", [_record(n) for n in range(5 * i, 5 * i + 30)])
        for i in range(IMPORTERS)
    ]
    distinct = 5 * (IMPORTERS - 1) + 30
    with _database(backend, tmp_path, "concurrent") as env:
        assert run_cli("stats", env=env).returncode == 0  # create the tables first
        processes = [
            subprocess.Popen(
                [QUOTEGRAPH, "import", str(feed), "--json"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for feed in feeds
        ]
        outputs = [process.communicate(timeout=300) for process in processes]
        for process, (stdout, stderr) in zip(processes, outputs, strict=True):
            assert process.returncode == 0, stderr
            assert "locked" not in stderr
            report = json.loads(stdout)
            assert report["failed"] == 0 and report["imported"] + report["unchanged"] == 30

        stats = json.loads(run_cli("stats", "--json", env=env).stdout)
        assert stats["articles"] == distinct
        assert stats["quotes"] == 3 * distinct
        exported = [json.loads(line) for line in run_cli("export", env=env).stdout.splitlines()]
    keys = {s["key"]: s["name"] for r in exported for s in r["annotations"]["speakers"]}
    names = [name for key, name in keys.items() if not key.startswith("anonymous:")]
    assert sorted(names) == sorted(set(names))  # one entity per person
    assert {"Ana Lund", "Eva Moreno", "Tomas Berg", "Lina Park", "Piet Brandt"} == set(names)
    assert sum(1 for k in keys if k.startswith("anonymous:")) == distinct  # one "council member" per article
