"""The strawberry schema and its SDL export."""

from __future__ import annotations

from pathlib import Path

from strawberry.extensions import ParserCache, ValidationCache

from schema.limits import extensions
from schema.mutations import Mutation
from schema.queries import Query
from schema.reporting import Schema
from schema.subscriptions import Subscription

SDL_PATH = Path(__file__).with_name("schema.graphql")

schema = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    extensions=[
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        *extensions(),
    ],
)


def sdl() -> str:
    return schema.as_str() + "\n"
