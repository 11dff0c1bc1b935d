"""`quotegraph import|extract|serve|stats|export-schema`: parse arguments, then asyncio.run(...)."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import stat
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from service import settings

if TYPE_CHECKING:
    from service.importer import ImportResult
    from service.sources import SourceRecord

EXAMPLES = """\
examples:
  quotegraph import seeds/                  import every *.txt, *.jsonl, *.json under seeds/
  quotegraph import a.txt b.txt --json      import two files, print a JSON report
  quotegraph import feed.jsonl --jobs 2     parse a JSON Lines feed in two processes
  cat feed.jsonl | quotegraph import -      read standard input
  quotegraph export > graph.jsonl           everything, corrections included; import it elsewhere
  quotegraph extract article.txt            print what the extractor finds, no database
  quotegraph serve --port 8000              GraphiQL at http://127.0.0.1:8000/graphql
  quotegraph stats                          counts of what the database holds
  quotegraph export-schema                  write schema/schema.graphql
  quotegraph persist queries/ README.md     register documents for QUOTEGRAPH_PERSISTED_ONLY

environment: DATABASE_URL (default sqlite://quotegraph.sqlite3), QUOTEGRAPH_HOST,
QUOTEGRAPH_PORT, QUOTEGRAPH_API_TOKEN; see README.md.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quotegraph",
        description="Turn news articles into a graph of who said what, served over GraphQL.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    imp = commands.add_parser("import", help="import articles into the database")
    imp.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="a .txt, .jsonl or .json file, a directory of them, or - for standard input",
    )
    imp.add_argument("--jobs", type=int, default=1, help="parse in this many processes (default 1)")
    imp.add_argument("--fail-fast", action="store_true", help="stop at the first record that fails")
    imp.add_argument("--json", action="store_true", help="print a machine-readable report on stdout")
    imp.add_argument("--quiet", action="store_true", help="print nothing but errors")
    imp.add_argument("--database", default=None, help="database URL (default: $DATABASE_URL)")

    ext = commands.add_parser("extract", help="print the quotes found in files, without a database")
    ext.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    ext.add_argument("--json", action="store_true", help="one JSON object a line (the default)")

    srv = commands.add_parser("serve", help="serve the GraphQL API and GraphiQL")
    srv.add_argument("--host", default=settings.HOST, help=f"default {settings.HOST} ($QUOTEGRAPH_HOST)")
    srv.add_argument("--port", type=int, default=settings.PORT, help=f"default {settings.PORT} ($QUOTEGRAPH_PORT)")
    srv.add_argument("--workers", type=int, default=1, help="worker processes (use PostgreSQL for more than 1)")

    exq = commands.add_parser("export", help="write every article with its quotes and corrections")
    exq.add_argument("--format", choices=["jsonl"], default="jsonl", help="JSON Lines (the default)")
    exq.add_argument("--output", type=Path, default=None, help="a file (default: standard output)")
    exq.add_argument("--database", default=None)

    sts = commands.add_parser("stats", help="count what the database holds")
    sts.add_argument("--json", action="store_true")
    sts.add_argument("--database", default=None)

    per = commands.add_parser(
        "persist", help="register GraphQL documents: with QUOTEGRAPH_PERSISTED_ONLY=1 only these run"
    )
    per.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="a .graphql file (one document), a .md file (its ```graphql blocks), a JSON manifest "
        "(Apollo's persisted query manifest or Relay's {id: text}), or a directory of them",
    )
    per.add_argument("--json", action="store_true", help="print {hash: text} of what was registered")
    per.add_argument("--database", default=None)

    exp = commands.add_parser("export-schema", help="write the GraphQL SDL")
    exp.add_argument("--output", type=Path, default=None, help="default schema/schema.graphql")
    exp.add_argument("--check", action="store_true", help="exit 1 if the file differs from the schema")
    return parser


def _dumps(data: Any) -> str:
    return orjson.dumps(data).decode()


# Records handed to the importer per call: its report holds every result of a call, so a feed of
# any length is imported in bounded memory (the --json report keeps its own bounded tally).
WINDOW = 5_000
# Results the --json report lists one by one; every failure is listed whatever the count.
REPORTED_RESULTS = 10_000


