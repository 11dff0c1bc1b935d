"""Live subscriptions over WebSockets: each event resolved once per distinct subscription, shared.

strawberry runs every subscription operation on its own: for each event, each subscription runs
its selection set. Here the subscriptions of a worker that ask the same thing (document, operation
name, variables: the filter is in one or the other) share one stream, a `_Shared`: the event is
resolved once and the result handed to each subscriber's bounded mailbox, a batch of subscribers
at a time with a turn of the event loop in between, so that thousands of subscribers never hold
HTTP up. A subscriber that falls SUBSCRIBER_QUEUE results behind (a client that does not read) is
ended with a SLOW_SUBSCRIBER error and logged, instead of buffered without bound.

Operations in flight are bounded per connection and per worker; a refusal is the protocol's own
`error` message for that operation, with extensions.code TOO_MANY_SUBSCRIPTIONS; the connection
stays open. So is a document that does not parse (GRAPHQL_PARSE_FAILED) or breaks a limit: every
operation that cannot run is answered with GraphQL errors and logged in one line, never ended
with a bare `complete`. Both of strawberry's WebSocket protocols are covered: `install` sets the
view's handler classes (its documented extension point) to subclasses whose `schema` shares
subscriptions.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from functools import lru_cache
from typing import Any, ClassVar, cast

import orjson
from graphql import GraphQLError, GraphQLSyntaxError, OperationDefinitionNode, OperationType, parse
from strawberry.http.async_base_view import AsyncBaseHTTPView
from strawberry.schema import BaseSchema
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from schema.context import Context
from schema.limits import LimitError
from service import settings

log = logging.getLogger("quotegraph.live")

# Subscribers handed a result between two turns of the event loop: small enough that HTTP
# requests get a turn every few milliseconds, large enough that a turn is not mostly overhead.
DELIVERY_BATCH = 64

Key = tuple[str, str | None, bytes]
Results = AsyncGenerator[Any, None]


@lru_cache(maxsize=128)
def _subscription_variables(query: str, operation_name: str | None) -> tuple[str, ...] | None:
    """The variables the operation declares, when it is a subscription; None otherwise."""
    try:
        document = parse(query, no_location=True, max_tokens=settings.MAX_TOKENS)
    except GraphQLError:
        return None  # strawberry reports it, on the connection that sent it
    operations = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        and (operation_name is None or (d.name is not None and d.name.value == operation_name))
    ]
    if len(operations) != 1 or operations[0].operation is not OperationType.SUBSCRIPTION:
        return None
    return tuple(v.variable.name.value for v in operations[0].variable_definitions or ())


def share_key(query: object, variables: object, operation_name: object) -> Key | None:
    """What subscriptions sharing one stream have in common (variables the operation does not
    declare are left out: they change nothing); None for anything not shared: queries and
    mutations, which run on their connection, and documents the limits refuse."""
    if not isinstance(query, str) or len(query) > settings.MAX_QUERY_LENGTH:
        return None
    if operation_name is not None and not isinstance(operation_name, str):
        return None
    if variables is not None and not isinstance(variables, dict):
        return None
    declared = _subscription_variables(query, operation_name)
    if declared is None:
        return None
    used = {name: variables[name] for name in declared if name in variables} if variables else {}
    try:
        encoded = orjson.dumps(used, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    return query, operation_name, encoded


def malformed(payload: object) -> str | None:
    """What makes an operation's payload unfit to run, if anything (strawberry runs what it gets)."""
    if not isinstance(payload, dict):
        return "the payload of an operation must be an object"
    if not isinstance(payload.get("query"), str):
        return "`query` must be a string"
    if not isinstance(payload.get("variables"), dict | None):
        return "`variables` must be an object"
    if not isinstance(payload.get("operationName"), str | None):
        return "`operationName` must be a string"
    return None


async def answered(schema: BaseSchema, results: Results) -> Results:
    """strawberry's results of one operation, where an error raised before the first is answered
    as strawberry answers a validation error: a PreExecutionError, logged in one line.

    A parse hook raises instead of reporting (ParserCache parses in one; QueryLimits tags what it
    raises), and strawberry's stream lets that escape: the handlers logged a traceback and ended
    the operation with a bare `complete` (graphql-transport-ws) or nothing at all (graphql-ws).
    """
    first = True
    async with aclosing(results):
        try:
            async for result in results:
                first = False
                yield result
        except GraphQLError as error:
            if not first:
                raise
            schema.process_errors([error])  # coded and logged as every client error is (schema/build.py)
            yield PreExecutionError(data=None, errors=[error])


