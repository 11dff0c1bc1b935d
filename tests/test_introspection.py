"""The served introspection, checked against the released GraphQL spec (October 2021) and what
released graphql-js 16 added to it: what every client (graphql-js 16.x, GraphQL Code Generator,
`gql` 3 on graphql-core 3.2) reads. Scalars carry their format; every enum value is described."""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

import httpx
import pytest
from graphql import GraphQLEnumType, build_client_schema, build_schema, get_introspection_query, print_schema

from schema.build import SDL_PATH, schema
from schema.introspection import SPEC_DIRECTIVE_LOCATIONS
from schema.types.common import RFC_3339, described_enum
from service.importer import import_text
from tests.conftest import SEED_PATH, graphql

# graphql-js 16's getIntrospectionQuery options: graphql-core names them the same, and together
# they ask every field a released client may ask.
EVERY_OPTION = get_introspection_query(
    descriptions=True,
    specified_by_url=True,
    directive_is_repeatable=True,
    schema_description=True,
    input_value_deprecation=True,
    experimental_directive_deprecation=True,  # graphql-js 16.15
    one_of=True,  # graphql-js 16.9
)

# The spec's introspection types (October 2021, section 4.2), with what released graphql-js 16
# added and asks for only when told to: isOneOf (16.9), directive deprecation (16.15).
RELEASED_FIELDS: dict[str, set[str]] = {
    "__Schema": {"description", "types", "queryType", "mutationType", "subscriptionType", "directives"},
    "__Type": {
        *("kind", "name", "description", "fields", "interfaces", "possibleTypes", "enumValues"),
        *("inputFields", "ofType", "specifiedByURL", "isOneOf"),
    },
    "__Field": {"name", "description", "args", "type", "isDeprecated", "deprecationReason"},
    "__InputValue": {"name", "description", "type", "defaultValue", "isDeprecated", "deprecationReason"},
    "__EnumValue": {"name", "description", "isDeprecated", "deprecationReason"},
    "__Directive": {"name", "description", "locations", "args", "isRepeatable", "isDeprecated", "deprecationReason"},
}
TYPE_KINDS = ["SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM", "INPUT_OBJECT", "LIST", "NON_NULL"]
# The specified directives: (locations, {argument: (type, default)}). @oneOf is graphql-js 16.9's.
SPECIFIED_DIRECTIVES: dict[str, tuple[list[str], dict[str, tuple[str, str | None]]]] = {
    "include": (["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"], {"if": ("Boolean!", None)}),
    "skip": (["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"], {"if": ("Boolean!", None)}),
    "deprecated": (
        ["FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION", "ENUM_VALUE"],
        {"reason": ("String", '"No longer supported"')},
    ),
    "specifiedBy": (["SCALAR"], {"url": ("String!", None)}),
    "oneOf": (["INPUT_OBJECT"], {}),
}
RFC_3339_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


async def introspect(http: httpx.AsyncClient, query: str = EVERY_OPTION) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]
    return result


def type_ref(ref: dict[str, Any]) -> str:
    if ref["kind"] == "NON_NULL":
        return f"{type_ref(ref['ofType'])}!"
    if ref["kind"] == "LIST":
        return f"[{type_ref(ref['ofType'])}]"
    name: str = ref["name"]
    return name


async def test_introspection_directives_are_the_specs(client: httpx.AsyncClient) -> None:
    directives = (await introspect(client))["__schema"]["directives"]
    served = {
        d["name"]: (d["locations"], {a["name"]: (type_ref(a["type"]), a["defaultValue"]) for a in d["args"]})
        for d in directives
    }
    assert served == SPECIFIED_DIRECTIVES
    assert all(not d["isRepeatable"] and not d["isDeprecated"] for d in directives)


async def test_introspection_directive_locations_are_the_specs_values(client: httpx.AsyncClient) -> None:
    data = await introspect(client)
    served_enum = next(t for t in data["__schema"]["types"] if t["name"] == "__DirectiveLocation")
    assert [v["name"] for v in served_enum["enumValues"]] == list(SPEC_DIRECTIVE_LOCATIONS)
    # The enum that __Directive.locations returns is the same one, reached through the field.
    reached = await introspect(
        client,
        '{ __type(name: "__Directive") { fields { name type { ofType { ofType { ofType { name enumValues '
        "{ name } } } } } } } }",
    )
    locations = next(f for f in reached["__type"]["fields"] if f["name"] == "locations")
    named = locations["type"]["ofType"]["ofType"]["ofType"]
    assert [v["name"] for v in named["enumValues"]] == list(SPEC_DIRECTIVE_LOCATIONS)


async def test_introspection_types_have_the_released_fields_only(client: httpx.AsyncClient) -> None:
    types = {t["name"]: t for t in (await introspect(client))["__schema"]["types"] if t["name"].startswith("__")}
    assert {name: {f["name"] for f in t["fields"]} for name, t in types.items() if t["fields"]} == RELEASED_FIELDS
    assert [v["name"] for v in types["__TypeKind"]["enumValues"]] == TYPE_KINDS


async def test_introspection_builds_a_client_schema_that_prints_and_parses(client: httpx.AsyncClient) -> None:
    for query in (get_introspection_query(), EVERY_OPTION):  # a client's defaults, and everything
        rebuilt = build_client_schema(await introspect(client, query))  # type: ignore[arg-type]
        build_schema(print_schema(rebuilt))
    assert build_schema(SDL_PATH.read_text(encoding="utf-8")).get_type("Quote") is not None


async def test_introspection_of_dates_names_rfc_3339(client: httpx.AsyncClient) -> None:
    types = {t["name"]: t for t in (await introspect(client))["__schema"]["types"]}
    for name in ("Date", "DateTime"):
        assert types[name]["specifiedByURL"] == RFC_3339
        assert "RFC 3339" in types[name]["description"]


async def test_served_date_times_are_rfc_3339(client: httpx.AsyncClient) -> None:
    await import_text(SEED_PATH.read_text(encoding="utf-8"), title="Seed")
    data = await graphql(client, "{ articles(first: 1) { edges { node { date importedAt eventDate } } } }")
    article = data["articles"]["edges"][0]["node"]
    assert RFC_3339_DATE_TIME.fullmatch(article["date"]) and RFC_3339_DATE_TIME.fullmatch(article["importedAt"])
    assert article["eventDate"] is None or re.fullmatch(r"\d{4}-\d\d-\d\d", article["eventDate"])


ENUMS = sorted(name for name, t in schema._schema.type_map.items() if isinstance(t, GraphQLEnumType))


@pytest.mark.parametrize(
    "name",
    ENUMS,
)
def test_every_enum_value_is_described(name: str) -> None:
    enum = schema._schema.type_map[name]
    assert isinstance(enum, GraphQLEnumType)
    assert [value for value, definition in enum.values.items() if not definition.description] == []


def test_described_enum_refuses_an_enum_with_a_value_undescribed() -> None:
    class Colour(Enum):
        RED = "RED"
        BLUE = "BLUE"

    with pytest.raises(ValueError, match="Colour: no description for BLUE"):
        described_enum(Colour, "A colour.", {Colour.RED: "Red."})