@dataclass
class _Tally:
    """The report of a whole run, kept as it goes: counts, every failure, the first results."""

    counts: Counter[str] = field(default_factory=Counter)
    quotes: int = 0
    stopped: bool = False
    failures: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    omitted: int = 0

    def add(self, result: ImportResult) -> None:
        self.counts[result.status] += 1
        if result.status in ("imported", "updated"):
            self.quotes += result.quotes
        if result.status == "failed":
            self.failures.append({"source": result.source, "error": result.error, "code": result.code})
        if len(self.results) < REPORTED_RESULTS:
            self.results.append(result.to_json())
        else:
            self.omitted += 1

    def to_json(self) -> dict[str, Any]:
        summary: dict[str, Any] = {status: self.counts[status] for status in ("imported", "updated", "unchanged")}
        summary |= {"failed": self.counts["failed"], "quotes": self.quotes, "stopped": self.stopped}
        summary |= {"failures": self.failures, "results": self.results, "resultsOmitted": self.omitted}
        return summary


def _total_bytes(paths: list[Path]) -> int | None:
    """What the progress bar counts up to: the size of every file; None when reading a pipe."""
    total = 0
    for path in paths:
        try:
            info = os.fstat(sys.stdin.fileno()) if str(path) == "-" else path.stat()
        except (OSError, ValueError):
            if str(path) == "-":
                return None
            continue  # unreadable: its record reports why
        if not stat.S_ISREG(info.st_mode):
            return None
        total += info.st_size
    return total


def _import_progress(err: Console, quiet: bool) -> Progress:
    return Progress(
        TextColumn("importing"),
        BarColumn(),
        DownloadColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[articles]} articles"),
        TextColumn("{task.fields[rate]:.1f} articles/s"),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
    )


async def _import_all(
    records: Iterator[SourceRecord], args: argparse.Namespace, on_result: Callable[[ImportResult], None]
) -> bool:
    """Import every record, WINDOW at a time; True when --fail-fast stopped the run."""
    from service.importer import import_records

    while (first := next(records, None)) is not None:
        window = itertools.chain([first], itertools.islice(records, WINDOW - 1))
        report = await import_records(window, jobs=args.jobs, fail_fast=args.fail_fast, on_result=on_result)
        if report.stopped:
            return True
    return False


async def _import(args: argparse.Namespace, out: Console, err: Console) -> int:
    from service.db import database
    from service.sources import files_under, read_records

    missing = [str(p) for p in args.paths if str(p) != "-" and not p.exists()]
    if missing:
        err.print(f"[red]error:[/] no such file or directory: {escape(', '.join(missing))}")
        return 2
    if args.jobs < 1:
        err.print("[red]error:[/] --jobs must be 1 or more")
        return 2
    paths = files_under(args.paths)
    progress = _import_progress(err, args.quiet)
    task = progress.add_task("import", total=_total_bytes(paths), articles=0, rate=0.0, failed=0)
    records = read_records(paths, on_read=lambda size: progress.advance(task, size))
    first = next(records, None)
    if first is None:
        err.print("[yellow]nothing to import:[/] no *.txt, *.jsonl or *.json files under the given paths")
        return 0
    tally = _Tally()
    started = time.monotonic()

    def advance(result: ImportResult) -> None:
        tally.add(result)
        done = tally.counts.total()
        rate = done / max(time.monotonic() - started, 1e-6)
        progress.update(task, articles=done, failed=tally.counts["failed"], rate=rate)
        if result.status == "failed" and not args.quiet:
            err.print(f"[red]failed:[/] {escape(f'{result.source}: {result.error}')}", highlight=False)

    async with database(args.database):
        with progress:
            tally.stopped = await _import_all(itertools.chain([first], records), args, advance)
    summary = tally.to_json()
    if args.json:
        out.print(_dumps(summary), markup=False, highlight=False, soft_wrap=True)
    elif not args.quiet:
        table = Table(title="import")
        columns = ("imported", "updated", "unchanged", "failed", "quotes")
        for column in columns:
            table.add_column(column, justify="right")
        table.add_row(*(str(summary[c]) for c in columns))
        err.print(table)
        if tally.stopped:
            err.print("[yellow]stopped at the first failure (--fail-fast)[/]")
    return 1 if tally.counts["failed"] else 0


