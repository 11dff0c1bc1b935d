"""Limits on one GraphQL request (size, tokens, depth, aliases, cost, time) and production masking.

Every refusal is a `LimitError`: a GraphQL error whose `extensions.code` names the limit, raised
before validation and execution, so a hostile document costs a parse and one linear walk.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar
from typing import Any

import graphql.validation.rules.overlapping_fields_can_be_merged as overlapping_fields
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    TypeInfo,
    ValidationContext,
    ValidationRule,
    VariableNode,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    SchemaExtension,
    max_aliases,
    query_depth_limiter,
)

from schema.pagination import DEFAULT_PAGE_SIZE
from service import settings
from service.errors import UserError

# Longest query text, in characters. The lexer walks comments and string literals one character
# at a time (~0.3 µs each) without counting them as tokens, so MAX_TOKENS alone lets a 9 MB
# comment hold the event loop for seconds. Large values belong in variables.
MAX_QUERY_LENGTH: int = getattr(settings, "MAX_QUERY_LENGTH", 100_000)
# How often one response name may be selected side by side. graphql-core compares every pair of
# same-named fields (and their sub-selections) to check they can merge: 500 copies of
# `articles { totalCount }` take over a second to validate. Real queries repeat a field a few times.
MAX_REPEATED_FIELD = 32
# graphql-core's own budget for that comparison: its default (500,000 units) lets one document
# hold the event loop for 0.7 s here; our real queries, introspection included, pass with 500.
MAX_COMPLEXITY_BUDGET = 5_000

# extensions.code of each refusal, and the HTTP status it is answered with.
REFUSAL_STATUS: dict[str, int] = {
    "QUERY_TOO_LARGE": 413,
    "TOO_MANY_TOKENS": 400,
    "QUERY_TOO_DEEP": 400,
    "TOO_MANY_ALIASES": 400,
    "QUERY_TOO_COSTLY": 400,
    "QUERY_TOO_COMPLEX": 400,
    "REQUEST_TIMEOUT": 503,
}
MASKED_MESSAGE = "Internal server error: the request could not be completed (it has been logged)."


class LimitError(GraphQLError):
    def __init__(self, message: str, code: str, nodes: Any = None) -> None:
        super().__init__(message, nodes, extensions={"code": code})


def refusal_code(error: GraphQLError) -> str | None:
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) and code in REFUSAL_STATUS else None


def _tag_parse_errors(error: GraphQLError, max_tokens: int) -> GraphQLError:
    """graphql-core's own refusals, reworded and given a code (it leaves them untagged)."""
    message = error.message
    if "Document contains more than" in message:
        return LimitError(
            f"the query has more than {max_tokens:,} tokens (QUOTEGRAPH_MAX_TOKENS): shorten it",
            "TOO_MANY_TOKENS",
        )
    if "Document is nested too deeply" in message:
        return LimitError("the query is nested too deeply to parse", "QUERY_TOO_DEEP")
    if message == "Validation aborted.":
        return LimitError(
            "the query is too complex to validate: repeat fields and fragments less",
            "QUERY_TOO_COMPLEX",
        )
    return error


def _with_code(error: GraphQLError) -> GraphQLError:
    """A client's error carries its `extensions.code` (the boundary where UserError is converted)."""
    original = error.original_error
    if isinstance(original, UserError) and "code" not in (error.extensions or {}):
        error.extensions = {**(error.extensions or {}), **original.extensions, "code": original.code}
    return error


def _unwrap(type_: Any) -> tuple[int, Any]:
    """(how many list wrappers, the named type) of a field's output type."""
    lists = 0
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            lists += 1
        type_ = type_.of_type
    return lists, type_


