"""The strawberry schema and its SDL export."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError, validate_schema
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.introspection import served
from schema.limits import USER_ERRORS, extensions, shorten, with_code
from schema.mutations import Mutation
from schema.queries import Query
from schema.responses import BudgetedExecutionContext
from schema.subscriptions import Subscription
from schema.types.common import SCALARS
from service.errors import UserError

SDL_PATH = Path(__file__).with_name("schema.graphql")
logger = logging.getLogger(__name__)


class QuoteSchema(strawberry.Schema):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Introspected as the released spec has it (schema/introspection.py); strawberry swaps its
        # GraphQLSchema the same way when it sorts one.
        self._schema = served(self._schema)
        self._schema._strawberry_schema = self  # type: ignore[attr-defined]
        if errors := validate_schema(self._schema):
            raise ValueError(f"invalid schema: {errors}")

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # Before they are logged: graphql-core quotes a refused value whole, megabytes of it.
        for error in errors:
            error.message = shorten(error.message)
            with_code(error)  # here too: errors found before execution never reach QueryLimits' result
        # A client's mistake is worth a line, not a traceback (strawberry logs each error's).
        internal = []
        for error in errors:
            original = error.original_error
            if original is None or isinstance(original, USER_ERRORS):  # GraphQL's own, or a UserError
                code = original.code if isinstance(original, UserError) else "GRAPHQL"
                logger.info("client error %s: %s", code, error.message)
            else:
                internal.append(error)
        super().process_errors(internal, execution_context)


schema = QuoteSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=[
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        *extensions(),
    ],
    execution_context_class=BudgetedExecutionContext,
    config=StrawberryConfig(scalar_map=SCALARS),
)


def sdl() -> str:
    return schema.as_str() + "\n"