def _extract(args: argparse.Namespace, out: Console, err: Console) -> int:
    from service.importer import prepare
    from service.parsing.jsonable import article_json
    from service.sources import read_records

    status = 0
    for record in read_records(args.paths):
        prepared = prepare(record)
        if prepared.parsed is None:
            err.print(f"[red]failed:[/] {escape(f'{record.origin}: {prepared.error}')}", highlight=False)
            status = 1
            continue
        line = {"path": record.origin, **article_json(prepared.parsed)}
        out.print(_dumps(line), markup=False, highlight=False, soft_wrap=True)
    return status


async def _export(args: argparse.Namespace, err: Console) -> int:
    from service.db import database
    from service.export import export_records

    count = 0
    target = sys.stdout.buffer if args.output is None else args.output.open("wb")
    try:
        async with database(args.database):
            async for record in export_records():
                target.write(orjson.dumps(record) + b"\n")
                count += 1
    finally:
        if args.output is not None:
            target.close()
        else:
            target.flush()
    err.print(f"exported {count} articles" + (f" to {args.output}" if args.output else ""))
    return 0


async def _stats(args: argparse.Namespace, out: Console) -> int:
    from service import models
    from service.db import database

    async with database(args.database):
        counts = {
            "articles": await models.Article.all().count(),
            "quotes": await models.Quote.all().count(),
            "speakers": await models.Speaker.all().count(),
            "countries": await models.Country.all().count(),
            "agreements": await models.Agreement.all().count(),
        }
    if args.json:
        out.print(_dumps(counts), markup=False, highlight=False)
    else:
        table = Table(title="quotegraph")
        for name in counts:
            table.add_column(name, justify="right")
        table.add_row(*(str(v) for v in counts.values()))
        out.print(table)
    return 0


PERSISTABLE = (".graphql", ".gql", ".json", ".md", ".markdown")


async def _persist(args: argparse.Namespace, out: Console, err: Console) -> int:
    from service.db import database
    from service.persisted import Registration, read_documents, register

    files: list[Path] = []
    for path in args.paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in PERSISTABLE and p.is_file())
        elif path.exists():
            files.append(path)
        else:
            err.print(f"[red]error:[/] no such file or directory: {escape(str(path))}")
            return 2
    registrations: list[Registration] = []
    for path in files:
        try:
            registrations += read_documents(path)
        except (ValueError, OSError) as exc:  # nothing is registered from a build with a broken file
            err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            return 1
    async with database(args.database):
        added = await register(registrations)
    if args.json:
        out.print(_dumps({r.key: r.text for r in registrations}), markup=False, highlight=False, soft_wrap=True)
    err.print(f"registered {added} new of {len(registrations)} documents and hashes from {len(files)} files")
    return 0


def _export_schema(args: argparse.Namespace, err: Console) -> int:
    from schema.build import SDL_PATH, sdl

    path: Path = args.output or SDL_PATH
    text = sdl()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            err.print(f"[red]{path} is out of date:[/] run `quotegraph export-schema`")
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    err.print(f"wrote {path}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        # A request head has QUOTEGRAPH_HEADER_TIMEOUT seconds and QUOTEGRAPH_MAX_HEADER_BYTES.
        http="service.protocol:HttpToolsHeadProtocol",
        h11_max_incomplete_event_size=settings.MAX_HEADER_BYTES,
        timeout_keep_alive=settings.KEEP_ALIVE_TIMEOUT,
        # Past this many connections (or requests in flight) uvicorn answers 503 instead of
        # running out of file descriptors.
        limit_concurrency=settings.MAX_CONNECTIONS,
        # Shutting down, requests in flight get this long (their own limit and a margin) to finish.
        timeout_graceful_shutdown=int(settings.REQUEST_TIMEOUT) + 5,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out, err = Console(), Console(stderr=True)
    try:
        if args.command == "import":
            return asyncio.run(_import(args, out, err))
        if args.command == "extract":
            return _extract(args, out, err)
        if args.command == "export":
            return asyncio.run(_export(args, err))
        if args.command == "stats":
            return asyncio.run(_stats(args, out))
        if args.command == "export-schema":
            return _export_schema(args, err)
        if args.command == "persist":
            return asyncio.run(_persist(args, out, err))
        return _serve(args)
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except OSError as exc:  # e.g. the database server is unreachable
        err.print(f"[red]error:[/] {exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
