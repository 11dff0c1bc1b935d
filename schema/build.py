"""The strawberry schema and its SDL export."""

from __future__ import annotations

from pathlib import Path

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import ExecutionContext

from schema.limits import extensions, shorten
from schema.mutations import Mutation
from schema.queries import Query
from schema.responses import BudgetedExecutionContext
from schema.subscriptions import Subscription

SDL_PATH = Path(__file__).with_name("schema.graphql")


class QuoteSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # Before they are logged: graphql-core quotes a refused value whole, megabytes of it.
        for error in errors:
            error.message = shorten(error.message)
        super().process_errors(errors, execution_context)


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
)


def sdl() -> str:
    return schema.as_str() + "\n"
