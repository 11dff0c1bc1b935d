"""Peak memory of `quotegraph import` against the size of the JSON Lines file it reads.

    .venv/bin/python bench/stream_import.py [--sizes 10000,40000,120000] [--text-bytes 1000]

For each size, a JSON Lines file of that many records (--text-bytes of text each, with the empty
`annotations` of an export so the extractor does not set the pace) is imported into an empty
SQLite database by `quotegraph import --quiet`; the figure is the process's peak RSS (wait4's
ru_maxrss), beside the file's size and the RSS of importing a one-record file (the interpreter,
the ORM and the parser's tables). Streaming shows as a peak that stays near that baseline however
large the file; reading the file first would add at least the file's size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
sys.path.insert(0, str(_ROOT))

from bench import common  # noqa: E402

QUOTEGRAPH = str(Path(sys.executable).with_name("quotegraph"))
ANNOTATIONS: dict[str, object] = {
    "version": 1,
    "dateline": None,
    "quotes": [],
    "speakers": [],
    "countries": [],
    "agreements": [],
}


def write_feed(path: Path, count: int, text_bytes: int) -> int:
    filler = ("The council met again and talked about the harbour. " * (text_bytes // 50 + 1))[:text_bytes]
    with path.open("wb") as out:
        for n in range(count):
            record = {"externalId": f"feed-{n}", "text": f"Story {n}\n{filler}\n", "annotations": ANNOTATIONS}
            out.write(orjson.dumps(record) + b"\n")
    return path.stat().st_size


def peak_rss(feed: Path, database: Path) -> tuple[int, float]:
    """Peak RSS in bytes and wall seconds of one `quotegraph import`."""
    env = {**os.environ, "DATABASE_URL": f"sqlite://{database}"}
    started = time.perf_counter()
    process = subprocess.Popen([QUOTEGRAPH, "import", str(feed), "--quiet"], env=env, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"quotegraph import {feed} failed:\n{errors.decode()[-3000:]}")
    return usage.ru_maxrss * 1024, seconds  # Linux reports kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,40000,120000", help="records per file, comma-separated")
    parser.add_argument("--text-bytes", type=int, default=1000, help="bytes of text per record")
    args = parser.parse_args()
    mb = 1_000_000
    with tempfile.TemporaryDirectory(prefix="stream-import-") as tmp:
        root = Path(tmp)
        one = root / "one.jsonl"
        write_feed(one, 1, args.text_bytes)
        baseline, _ = peak_rss(one, root / "one.sqlite3")
        print(f"baseline (1 record): peak RSS {baseline / mb:.1f} MB")
        print(f"{'records':>9} {'file MB':>9} {'peak RSS MB':>12} {'over baseline MB':>17} {'records/s':>10}")
        for count in (int(size) for size in args.sizes.split(",")):
            feed = root / f"feed-{count}.jsonl"
            size = write_feed(feed, count, args.text_bytes)
            rss, seconds = peak_rss(feed, root / f"feed-{count}.sqlite3")
            row = f"{count:>9,} {size / mb:>9.1f} {rss / mb:>12.1f} {(rss - baseline) / mb:>17.1f}"
            print(f"{row} {count / seconds:>10.0f}", flush=True)
            feed.unlink()


if __name__ == "__main__":
    common.run_recorded(
        "stream-import", "Streaming import: peak memory against file size (bench/stream_import.py)", main
    )
