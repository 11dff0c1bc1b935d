"""Latency against corpus size on PostgreSQL (issue 5).

    .venv/bin/python bench/scale.py [--sizes 1000,100000] [--quotes-per-article 20]
                                    [--seconds 10] [--write]

For each size, a throwaway PostgreSQL database gets the app's tables (created by the app itself,
`quotegraph stats`), then a synthetic corpus written directly with COPY: articles whose text is
their quotes, --quotes-per-article quotes each with spans into that text, speakers (one for every
5 articles, quoted with a skew so the top few hold thousands of quotes), aliases, countries and
the article-country and article-speaker links; speakers' and articles' quote_count agree with the
quote rows. Then `quotegraph serve` (one worker, response cache off, so every request executes)
answers the article page and the speaker page of bench/http.py for --seconds each on one
connection (latency, not throughput); the server's RSS is read after. Goal: the largest size's
p50 within 1.5x the smallest's. The build time of each size is printed and recorded.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
sys.path.insert(0, str(_ROOT))

from bench import common, queries, synthetic  # noqa: E402

LUA = common.BENCH / "wrk" / "bodies.lua"
RATIO_GOAL = 1.5
CHUNK = 2_000  # articles per COPY batch
KINDS = ("DIRECT", "PARTIAL", "INDIRECT")
EPOCH = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)

# Indexes the app creates with raw SQL (service/db.py): built after the load, faster than kept
# up to date row by row.
FTS_INDEXES = {
    "quote_text_fts": "CREATE INDEX IF NOT EXISTS quote_text_fts ON quote USING GIN (to_tsvector('english', text))",
    "article_title_fts": "CREATE INDEX IF NOT EXISTS article_title_fts ON article "
    "USING GIN (to_tsvector('english', title))",
}


def _speaker_name(i: int) -> str:
    first = synthetic.FIRST[i % len(synthetic.FIRST)]
    rest = i // len(synthetic.FIRST)
    initial = chr(ord("A") + rest % 26)
    rest //= 26
    last = synthetic.LAST[rest % len(synthetic.LAST)]
    rest //= len(synthetic.LAST)
    if rest:
        last += "-" + synthetic.LAST[rest % len(synthetic.LAST)] + ("" if rest < 20 else str(rest))
    return f"{first} {initial}. {last}"


def _articles(
    start: int, stop: int, speakers: int, per_article: int, countries: int, rng: random.Random
) -> Iterator[
    tuple[
        list[tuple[Any, ...]],
        list[tuple[Any, ...]],
        list[tuple[Any, ...]],
        list[tuple[Any, ...]],
        Counter[int],
    ]
]:
    now = dt.datetime.now(dt.UTC)
    quote_id = start * per_article
    for chunk in range(start, stop, CHUNK):
        articles, quotes, links_c, links_s = [], [], [], []
        counts: Counter[int] = Counter()
        for a in range(chunk, min(chunk + CHUNK, stop)):
            article_id = a + 1
            date = EPOCH + dt.timedelta(minutes=a * 47 % 5_000_000)
            topic = synthetic.TOPICS[a % len(synthetic.TOPICS)]
            city = synthetic.CITIES[a % len(synthetic.CITIES)]
            title = f"{city} talks on {topic}, report {a}"
            parts = [title, "\n\n"]
            offset = len(title) + 2
            quoted: set[int] = set()
            for position in range(per_article):
                # Skewed: a few speakers hold many quotes, most hold few.
                speaker = int(speakers * rng.random() ** 3) + 1
                quoted.add(speaker)
                counts[speaker] += 1
                name = _speaker_name(speaker - 1)
                words = f"We settled point {position} of {topic} in report {a}"
                sentence = f"“{words},” said {name}.\n"
                start_q = offset + 1
                cue = start_q + len(words) + 3
                quotes.append(
                    (
                        quote_id + 1,
                        article_id,
                        position,
                        words,
                        KINDS[position % 3],
                        start_q,
                        start_q + len(words),
                        None,
                        cue,
                        cue + 4,
                        "said",
                        cue + 5,
                        cue + 5 + len(name),
                        name,
                        speaker,
                        date,
                        False,
                    )
                )
                quote_id += 1
                parts.append(sentence)
                offset += len(sentence)
            text = "".join(parts)
            articles.append(
                (
                    article_id,
                    title,
                    text,
                    None,
                    ("Example Wire", "Daily Planet")[a % 2],
                    None,
                    "en",
                    f"scale-{a}",
                    "ext:" + hashlib.sha256(f"scale-{a}".encode()).hexdigest(),
                    hashlib.sha256(text.encode()).hexdigest(),
                    date,
                    now,
                    date,
                    per_article,
                )
            )
            first = a % countries + 1
            links_c += [(article_id, first), (article_id, (a * 7 + 3) % countries + 1)]
            if links_c[-1][1] == first:
                links_c.pop()
            links_s += [(article_id, s) for s in sorted(quoted)]
        yield articles, quotes, links_c, links_s, counts


async def build(url: str, size: int, per_article: int) -> dict[str, float]:
    """Fill the app's (empty) tables with a synthetic corpus; returns counts and seconds."""
    import asyncpg
    import pycountry

    started = time.perf_counter()
    rng = random.Random(size)
    speakers = max(50, size // 5)
    conn = await asyncpg.connect(url)
    try:
        for name in FTS_INDEXES:
            await conn.execute(f"DROP INDEX IF EXISTS {name}")
        countries = [c for c in pycountry.countries if hasattr(c, "alpha_2")][:60]
        await conn.copy_records_to_table(
            "country",
            columns=["id", "alpha2", "alpha3", "name"],
            records=[(i + 1, c.alpha_2, c.alpha_3, c.name) for i, c in enumerate(countries)],
        )
        totals: Counter[int] = Counter()
        article_cols = [
            "id",
            "title",
            "text",
            "dateline",
            "publisher",
            "url",
            "language",
            "external_id",
            "identity",
            "content_hash",
            "published_at",
            "imported_at",
            "date",
            "quote_count",
        ]
        quote_cols = [
            "id",
            "article_id",
            "position",
            "text",
            "kind",
            "start",
            "end",
            "span_text",
            "cue_start",
            "cue_end",
            "cue_text",
            "source_start",
            "source_end",
            "source_text",
            "speaker_id",
            "date",
            "corrected",
        ]
        link_id_c = link_id_s = 0
        # Speakers first (quotes reference them); their quote_count is set once all are counted.
        names = [_speaker_name(i) for i in range(speakers)]
        await conn.copy_records_to_table(
            "speaker",
            columns=[
                "id",
                "key",
                "name",
                "kind",
                "title",
                "quote_count",
                "corrected",
                "country_id",
            ],
            records=[
                (
                    i + 1,
                    "person:" + n.lower().replace(".", ""),
                    n,
                    "PERSON",
                    synthetic.TITLES[i % len(synthetic.TITLES)],
                    0,
                    False,
                    i % len(countries) + 1,
                )
                for i, n in enumerate(names)
            ],
        )
        await conn.copy_records_to_table(
            "speaker_alias",
            columns=["id", "alias", "speaker_id"],
            records=[(i + 1, n.lower().replace(".", ""), i + 1) for i, n in enumerate(names)],
        )
        for articles, quotes, links_c, links_s, counts in _articles(
            0, size, speakers, per_article, len(countries), rng
        ):
            await conn.copy_records_to_table("article", columns=article_cols, records=articles)
            await conn.copy_records_to_table("quote", columns=quote_cols, records=quotes)
            await conn.copy_records_to_table(
                "article_country",
                columns=["id", "article_id", "country_id"],
                records=[(link_id_c + i + 1, *row) for i, row in enumerate(links_c)],
            )
            await conn.copy_records_to_table(
                "article_speaker",
                columns=["id", "article_id", "speaker_id"],
                records=[(link_id_s + i + 1, *row) for i, row in enumerate(links_s)],
            )
            link_id_c += len(links_c)
            link_id_s += len(links_s)
            totals.update(counts)
        loaded = time.perf_counter()
        await conn.execute("CREATE TEMP TABLE counts (id int PRIMARY KEY, n int)")
        await conn.copy_records_to_table("counts", records=list(totals.items()))
        await conn.execute("UPDATE speaker s SET quote_count = c.n FROM counts c WHERE c.id = s.id")
        for table in (
            "country",
            "speaker",
            "speaker_alias",
            "article",
            "quote",
            "article_country",
            "article_speaker",
        ):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
            )
        for statement in FTS_INDEXES.values():
            await conn.execute(statement)
        await conn.execute("VACUUM ANALYZE")
        wrong = await conn.fetchval(
            "SELECT count(*) FROM speaker s WHERE quote_count <> "
            "(SELECT count(*) FROM quote q WHERE q.speaker_id = s.id)"
        )
        assert wrong == 0, f"{wrong} speakers with a wrong quote_count"
        quotes_total = await conn.fetchval("SELECT count(*) FROM quote")
        top = await conn.fetchval("SELECT max(quote_count) FROM speaker")
        db_bytes = await conn.fetchval("SELECT pg_database_size(current_database())")
    finally:
        await conn.close()
    return {
        "articles": size,
        "quotes": quotes_total,
        "speakers": speakers,
        "top speaker quotes": top,
        "load seconds": loaded - started,
        "index seconds": time.perf_counter() - loaded,
        "build seconds": time.perf_counter() - started,
        "database MiB": db_bytes / 2**20,
    }