class _CostWalk:
    """Cost of a document: each field selected costs 1 for every object it is resolved on.

    A list field multiplies its sub-selection by its `first`/`last` (or by DEFAULT_PAGE_SIZE); a
    connection (a field with `first` that returns an object) hands its page size to the lists
    below it (`edges`, `nodes`). Fragments are memoised, so the walk is linear in the document
    even when fragments spread each other exponentially. Introspection (`__schema`, `__type`) is
    bounded by the schema and costs 1.
    """

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None) -> None:
        self.schema = schema
        self.variables = variables if isinstance(variables, dict) else {}
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.defaults: dict[str, Any] = {}
        self.memo: dict[tuple[str, int | None], int] = {}
        self.active: set[str] = set()
        self.repeated: FieldNode | None = None

    def operation(self, operation: OperationDefinitionNode) -> int:
        self.defaults = {
            v.variable.name.value: int(v.default_value.value)
            for v in operation.variable_definitions or ()
            if isinstance(v.default_value, IntValueNode)
        }
        root = self.schema.get_root_type(operation.operation)
        return self.selections(operation.selection_set, root, None)

    def size(self, node: FieldNode, field: Any) -> int | None:
        """The page size a field asks for; None when it takes no `first`/`last`."""
        if "first" not in field.args and "last" not in field.args:
            return None
        given = {arg.name.value: arg.value for arg in node.arguments or ()}
        value: Any = None
        for name in ("first", "last"):
            node_value = given.get(name)
            if isinstance(node_value, IntValueNode):
                value = int(node_value.value)
            elif isinstance(node_value, VariableNode):
                var = node_value.name.value
                value = self.variables.get(var, self.defaults.get(var))
            if value is not None:
                break
        if not isinstance(value, int) or isinstance(value, bool):
            default = field.args.get("first")
            value = default.default_value if default is not None else None
            if not isinstance(value, int) or isinstance(value, bool):
                value = DEFAULT_PAGE_SIZE
        # Beyond the largest page the resolver refuses with a clearer message than ours.
        size: int = max(1, min(value, settings.MAX_PAGE_SIZE))
        return size

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, pending: int | None) -> int:
        total = 0
        names: dict[str, int] = {}
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += 1 + self.field(selection, parent, pending)
                key = (selection.alias or selection.name).value
                names[key] = names.get(key, 0) + 1
                if names[key] > MAX_REPEATED_FIELD and self.repeated is None:
                    self.repeated = selection
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                type_ = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, type_, pending)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, pending)
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType | None, pending: int | None) -> int:
        if node.selection_set is None or node.name.value.startswith("__"):
            return 0
        composite = isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
        field = parent.fields.get(node.name.value) if composite else None  # type: ignore[union-attr]
        if field is None:  # validation reports it; count what is below at face value
            return self.selections(node.selection_set, None, None)
        size = self.size(node, field)
        lists, named = _unwrap(field.type)
        if lists:
            each = size if size is not None else pending or DEFAULT_PAGE_SIZE
            multiplier: int = each * DEFAULT_PAGE_SIZE ** (lists - 1)
            return multiplier * self.selections(node.selection_set, named, None)
        return self.selections(node.selection_set, named, size)

    def fragment(self, name: str, pending: int | None) -> int:
        key = (name, pending)
        if key in self.memo:
            return self.memo[key]
        definition = self.fragments.get(name)
        if definition is None or name in self.active:  # unknown or cyclic: validation reports it
            return 0
        self.active.add(name)
        try:
            type_ = self.schema.get_type(definition.type_condition.name.value)
            cost = self.memo[key] = self.selections(definition.selection_set, type_, pending)
        finally:
            self.active.discard(name)
        return cost


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> int:
    """The cost of the operation that would run (of the costliest, when that is unclear)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    walk = _CostWalk(schema, document, variables)
    return max((walk.operation(o) for o in operations), default=0)


def _tagged(rule: type[ValidationRule], code: str) -> Callable[[ValidationContext], None]:
    """Run one of strawberry's limit rules (they do all their work on construction) and tag it."""

    def check(context: ValidationContext) -> None:
        report = context.on_error

        def tag(error: GraphQLError) -> None:
            report(LimitError(error.message, code, error.nodes))

        context.on_error = tag  # type: ignore[method-assign]
        try:
            rule(context)
        except KeyError:  # QueryDepthLimiter on an unknown fragment; validation reports it
            pass
        finally:
            context.on_error = report  # type: ignore[method-assign]

    return check


_LEADING_WORD = re.compile(r"(?:[\s,\ufeff]|#[^\n\r]*)*([_A-Za-z][_0-9A-Za-z]*)?")
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def _stand_in(query: str, operation_name: str | None) -> str:
    """A tiny document of the same operation type and name, parsed in place of a refused text."""
    match = _LEADING_WORD.match(query)
    keyword = match.group(1) if match else None
    kind = keyword if keyword in ("query", "mutation", "subscription") else "query"
    name = operation_name if operation_name and _NAME.fullmatch(operation_name) else ""
    return f"{kind} {name} {{ __typename }}"


# The refusal QueryLimits decided on for the operation running in this task, if any.
_refusal: ContextVar[GraphQLError | None] = ContextVar("quotegraph_refusal", default=None)


class _Refusal(ValidationRule):
    """Stands in for every validation rule once a limit refused the document: reports the refusal.

    Refusing through validation works the same for HTTP and for subscriptions over WebSockets
    (strawberry sends validation errors to both; an exception raised in a hook reaches a
    WebSocket client as a bare "complete"), and skips graphql-core's costly rules.
    """

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        if (error := _refusal.get()) is not None:
            context.report_error(error)


def timeout_error(timeout: float) -> LimitError:
    return LimitError(
        f"the request took longer than {timeout:g} s and was stopped (QUOTEGRAPH_REQUEST_TIMEOUT): ask for less",
        "REQUEST_TIMEOUT",
    )


