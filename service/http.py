"""The GraphQL HTTP endpoint: strawberry's ASGI view held to the GraphQL-over-HTTP spec.

Responses are `application/graphql-response+json` or `application/json`, as the Accept header
asks. With the former, a request error (the document does not parse, validate or take its
variables) is a 400 without `data`; with the latter it is a 200, as legacy clients expect. A limit
refusal (schema/limits.py) has its own 4xx status with either. POSTs must be `application/json`, a
type no HTML form or simple cross-site request can send, so no mutation runs on a forged request;
GETs run queries only (a mutation is a 405).

A request may name its document by hash instead of sending it (service/persisted.py: Apollo's
automatic persisted queries, and the production allow-list). HTTP caching: a successful GET query
without Authorization is `Cache-Control: public` (QUOTEGRAPH_HTTP_MAX_AGE and
QUOTEGRAPH_HTTP_STALE_WHILE_REVALIDATE) with an ETag of its body, so a CDN or browser keeps it and
revalidates it (service/cache.py answers 304); anything else is `no-store`. Every answer varies
with Accept (the media type), Origin (CORS) and Authorization (the Cache-Control above).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.ides import GraphQL_IDE
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from schema.context import Context
from schema.limits import REFUSAL_STATUS, timeout_error
from schema.plans import Plan, Plans
from schema.responses import RESPONSE_TOO_LARGE, ResponseTooLarge, response_too_large
from service import live, settings
from service.persisted import PersistedQueries, PersistedQueryError

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


VARY = "Accept, Origin, Authorization"
NO_STORE = "no-store"
# A document key the response cache reads (service/cache.py): what a hash resolved to.
DOCUMENT_SCOPE_KEY = "quotegraph.document"


@dataclass(frozen=True)
class HttpCaching:
    """Cache-Control of successful GET queries asked without Authorization."""

    max_age: int = 0
    stale_while_revalidate: int = 0

    @property
    def public(self) -> str:
        value = f"public, max-age={max(self.max_age, 0)}"
        if self.stale_while_revalidate > 0:
            value += f", stale-while-revalidate={self.stale_while_revalidate}"
        return value


def etag(media_type: str, body: bytes) -> str:
    """A strong validator of one representation: its media type and its bytes. Not the cache's
    generation: that differs between workers and restarts, and a tag that changed with it would
    send a full answer where the body did not change; the generation decides instead how long a
    stored answer and its tag may be served without running the query (service/cache.py)."""
    digest = hashlib.blake2b(media_type.encode() + b"\0" + body, digest_size=16).hexdigest()
    return f'"{digest}"'


class Refused(Exception):
    """A request refused before GraphQL runs: answered as a GraphQL error with `status`."""

    def __init__(self, status: int, message: str, code: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code
        self.headers = dict(headers or {})


@lru_cache(maxsize=256)
def negotiate(accept: str | None) -> str | None:
    """The response media type the Accept header prefers; None when it accepts neither."""
    if accept is None or not accept.strip():
        return JSON
    best: str | None = None
    best_rank: tuple[float, int, int] | None = None
    for index, item in enumerate(accept.split(",")):
        media, *params = (part.strip().lower() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if not 0 < quality <= 1:
            continue
        for candidate in (JSON, GRAPHQL_RESPONSE_JSON):  # JSON first: a wildcard tie keeps it
            specificity = {candidate: 2, "application/*": 1, "*/*": 0}.get(media)
            if specificity is None:
                continue
            rank = (quality, specificity, -index)
            if best_rank is None or rank > best_rank:
                best, best_rank = candidate, rank
    return best


def error_response(
    status: int,
    message: str,
    code: str | None = None,
    *,
    media_type: str | None = JSON,
    headers: Mapping[str, str] | None = None,
) -> Response:
    error: dict[str, Any] = {"message": message}
    if code:
        error["extensions"] = {"code": code}
    return Response(
        orjson.dumps({"errors": [error]}),
        status_code=status,
        media_type=f"{media_type or JSON}; charset=utf-8",
        headers=headers,
    )


def _media_type_and_charset(header: str | None) -> tuple[str, str | None]:
    media, *params = (part.strip() for part in (header or "").split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _status(data: GraphQLHTTPResponse, media_type: str) -> int:
    """The status for one result; drops `data` from a request error, as the spec asks."""
    errors = data.get("errors") or []
    if data.get("data") is not None or not errors:
        return 200
    if any(isinstance(e, dict) and "path" in e for e in errors):
        return 200  # a field error: execution ran, data is null
    data.pop("data", None)
    for error in errors:
        code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
        if code in REFUSAL_STATUS:
            return REFUSAL_STATUS[code]
    return 400 if media_type == GRAPHQL_RESPONSE_JSON else 200


class _SubResponse(Response):
    graphql_media_type: str = JSON


class _Answer(Response):
    """A GraphQL result; `errors` says whether it carries any (such answers are never cached)."""

    errors: bool = True


# The request as parse_http_body read it, kept for the request's life: the planned path and
# strawberry's both parse it, and a persisted document is looked up once.
_parsed: ContextVar[dict[str, Any] | None] = ContextVar("quotegraph_parsed", default=None)


class QuoteGraphQL(GraphQL[Context, None]):
    def __init__(
        self,
        schema: BaseSchema,
        graphql_ide: GraphQL_IDE | None = "graphiql",
        *,
        persisted: PersistedQueries | None = None,
        http_caching: HttpCaching | None = None,
        **options: Any,
    ) -> None:
        super().__init__(schema, graphql_ide=graphql_ide if settings.GRAPHIQL else None, **options)
        self.persisted = persisted or PersistedQueries(0, only_registered=False)
        self.http_caching = http_caching or HttpCaching()
        self.plans = Plans(schema._schema, settings.QUERY_PLANS) if settings.QUERY_PLANS > 0 else None  # type: ignore[attr-defined]

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        return Context(request=request, response=response)

    def encode_json(self, data: object) -> str:
        # Text, not bytes: strawberry sends bytes over websockets as binary frames, which
        # graphql-transport-ws clients reject.
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive=receive)
        media_type = negotiate(request.headers.get("accept"))
        memo: dict[str, Any] = {}
        token = _parsed.set(memo)
        try:
            response = await self.respond(request, media_type)
        finally:
            _parsed.reset(token)
        if isinstance(data := memo.get("data"), GraphQLRequestData):
            scope[DOCUMENT_SCOPE_KEY] = (data.query, data.operation_name)
        self.cache_headers(request, response)
        await response(scope, receive, send)

    async def respond(self, request: Request, media_type: str | None) -> Response:
        response: Response | None = None
        try:
            if self.plans is not None and media_type is not None and request.method == "POST":
                response = await self.planned_response(request)
            if response is None:
                response = await self.run(request)
        except Refused as refusal:
            response = error_response(
                refusal.status,
                refusal.message,
                refusal.code,
                media_type=media_type,
                headers=refusal.headers,
            )
        except HTTPException as exc:
            headers = {"Allow": "GET, POST"} if exc.status_code == 405 else None
            response = error_response(
                exc.status_code,
                exc.reason,
                "BAD_REQUEST" if exc.status_code == 400 else None,
                media_type=media_type,
                headers=headers,
            )
        return response

    def cache_headers(self, request: Request, response: Response) -> None:
        """Cache-Control, ETag and Vary of a GraphQL answer (GraphiQL's page is left alone)."""
        if not response.media_type or not response.media_type.startswith((JSON, GRAPHQL_RESPONSE_JSON)):
            return
        headers = response.headers
        headers["Vary"] = VARY
        if "cache-control" in headers:
            return  # a persisted-query miss: Apollo's own uncached answer
        if (
            request.method == "GET"
            and response.status_code == 200
            and isinstance(response, _Answer)
            and not response.errors
            and "authorization" not in request.headers
        ):
            headers["Cache-Control"] = self.http_caching.public
            headers["ETag"] = etag(response.media_type, bytes(response.body))
        elif request.method == "GET" and "authorization" in request.headers:
            headers["Cache-Control"] = "private, no-store"
        else:
            headers["Cache-Control"] = NO_STORE

    async def planned_response(self, request: Request) -> Response | None:
        """The answer to a POSTed query that has a plan, without strawberry's request pipeline;
        None for anything else (strawberry's run then reads the same, cached, body)."""
        assert self.plans is not None
        try:  # the same checks as strawberry's path; what they refuse, that path refuses
            data = await self.parse_http_body(self.request_adapter_class(request))
        except (Refused, HTTPException):
            return None
        assert isinstance(data, GraphQLRequestData)  # parse_http_body refuses batches
        plan = self.plans.get(data.query, data.operation_name)
        if plan is None:
            return None
        sub_response = await self.get_sub_response(request)
        result = await self.run_plan(plan, await self.get_context(request, sub_response), data.variables)
        if result is None:
            return None
        return self.create_response(await self.process_result(request, result), sub_response)

    async def run_plan(self, plan: Plan, context: Context, variables: dict[str, Any] | None) -> ExecutionResult | None:
        """The plan's result, the time limit's error, or None when strawberry must answer."""
        assert self.plans is not None
        try:
            async with asyncio.timeout(settings.REQUEST_TIMEOUT):
                data = await self.plans.run(
                    plan, context, variables, settings.MAX_QUERY_COST, settings.MAX_RESPONSE_BYTES
                )
        except TimeoutError:
            return ExecutionResult(data=None, errors=[timeout_error(settings.REQUEST_TIMEOUT)])
        except ResponseTooLarge as refusal:
            return ExecutionResult(data=None, errors=[refusal])
        return None if data is None else ExecutionResult(data=data, errors=None)

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET naming its document by hash has no `query` either, and Apollo Client 3 accepts */*.
        return (
            self.graphql_ide is not None
            and "extensions" not in request.query_params
            and super().should_render_graphql_ide(request)
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        # GraphiQL from the local bundle (service/web.py); strawberry's CDN page when not built.
        from service.web import graphiql_page

        page = graphiql_page()
        return page if page is not None else await super().render_graphql_ide(request)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = _SubResponse()
        sub_response.status_code = None  # type: ignore[assignment]
        del sub_response.headers["content-length"]
        sub_response.graphql_media_type = negotiate(request.headers.get("accept")) or JSON
        return sub_response

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData | list[GraphQLRequestData]:
        memo = _parsed.get()
        if memo is not None and "data" in memo:
            data: GraphQLRequestData = memo["data"]
            return data
        if memo is not None and "refused" in memo:
            raise memo["refused"]
        try:
            parsed = await self.read_request(request)
        except Refused as refusal:
            if memo is not None:
                memo["refused"] = refusal
            raise
        if memo is not None:
            memo["data"] = parsed
        return parsed

    async def read_request(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        if negotiate(request.headers.get("accept")) is None:
            raise Refused(
                406,
                f"this endpoint answers with {GRAPHQL_RESPONSE_JSON} or {JSON}: accept one of them",
                "NOT_ACCEPTABLE",
            )
        data: object
        if request.method == "GET":
            data = self.parse_query_params(request.query_params)
        else:
            media_type, charset = _media_type_and_charset(request.content_type)
            if media_type != JSON or charset not in (None, "utf-8", "utf8"):
                raise Refused(
                    415,
                    "send the request body as `Content-Type: application/json` (UTF-8), "
                    f"not {request.content_type or 'without a content type'!r}",
                    "UNSUPPORTED_MEDIA_TYPE",
                )
            body = await request.get_body()
            if not body.strip():
                raise Refused(400, "the request body is empty: send a JSON object with `query`", "BAD_REQUEST")
            data = self.parse_json(body)
        if not isinstance(data, dict):
            raise Refused(
                400,
                "the request must be one JSON object with a `query` (batching is off)",
                "BAD_REQUEST",
            )
        query, variables = data.get("query"), data.get("variables")
        operation_name, extensions = data.get("operationName"), data.get("extensions")
        for name, value, kind in (
            ("query", query, str),
            ("variables", variables, dict),
            ("operationName", operation_name, str),
            ("extensions", extensions, dict),
        ):
            if value is not None and not isinstance(value, kind):
                article = "a string" if kind is str else "an object"
                raise Refused(400, f"`{name}` must be {article} or null", "BAD_REQUEST")
        try:
            query = await self.persisted.document(query, extensions)
        except PersistedQueryError as exc:
            raise Refused(exc.status, exc.message, exc.code, exc.headers) from None
        if not query:
            raise Refused(400, "the request has no `query`: send the GraphQL document in it", "BAD_REQUEST")
        return GraphQLRequestData(
            query=query, variables=variables, operation_name=operation_name, extensions=extensions
        )

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        query, operation_name = request_data.query, request_data.operation_name
        plan = self.plans.get(query, operation_name) if self.plans is not None else None
        if plan is not None:
            result = await self.run_plan(plan, context, request_data.variables)
            if result is not None:
                return result
        result = await self.execute_over_http(request_adapter.method, context, request_data)
        if self.plans is not None and plan is None and not result.errors:
            self.plans.admit(query, operation_name)
        return result

    async def execute_over_http(self, method: str, context: Context, data: GraphQLRequestData) -> ExecutionResult:
        """strawberry's execute_single, but a subscription is refused: over HTTP strawberry would run
        it as a query and answer a null it cannot explain. Queries over GET, mutations over POST."""
        allowed = OperationType.from_http(method) - {OperationType.SUBSCRIPTION}  # type: ignore[arg-type]
        try:
            return await self.schema.execute(
                data.query,
                variable_values=data.variables,
                context_value=context,
                operation_name=data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=data.extensions,
            )
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc
        except InvalidOperationTypeError as exc:
            if exc.operation_type is OperationType.SUBSCRIPTION:
                raise Refused(
                    400,
                    "subscriptions run over WebSockets at this URL (graphql-transport-ws), not over HTTP",
                    "SUBSCRIPTION_OVER_HTTP",
                ) from None
            if method == "GET":
                raise Refused(
                    405,
                    "mutations are not allowed over GET: send them with POST",
                    "METHOD_NOT_ALLOWED",
                    headers={"Allow": "POST"},
                ) from None
            raise HTTPException(400, exc.as_http_error_reason(method)) from exc

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        media_type = getattr(sub_response, "graphql_media_type", JSON)
        status = 200 if isinstance(response_data, list) else _status(response_data, media_type)
        body = orjson.dumps(response_data)  # bytes, to hold to a limit in bytes
        if len(body) > settings.MAX_RESPONSE_BYTES:
            # Execution counted the texts; this counts what else JSON adds (names, punctuation).
            message = response_too_large(settings.MAX_RESPONSE_BYTES).message
            return error_response(
                REFUSAL_STATUS[RESPONSE_TOO_LARGE], message, RESPONSE_TOO_LARGE, media_type=media_type
            )
        response = _Answer(
            body,
            status_code=sub_response.status_code or status,
            media_type=f"{media_type}; charset=utf-8",
        )
        response.errors = isinstance(response_data, list) or bool(response_data.get("errors"))
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response


async def _not_allowed(persisted: PersistedQueries, payload: object) -> GraphQLError | None:
    """The error refusing an operation sent over a WebSocket in allow-list mode, if refused."""
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return None  # malformed: the handler answers it
    try:
        await persisted.document(payload["query"], None)
    except PersistedQueryError as exc:
        return GraphQLError(exc.message, extensions={"code": exc.code})
    return None


class _AllowListedTransportWS(live.TransportWSHandler):
    persisted: ClassVar[PersistedQueries]

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and (error := await _not_allowed(self.persisted, message.get("payload"))):
            await self.send_message({"id": message["id"], "type": "error", "payload": [error.formatted]})
            return
        await super().handle_subscribe(message)


class _AllowListedLegacyWS(live.LegacyWSHandler):
    persisted: ClassVar[PersistedQueries]

    async def handle_start(self, message: StartMessage) -> None:
        if self.connection_acknowledged and (error := await _not_allowed(self.persisted, message.get("payload"))):
            await self.send_message({"type": "error", "id": message["id"], "payload": error.formatted})
            return
        await super().handle_start(message)


def allow_list_websockets(view: QuoteGraphQL, hub: live.Hub) -> None:
    """In allow-list mode, subscriptions over WebSockets run registered documents only, as HTTP
    does (in place of live.install's handlers, which these extend)."""
    attributes = {"hub": hub, "persisted": view.persisted}
    view.graphql_transport_ws_handler_class = type("QuoteTransportWSHandler", (_AllowListedTransportWS,), attributes)
    view.graphql_ws_handler_class = type("QuoteLegacyWSHandler", (_AllowListedLegacyWS,), attributes)


__all__: Sequence[str] = ["HttpCaching", "QuoteGraphQL", "Refused", "error_response", "etag", "negotiate"]