class _Mailbox:
    """One subscriber's results not yet sent: at most `size`, or it is ended."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: deque[Any] = deque()
        self.closed = False
        self._more = asyncio.Event()

    def put(self, result: Any) -> bool:
        if len(self.items) >= self.size:
            return False
        self.items.append(result)
        self._more.set()
        return True

    def close(self, last: Any = None) -> None:
        if last is not None:
            self.items.clear()  # what a slow subscriber did not read goes now, not when it reads
            self.items.append(last)
        self.closed = True
        self._more.set()

    async def __aiter__(self) -> AsyncIterator[Any]:
        while True:
            while self.items:
                yield self.items.popleft()
            if self.closed:
                return
            self._more.clear()
            await self._more.wait()


def slow_subscriber_result(size: int) -> ExecutionResult:
    return ExecutionResult(
        data=None,
        errors=[
            LimitError(
                f"this subscription fell {size} results behind and was ended (QUOTEGRAPH_SUBSCRIBER_QUEUE): "
                "read faster, or subscribe again and catch up with a query",
                "SLOW_SUBSCRIBER",
            )
        ],
    )


class _Shared:
    """One running subscription, its results delivered to every subscriber that asked the same."""

    def __init__(self, hub: Hub, key: Key, start: Callable[[], Awaitable[Results]]) -> None:
        self.hub, self.key = hub, key
        self.mailboxes: dict[_Mailbox, None] = {}  # an ordered set
        self.done = False
        self.task = asyncio.create_task(self._run(start), name="quotegraph-subscription")

    def join(self) -> _Mailbox:
        mailbox = _Mailbox(self.hub.queue_size)
        self.mailboxes[mailbox] = None
        return mailbox

    def leave(self, mailbox: _Mailbox) -> None:
        self.mailboxes.pop(mailbox, None)
        if not self.mailboxes and not self.done:
            self.done = True
            self.hub.forget(self)
            self.task.cancel()

    async def _run(self, start: Callable[[], Awaitable[Results]]) -> None:
        try:
            async with aclosing(await start()) as results:
                async for result in results:
                    if isinstance(result, PreExecutionError):
                        self.done = True  # the stream ends here: a later subscriber starts anew
                        self.hub.forget(self)
                    await self._deliver(result)
                    if not self.mailboxes:  # every subscriber was too slow and was ended
                        return
        except Exception:  # strawberry turns resolver errors into results; this is a bug of ours
            log.exception("a shared subscription failed; its subscribers are completed")
        finally:
            self.done = True
            self.hub.forget(self)
            for mailbox in self.mailboxes:
                mailbox.close()

    async def _deliver(self, result: Any) -> None:
        for index, mailbox in enumerate(list(self.mailboxes)):
            if index and index % DELIVERY_BATCH == 0:
                await asyncio.sleep(0)  # let HTTP (and the subscribers' sends) have the loop
            if mailbox in self.mailboxes and not mailbox.put(result):
                del self.mailboxes[mailbox]
                mailbox.close(slow_subscriber_result(mailbox.size))
                log.warning(
                    "a subscriber fell %d results behind (its client does not read); "
                    "its subscription was ended with SLOW_SUBSCRIBER",
                    mailbox.size,
                )
        # A turn of the loop per result even for few subscribers: resolving the next result may
        # not wait for anything, and subscribers must send this one before the next is ready.
        await asyncio.sleep(0)


class Hub:
    """A worker's live subscriptions: the shared streams, and the limits on how many."""

    def __init__(self, schema: BaseSchema, *, per_connection: int, total: int, queue_size: int) -> None:
        self.schema = schema
        self.per_connection, self.total, self.queue_size = per_connection, total, queue_size
        self.active = 0  # operations in flight on all connections
        self.streams: dict[Key, _Shared] = {}

    @property
    def subscribers(self) -> int:
        """Subscribers that receive the next event of their stream."""
        return sum(len(shared.mailboxes) for shared in self.streams.values())

    def refusal(self, in_flight: int) -> GraphQLError | None:
        if in_flight >= self.per_connection:
            return LimitError(
                f"this connection already runs {self.per_connection} operations "
                "(QUOTEGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION): complete one first, or open another connection",
                "TOO_MANY_SUBSCRIPTIONS",
            )
        if self.active >= self.total:
            return LimitError(
                f"this server already runs {self.total} subscriptions (QUOTEGRAPH_MAX_SUBSCRIPTIONS): try again later",
                "TOO_MANY_SUBSCRIPTIONS",
            )
        return None

    def track(self, task: asyncio.Task[Any]) -> None:
        """Count an operation until its task is done (a done callback runs even when the task is
        cancelled before it starts, where a `finally` in it would not)."""
        self.active += 1
        task.add_done_callback(self._release)

    def _release(self, _task: asyncio.Task[Any]) -> None:
        self.active -= 1

    def forget(self, shared: _Shared) -> None:
        if self.streams.get(shared.key) is shared:
            del self.streams[shared.key]

    async def follow(
        self, key: Key, query: str, variables: dict[str, Any] | None, operation_name: str | None
    ) -> Results:
        shared = self.streams.get(key)
        if shared is None or shared.done:

            async def start() -> Results:
                # A context of the stream's own: no subscription resolver reads the connection's
                # (its request, its connection_params), so subscribers on any connection can share.
                return answered(
                    self.schema, await self.schema.subscribe(query, variables, Context(), None, operation_name)
                )

            shared = self.streams[key] = _Shared(self, key, start)
        mailbox = shared.join()
        try:
            async for result in mailbox:
                yield result
        finally:
            shared.leave(mailbox)


