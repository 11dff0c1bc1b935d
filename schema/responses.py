"""A bound on the size of one response, kept while it is being built.

The cost limit (schema/documents.py) counts fields, and a field can hold a whole article: a few
hundred bytes of query can ask for a hundred megabytes of text. So every text a response holds
is counted as it is completed, by graphql-core (`BudgetedExecutionContext`) and by the plans
(schema/plans.py) alike, and once a response holds more than the budget its execution stops and
the client gets one RESPONSE_TOO_LARGE error instead.

graphql-core catches every exception a field raises (and makes it an error of that field, so one
refusal would become thousands), so strawberry's path stops by cancelling the task that runs the
execution, the way `asyncio.timeout` does: the cancellation is scheduled to land at the next
suspension, and is taken back when the execution ends first.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from typing import Any

from graphql import GraphQLError, GraphQLLeafType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# extensions.code of the refusal.
RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE"


class ResponseTooLarge(GraphQLError):
    """The refusal of a response that grew past its budget."""


def response_too_large(max_bytes: int) -> ResponseTooLarge:
    return ResponseTooLarge(
        f"the response would hold more than {max_bytes:,} bytes of text (QUOTEGRAPH_MAX_RESPONSE_BYTES): "
        "ask for fewer fields or long texts, or for smaller pages (a lower `first`)",
        extensions={"code": RESPONSE_TOO_LARGE},
    )


class ResponseBudget:
    """The text one response may still hold; cancels `task` (if given) once it holds more."""

    __slots__ = ("_handle", "_task", "left", "max_bytes", "sent")

    def __init__(self, max_bytes: int, task: asyncio.Task[Any] | None = None) -> None:
        self.max_bytes = max_bytes
        self.left = max_bytes
        self._task = task
        self._handle: asyncio.Handle | None = None
        self.sent = False  # whether the cancellation reached the task

    @property
    def exceeded(self) -> bool:
        return self.left < 0

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0 and self._task is not None and self._handle is None:
            self._handle = asyncio.get_running_loop().call_soon(self._cancel)

    def _cancel(self) -> None:
        assert self._task is not None
        self.sent = True
        self._task.cancel()

    def close(self) -> None:
        """Takes back a cancellation that has not landed yet; the task is left alone from now on."""
        self._task = None
        if self._handle is not None:
            self._handle.cancel()


# The budget of the execution running in this task (set by schema.limits.QueryLimits).
current_budget: ContextVar[ResponseBudget | None] = ContextVar("quotegraph_response_budget", default=None)


class BudgetedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, counting every text it completes against the budget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.response_budget = current_budget.get()

    def build_per_event_executor(self, payload: Any) -> Any:
        # A subscription's events are executed after QueryLimits.on_execute has ended, one at a
        # time, each the size of one quote: the budget of the subscribe call is not theirs.
        executor = super().build_per_event_executor(payload)
        # graphql-core 3.3.2 copies the parent's memo of collected subfields into each event's
        # executor, keyed by the id of a list built anew per event: every event of a long-lived
        # subscription would stay in it until the subscription ends. A memo of the event's own.
        executor._relevant_sub_fields = {}
        if isinstance(executor, BudgetedExecutionContext):
            executor.response_budget = None
        return executor

    def complete_leaf_value(self, return_type: GraphQLLeafType, result: Any) -> Any:  # type: ignore[override]
        value = super().complete_leaf_value(return_type, result)
        budget = self.response_budget
        if budget is not None and type(value) is str:
            budget.spend(len(value))
        return value
