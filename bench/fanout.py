"""Does a burst of live events stall HTTP? N WebSocket connections x M `quoteAdded` subscriptions,
then one import, against a real server; a bystander asks a cheap query back to back meanwhile.

    .venv/bin/python bench/fanout.py [--connections 50] [--subscriptions 100] [--quotes 20]
                                     [--distinct 1] [--code DIR]

Prints the bystander's latencies during the fan-out (median, max), how long the import took to
answer, and when the last subscriber had every quote (delivery). `--distinct K` spreads the
subscriptions over K different documents (K streams to resolve instead of one). `--code DIR` serves
from another checkout (e.g. `git archive HEAD~3 | tar -x -C DIR`) with this virtualenv, for a
before/after comparison. The limits are raised to fit N x M; SQLite, events in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import time
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
sys.path.insert(0, str(_ROOT))

import httpx  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402

from bench import common  # noqa: E402

SUBSCRIPTION = "subscription { quoteAdded { text kind speaker { name } article { title } } }"
BYSTANDER = {"query": "{ articles(first: 1) { totalCount edges { node { title } } } }"}
IMPORT = "mutation ($t: String!) { importArticle(text: $t) { __typename } }"


async def subscriber_connection(url: str, subscriptions: int, first: int, distinct: int) -> ClientConnection:
    ws = await connect(url, subprotocols=["graphql-transport-ws"], max_queue=None)  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    for n in range(subscriptions):
        query = f"{SUBSCRIPTION} # {(first + n) % distinct}"
        await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": query}}))
    return ws


async def receive(ws: ClientConnection, count: int, started: list[float]) -> float:
    for _ in range(count):
        message = json.loads(await ws.recv())
        if message["type"] != "next":
            raise RuntimeError(f"a subscriber got {message}")
    return time.perf_counter() - started[0]


def bystander(base: str, stop: Any, samples: Any) -> None:
    """In a process of its own, so that receiving the fan-out does not delay its own timings."""

    async def ask() -> None:
        async with httpx.AsyncClient(timeout=120) as http:
            while not stop.is_set():
                began = time.perf_counter()
                response = await http.post(f"{base}/graphql", json=BYSTANDER)
                samples.put((began, time.perf_counter() - began, response.status_code))
        samples.put(None)

    asyncio.run(ask())


async def measure(base: str, args: argparse.Namespace) -> None:
    url = base.replace("http://", "ws://") + "/graphql"
    sockets = [
        await subscriber_connection(url, args.subscriptions, c * args.subscriptions, args.distinct)
        for c in range(args.connections)
    ]
    await asyncio.sleep(2)  # the server registers the subscriptions (older servers have no count)
    lines = [f"“Line {n} of the fan-out,” said Mayor Ana Lund." for n in range(args.quotes)]
    article = "\n".join(["Fan-out", *lines])
    started = [0.0]
    receivers = [asyncio.create_task(receive(ws, args.subscriptions * args.quotes, started)) for ws in sockets]
    stop, samples = multiprocessing.Event(), multiprocessing.Queue()
    watcher = multiprocessing.Process(target=bystander, args=(base, stop, samples))
    watcher.start()
    await asyncio.sleep(0.5)
    async with httpx.AsyncClient(timeout=300) as http:
        started[0] = time.perf_counter()
        response = await http.post(
            f"{base}/graphql",
            json={"query": IMPORT, "variables": {"t": article}},
            headers={"Authorization": f"Bearer {common.TOKEN}"},
        )
        answered = time.perf_counter() - started[0]
    assert "ImportArticleSuccess" in response.text, response.text
    delivered = max(await asyncio.gather(*receivers))
    stop.set()
    latencies: list[tuple[float, float, int]] = []
    while (sample := await asyncio.to_thread(samples.get)) is not None:
        latencies.append(sample)
    watcher.join()
    before = sum(began < started[0] for began, _, _ in latencies)
    during = [latency for _, latency, _ in latencies[before:]] or [float("nan")]
    failed = sum(status != 200 for _, _, status in latencies[before:])
    slowest = max(latencies[before:], key=lambda sample: sample[1], default=(started[0], 0.0, 0))
    print(
        f"{args.connections} connections x {args.subscriptions} subscriptions ({args.distinct} distinct), "
        f"{args.quotes} quotes: import answered in {answered * 1000:.0f} ms; every quote delivered in "
        f"{delivered * 1000:.0f} ms; bystander during the fan-out: {len(during)} answers, median "
        f"{statistics.median(during) * 1000:.0f} ms, max {max(during) * 1000:.0f} ms "
        f"(sent {(slowest[0] - started[0]) * 1000:.0f} ms after the import), {failed} not 200"
    )
    for ws in sockets:
        await ws.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--subscriptions", type=int, default=100)
    parser.add_argument("--quotes", type=int, default=20)
    parser.add_argument("--distinct", type=int, default=1)
    parser.add_argument("--code", type=Path, help="serve from this checkout instead (PYTHONPATH)")
    args = parser.parse_args()
    total = args.connections * args.subscriptions
    with common.workdir() as work, common.database_url("sqlite", work) as db:
        env = common.environment(
            DATABASE_URL=db,
            QUOTEGRAPH_API_TOKEN=common.TOKEN,
            QUOTEGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION=str(args.subscriptions),
            QUOTEGRAPH_MAX_SUBSCRIPTIONS=str(total),
            QUOTEGRAPH_SUBSCRIBER_QUEUE=str(max(1000, args.quotes)),
        )
        if args.code is not None:
            env["PYTHONPATH"] = str(args.code.resolve())
        common.run_cli("import", str(common.SEEDS), env=env)
        with common.serve(env, work / "serve.log") as server:
            asyncio.run(measure(server.url, args))


if __name__ == "__main__":
    common.run_recorded(
        "fanout", "Subscription fan-out: 50 connections x 100 subscriptions and one import (bench/fanout.py)", main
    )
