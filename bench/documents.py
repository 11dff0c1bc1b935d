"""What a hostile document costs the server: time to refuse (or answer) against its size.

    .venv/bin/python bench/documents.py [--repeat 3]

Each shape is posted to the app in-process (httpx's ASGI transport: no network, no database;
none of these documents reads a row), every run with a comment that makes its text new, so
neither the parser cache nor the validation cache answers it. The figure is the median time
of the request, from the POST to the last byte of the answer. The fragment-doubling document is
also timed through the two strawberry validators the limits used before (depth and aliases,
which walk a fragment again at every spread), up to the size where they take seconds.

Then responses: articles of 200 quotes (~12 KB of text each) in a throwaway SQLite database, and
a query of ~80 bytes that asks for every quote's article text (under the cost limit: a plain
list counts as 20). Its time and answer size are shown with QUOTEGRAPH_MAX_RESPONSE_BYTES at its
default and with the bound off, through strawberry and through a plan.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py would shadow the standard library's `http` while bench/ is on sys.path.
_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
sys.path.insert(0, str(_ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import logging  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
from graphql import TypeInfo, ValidationContext, parse  # noqa: E402
from strawberry.extensions import max_aliases, query_depth_limiter  # noqa: E402

from bench import common  # noqa: E402
from schema import limits  # noqa: E402
from schema.build import schema  # noqa: E402
from service import settings  # noqa: E402
from service.app import create_app  # noqa: E402
from service.db import prepare_schema, tortoise_config  # noqa: E402
from service.importer import import_text  # noqa: E402

Shape = Callable[[int], tuple[str, str | None]]


def doubling(n: int) -> tuple[str, str | None]:
    fragments = "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n))
    return f"query A {{ __typename }}\nquery B {{ ...F0 }}\n{fragments}\nfragment F{n} on Query {{ __typename }}", "A"


def unused_doubling(n: int) -> tuple[str, str | None]:
    fragments = "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n))
    return f"query A {{ __typename }}\n{fragments}\nfragment F{n} on Query {{ __typename }}", "A"


def shared_fragment(n: int) -> tuple[str, str | None]:
    operations = "\n".join(f"query Q{i}($v: ID!) {{ ...F }}" for i in range(n))
    fields = "node(id: $v) { id } articles { totalCount } quotes { totalCount } speakers { totalCount }"
    return f"{operations}\nfragment F on Query {{ {fields} countries {{ totalCount }} }}", "Q0"


def shared_long_fragment(n: int) -> tuple[str, str | None]:
    operations = "\n".join(f"query Q{i} {{ ...F }}" for i in range(n))
    return f'{operations}\nfragment F on Query {{ node(id: "{"x" * 5_000}") {{ id }} }}', "Q0"


def wide_spreads(n: int) -> tuple[str, str | None]:
    spreads = " ".join(f"...F{i}" for i in range(n))
    fragments = "\n".join(
        f"fragment F{i} on Query {{ articles(first: {i % 50 + 1}) {{ totalCount }} }}" for i in range(n)
    )
    return f"{{ {spreads} }}\n{fragments}", None


def fragment_chain(n: int) -> tuple[str, str | None]:
    fragments = "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(n))
    return f"{{ ...F0 }}\n{fragments}\nfragment F{n} on Query {{ __typename }}", None


def aliases(n: int) -> tuple[str, str | None]:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(n)) + " }", None


def long_number(n: int) -> tuple[str, str | None]:
    return "{ articles(first: 1" + "0" * n + ") { totalCount } }", None


def variables(n: int) -> tuple[str, str | None]:
    definitions = " ".join(f"$v{i}: ID" for i in range(n))
    return f"query ({definitions}) {{ node(id: $v0) {{ id }} }}", None


SHAPES: list[tuple[str, Shape, list[int]]] = [
    ("fragment doubling, 2^n spreads, operationName A", doubling, [5, 10, 15, 20, 25, 30, 40, 60, 100]),
    ("fragment doubling, never used", unused_doubling, [5, 10, 20, 40, 100]),
    ("n operations sharing a 5-field fragment", shared_fragment, [1, 10, 50, 100, 150]),
    ("n operations sharing a 5,000-character fragment", shared_long_fragment, [1, 10, 40, 41, 100]),
    ("n fragments spread side by side", wide_spreads, [10, 50, 100, 200]),
    ("a chain of n fragments", fragment_chain, [10, 100, 200, 280]),
    ("n aliases", aliases, [10, 30, 31, 300, 600]),
    ("an integer of n digits", long_number, [10, 64, 1_000, 10_000, 90_000]),
    ("n variables, one used", variables, [10, 100, 300, 600]),
]


def old_validators(query: str) -> float:
    """Seconds strawberry's depth and alias validators (the limits before) take on `query`."""
    document = parse(query)
    graphql_schema = schema._schema
    started = time.perf_counter()
    for rule in (query_depth_limiter.create_validator(12, None), max_aliases.create_validator(30)):
        rule(ValidationContext(graphql_schema, document, TypeInfo(graphql_schema), lambda error: None))
    return time.perf_counter() - started


