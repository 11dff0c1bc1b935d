"""Mixed reads and imports against two workers on PostgreSQL (issue 4).

    .venv/bin/python bench/load.py [--seconds 60] [--connections 16] [--workers 2] [--write]

A throwaway PostgreSQL database gets seeds/ and the PolNeAR train articles (or, without the
corpus, 800 synthetic ones); `quotegraph serve --workers 2` serves it with an API token. wrk
(bench/setup) sends, of every 10 requests, 8 reads cycling over the bench/http.py scenarios (the
article page, a different article by node(id), the speaker page, the deep query) and 2 imports
(`importArticle`, and `importArticles` of 5 records), each a new article. Every import the server
acknowledged (its id in a success payload) must be in the database at the end: those missing
are lost writes. Goals: no 5xx, no lost writes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
sys.path.insert(0, str(_ROOT))

from bench import common, queries, synthetic  # noqa: E402

LUA = common.BENCH / "wrk" / "mixed.lua"


def _read_bodies(url: str) -> list[str]:
    ids = common.article_ids(url)
    fixed = [queries.body(q) for q in (queries.ARTICLE_PAGE, queries.SPEAKER_PAGE, queries.DEEP)]
    bodies = []
    for n, article in enumerate(ids):
        bodies.append(queries.body(queries.ARTICLE_BY_ID, {"id": article}))
        bodies.append(fixed[n % len(fixed)])
    return bodies


async def _stored(db_url: str) -> tuple[set[str], dict[str, int]]:
    import asyncpg

    conn = await asyncpg.connect(db_url)
    try:
        rows = await conn.fetch("SELECT external_id, title FROM article WHERE title LIKE 'Load test lw-%'")
        counts = {
            table: int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
            for table in ("article", "quote", "speaker")
        }
        # Speakers' quote_count must agree with their quotes after concurrent imports.
        counts["speakers with a wrong quote_count"] = int(
            await conn.fetchval(
                "SELECT count(*) FROM speaker s WHERE s.quote_count <> "
                "(SELECT count(*) FROM quote q WHERE q.speaker_id = s.id)"
            )
        )
    finally:
        await conn.close()
    ids = {row["external_id"] or row["title"].removeprefix("Load test ") for row in rows}
    return ids, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the run (default 60)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="record the figures in BENCHMARKS.md")
    args = parser.parse_args()
    if not common.postgres_available():
        print(f"skipped: no PostgreSQL on {common.PG_HOST}:{common.PG_PORT}")
        return 0
    common.wrk_path()
    with common.workdir() as work, common.postgres_database() as db_url:
        env = common.environment(DATABASE_URL=db_url)
        feed = common.polnear_jsonl(work / "polnear-train.jsonl")
        corpus = "PolNeAR train"
        if feed is None:
            feed, corpus = synthetic.write_jsonl(work / "synthetic.jsonl", 800), "800 synthetic"
        for path in (common.SEEDS, feed):
            done = common.run_cli("import", str(path), "--quiet", env=env)
            if done.returncode != 0:
                raise SystemExit(f"import of {path} failed:\n{done.stderr[-2000:]}")
        serve_env = {**env, "QUOTEGRAPH_API_TOKEN": common.TOKEN}
        log = work / "serve.log"
        with common.serve(serve_env, log, "--workers", str(args.workers)) as server:
            bodies = work / "reads.bodies"
            bodies.write_text("\n".join(_read_bodies(server.url)) + "\n", encoding="utf-8")
            acks_prefix = work / "acks"
            result = common.run_wrk(
                f"{server.url}/graphql",
                LUA,
                seconds=args.seconds,
                connections=args.connections,
                env={
                    "BENCH_BODIES": str(bodies),
                    "BENCH_ACKS": str(acks_prefix),
                    "BENCH_TOKEN": common.TOKEN,
                },
                timeout="30s",
            )
            rss = server.rss_mib()
        acked: set[str] = set()
        for path in work.glob("acks-*"):
            acked |= {line for line in path.read_text().splitlines() if line}
        stored, counts = asyncio.run(_stored(db_url))
        server_log = log.read_text(errors="replace")
    lost = sorted(acked - stored)
    unacked = len(stored - acked)
    fives = sum(v for k, v in result.statuses.items() if k.startswith("5"))
    fours = sum(v for k, v in result.statuses.items() if k.startswith("4"))
    tracebacks = server_log.count("Traceback")
    outcomes = result.extra.get("outcomes", {})
    figures = {
        "requests": result.requests,
        "req/s": round(result.rps, 1),
        "p50 ms": round(result.p50_ms, 1),
        "p99 ms": round(result.p99_ms, 1),
        "statuses": result.statuses,
        "5xx": fives,
        "4xx": fours,
        "socket errors": result.socket_errors,
        "import outcomes": outcomes,
        "imports acknowledged": len(acked),
        "lost writes": len(lost),
        "stored but unacknowledged (in flight at the end)": unacked,
        "tracebacks in the server log": tracebacks,
        "database": counts,
        "server RSS MiB": round(rss),
    }
    print(json.dumps(figures, indent=1))
    if lost:
        print("lost:", ", ".join(lost[:20]))
    ok = fives == 0 and not lost and result.socket_errors == 0
    verdict = "no 5xx, no lost writes" if ok else "FAILED: 5xx, lost writes or socket errors"
    print(verdict)
    if args.write:
        rows = [
            ["requests (req/s)", f"{result.requests:,} ({result.rps:.0f})"],
            ["latency p50 / p99", f"{result.p50_ms:.1f} ms / {result.p99_ms:.1f} ms"],
            ["HTTP statuses", ", ".join(f"{k}: {v:,}" for k, v in sorted(result.statuses.items()))],
            ["5xx (goal 0)", fives],
            ["4xx", fours],
            ["socket errors", result.socket_errors],
            ["import outcomes", ", ".join(f"{k}: {v:,}" for k, v in sorted(outcomes.items()))],
            ["imports acknowledged", f"{len(acked):,}"],
            ["lost writes (goal 0)", len(lost)],
            ["stored, not acknowledged (in flight at the end)", unacked],
            [
                "speakers whose quote_count disagrees with their quotes",
                counts["speakers with a wrong quote_count"],
            ],
            ["tracebacks in the server log", tracebacks],
            ["server RSS at the end (all workers)", f"{rss:.0f} MiB"],
        ]
        text = (
            f"PostgreSQL (throwaway database) holding seeds/ and the {corpus} articles; "
            f"`quotegraph serve --workers {args.workers}` with an API token; wrk on loopback, "
            f"{args.connections} connections for {args.seconds:g} s, 8 reads (bench/http.py's "
            "scenarios) and 2 imports (`importArticle`; `importArticles` of 5) in every 10 "
            "requests, every import a new article.\n\n" + common.table(["figure", "value"], rows) + f"\n\n{verdict}."
        )
        common.write_section("load", common.recorded("Mixed load on two workers", text))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
