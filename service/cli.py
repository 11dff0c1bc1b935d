"""`quotegraph import|extract|serve|stats|export-schema`: parse arguments, then asyncio.run(...)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from service import settings

EXAMPLES = """\
examples:
  quotegraph import seeds/                  import every *.txt under seeds/
  quotegraph import a.txt b.txt --json      import two files, print a JSON report
  quotegraph extract article.txt            print what the extractor finds, no database
  quotegraph serve --port 8000              GraphiQL at http://127.0.0.1:8000/graphql
  quotegraph stats                          counts of what the database holds
  quotegraph export-schema                  write schema/schema.graphql

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

    imp = commands.add_parser("import", help="import article files into the database")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a file, or a directory of *.txt")
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

    sts = commands.add_parser("stats", help="count what the database holds")
    sts.add_argument("--json", action="store_true")
    sts.add_argument("--database", default=None)

    exp = commands.add_parser("export-schema", help="write the GraphQL SDL")
    exp.add_argument("--output", type=Path, default=None, help="default schema/schema.graphql")
    exp.add_argument("--check", action="store_true", help="exit 1 if the file differs from the schema")
    return parser


def _dumps(data: Any) -> str:
    return orjson.dumps(data).decode()


async def _import(args: argparse.Namespace, out: Console, err: Console) -> int:
    from service.db import database
    from service.importer import ImportResult, article_files, import_files

    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        err.print(f"[red]error:[/] no such file or directory: {', '.join(missing)}")
        return 2
    files = article_files(args.paths)
    if not files:
        err.print("[yellow]nothing to import:[/] no *.txt files under the given paths")
        return 0
    progress = Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, disable=args.quiet or args.json or not err.is_terminal,
    )
    async with database(args.database):
        with progress:
            task = progress.add_task("import", total=len(files))

            def advance(result: ImportResult) -> None:
                progress.advance(task)
                if result.status == "failed":
                    err.print(f"[red]failed:[/] {result.source}: {result.error}")

            report = await import_files(files, on_result=advance)
    if args.json:
        out.print(_dumps(report.to_json()), markup=False, highlight=False, soft_wrap=True)
    elif not args.quiet:
        table = Table(title="import")
        for column in ("imported", "unchanged", "failed", "quotes"):
            table.add_column(column, justify="right")
        summary = report.to_json()
        table.add_row(*(str(summary[c]) for c in ("imported", "unchanged", "failed", "quotes")))
        err.print(table)
    return 1 if report.failed else 0


def _extract(args: argparse.Namespace, out: Console, err: Console) -> int:
    from service.importer import read_article_file
    from service.parsing import ArticleError, parse_article
    from service.parsing.jsonable import article_json

    status = 0
    for path in args.paths:
        try:
            parsed = parse_article(read_article_file(path))
        except ArticleError as exc:
            err.print(f"[red]failed:[/] {path}: {exc}")
            status = 1
            continue
        out.print(_dumps({"path": str(path), **article_json(parsed)}), markup=False, highlight=False, soft_wrap=True)
    return status


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
        if args.command == "stats":
            return asyncio.run(_stats(args, out))
        if args.command == "export-schema":
            return _export_schema(args, err)
        return _serve(args)
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except OSError as exc:  # e.g. the database server is unreachable
        err.print(f"[red]error:[/] {exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
