"""Python `gql` 3 with graphql-core 3.2, run in the venv scripts/install-clients makes (graphql-core 3.2
cannot share .venv with the server's 3.3): the schema fetched by introspection, the documents
validated against it and run. One JSON object in on stdin, one out on stdout."""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from typing import Any

from gql import Client, gql
from gql.transport.requests import RequestsHTTPTransport

# The full introspection, as graphql-js's getIntrospectionQuery with every option asks it.
INTROSPECTION_ARGS = {
    "descriptions": True,
    "specified_by_url": True,
    "directive_is_repeatable": True,
    "schema_description": True,
    "input_value_deprecation": True,
}


def main() -> None:
    request: dict[str, Any] = json.load(sys.stdin)
    report: dict[str, Any] = {"gql": version("gql"), "graphql-core": version("graphql-core"), "results": {}}
    transport = RequestsHTTPTransport(url=request["url"], timeout=30)
    client = Client(transport=transport, fetch_schema_from_transport=True, introspection_args=INTROSPECTION_ARGS)
    try:
        with client as session:
            for name, text in request["documents"].items():
                try:
                    report["results"][name] = {"data": session.execute(gql(text)), "errors": []}
                except Exception as error:  # every failure is reported for the test to show
                    report["results"][name] = {"data": None, "errors": [f"{type(error).__name__}: {error}"]}
    except Exception as error:
        report["schemaError"] = f"{type(error).__name__}: {error}"
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
