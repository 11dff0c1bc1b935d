"""Can one hostile request stall the server? Each attack against a real server, timed, while a
bystander keeps asking a cheap query (issue 12).

    .venv/bin/python bench/stall.py [--database sqlite|postgres|both] [--code DIR] [--write]

A throwaway database gets seeds/ and the PolNeAR train articles (or 800 synthetic ones);
`quotegraph serve` (one worker, API token set) serves it. A bystander sends
`{ articles(first: 1) { totalCount } }` back to back over its own connection the whole time. Each
attack runs three times; the table gives what the attacker got (status, `extensions.code`), how
long it took, and the bystander's slowest answer while the attack was in flight. Goals: no attack
keeps the bystander waiting over 1 s, no 5xx, every refusal coded.

`--code DIR` runs the server from another checkout (e.g. a `git worktree` of an older commit) with
this virtualenv, for a before/after comparison in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
sys.path.insert(0, str(_ROOT))

import httpx  # noqa: E402
import websockets  # noqa: E402

from bench import common, synthetic  # noqa: E402

BYSTANDER = {"query": "{ articles(first: 1) { totalCount } }"}
ROUNDS = 3


def fragment_bomb(n: int) -> str:
    spreads = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n - 1))
    return f"query A {{ __typename }} query B {{ ...F0 }} {spreads} fragment F{n - 1} on Query {{ __typename }}"


def words(count: int) -> str:
    return " ".join(f"w{i % 997}" for i in range(count))


def adversarial_article(size: int) -> str:
    return "Title\n" + "“x” " * (size // 4)


def big_response() -> str:
    texts = " ".join(f"t{i}: text" for i in range(25))
    return f"{{ articles(first: 100) {{ edges {{ node {{ {texts} }} }} }} }}"


COSTLY = """{ speakers(first: 100) { edges { node { name
  quotes(first: 100) { edges { node { text article { title quotes { text speaker { name } } } } } } } } } }"""

IMPORT = """mutation($t: String!) { importArticle(text: $t) { __typename
  ... on InvalidArticleError { message } } }"""
SEARCH = "query($s: String) { quotes(filter: {search: $s}) { totalCount } }"


@dataclass
class Outcome:
    status: str
    code: str
    seconds: float


Attack = Callable[[httpx.AsyncClient, str], Awaitable[Outcome]]


def _outcome(response: httpx.Response, started: float) -> Outcome:
    code = ""
    try:
        body = response.json()
        errors = body.get("errors") or []
        data = body.get("data") or {}
        if errors:
            code = str((errors[0].get("extensions") or {}).get("code") or errors[0]["message"][:40])
        elif isinstance(data, dict):
            first = next(iter(data.values()), None)
            if isinstance(first, dict) and "__typename" in first:
                code = first["__typename"]
    except (ValueError, AttributeError, KeyError, TypeError):
        code = "(not JSON)"
    return Outcome(str(response.status_code), code, time.perf_counter() - started)


def post(body: dict[str, Any], token: bool = False) -> Attack:
    async def attack(client: httpx.AsyncClient, url: str) -> Outcome:
        headers = {"Authorization": f"Bearer {common.TOKEN}"} if token else {}
        started = time.perf_counter()
        try:
            response = await client.post(f"{url}/graphql", json=body, headers=headers, timeout=120)
        except httpx.HTTPError as exc:
            return Outcome(type(exc).__name__, "", time.perf_counter() - started)
        return _outcome(response, started)

    return attack


def get(params: dict[str, str]) -> Attack:
    async def attack(client: httpx.AsyncClient, url: str) -> Outcome:
        started = time.perf_counter()
        try:
            response = await client.get(f"{url}/graphql", params=params, timeout=120)
        except httpx.HTTPError as exc:
            return Outcome(type(exc).__name__, "", time.perf_counter() - started)
        return _outcome(response, started)

    return attack


def over_websocket(query: str, operation_name: str | None = None) -> Attack:
    async def attack(client: httpx.AsyncClient, url: str) -> Outcome:
        started = time.perf_counter()
        ws_url = url.replace("http://", "ws://") + "/graphql"
        try:
            async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
                await ws.send(json.dumps({"type": "connection_init"}))
                await asyncio.wait_for(ws.recv(), 30)
                payload = {"query": query, "operationName": operation_name}
                await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
                message = json.loads(await asyncio.wait_for(ws.recv(), 120))
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            return Outcome(type(exc).__name__, "", time.perf_counter() - started)
        code = message["type"]
        if message["type"] == "error" and message.get("payload"):
            code = str((message["payload"][0].get("extensions") or {}).get("code") or "error")
        elif message["type"] == "next" and message["payload"].get("errors"):
            code = str((message["payload"]["errors"][0].get("extensions") or {}).get("code") or "next+errors")
        return Outcome("ws", code, time.perf_counter() - started)

    return attack


def attacks(bomb: int) -> list[tuple[str, Attack]]:
    return [
        (
            f"fragment doubling n={bomb}, operationName A (POST)",
            post({"query": fragment_bomb(bomb), "operationName": "A"}),
        ),
        (
            f"fragment doubling n={bomb}, no such operation (GET)",
            get({"query": fragment_bomb(bomb), "operationName": "Z"}),
        ),
        (f"fragment doubling n={bomb} over websockets", over_websocket(fragment_bomb(bomb), "A")),
        ("search of 1,100 words", post({"query": SEARCH, "variables": {"s": words(1_100)}})),
        ("search of 30,000 words", post({"query": SEARCH, "variables": {"s": words(30_000)}})),
        ("search of 1 MB", post({"query": SEARCH, "variables": {"s": words(150_000)}})),
        ("costliest page: speakers x quotes x article x quotes", post({"query": COSTLY})),
        ("25 aliases of every article's text, 100 articles", post({"query": big_response()})),
        ("5000-digit integer literal", post({"query": f"{{ articles(first: {'9' * 5000}) {{ totalCount }} }}"})),
        ("5 MB invalid variable", post({"query": SEARCH, "variables": {"s": ["x" * 5_000_000]}})),
        (
            "importArticle of a 12 KB adversarial text",
            post({"query": IMPORT, "variables": {"t": adversarial_article(12_000)}}, token=True),
        ),
    ]


async def _bystander(url: str, stop: asyncio.Event, samples: list[tuple[float, float]]) -> None:
    async with httpx.AsyncClient(timeout=120) as client:
        while not stop.is_set():
            started = time.perf_counter()
            await client.post(f"{url}/graphql", json=BYSTANDER)
            samples.append((started, time.perf_counter() - started))
            await asyncio.sleep(0.01)


async def _measure(url: str, bomb: int) -> list[list[Any]]:
    stop = asyncio.Event()
    samples: list[tuple[float, float]] = []
    bystander = asyncio.create_task(_bystander(url, stop, samples))
    await asyncio.sleep(1)
    rows = []
    async with httpx.AsyncClient() as client:
        for name, attack in attacks(bomb):
            outcomes, waits = [], []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                outcome = await attack(client, url)
                await asyncio.sleep(0.05)  # the bystander's request in flight at the end finishes
                ended = started + outcome.seconds
                # A bystander request overlapping the attack: its wait is what the attack cost it.
                waits += [s for t, s in samples if t + s >= started and t <= ended] or [0.0]
                outcomes.append(outcome)
            seconds = statistics.median(o.seconds for o in outcomes)
            last = outcomes[-1]
            rows.append([name, last.status, last.code, f"{seconds * 1000:,.0f} ms", f"{max(waits) * 1000:,.0f} ms"])
            print(" | ".join(str(c) for c in rows[-1]), flush=True)
    stop.set()
    await bystander
    return rows


def run(kind: str, code: Path | None, bomb: int) -> str:
    with common.workdir() as work, common.database_url(kind, work) as db_url:
        env = common.environment(DATABASE_URL=db_url, QUOTEGRAPH_API_TOKEN=common.TOKEN)
        if code is not None:
            env["PYTHONPATH"] = str(code)
        corpus = common.polnear_jsonl(work / "polnear.jsonl") or synthetic.write_jsonl(work / "synthetic.jsonl", 800)
        for source in (common.SEEDS, corpus):
            done = common.run_cli("import", str(source), "--quiet", env=env)
            if done.returncode not in (0, 1):
                raise SystemExit(done.stderr[-2000:])
        with common.serve(env, work / "server.log") as server:
            print(f"\n{kind}: {server.url}", flush=True)
            rows = asyncio.run(_measure(server.url, bomb))
    headers = ["attack", "status", "code", "attacker's time (median of 3)", "bystander's longest wait"]
    return f"### {kind}\n\n" + common.table(headers, rows)


def _commit(checkout: Path) -> str:
    done = subprocess.run(["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or checkout.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--code", type=Path, help="serve from this checkout instead (PYTHONPATH)")
    parser.add_argument("--bomb", type=int, default=30, help="fragments in the doubling document (2^n spreads)")
    parser.add_argument("--write", action="store_true", help="record the figures in BENCHMARKS.md")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    if "postgres" in kinds and not common.postgres_available():
        kinds.remove("postgres")
    code = args.code.resolve() if args.code else None
    sections = [run(kind, code, args.bomb) for kind in kinds]
    if args.write:
        if code is None:
            name, title = "stall", "Hostile requests against a bystander (bench/stall.py)"
        else:  # a before/after comparison: the older checkout's figures in a section of their own
            name, title = (
                "stall-before",
                f"Hostile requests against a bystander, the server at commit {_commit(code)} (bench/stall.py)",
            )
        common.write_section(name, common.recorded(title, "\n\n".join(sections)))


if __name__ == "__main__":
    main()
