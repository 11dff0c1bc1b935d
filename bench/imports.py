"""Import and export rates of the command line (issues 5 and 7).

    .venv/bin/python bench/imports.py [--records 10000] [--no-postgres] [--no-polnear] [--write]

For SQLite, and PostgreSQL when one answers on 127.0.0.1:5432 (a throwaway database): a JSON
Lines file of --records synthetic articles (bench/synthetic.py) imported with `--jobs 1` into an
empty database and with `--jobs 2` into another, the unchanged file imported again (should be
nearly free), and `quotegraph export` of the result. Then `quotegraph import` of the PolNeAR
train split into an empty SQLite database in one process (goal >= 40 articles/s). Every figure is
the wall time of the whole command, interpreter start included.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
sys.path.insert(0, str(_ROOT))

from bench import common, synthetic  # noqa: E402

POLNEAR_GOAL = 40.0


def _timed(*args: str, env: dict[str, str]) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    done = common.run_cli(*args, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"quotegraph {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    report: dict[str, object] = json.loads(done.stdout) if "--json" in args else {}
    return seconds, report


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}"


def bench_backend(kind: str, feed: Path, count: int, work: Path) -> list[list[str]]:
    rows = []
    for jobs in (1, 2):
        with common.database_url(kind, work, f"jobs{jobs}") as url:
            env = common.environment(DATABASE_URL=url)
            seconds, report = _timed("import", str(feed), "--jobs", str(jobs), "--json", env=env)
            assert report["imported"] == count, report
            rows.append(
                [
                    kind,
                    f"import --jobs {jobs}",
                    f"{count:,}",
                    f"{seconds:.1f}",
                    _rate(count, seconds),
                    f"{report['quotes']:,} quotes",
                ]
            )
            print(rows[-1], flush=True)
            if jobs == 2:
                seconds, report = _timed("import", str(feed), "--jobs", "2", "--json", env=env)
                assert report["unchanged"] == count, report
                rows.append(
                    [
                        kind,
                        "re-import, unchanged (--jobs 2)",
                        f"{count:,}",
                        f"{seconds:.1f}",
                        _rate(count, seconds),
                        "all unchanged",
                    ]
                )
                print(rows[-1], flush=True)
                target = work / f"export-{kind}.jsonl"
                seconds, _ = _timed("export", "--output", str(target), env=env)
                size = target.stat().st_size / 2**20
                rows.append(
                    [
                        kind,
                        "export",
                        f"{count:,}",
                        f"{seconds:.1f}",
                        _rate(count, seconds),
                        f"{size:.0f} MiB of JSON Lines",
                    ]
                )
                print(rows[-1], flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-polnear", action="store_true")
    parser.add_argument("--write", action="store_true", help="record the figures in BENCHMARKS.md")
    args = parser.parse_args()
    rows: list[list[str]] = []
    notes: list[str] = []
    with common.workdir() as work:
        feed = synthetic.write_jsonl(work / "synthetic.jsonl", args.records)
        backends = ["sqlite"]
        if not args.no_postgres:
            if common.postgres_available():
                backends.append("postgres")
            else:
                notes.append("PostgreSQL skipped: nothing answers on 127.0.0.1:5432")
        for kind in backends:
            rows += bench_backend(kind, feed, args.records, work)
        polnear_rate = None
        train = None if args.no_polnear else common.polnear_jsonl(work / "polnear-train.jsonl")
        if train is None:
            notes.append("PolNeAR end-to-end import skipped (no train split, or --no-polnear)")
        else:
            count = sum(1 for line in train.open(encoding="utf-8") if line.strip())
            env = common.environment(DATABASE_URL=f"sqlite://{work}/polnear.sqlite3")
            seconds, report = _timed("import", str(train), "--json", env=env)
            polnear_rate = count / seconds
            verdict = "ok" if polnear_rate >= POLNEAR_GOAL else "MISSED"
            rows.append(
                [
                    "sqlite",
                    "PolNeAR train, end to end, one process",
                    f"{count:,}",
                    f"{seconds:.1f}",
                    f"{polnear_rate:,.1f}",
                    f"{report['quotes']:,} quotes; goal >= {POLNEAR_GOAL:g}/s {verdict}",
                ]
            )
            print(rows[-1], flush=True)
    summary = common.table(["database", "run", "articles", "seconds", "articles/s", "notes"], rows)
    print(summary)
    for note in notes:
        print(note)
    if args.write:
        text = (
            f"Synthetic wire stories (bench/synthetic.py: 5 quotes each, ~460 named speakers, 20 "
            f"countries), {args.records:,} a file. Wall time of the whole `quotegraph` command, "
            "interpreter start included; each import into an empty database.\n\n"
            + summary
            + ("\n\n" + "; ".join(notes) + "." if notes else "")
        )
        common.write_section("imports", common.recorded("Import and export rates", text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