def measure(url: str, work: Path, seconds: float) -> dict[str, Any]:
    env = common.environment(DATABASE_URL=url, QUOTEGRAPH_RESPONSE_CACHE="0")
    results: dict[str, Any] = {}
    with common.serve(env, work / f"serve-{time.monotonic_ns()}.log") as server:
        for name, query in (
            ("article page", queries.ARTICLE_PAGE),
            ("speaker page", queries.SPEAKER_PAGE),
        ):
            common.graphql(server.url, query)  # fails loudly on a GraphQL error
            bodies = work / "scale.bodies"
            bodies.write_text(queries.body(query) + "\n", encoding="utf-8")
            wrk_env = {"BENCH_BODIES": str(bodies)}
            common.run_wrk(f"{server.url}/graphql", LUA, seconds=2, connections=1, env=wrk_env)
            run = common.run_wrk(f"{server.url}/graphql", LUA, seconds=seconds, connections=1, env=wrk_env)
            bad = {k: v for k, v in run.statuses.items() if k != "200"}
            if bad:
                raise SystemExit(f"{name}: statuses {bad}")
            results[name] = run
        results["rss"] = server.rss_mib()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,100000", help="articles, comma-separated")
    parser.add_argument("--quotes-per-article", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--write", action="store_true", help="record the figures in BENCHMARKS.md")
    args = parser.parse_args()
    if not common.postgres_available():
        print(f"skipped: no PostgreSQL on {common.PG_HOST}:{common.PG_PORT}")
        return 0
    common.wrk_path()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows, builds, p50s = [], [], {}
    with common.workdir() as work:
        for size in sizes:
            with common.postgres_database("quotegraph_scale") as url:
                done = common.run_cli("stats", "--json", "--database", url, env=common.environment())
                if done.returncode != 0:
                    raise SystemExit(f"creating the tables failed:\n{done.stderr}")
                built = asyncio.run(build(url, size, args.quotes_per_article))
                print({k: round(v, 1) for k, v in built.items()}, flush=True)
                builds.append(
                    [
                        f"{size:,}",
                        f"{int(built['quotes']):,}",
                        f"{int(built['speakers']):,}",
                        f"{int(built['top speaker quotes']):,}",
                        f"{built['load seconds']:.0f}",
                        f"{built['index seconds']:.0f}",
                        f"{built['build seconds']:.0f}",
                        f"{built['database MiB']:,.0f}",
                    ]
                )
                result = measure(url, work, args.seconds)
            for name in ("article page", "speaker page"):
                run = result[name]
                p50s[(size, name)] = run.p50_ms
                rows.append(
                    [
                        f"{size:,}",
                        name,
                        f"{run.rps:.1f}",
                        f"{run.p50_ms:.1f}",
                        f"{run.p99_ms:.1f}",
                        f"{result['rss']:.0f}",
                    ]
                )
                print(rows[-1], flush=True)
    small, large = sizes[0], sizes[-1]
    verdicts = []
    for name in ("article page", "speaker page"):
        ratio = p50s[(large, name)] / p50s[(small, name)]
        ok = ratio <= RATIO_GOAL
        verdicts.append(
            f"{name}: p50 at {large:,} / at {small:,} = {ratio:.2f} "
            f"({'ok' if ok else 'MISSED'}, goal <= {RATIO_GOAL:g})"
        )
    build_table = common.table(
        [
            "articles",
            "quotes",
            "speakers",
            "top speaker's quotes",
            "COPY s",
            "indexes+analyze s",
            "build s",
            "database MiB",
        ],
        builds,
    )
    latency_table = common.table(
        ["articles", "query", "req/s (1 connection)", "p50 ms", "p99 ms", "server RSS MiB"], rows
    )
    print(build_table)
    print(latency_table)
    print("\n".join(verdicts))
    if args.write:
        text = (
            f"Synthetic corpora written with COPY into the app's own tables on PostgreSQL "
            f"({args.quotes_per_article} quotes an article, a speaker for every 5 articles), then "
            f"`quotegraph serve` (1 worker, `QUOTEGRAPH_RESPONSE_CACHE=0`) and wrk on one "
            f"connection for {args.seconds:g} s a query after a 2 s warm-up. Queries: "
            "bench/http.py's article page (20 articles with quotes, speakers, countries, "
            "totalCount) and speaker page (top 10 speakers by quote count, 5 quotes each, "
            "totalCounts). Nothing is written while wrk runs, so a list's totalCount is counted "
            "once and then remembered (schema/pagination.py), as between two writes in use.\n\n"
            f"Build:\n\n{build_table}\n\nLatency:\n\n{latency_table}\n\n" + "; ".join(verdicts) + "."
        )
        common.write_section("scale", common.recorded("Latency against corpus size", text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
