"""How long another client waits while a hostile article is imported through the API.

    .venv/bin/python bench/import_stall.py [--database sqlite|postgres] [--rounds N]

`quotegraph serve` (one worker, API token set) on a throwaway database, run twice: parsing on the
event loop (QUOTEGRAPH_PARSE_WORKERS=0, as before the parse pool) and in the parse pool (the
default). Each round, one client imports an 8 KB article of straight quotation marks side by side
(the extractor is quadratic on it: seconds of CPU) through `importArticle`, while a bystander sends
`{ articles(first: 1) { totalCount } }` back to back. The table gives the import's time and outcome
and the bystander's answers meanwhile: how many, the median and the slowest.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
sys.path.insert(0, str(_ROOT))

import httpx  # noqa: E402

from bench import common  # noqa: E402

TOKEN = "bench-token"
HOSTILE = "Marks\n" + '"x" ' * 2000
IMPORT = "mutation ($text: String!) { importArticle(text: $text) { __typename ... on InvalidArticleError { code } } }"
BYSTANDER = {"query": "{ articles(first: 1) { totalCount } }"}


async def round_trip(url: str) -> tuple[float, str, list[float]]:
    """The import's seconds and outcome, and the bystander's latencies while it ran."""
    latencies: list[float] = []
    done = asyncio.Event()
    async with (
        httpx.AsyncClient(base_url=url, timeout=120) as importer,
        httpx.AsyncClient(base_url=url, timeout=120) as other,
    ):

        async def bystander() -> None:
            while not done.is_set():
                started = time.perf_counter()
                response = await other.post("/graphql", json=BYSTANDER)
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        watching = asyncio.create_task(bystander())
        await asyncio.sleep(0.2)  # the bystander is under way
        started = time.perf_counter()
        response = await importer.post(
            "/graphql",
            json={"query": IMPORT, "variables": {"text": f"{HOSTILE}\n{time.time()}"}},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        took = time.perf_counter() - started
        done.set()
        await watching
    body = response.json()
    data = (body.get("data") or {}).get("importArticle") or {}
    outcome = data.get("code") or data.get("__typename") or str(body.get("errors"))[:60]
    return took, outcome, latencies


def run(kind: str, rounds: int, workers: str, timeout: str) -> list[list[str]]:
    rows = []
    with common.workdir() as work, common.database_url(kind, work) as db_url:
        env = common.environment(
            DATABASE_URL=db_url,
            QUOTEGRAPH_API_TOKEN=TOKEN,
            QUOTEGRAPH_PARSE_WORKERS=workers,
            QUOTEGRAPH_PARSE_TIMEOUT=timeout,
            QUOTEGRAPH_REQUEST_TIMEOUT="60",
            QUOTEGRAPH_RESPONSE_CACHE="0",
        )
        with common.serve(env, work / "serve.log") as server:
            for n in range(rounds):
                took, outcome, latencies = asyncio.run(round_trip(server.url))
                rows.append(
                    [
                        f"PARSE_WORKERS={workers} PARSE_TIMEOUT={timeout}",
                        str(n + 1),
                        f"{took:.2f} s",
                        outcome,
                        str(len(latencies)),
                        f"{statistics.median(latencies) * 1000:.1f} ms" if latencies else "-",
                        f"{max(latencies) * 1000:.0f} ms" if latencies else "-",
                    ]
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for workers, timeout in (("0", "60"), ("2", "60"), ("2", "1")):
        rows += run(args.database, args.rounds, workers, timeout)
    headers = ["parsing", "round", "import took", "import outcome", "bystander answers", "median", "slowest"]
    print(common.table(headers, rows))


if __name__ == "__main__":
    common.run_recorded(
        "import-stall", "A bystander while an adversarial article is imported (bench/import_stall.py)", main
    )