class QueryLimits(SchemaExtension):
    """Refuses oversized, deep, aliased, costly documents before validation; times out slow runs."""

    def __init__(
        self,
        *,
        max_cost: int,
        max_tokens: int,
        timeout: float,
        checks: list[Callable[[ValidationContext], None]],
    ) -> None:
        self.max_cost = max_cost
        self.max_tokens = max_tokens
        self.timeout = timeout
        self.checks = checks

    def on_operation(self) -> Iterator[None]:
        _refusal.set(None)
        context = self.execution_context
        if context.query is not None and len(context.query) > MAX_QUERY_LENGTH:
            _refusal.set(
                LimitError(
                    f"the query is longer than {MAX_QUERY_LENGTH:,} characters: pass large values as variables",
                    "QUERY_TOO_LARGE",
                )
            )
            context.query = _stand_in(context.query, context.operation_name)
        try:
            yield
        except GraphQLError as error:  # raised by a parse hook (ParserCache parses in one)
            raise _tag_parse_errors(error, self.max_tokens) from None
        result = context.result
        if result is not None and result.errors:
            result.errors = [_with_code(_tag_parse_errors(e, self.max_tokens)) for e in result.errors]

    def on_parse(self) -> Iterator[None]:
        yield
        document = self.execution_context.graphql_document
        if document is not None and _refusal.get() is None:
            _refusal.set(self.refusal(document))
        if _refusal.get() is not None:
            self.execution_context.validation_rules = (_Refusal,)

    async def on_execute(self) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(self.timeout):
                yield
        except TimeoutError:
            raise timeout_error(self.timeout) from None

    def refusal(self, document: DocumentNode) -> GraphQLError | None:
        context = self.execution_context
        schema = context.schema._schema
        try:
            cost = query_cost(schema, document, context.variables, context.operation_name)
            repeated = _first_repeated(schema, document)
        except RecursionError:
            return LimitError("the query nests its fragments too deeply", "QUERY_TOO_COMPLEX")
        if cost > self.max_cost:
            return LimitError(
                f"the query could return {cost:,} fields; the limit is {self.max_cost:,} "
                "(QUOTEGRAPH_MAX_QUERY_COST): lower `first` or select fewer nested lists",
                "QUERY_TOO_COSTLY",
            )
        if repeated is not None:
            return LimitError(
                f"`{(repeated.alias or repeated.name).value}` is selected more than "
                f"{MAX_REPEATED_FIELD} times side by side",
                "QUERY_TOO_COMPLEX",
                repeated,
            )
        errors: list[GraphQLError] = []
        validation = ValidationContext(schema, document, TypeInfo(schema), errors.append)
        for check in self.checks:
            check(validation)
        return errors[0] if errors else None


def _first_repeated(schema: GraphQLSchema, document: DocumentNode) -> FieldNode | None:
    walk = _CostWalk(schema, document, None)
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            walk.selections(definition.selection_set, None, None)
            if walk.repeated is not None:
                return walk.repeated
    return None


# Exceptions whose message is written for the client, shown even in production.
USER_ERRORS: tuple[type[Exception], ...] = (GraphQLError, UserError)


def is_internal(error: GraphQLError) -> bool:
    """Whether production hides the message: anything but GraphQL's own and our users' errors."""
    original = error.original_error
    return original is not None and not isinstance(original, USER_ERRORS)


SchemaExtensionFactory = Callable[[], SchemaExtension]


def extensions() -> list[SchemaExtensionFactory]:
    """The schema extensions enforcing the limits in service.settings, as per-request factories.

    Rule classes are built once here, not per request: ValidationCache keys on them.
    """
    overlapping_fields.MAX_COMPLEXITY_BUDGET = MAX_COMPLEXITY_BUDGET
    checks = [
        _tagged(query_depth_limiter.create_validator(settings.MAX_QUERY_DEPTH, None), "QUERY_TOO_DEEP"),
        _tagged(max_aliases.create_validator(settings.MAX_ALIASES), "TOO_MANY_ALIASES"),
    ]
    max_cost, max_tokens = settings.MAX_QUERY_COST, settings.MAX_TOKENS
    timeout = settings.REQUEST_TIMEOUT
    factories: list[SchemaExtensionFactory] = [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: QueryLimits(max_cost=max_cost, max_tokens=max_tokens, timeout=timeout, checks=checks),
    ]
    if not settings.INTROSPECTION:
        rules: list[type[Any]] = [NoSchemaIntrospectionCustomRule]
        factories.append(lambda: AddValidationRules(rules))
    if settings.PRODUCTION:
        factories.append(lambda: MaskErrors(should_mask_error=is_internal, error_message=MASKED_MESSAGE))
    return factories
