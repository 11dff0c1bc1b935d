"""What the server logs about a request's errors.

strawberry logs every GraphQL error with its traceback, so a client's typo or a refused limit
fills the log with tracebacks, and an error echoing a 5 MB variable writes 5 MB. Here only
internal errors (a bug or an outage: what production masks) are logged with their traceback;
errors written for the client are logged at DEBUG, one truncated line each.
"""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from schema.limits import is_internal

logger = logging.getLogger("strawberry.execution")
# The longest error message written to the log, in characters.
MAX_LOGGED_MESSAGE = 500


def clip(text: str, limit: int = MAX_LOGGED_MESSAGE) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            if is_internal(error):
                logger.error("%s", clip(error.message), exc_info=error.original_error)
            else:
                logger.debug("%s", clip(error.message))