class _Streams:
    """Stands in for the schema in a WebSocket handler: subscriptions are shared, the rest runs
    as strawberry would run it. The handlers call nothing else on their schema."""

    def __init__(self, hub: Hub, schema: BaseSchema) -> None:
        self.hub, self.schema = hub, schema

    async def stream(
        self,
        query: str,
        variable_values: dict[str, Any] | None = None,
        context_value: Any = None,
        root_value: Any = None,
        operation_name: str | None = None,
    ) -> Results:
        if (key := share_key(query, variable_values, operation_name)) is not None:
            return self.hub.follow(key, query, variable_values, operation_name)
        return answered(
            self.schema, await self.schema.stream(query, variable_values, context_value, root_value, operation_name)
        )

    async def subscribe(
        self,
        query: str,
        variable_values: dict[str, Any] | None = None,
        context_value: Any = None,
        root_value: Any = None,
        operation_name: str | None = None,
    ) -> Results:
        if (key := share_key(query, variable_values, operation_name)) is not None:
            return self.hub.follow(key, query, variable_values, operation_name)
        return answered(
            self.schema,
            await self.schema.subscribe(query, variable_values, context_value, root_value, operation_name),
        )


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws with shared subscriptions and coded refusals."""

    hub: ClassVar[Hub]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = cast(BaseSchema, _Streams(self.hub, self.schema))
        self.max_subscriptions_per_connection = None  # the hub's limits, with a code, instead

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and (problem := malformed(message.get("payload"))) is not None:
            await self.handle_invalid_message(problem)  # the protocol's answer: close with 4400
            return
        new = self.connection_acknowledged and message["id"] not in self.operations
        if new and (refusal := self.hub.refusal(len(self.operations))) is not None:
            await self.send_message({"id": message["id"], "type": "error", "payload": [refusal.formatted]})
            return
        await super().handle_subscribe(message)
        operation = self.operations.get(message["id"])
        if new and operation is not None and operation.task is not None:
            self.hub.track(operation.task)

    @staticmethod
    def _get_pre_execution_close_reason(error: GraphQLError) -> str | None:
        # A document that does not parse is its operation's error, answered with the protocol's
        # `error` message like any invalid document: strawberry would close the connection, and
        # with it every other operation on it.
        if isinstance(error, GraphQLSyntaxError):
            return None
        return BaseGraphQLTransportWSHandler._get_pre_execution_close_reason(error)


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """graphql-ws (subscriptions-transport-ws) with shared subscriptions and coded refusals."""

    hub: ClassVar[Hub]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schema = cast(BaseSchema, _Streams(self.hub, self.schema))
        self.max_subscriptions_per_connection = None

    async def handle_start(self, message: StartMessage) -> None:
        operation_id = message["id"]
        if self.connection_acknowledged and operation_id in self.tasks:
            await self.cleanup_operation(operation_id)  # as strawberry does: the id is reused
        if self.connection_acknowledged and (problem := malformed(message.get("payload"))) is not None:
            error = GraphQLError(problem, extensions={"code": "BAD_REQUEST"})
            await self.send_message({"type": "error", "id": operation_id, "payload": error.formatted})
            return
        if self.connection_acknowledged and (refusal := self.hub.refusal(len(self.tasks))) is not None:
            await self.send_message({"type": "error", "id": operation_id, "payload": refusal.formatted})
            return
        await super().handle_start(message)
        if (task := self.tasks.get(operation_id)) is not None:
            self.hub.track(task)


def install(view: AsyncBaseHTTPView[Any, Any, Any, Any, Any, Context, None], hub: Hub) -> None:
    """Make the view's WebSocket protocols share subscriptions through `hub`, within its limits."""
    view.graphql_transport_ws_handler_class = type("QuoteTransportWSHandler", (TransportWSHandler,), {"hub": hub})
    view.graphql_ws_handler_class = type("QuoteLegacyWSHandler", (LegacyWSHandler,), {"hub": hub})
