"""Plumbing shared by the benchmarks: servers on free ports, throwaway PostgreSQL databases, wrk
runs, and the sections of BENCHMARKS.md each script owns."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import json
import os
import platform
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
BENCHMARKS = ROOT / "BENCHMARKS.md"
BIN = Path(sys.executable).parent
QUOTEGRAPH = str(BIN / "quotegraph")
POLNEAR = Path(os.environ.get("POLNEAR_DIR", ROOT.parent / "shared" / "data" / "polnear"))
SEEDS = ROOT / "seeds"
PG_HOST, PG_PORT = "127.0.0.1", int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_ADMIN_URL = f"postgres://postgres@{PG_HOST}:{PG_PORT}/postgres"
TOKEN = "bench-token"


# --- machine, command line, BENCHMARKS.md -----------------------------------------------------


def command_line() -> str:
    script = Path(sys.argv[0]).resolve()
    try:
        shown = str(script.relative_to(ROOT))
    except ValueError:
        shown = str(script)
    return shlex.join([".venv/bin/python", shown, *sys.argv[1:]])


def machine_note() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GiB, shared and noisy; "
        f"Python {platform.python_version()}, commit {commit or '?'} plus working-tree changes"
    )


def write_section(name: str, body: str) -> None:
    """Replace (or append) the `<!-- name:start -->` ... `<!-- name:end -->` block."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    BENCHMARKS.write_text(text, encoding="utf-8")
    print(f"wrote the {name} section of {BENCHMARKS.relative_to(ROOT)}")


def recorded(title: str, body: str) -> str:
    """A section: heading, the exact command, date and machine, then the figures."""
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"## {title}\n\n`{command_line()}` on {today}; {machine_note()}.\n\n{body.strip()}\n"


class _Tee(io.TextIOBase):
    def __init__(self, *streams: Any) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


def run_recorded(name: str, title: str, main: Callable[[], object]) -> None:
    """Run a benchmark that prints its figures; with `--write`, also record what it printed as its
    section of BENCHMARKS.md."""
    write = "--write" in sys.argv[1:]
    if write:
        sys.argv.remove("--write")
    printed = io.StringIO()
    with contextlib.redirect_stdout(_Tee(sys.stdout, printed)):
        result = main()
    if write:
        sys.argv.append("--write")
        write_section(name, recorded(title, f"```text\n{printed.getvalue().rstrip()}\n```"))
    if isinstance(result, int) and result:
        raise SystemExit(result)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# --- processes and databases ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def environment(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTEGRAPH_")}
    return {**env, **overrides}


def run_cli(*args: str, env: dict[str, str], timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([QUOTEGRAPH, *args], env=env, capture_output=True, text=True, timeout=timeout)
    return done


def postgres_available() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


def admin_sql(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@contextmanager
def postgres_database(prefix: str = "quotegraph_bench") -> Iterator[str]:
    """A PostgreSQL database of its own, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database_url(kind: str, workdir: Path, name: str = "bench") -> Iterator[str]:
    if kind == "postgres":
        if not postgres_available():
            raise SystemExit(f"no PostgreSQL on {PG_HOST}:{PG_PORT}")
        with postgres_database() as url:
            yield url
    else:
        yield f"sqlite://{workdir}/{name}.sqlite3"


@contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="quotegraph-bench-") as path:
        yield Path(path)


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, path: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}{path}", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)


@contextmanager
def process_server(argv: list[str], env: dict[str, str], log: Path, health: str) -> Iterator[Server]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen([*argv, "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
        server = Server(f"http://127.0.0.1:{port}", process)
        try:
            _wait_healthy(server.url, process, log, health)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass(frozen=True, slots=True)
class Server:
    url: str
    process: subprocess.Popen[bytes]

    def rss_mib(self) -> float:
        """Resident memory of the server and its worker processes."""
        pids = [self.process.pid, *_children(self.process.pid)]
        total = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                continue
        return total / 1024


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for kid in kids:
        found += [int(kid), *_children(int(kid))]
    return found


@contextmanager
def serve(env: dict[str, str], log: Path, *extra: str) -> Iterator[Server]:
    """`quotegraph serve` on a free port until the block ends."""
    with process_server([QUOTEGRAPH, "serve", *extra], env, log, "/healthz") as server:
        yield server


@contextmanager
def serve_bare(responses: Path, log: Path, workers: int = 1) -> Iterator[Server]:
    """bench/bare.py: a bare Starlette app answering each known body with fixed bytes."""
    argv = [sys.executable, str(BENCH / "bare.py"), str(responses), "--workers", str(workers)]
    with process_server(argv, environment(), log, "/healthz") as server:
        yield server


def graphql(url: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=60,
    )
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"GraphQL errors: {body['errors']}")
    return body["data"]


def article_ids(url: str) -> list[str]:
    """The global ID of every article the server holds, a page of 100 at a time."""
    from bench.queries import ARTICLE_IDS

    ids: list[str] = []
    after = None
    while True:
        page = graphql(url, ARTICLE_IDS, {"after": after})["articles"]
        ids += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


# --- data -------------------------------------------------------------------------------------


def polnear_jsonl(target: Path, split: str = "train") -> Path | None:
    """PolNeAR's records as quotegraph JSON Lines (title, text, externalId), or None when absent."""
    source = POLNEAR / f"{split}.jsonl"
    if not source.is_file():
        return None
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for line in lines:
            if line.strip():
                doc = json.loads(line)
                record = {
                    "title": doc.get("title"),
                    "text": doc["text"],
                    "externalId": doc["doc_id"],
                }
                out.write(json.dumps(record) + "\n")
    return target


# --- wrk ----------------------------------------------------------------------------------------


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is missing: run bench/setup (apt-get install -y wrk)")
    return found


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]
    socket_errors: int
    extra: dict[str, Any]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(
    url: str,
    script: Path,
    *,
    seconds: float,
    connections: int = 16,
    threads: int = 1,
    env: dict[str, str] | None = None,
    timeout: str = "10s",
) -> WrkResult:
    """Run wrk with a Lua script whose done() prints one JSON line prefixed with `BENCH `."""
    argv = [
        wrk_path(),
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        timeout,
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=seconds + 120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    for line in done.stdout.splitlines():
        if line.startswith("BENCH "):
            data = json.loads(line[6:])
            break
    else:
        raise RuntimeError(f"wrk printed no figures:\n{done.stdout}\n{done.stderr}")
    return WrkResult(
        requests=int(data["requests"]),
        seconds=float(data["duration_us"]) / 1e6,
        p50_ms=float(data["p50_us"]) / 1000,
        p99_ms=float(data["p99_us"]) / 1000,
        statuses={str(k): int(v) for k, v in data.get("statuses", {}).items()},
        socket_errors=int(data["connect"]) + int(data["read"]) + int(data["write"]) + int(data["timeout"]),
        extra=data,
    )
