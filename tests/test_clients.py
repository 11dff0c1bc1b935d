"""The GraphQL clients frontend teams use, run for real against a live `quotegraph serve`.

graphql-js, GraphQL Code Generator (its output type-checked by tsc), Apollo Client, urql and
graphql-ws run as node scripts in tests/clients (npm packages pinned in its package-lock.json);
Python `gql` 4 runs here and `gql` 3 (with graphql-core 3.2) in tests/clients/.venv-gql3.
`scripts/install-clients` installs both; without them the tests skip with that hint, except under
CI=true, where they fail. Each script runs once per module and reports what its client did as JSON;
the tests assert on the report. The README's example operations are read from README.md and sent
unchanged.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXAsyncTransport
from graphql import GraphQLError, parse

from tests.conftest import ROOT
from tests.live import environment, run_cli, serve

CLIENTS = Path(__file__).with_name("clients")
GQL3_PYTHON = CLIENTS / ".venv-gql3" / "bin" / "python"
INSTALL_HINT = "run scripts/install-clients (make install does)"
TOKEN = "clients-token"

# The full introspection, as graphql-js's getIntrospectionQuery asks it with every option on.
INTROSPECTION_ARGS = {
    "descriptions": True,
    "specified_by_url": True,
    "directive_is_repeatable": True,
    "schema_description": True,
    "input_value_deprecation": True,
}
SYNTAX_ERROR = "subscription { quoteAdded { text }"
UNKNOWN_FIELD = "subscription { quoteAdded { noSuchField } }"


@dataclass(frozen=True)
class Live:
    url: str  # the /graphql endpoint
    log: Path


def readme_documents() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```graphql\n(.*?)```", readme, re.DOTALL)
    return {f"README #{number}": block for number, block in enumerate(blocks, start=1)}


def readme_subscription() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```text\n(subscription .*?)```", readme, re.DOTALL)
    assert len(blocks) == 1, "README.md shows one subscription in a ```text block"
    return str(blocks[0])


def bench_documents() -> dict[str, str]:
    """The module-level GraphQL documents of bench/queries.py (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_queries", ROOT / "bench" / "queries.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    documents = {}
    for name, value in vars(module).items():
        if name.isupper() and isinstance(value, str):
            try:
                parse(value)
            except GraphQLError:
                continue
            documents[f"bench {name}"] = value
    return documents


def _missing(what: str, hint: str = INSTALL_HINT) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI: {hint}")
    pytest.skip(f"{what} is not installed: {hint}")


@pytest.fixture(scope="session")
def node() -> str:
    """The node binary, with tests/clients installed from its lock file when it is not yet."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        _missing("node/npm", "install Node.js >= 20 with npm, then run scripts/install-clients")
    installed = CLIENTS / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < (CLIENTS / "package-lock.json").stat().st_mtime:
        result = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=CLIENTS,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"npm ci in tests/clients failed:\n{result.stdout}\n{result.stderr}"
    return node


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A served SQLite database holding the seed article, mutations allowed with TOKEN."""
    tmp = tmp_path_factory.mktemp("clients")
    env = environment(DATABASE_URL=f"sqlite://{tmp}/clients.sqlite3", QUOTEGRAPH_API_TOKEN=TOKEN)
    imported = run_cli("import", str(ROOT / "seeds"), env=env)
    assert imported.returncode == 0, imported.stderr
    with serve(env, tmp / "serve.log") as base:
        yield Live(f"{base}/graphql", tmp / "serve.log")


def _run(command: list[str], request: dict[str, Any]) -> dict[str, Any]:
    """Runs a client script: the request as JSON on stdin, its report as the last line of stdout."""
    result = subprocess.run(
        command, input=json.dumps(request), cwd=CLIENTS, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, f"{command[-1]} failed:\n{result.stdout}\n{result.stderr}"
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def _post(url: str, query: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.post(url, json={"query": query}, timeout=30).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def test_readme_and_bench_have_example_operations() -> None:
    assert len(readme_documents()) >= 5
    assert {"bench ARTICLE_PAGE", "bench SPEAKER_PAGE", "bench DEEP", "bench IMPORT_ARTICLE"} <= set(bench_documents())


# graphql-js 16 -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graphql_js(node: str, live: Live) -> dict[str, dict[str, Any]]:
    """graphql-js's report, one entry per release (the long-deployed 16.9 and the newest 16.x)."""
    documents = {**readme_documents(), **bench_documents()}
    request = {"url": live.url, "sdlPath": str(ROOT / "schema" / "schema.graphql"), "documents": documents}
    return _run([node, "graphql-js.mjs"], request)


def test_graphql_js_builds_a_client_schema_from_the_live_introspection(graphql_js: dict[str, dict[str, Any]]) -> None:
    for release in graphql_js.values():
        assert release["introspectionErrors"] == [], release["version"]
        assert release["clientSchemaErrors"] == [], release["version"]
        assert release["clientSchemaValidation"] == [], release["version"]
        # Fails on a directive location graphql-js does not know (graphql-core 3.3's @deprecated on
        # DIRECTIVE_DEFINITION, unknown before graphql-js 16.14).
        assert release["reintrospectionErrors"] == [], release["version"]


def test_graphql_js_validates_every_example_operation(graphql_js: dict[str, dict[str, Any]]) -> None:
    expected = set(readme_documents()) | set(bench_documents())
    for release in graphql_js.values():
        assert set(release["validation"]) == expected
        invalid = {name: errors for name, errors in release["validation"].items() if errors}
        assert invalid == {}, release["version"]


def test_graphql_js_builds_the_exported_sdl_as_the_live_schema(graphql_js: dict[str, dict[str, Any]]) -> None:
    for release in graphql_js.values():
        assert release["sdlErrors"] == [], release["version"]
        assert release["sdlValidation"] == [], release["version"]
        assert not any(release["sdlDocumentValidation"].values()), release["sdlDocumentValidation"]
        assert release["sdlDifference"] is None, release["version"]


def test_graphql_js_sees_date_scalars_specified_by_url(graphql_js: dict[str, dict[str, Any]]) -> None:
    for release in graphql_js.values():
        scalars = release["scalars"]
        assert scalars["Date"] and scalars["DateTime"], scalars


# GraphQL Code Generator ----------------------------------------------------------------------------


def test_codegen_generates_types_for_each_readme_operation(node: str, live: Live, tmp_path: Path) -> None:
    documents = readme_documents()
    report = _run([node, "codegen.mjs"], {"url": live.url, "documents": documents, "outDir": str(tmp_path)})
    assert report["errors"] == []
    assert Path(report["schema"]["filename"]).is_file()
    # strictScalars: codegen fails on a custom scalar the config leaves out, rather than `any`.
    assert report["schema"]["scalars"]["Date"] == {"input": "string", "output": "string"}
    assert report["schema"]["scalars"]["DateTime"] == {"input": "string", "output": "string"}
    assert [operation["document"] for operation in report["operations"]] == list(documents)
    for operation in report["operations"]:
        assert Path(operation["filename"]).is_file()
        assert operation["operationTypes"], f"no operation type generated for {operation['document']}"
    assert report["typeErrors"] == [], "tsc --strict rejects the generated types"


# Apollo Client 3 -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def apollo(node: str, live: Live) -> dict[str, Any]:
    return _run([node, "apollo.mjs"], {"url": live.url, "documents": readme_documents()})


NESTED = ["Speaker.quotes", "Country.speakers"]


@pytest.mark.parametrize("connection", NESTED)
@pytest.mark.parametrize("direction", ["forwards", "backwards"])
def test_apollo_pages_a_nested_connection_with_fetch_more(
    apollo: dict[str, Any], connection: str, direction: str
) -> None:
    assert "error" not in apollo["paging"], apollo["paging"]
    paging = apollo["paging"][connection]
    whole, merged = paging["whole"], paging[direction]
    assert "error" not in whole and "error" not in merged, paging
    assert whole["totalCount"] == len(whole["ids"]) >= 3
    # relayStylePagination merged the pages, appended or prepended, into the list one request gives.
    assert merged["ids"] == whole["ids"]
    assert merged["requests"] == -(-len(whole["ids"]) // paging["page"])
    assert merged["pageInfo"]["hasNextPage" if direction == "forwards" else "hasPreviousPage"] is False


def _assert_persisted(name: str, outcome: dict[str, Any], method: str) -> None:
    requests = outcome["requests"]
    assert len(requests) == 3, (name, requests)
    miss, retry, hit = requests
    assert (miss["method"], miss["sentHash"], miss["sentQuery"]) == (method, True, False), (name, miss)
    assert miss["errors"] in (["PERSISTED_QUERY_NOT_FOUND"], ["PersistedQueryNotFound"]), (name, miss)
    assert (retry["sentHash"], retry["sentQuery"], retry["hasData"], retry["errors"]) == (True, True, True, []), (
        name,
        retry,
    )
    assert (hit["method"], hit["sentHash"], hit["sentQuery"]) == (method, True, False), (name, hit)
    assert (hit["status"], hit["hasData"], hit["errors"]) == (200, True, []), (name, hit)
    first, second = outcome["rounds"]
    assert first["errors"] == second["errors"] == [], (name, outcome["rounds"])
    assert first["data"] and first["data"] == second["data"], name


def test_apollo_persisted_queries_miss_then_hit_over_post(apollo: dict[str, Any]) -> None:
    assert "error" not in apollo["persistedOverPost"], apollo["persistedOverPost"]
    for name, outcome in apollo["persistedOverPost"].items():
        _assert_persisted(name, outcome, "POST")


def test_apollo_persisted_queries_miss_then_hit_over_get(apollo: dict[str, Any]) -> None:
    assert "error" not in apollo["persistedOverGet"], apollo["persistedOverGet"]
    assert set(apollo["persistedOverGet"]) == set(readme_documents())
    for name, outcome in apollo["persistedOverGet"].items():
        _assert_persisted(name, outcome, "GET")


# urql with Graphcache ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def urql(node: str, live: Live) -> dict[str, Any]:
    return _run([node, "urql.mjs"], {"url": live.url, "documents": readme_documents()})


def test_urql_graphcache_merges_a_nested_connection_both_ways(urql: dict[str, Any]) -> None:
    assert urql["introspectionErrors"] == []
    whole = urql["whole"]
    assert "error" not in whole and len(whole["ids"]) >= 3, whole
    for direction in ("forwards", "backwards"):
        assert "error" not in urql[direction], urql[direction]
        assert urql[direction]["ids"] == whole["ids"], direction
        assert urql[direction]["requests"] == -(-len(whole["ids"]) // 2), direction


def test_urql_graphcache_runs_readme_queries(urql: dict[str, Any]) -> None:
    assert urql["documents"] == {name: {"hasData": True, "errors": []} for name in readme_documents()}


# Python gql 4 and gql 3 ----------------------------------------------------------------------------


async def test_gql_4_runs_readme_queries_on_the_introspected_schema(live: Live) -> None:
    transport = HTTPXAsyncTransport(url=live.url)
    client = Client(transport=transport, fetch_schema_from_transport=True, introspection_args=INTROSPECTION_ARGS)
    async with client as session:
        results = {name: await session.execute(gql(text)) for name, text in readme_documents().items()}
        for text in bench_documents().values():
            client.validate(gql(text))  # raises on an operation the fetched schema does not accept
    assert client.schema is not None and client.schema.get_type("DateTime") is not None
    assert results == {name: _post(live.url, text) for name, text in readme_documents().items()}


@pytest.fixture(scope="session")
def gql3_python() -> str:
    if not GQL3_PYTHON.exists():
        _missing(f"gql 3 with graphql-core 3.2 ({GQL3_PYTHON.relative_to(ROOT)})")
    return str(GQL3_PYTHON)


def test_gql_3_with_graphql_core_3_2_runs_readme_queries(gql3_python: str, live: Live) -> None:
    documents = readme_documents()
    report = _run([gql3_python, "gql3_check.py"], {"url": live.url, "documents": documents})
    assert report["gql"].startswith("3.") and report["graphql-core"].startswith("3.2."), report
    assert "schemaError" not in report, report["schemaError"]
    assert {name: result["errors"] for name, result in report["results"].items()} == {name: [] for name in documents}
    assert {name: result["data"] for name, result in report["results"].items()} == {
        name: _post(live.url, text) for name, text in documents.items()
    }


# graphql-ws (last: its import adds an article to the served database) ------------------------------


@pytest.fixture(scope="module")
def graphql_ws(node: str, live: Live) -> dict[str, Any]:
    request = {
        "url": live.url,
        "token": TOKEN,
        "subscription": readme_subscription(),
        "syntaxError": SYNTAX_ERROR,
        "unknownField": UNKNOWN_FIELD,
    }
    return _run([node, "graphql-ws.mjs"], request)


def test_graphql_ws_subscriber_receives_next_for_an_imported_article(graphql_ws: dict[str, Any]) -> None:
    live = graphql_ws["live"]
    assert live["end"] == "open" and live["errors"] == [], live
    assert set(live["imports"]) == {"ImportArticleSuccess"}, live
    quote = live["events"][0]["data"]["quoteAdded"]
    assert quote["text"] == "The harbour is open again,"
    assert quote["speaker"] == {"name": "Ana Lund"}
    assert quote["article"]["title"].startswith("Harbour reopens")


def test_graphql_ws_subscription_that_does_not_parse_ends_with_error(graphql_ws: dict[str, Any], live: Live) -> None:
    outcome = graphql_ws["syntaxError"]
    assert (outcome["end"], outcome["events"]) == ("error", []), outcome
    assert len(outcome["errors"]) == 1 and outcome["errors"][0].startswith("Syntax Error"), outcome
    log = live.log.read_text()
    assert "Traceback" not in log, log[-3000:]


def test_graphql_ws_subscription_to_an_unknown_field_ends_with_error(graphql_ws: dict[str, Any]) -> None:
    outcome = graphql_ws["unknownField"]
    assert (outcome["end"], outcome["events"]) == ("error", []), outcome
    assert len(outcome["errors"]) == 1 and "noSuchField" in outcome["errors"][0], outcome
