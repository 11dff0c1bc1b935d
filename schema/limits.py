"""Limits on one GraphQL request (size, tokens, depth, aliases, cost, time, response size) and
production masking.

Every refusal is a `LimitError`: a GraphQL error whose `extensions.code` names the limit, raised
before validation and execution, so a hostile document costs a parse and one linear walk
(schema/documents.py) over all its operations and fragments. What graphql-core's own rules do
more than once per document (once per operation, per pair of fields) is bounded by that walk.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import graphql.validation.rules.overlapping_fields_can_be_merged as overlapping_fields
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from schema.documents import MAX_NUMBER_LENGTH, MAX_REPEATED_FIELD, DocumentWalk, Tally, fragment_work
from schema.responses import RESPONSE_TOO_LARGE, ResponseBudget, current_budget, response_too_large
from service import settings
from service.errors import UserError

# Longest query text, in characters. The lexer walks comments and string literals one character
# at a time (~0.3 µs each) without counting them as tokens, so MAX_TOKENS alone lets a 9 MB
# comment hold the event loop for seconds. Large values belong in variables.
MAX_QUERY_LENGTH: int = getattr(settings, "MAX_QUERY_LENGTH", 100_000)
# graphql-core's own budget for comparing same-named fields (OverlappingFieldsCanBeMerged): its
# default (500,000 units) lets one document hold the event loop for 0.7 s here; our real
# queries, introspection included, pass with 500.
MAX_COMPLEXITY_BUDGET = 5_000
# Characters of fragments the operations of one document may reach, summed over the operations:
# graphql-core walks each operation's fragments once per operation (NoUnusedFragments,
# NoUndefinedVariables, NoUnusedVariables, VariablesInAllowedPosition), so many operations
# sharing large fragments cost operations x fragments. One operation reaches at most the
# document (MAX_QUERY_LENGTH); this allows a few operations sharing all of it.
MAX_FRAGMENT_WORK = 200_000

# extensions.code of each refusal, and the HTTP status it is answered with.
REFUSAL_STATUS: dict[str, int] = {
    "QUERY_TOO_LARGE": 413,
    "TOO_MANY_TOKENS": 400,
    "QUERY_TOO_DEEP": 400,
    "TOO_MANY_ALIASES": 400,
    "QUERY_TOO_COSTLY": 400,
    "QUERY_TOO_COMPLEX": 400,
    "NUMBER_TOO_LONG": 400,
    RESPONSE_TOO_LARGE: 400,
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


# strawberry's refusals of an operation it cannot pick or run, with Apollo Server's codes. Over
# HTTP the view answers them before any GraphQL runs; over WebSockets they are GraphQL errors.
OPERATION_ERRORS: dict[type[Exception], str] = {
    CannotGetOperationTypeError: "OPERATION_RESOLUTION_FAILURE",
    InvalidOperationTypeError: "BAD_REQUEST",
    MissingQueryError: "BAD_REQUEST",
}


def with_code(error: GraphQLError) -> GraphQLError:
    """A client's error carries its `extensions.code` (the boundary where UserError is converted);
    graphql-core's own get the codes clients know from Apollo Server."""
    extensions = error.extensions or {}
    if "code" in extensions:
        return error
    original = error.original_error
    if isinstance(original, UserError):
        error.extensions = {**extensions, **original.extensions, "code": original.code}
    elif original is not None and (code := OPERATION_ERRORS.get(type(original))) is not None:
        error.extensions = {**extensions, "code": code}
    elif isinstance(error, GraphQLSyntaxError):
        error.extensions = {**extensions, "code": "GRAPHQL_PARSE_FAILED"}
    elif (original is None or isinstance(original, GraphQLError)) and not error.path:
        # Variables are coerced before execution; anything else without a path is validation.
        variable = error.message.startswith("Variable '$")
        error.extensions = {**extensions, "code": "BAD_USER_INPUT" if variable else "GRAPHQL_VALIDATION_FAILED"}
    return error


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> int:
    """The cost of the operation that would run (of the costliest, when that is unclear)."""
    walk = DocumentWalk(schema, document, variables)
    return max((tally.cost for _, tally in walk.operations(operation_name)), default=0)


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    """The limits one document is held to, checked in one linear walk (schema/documents.py)."""

    max_cost: int
    max_depth: int
    max_aliases: int
    max_fragment_work: int = MAX_FRAGMENT_WORK

    def refusal(
        self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None
    ) -> LimitError | None:
        """The first limit the document breaks, over every operation and fragment in it."""
        walk = DocumentWalk(schema, document, variables)
        try:
            tallies = list(walk.operations())
            walk.all_fragments()
        except RecursionError:
            return LimitError("the query nests its fragments too deeply", "QUERY_TOO_COMPLEX")
        if (number := walk.long_number) is not None:
            return LimitError(
                f"a number in the query has {len(number.value):,} characters, over {MAX_NUMBER_LENGTH}: "  # type: ignore[attr-defined]
                "send a number GraphQL can hold (an Int is 32 bits)",
                "NUMBER_TOO_LONG",
                number,
            )
        cost = max((tally.cost for _, tally in tallies), default=0)
        if cost > self.max_cost:
            return LimitError(
                f"the query could return {cost:,} fields; the limit is {self.max_cost:,} "
                "(QUOTEGRAPH_MAX_QUERY_COST): lower `first` or select fewer nested lists and long texts",
                "QUERY_TOO_COSTLY",
            )
        if (repeated := walk.repeated) is not None:
            return LimitError(
                f"`{(repeated.alias or repeated.name).value}` is selected more than "
                f"{MAX_REPEATED_FIELD} times side by side",
                "QUERY_TOO_COMPLEX",
                repeated,
            )
        return self.shape_refusal(document, tallies)

    def shape_refusal(
        self, document: DocumentNode, tallies: list[tuple[OperationDefinitionNode, Tally]]
    ) -> LimitError | None:
        for operation, tally in tallies:
            if tally.depth > self.max_depth:
                name = operation.name.value if operation.name else "anonymous"
                return LimitError(
                    f"'{name}' exceeds maximum operation depth of {self.max_depth} (QUOTEGRAPH_MAX_QUERY_DEPTH)",
                    "QUERY_TOO_DEEP",
                    operation,
                )
        aliases = sum(tally.aliases for _, tally in tallies)
        if aliases > self.max_aliases:
            return LimitError(
                f"{aliases:,} aliases found. Allowed: {self.max_aliases} (QUOTEGRAPH_MAX_ALIASES)",
                "TOO_MANY_ALIASES",
            )
        if fragment_work(document, self.max_fragment_work) > self.max_fragment_work:
            return LimitError(
                "the document's operations reach too many fragments between them: "
                "send one operation per request, or fewer and smaller fragments",
                "QUERY_TOO_COMPLEX",
            )
        return None


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
    """Refuses oversized, deep, aliased, costly documents before validation; bounds the time and
    the response size of a run; keeps error messages short (and, in production, free of hints
    about the schema)."""

    def __init__(
        self,
        *,
        document_limits: DocumentLimits,
        max_tokens: int,
        timeout: float,
        max_response_bytes: int,
        hide_suggestions: bool = False,
    ) -> None:
        self.document_limits = document_limits
        self.max_tokens = max_tokens
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.hide_suggestions = hide_suggestions

    def on_operation(self) -> Iterator[None]:
        _refusal.set(None)
        context = self.execution_context
        if isinstance(context.query, str) and len(context.query) > MAX_QUERY_LENGTH:
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
            result.errors = [self.for_client(e) for e in result.errors]

    def for_client(self, error: GraphQLError) -> GraphQLError:
        error = with_code(_tag_parse_errors(error, self.max_tokens))
        message = shorten(error.message)
        error.message = without_suggestions(message) if self.hide_suggestions else message
        return error

    def on_parse(self) -> Iterator[None]:
        yield
        context = self.execution_context
        document = context.graphql_document
        if document is not None and _refusal.get() is None:
            _refusal.set(self.document_limits.refusal(context.schema._schema, document, context.variables))
        if _refusal.get() is not None:
            context.validation_rules = (_Refusal,)

    async def on_execute(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        cancelling = task.cancelling() if task is not None else 0
        budget = ResponseBudget(self.max_response_bytes, task)
        token = current_budget.set(budget)
        try:
            async with asyncio.timeout(self.timeout):
                yield
        except TimeoutError:
            raise timeout_error(self.timeout) from None
        except asyncio.CancelledError:
            # Our own cancellation (and no one else's) becomes the refusal.
            if not budget.sent or task is None or task.uncancel() > cancelling:
                raise
            raise response_too_large(self.max_response_bytes) from None
        finally:
            budget.close()
            current_budget.reset(token)
        if budget.exceeded:  # the execution ended before the cancellation landed
            raise response_too_large(self.max_response_bytes)


_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")
# Longest error message sent or logged: graphql-core quotes the value it refuses, and a refused
# variable can be megabytes long. The head names the variable, the tail what was wrong with it.
MAX_MESSAGE_LENGTH = 600
_HEAD, _TAIL = 400, 150


def without_suggestions(message: str) -> str:
    """The message without graphql-core's "Did you mean ...?" (it names fields, types, values)."""
    return _SUGGESTION.sub("", message) if "Did you mean" in message else message


def shorten(message: str) -> str:
    """The message, its middle cut when it is too long to send or log whole."""
    if len(message) <= MAX_MESSAGE_LENGTH:
        return message
    cut = len(message) - _HEAD - _TAIL
    return f"{message[:_HEAD]}... ({cut:,} characters cut) ...{message[-_TAIL:]}"


# Exceptions whose message is written for the client, shown even in production.
USER_ERRORS: tuple[type[Exception], ...] = (GraphQLError, UserError, *OPERATION_ERRORS)


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
    document_limits = DocumentLimits(
        max_cost=settings.MAX_QUERY_COST,
        max_depth=settings.MAX_QUERY_DEPTH,
        max_aliases=settings.MAX_ALIASES,
    )
    max_tokens, timeout = settings.MAX_TOKENS, settings.REQUEST_TIMEOUT
    max_response_bytes, production = settings.MAX_RESPONSE_BYTES, settings.PRODUCTION
    factories: list[SchemaExtensionFactory] = [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: QueryLimits(
            document_limits=document_limits,
            max_tokens=max_tokens,
            timeout=timeout,
            max_response_bytes=max_response_bytes,
            hide_suggestions=production,
        ),
    ]
    if not settings.INTROSPECTION:
        rules: list[type[Any]] = [NoSchemaIntrospectionCustomRule]
        factories.append(lambda: AddValidationRules(rules))
    if production:
        factories.append(lambda: MaskErrors(should_mask_error=is_internal, error_message=MASKED_MESSAGE))
    return factories