async def timed(http: httpx.AsyncClient, query: str, operation: str | None, run: int) -> tuple[float, int, str]:
    body: dict[str, Any] = {"query": f"# run {run}\n{query}"}
    if operation is not None:
        body["operationName"] = operation
    started = time.perf_counter()
    response = await http.post("/graphql", json=body)
    elapsed = time.perf_counter() - started
    errors = response.json().get("errors") or []
    code = (errors[0].get("extensions") or {}).get("code") or errors[0]["message"][:40] if errors else "answered"
    return elapsed, response.status_code, str(code)


async def main(repeat: int) -> None:
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)  # every refusal is logged
    transport = httpx.ASGITransport(app=create_app("sqlite://:memory:"))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        run = 0
        for title, shape, sizes in SHAPES:
            print(f"\n{title}")
            print(f"{'n':>8} {'chars':>9} {'ms':>9}  status  answer")
            for n in sizes:
                query, operation = shape(n)
                times: list[float] = []
                for _ in range(repeat):
                    run += 1
                    elapsed, status, code = await timed(http, query, operation, run)
                    times.append(elapsed)
                print(f"{n:>8} {len(query):>9,} {statistics.median(times) * 1000:>9.2f}  {status:>6}  {code}")
    print("\nfragment doubling through strawberry's depth and alias validators (the limits before)")
    print(f"{'n':>8} {'ms':>9}")
    for n in (5, 10, 12, 14, 16, 18):
        print(f"{n:>8} {old_validators(doubling(n)[0]) * 1000:>9.2f}")


LARGE = "{ articles(first: 20) { edges { node { quotes { article { text } } } } } }"


def long_article(n: int, quotes: int = 200) -> str:
    lines = [f"“Line {q} of session {n}, said at length for the record,” said Mayor Ana Lund." for q in range(quotes)]
    return "\n".join([f"Council session {n}", *lines]) + "\n"


async def responses(repeat: int) -> None:
    import tempfile

    from strawberry.extensions import ParserCache, ValidationCache
    from tortoise.context import TortoiseContext

    print(f"\n{LARGE}  ({len(LARGE)} bytes of query; 20 articles of 200 quotes)")
    print(f"{'bound':>14} {'path':>10} {'ms':>9} {'bytes':>12}  status  answer")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite://{tmp}/responses.sqlite3"
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(url), _enable_global_fallback=True)
            await prepare_schema()
            for n in range(20):
                await import_text(long_article(n))
            default = settings.MAX_RESPONSE_BYTES
            for bound in (default, 10**12):
                settings.MAX_RESPONSE_BYTES = bound
                schema.extensions = [
                    lambda: ParserCache(maxsize=256),
                    lambda: ValidationCache(maxsize=256),
                    *limits.extensions(),
                ]
                settings.RESPONSE_CACHE_ENTRIES = 0
                for path, plans in (("strawberry", 0), ("plan", 256)):
                    settings.QUERY_PLANS = plans
                    app = create_app(url)
                    if plans:  # admitted by a run without the bound
                        app.state.graphql.plans.admit(LARGE, None)
                    transport = httpx.ASGITransport(app=app)
                    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as http:
                        times: list[float] = []
                        for _ in range(repeat):
                            started = time.perf_counter()
                            response = await http.post("/graphql", json={"query": LARGE})
                            times.append(time.perf_counter() - started)
                    errors = response.json().get("errors") or []
                    answer = (errors[0].get("extensions") or {}).get("code") if errors else "answered"
                    shown = f"{bound:,}" if bound == default else "off"
                    ms, size, status = statistics.median(times) * 1000, len(response.content), response.status_code
                    print(f"{shown:>14} {path:>10} {ms:>9.1f} {size:>12,}  {status:>6}  {answer}")
            settings.MAX_RESPONSE_BYTES = default


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each document (the median is shown)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.repeat))
    asyncio.run(responses(arguments.repeat))


if __name__ == "__main__":
    common.run_recorded(
        "documents", "Hostile GraphQL documents: time to refuse or answer against size (bench/documents.py)", cli
    )
