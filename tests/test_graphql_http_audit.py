"""graphql-http's GraphQL-over-HTTP audit (MUST, SHOULD and MAY) against `quotegraph serve`."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

QUOTEGRAPH = str(Path(sys.executable).with_name("quotegraph"))
AUDIT = Path(__file__).with_name("audit")
AUDIT_COUNT = 61


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(tmp_path: Path, seed: bool = False, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """A `quotegraph serve` process on a fresh SQLite database; yields its base URL."""
    environ = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path}/served.sqlite3", **(env or {})}
    if seed:
        imported = subprocess.run(
            [QUOTEGRAPH, "import", str(ROOT / "seeds"), "--quiet"],
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert imported.returncode == 0, imported.stderr
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [QUOTEGRAPH, "serve", "--port", str(port)],
            env=environ,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(150):
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                pytest.fail(f"quotegraph serve did not answer /healthz: {log_path.read_text()}")
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def _node_tools() -> tuple[str, str] | None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node and npm:
        return node, npm
    if os.environ.get("CI") == "true":
        pytest.fail("node and npm are required in CI for the GraphQL-over-HTTP audit")
    pytest.skip("node/npm not installed: the GraphQL-over-HTTP audit (tests/audit) needs them")
    return None


@pytest.fixture(scope="session")
def audit_script() -> list[str]:
    """`node audit.mjs`, with graphql-http installed from the lock file on first use."""
    tools = _node_tools()
    assert tools is not None
    node, npm = tools
    installed = AUDIT / "node_modules" / "graphql-http" / "package.json"
    if not installed.exists():
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=AUDIT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"npm ci failed:\n{result.stdout}\n{result.stderr}"
    return [node, str(AUDIT / "audit.mjs")]


def _audit(script: list[str], url: str) -> list[dict[str, object]]:
    result = subprocess.run([*script, url], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report: list[dict[str, object]] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize(
    "env",
    [
        {},
        # Production masks errors and turns GraphiQL off; the audit introspects `__type`.
        {"QUOTEGRAPH_ENV": "production", "QUOTEGRAPH_INTROSPECTION": "true"},
    ],
    ids=["development", "production"],
)
def test_graphql_over_http_audit_passes_every_must_should_and_may(
    audit_script: list[str], tmp_path: Path, env: dict[str, str]
) -> None:
    with serve(tmp_path, env=env) as url:
        report = _audit(audit_script, f"{url}/graphql")
    failures = [
        f"{r['id']} {r['name']}: {r.get('reason')} (HTTP {r.get('httpStatus')}) {r.get('body')}"
        for r in report
        if r["status"] != "ok"
    ]
    assert len(report) == AUDIT_COUNT
    assert not failures, f"{len(failures)}/{len(report)} audits fail:\n" + "\n".join(failures)
