"""Introspection in the terms of the released GraphQL spec (October 2021), which every client reads.

graphql-core 3.3 follows the spec's working draft: its `@deprecated` may also mark directive
definitions (location DIRECTIVE_DEFINITION) and its `__DirectiveLocation` adds DIRECTIVE_DEFINITION
and FRAGMENT_VARIABLE_DEFINITION. Clients on graphql-js 16.0-16.14 (GraphQL Code Generator among
them) or graphql-core 3.2 (Python `gql` 3) refuse an introspection naming either. `served` gives the
schema the spec's `@deprecated` and a `__schema` whose `__DirectiveLocation` holds the spec's values
only, in what the schema says of itself and in what it answers alike.

What released graphql-js 16 added since and asks for only when told to (`__Type.isOneOf` and
`@oneOf` from 16.9, directive deprecation fields from 16.15) stays: removing them would refuse
those clients' queries, and the clients that do not know them never ask.
"""

from __future__ import annotations

from graphql import (
    DEFAULT_DEPRECATION_REASON,
    GraphQLArgument,
    GraphQLCompositeType,
    GraphQLDefaultInput,
    GraphQLDeprecatedDirective,
    GraphQLDirective,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    SchemaMetaFieldDef,
    introspection_types,
)

# The spec's __DirectiveLocation (October 2021, section 4.2.1), in its order.
SPEC_DIRECTIVE_LOCATIONS = (
    "QUERY",
    "MUTATION",
    "SUBSCRIPTION",
    "FIELD",
    "FRAGMENT_DEFINITION",
    "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT",
    "VARIABLE_DEFINITION",
    "SCHEMA",
    "SCALAR",
    "OBJECT",
    "FIELD_DEFINITION",
    "ARGUMENT_DEFINITION",
    "INTERFACE",
    "UNION",
    "ENUM",
    "ENUM_VALUE",
    "INPUT_OBJECT",
    "INPUT_FIELD_DEFINITION",
)

# directive @deprecated(reason: String = "No longer supported")
#   on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
# (graphql-core 3.3 makes `reason` String! and adds DIRECTIVE_DEFINITION, as the draft does).
SPEC_DEPRECATED = GraphQLDirective(
    name="deprecated",
    locations=[
        location for location in GraphQLDeprecatedDirective.locations if location.name in SPEC_DIRECTIVE_LOCATIONS
    ],
    args={
        "reason": GraphQLArgument(
            GraphQLString,
            description=GraphQLDeprecatedDirective.args["reason"].description,
            default=GraphQLDefaultInput(value=DEFAULT_DEPRECATION_REASON),
        )
    },
    description=GraphQLDeprecatedDirective.description,
)


def _retyped(field: GraphQLField, type_: GraphQLOutputType) -> GraphQLField:
    kwargs = field.to_kwargs()
    kwargs["type_"] = type_
    return GraphQLField(**kwargs)


def _with_field(type_: GraphQLNamedType, name: str, field_type: GraphQLOutputType) -> GraphQLObjectType:
    """A copy of an introspection object type, its field `name` returning `field_type`."""
    assert isinstance(type_, GraphQLObjectType)
    kwargs = type_.to_kwargs()
    kwargs["fields"] = {**type_.fields, name: _retyped(type_.fields[name], field_type)}
    # Allocated directly: GraphQLNamedType.__new__ refuses reserved names (so that no SDL or
    # user type redefines them); this is the one deliberate variant.
    copy = object.__new__(GraphQLObjectType)
    copy.__init__(**kwargs)  # type: ignore[misc]
    return copy


def _spec_locations() -> GraphQLEnumType:
    draft = introspection_types["__DirectiveLocation"]
    assert isinstance(draft, GraphQLEnumType)
    kwargs = draft.to_kwargs()
    kwargs["values"] = {name: draft.values[name] for name in SPEC_DIRECTIVE_LOCATIONS}
    copy = object.__new__(GraphQLEnumType)  # as in _with_field
    copy.__init__(**kwargs)  # type: ignore[misc]
    return copy


def _non_null_list(type_: GraphQLObjectType | GraphQLEnumType) -> GraphQLOutputType:
    return GraphQLNonNull(GraphQLList(GraphQLNonNull(type_)))


# __schema -> __Schema.directives -> __Directive.locations -> __DirectiveLocation: the chain the
# spec's values reach through; every other introspection type is graphql-core's own.
DIRECTIVE_LOCATION = _spec_locations()
DIRECTIVE = _with_field(introspection_types["__Directive"], "locations", _non_null_list(DIRECTIVE_LOCATION))
SCHEMA = _with_field(introspection_types["__Schema"], "directives", _non_null_list(DIRECTIVE))
SCHEMA_FIELD = _retyped(SchemaMetaFieldDef, GraphQLNonNull(SCHEMA))


class SpecIntrospectionSchema(GraphQLSchema):
    """A GraphQLSchema whose `__schema` field and type map hold the spec's introspection types."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        for type_ in (SCHEMA, DIRECTIVE, DIRECTIVE_LOCATION):
            self.type_map[type_.name] = type_  # in place: the order of the types is kept

    def get_field(self, parent_type: GraphQLCompositeType, field_name: str) -> GraphQLField | None:
        if field_name == "__schema" and parent_type is self.query_type:
            return SCHEMA_FIELD
        return super().get_field(parent_type, field_name)


def served(schema: GraphQLSchema) -> GraphQLSchema:
    """`schema` as served: the spec's `@deprecated`, introspected in the spec's terms."""
    kwargs = schema.to_kwargs()
    kwargs["directives"] = tuple(SPEC_DEPRECATED if d.name == "deprecated" else d for d in schema.directives)
    return SpecIntrospectionSchema(**kwargs)
