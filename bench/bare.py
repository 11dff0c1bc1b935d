"""The limit for bench/http.py: a bare Starlette app on uvicorn, run as `quotegraph serve` runs,
that answers each known request body with the bytes quotegraph answered it with.

    .venv/bin/python bench/bare.py RESPONSES.jsonl [--port P] [--workers N]

RESPONSES.jsonl holds one {"body": ..., "response": ...} object a line. The lookup is one dict
access, so what is measured is uvicorn, Starlette routing and the bytes on the wire.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py would shadow the standard library's `http` while bench/ is on sys.path.
_ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402

from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse, Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

_ENV = "BENCH_BARE_RESPONSES"


def _load(path: Path) -> dict[bytes, bytes]:
    answers: dict[bytes, bytes] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            pair = json.loads(line)
            answers[pair["body"].encode()] = pair["response"].encode()
    return answers


def create_app() -> Starlette:
    answers = _load(Path(os.environ[_ENV]))
    fallback = next(iter(answers.values()), b"{}")

    async def graphql(request: Request) -> Response:
        body = await request.body()
        return Response(answers.get(body, fallback), media_type="application/json")

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)])


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("responses", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    os.environ[_ENV] = str(args.responses.resolve())
    # The same uvicorn settings as `quotegraph serve` (service/cli.py), access log included.
    uvicorn.run(
        "bench.bare:create_app",
        factory=True,
        app_dir=str(_ROOT),
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
    )


if __name__ == "__main__":
    main()
