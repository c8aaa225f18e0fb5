"""The request pipeline: parse -> validate -> plan (cached) -> execute, one function per stage.

`Router` owns the loaded supergraph (`SchemaState`, swapped atomically on hot reload: a request
reads `router.state` once and keeps it), the subgraph client and the hooks. Parse, validation,
planning and the compiled response shape are cached together per (document text, operation
name) in a `PreparedOperation`, so a repeated operation costs one dict lookup before execution.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values

from router.config import RouterConfig
from router.executor import ExecutionContext, OperationShape, compile_operation, execute_plan
from router.executor.introspection import has_introspection, introspect, without_introspection
from router.observability import tracing
from router.plan import QueryPlan
from router.transport import Headers, SubgraphClient

if TYPE_CHECKING:
    from router.policies.context import EdgeContext

logger = logging.getLogger("router")

PlanFunction = Callable[[DocumentNode, str | None], QueryPlan]
# build_plan(supergraph, document, operation_name)
Planner = Callable[[Any, DocumentNode, str | None], QueryPlan]

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
PLANNING_ERROR = "PLANNING_ERROR"
BAD_USER_INPUT = "BAD_USER_INPUT"
BAD_REQUEST = "BAD_REQUEST"
OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
NOT_READY = "SUPERGRAPH_NOT_LOADED"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
_INTROSPECTION_ROOTS = frozenset({"__schema", "__type", "__typename"})


class RequestError(Exception):
    """A request that never reaches execution. `status` is the HTTP status for
    `application/graphql-response+json`; `legacy_status` for `application/json`."""

    def __init__(
        self, message: str, code: str, status: int = 400, legacy_status: int = 200
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.legacy_status = legacy_status
        self.errors: list[dict[str, Any]] = [{"message": message, "extensions": {"code": code}}]

    @classmethod
    def from_graphql(cls, errors: Sequence[GraphQLError], code: str) -> RequestError:
        error = cls(errors[0].message, code)
        error.errors = [_format_error(e, code) for e in errors]
        return error


def _format_error(error: GraphQLError, code: str) -> dict[str, Any]:
    formatted = error.formatted
    formatted["extensions"] = {**(formatted.get("extensions") or {}), "code": code}
    return dict(formatted)


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    query: str
    operation_name: str | None = None
    variables: Mapping[str, Any] | None = None
    extensions: Mapping[str, Any] | None = None


@dataclass(slots=True)
class RequestContext:
    """Per-request facts decided at the edge: propagated headers (sorted, lower-case names),
    the HTTP method, whether the caller asked for the plan. Policies (tenant, auth) fill more."""

    headers: Headers = ()
    method: str = "POST"
    debug_plan: bool = False
    extensions: dict[str, Any] = field(default_factory=dict)
    # every caller header (lower-case names), for the edge policies; not forwarded as such
    request_headers: dict[str, str] = field(default_factory=dict)
    # extra response headers (x-request-id, RateLimit-*), sent by the HTTP endpoint
    response_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    edge: EdgeContext | None = None  # tenant, principal, request id (router.policies)
    client: str | None = None  # the socket peer's address (HTTP), for per-IP rate limits
    started: float = field(default_factory=time.perf_counter)


@dataclass(slots=True)
class PreparedOperation:
    """Everything about one (document, operation name) that does not depend on variables."""

    document: DocumentNode
    operation: OperationDefinitionNode
    shape: OperationShape
    plan: QueryPlan
    introspection: bool  # has __schema/__type at the root
    _printed_plan: str | None = None

    @property
    def kind(self) -> OperationType:
        return self.operation.operation

    def printed_plan(self) -> str:
        if self._printed_plan is None:
            self._printed_plan = _print_plan(self.plan)
        return self._printed_plan


def _print_plan(plan: QueryPlan) -> str:
    try:
        from router.planner.printer import print_plan
    except ImportError:  # planner printer not available
        return repr(plan)
    return str(print_plan(plan))


class RouterHook:
    """Base class for cross-cutting concerns; override what you need (all no-ops here)."""

    async def on_request(
        self, request: GraphQLRequest, context: RequestContext
    ) -> GraphQLRequest | None:
        """May refuse (raise `RequestError`) or return a replacement request (persisted
        queries, authorization rewrites); later hooks and the stages see the replacement."""
        return None

    def on_prepared(self, prepared: PreparedOperation, context: RequestContext) -> None:
        return None

    def on_response(
        self,
        response: dict[str, Any],
        prepared: PreparedOperation | None,
        context: RequestContext,
    ) -> None:
        return None


class QueryPlanHook(RouterHook):
    """Returns the printed plan in `extensions.queryPlan` when the request asked for it."""

    def __init__(self, always: bool = False) -> None:
        self.always = always

    def on_response(
        self,
        response: dict[str, Any],
        prepared: PreparedOperation | None,
        context: RequestContext,
    ) -> None:
        if prepared is not None and (self.always or context.debug_plan):
            response.setdefault("extensions", {})["queryPlan"] = prepared.printed_plan()


class OperationCache:
    """LRU of prepared operations (and of request errors, so bad documents stay cheap)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str | None], PreparedOperation | RequestError] = (
            OrderedDict()
        )

    def get(self, key: tuple[str, str | None]) -> PreparedOperation | RequestError | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: tuple[str, str | None], item: PreparedOperation | RequestError) -> None:
        self._items[key] = item
        if len(self._items) > self.size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


@dataclass(slots=True)
class SchemaState:
    """One loaded supergraph: API schema, subgraph URLs, planner and its cache."""

    api_schema: GraphQLSchema
    subgraph_urls: Mapping[str, str]
    plan: PlanFunction
    cache: OperationCache
    supergraph: Any = None
    source: str = ""


def load_schema_state(
    sdl: str, config: RouterConfig, planner: Planner | None = None
) -> SchemaState:
    """Parse a supergraph SDL (raises `SupergraphError`) into a fresh state with an empty cache.
    `planner` replaces `router.planner.build_plan` (tests, benchmarks, planner decorators)."""
    # imported late and untyped: the planner and supergraph packages are built in parallel
    parse_supergraph: Any = importlib.import_module("router.supergraph").parse_supergraph
    if planner is None:
        planner = importlib.import_module("router.planner").build_plan
    supergraph = parse_supergraph(sdl)
    urls = {name: info.url for name, info in supergraph.subgraphs.items()}
    urls.update(config.subgraph_urls)
    build = planner

    def plan(document: DocumentNode, operation_name: str | None) -> QueryPlan:
        return build(supergraph, document, operation_name)

    cache = OperationCache(config.plan_cache_size)
    return SchemaState(supergraph.api_schema, urls, plan, cache, supergraph, sdl)


# ---- stages --------------------------------------------------------------------------------


def parse_document(query: str, max_tokens: int) -> DocumentNode:
    try:
        return parse(query, max_tokens=max_tokens, no_location=False)
    except GraphQLError as exc:
        raise RequestError.from_graphql([exc], PARSE_FAILED) from exc


def validate_document(schema: GraphQLSchema, document: DocumentNode) -> None:
    errors = validate(schema, document)
    if errors:
        raise RequestError.from_graphql(errors, VALIDATION_FAILED)


def select_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        if len(operations) == 1:
            return operations[0]
        raise RequestError(
            "Must provide operation name if query contains multiple operations.",
            OPERATION_RESOLUTION_FAILURE,
        )
    for operation in operations:
        if operation.name is not None and operation.name.value == name:
            return operation
    raise RequestError(f"Unknown operation named '{name}'.", OPERATION_RESOLUTION_FAILURE)


def plan_operation(
    state: SchemaState, document: DocumentNode, operation: OperationDefinitionNode
) -> QueryPlan:
    root_names = {
        s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)
    }
    has_fragments = any(not isinstance(s, FieldNode) for s in operation.selection_set.selections)
    if not has_fragments and root_names <= _INTROSPECTION_ROOTS:
        return QueryPlan(None)
    planned = without_introspection(document, operation)
    name = operation.name.value if operation.name else None
    try:
        return state.plan(planned, name)
    except Exception as exc:  # PlanningError, or a planner bug: never a 500
        code = getattr(exc, "code", None) or PLANNING_ERROR
        logger.warning("planning failed: %s", exc, exc_info=not hasattr(exc, "code"))
        error = RequestError(f"Query planning failed: {exc}", PLANNING_ERROR)
        error.errors[0]["extensions"]["reason"] = code
        raise error from exc


def prepare(state: SchemaState, request: GraphQLRequest, config: RouterConfig) -> PreparedOperation:
    """Parse, validate and plan `request` (cached); raises `RequestError`."""
    key = (request.query, request.operation_name)
    cached = state.cache.get(key)
    if isinstance(cached, PreparedOperation):
        tracing.plan_cache_hit()
        return cached
    if isinstance(cached, RequestError):
        tracing.plan_cache_hit(cached.code)
        raise cached
    try:
        prepared = _prepare_uncached(state, request, config)
    except RequestError as exc:
        state.cache.put(key, exc)
        raise
    state.cache.put(key, prepared)
    return prepared


def _prepare_uncached(
    state: SchemaState, request: GraphQLRequest, config: RouterConfig
) -> PreparedOperation:
    with tracing.stage("graphql.parse"):
        document = parse_document(request.query, config.max_tokens)
    with tracing.stage("graphql.validate"):
        validate_document(state.api_schema, document)
        operation = select_operation(document, request.operation_name)
    introspection = has_introspection(operation)
    if introspection and not config.introspection:
        raise RequestError("Introspection is disabled.", INTROSPECTION_DISABLED)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    with tracing.stage("graphql.plan", **{tracing.CACHE_HIT: False}):
        shape = compile_operation(state.api_schema, operation, fragments)
        plan = plan_operation(state, document, operation)
    return PreparedOperation(document, operation, shape, plan, introspection)


def coerce_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, raw: Mapping[str, Any] | None
) -> dict[str, Any]:
    if not operation.variable_definitions:
        return {}
    result = get_variable_values(schema, operation.variable_definitions, dict(raw or {}))
    if isinstance(result, list):
        raise RequestError.from_graphql(result, BAD_USER_INPUT)
    return result.coerced


# ---- the router ----------------------------------------------------------------------------


class Router:
    """Holds the current `SchemaState`, the subgraph client and the hooks; `handle` runs one
    GraphQL request through every stage and returns (HTTP status hint, response body)."""

    def __init__(
        self,
        config: RouterConfig,
        client: SubgraphClient,
        hooks: Sequence[RouterHook] = (),
        state: SchemaState | None = None,
        planner: Planner | None = None,
    ) -> None:
        self.config = config
        self.planner = planner
        self.client = client
        self.hooks = tuple(hooks)
        self.state = state
        self.reloads = 0

    def load(self, sdl: str) -> None:
        """Parse `sdl` and swap it in atomically; on error the current state stays."""
        self.state = load_schema_state(sdl, self.config, self.planner)
        self.reloads += 1

    def load_file(self, path: Path) -> None:
        self.load(path.read_text())

    async def handle(
        self, request: GraphQLRequest, context: RequestContext
    ) -> tuple[RequestError | None, dict[str, Any]]:
        """Returns (the request error, if the request never reached execution; the body)."""
        state = self.state  # one state for the whole request, even across a reload
        prepared: PreparedOperation | None = None
        try:
            for hook in self.hooks:  # a hook may refuse the request with a RequestError
                replaced = await hook.on_request(request, context)
                if replaced is not None:
                    request = replaced
            if state is None:
                raise RequestError("The supergraph is not loaded yet.", NOT_READY, 503, 503)
            prepared = prepare(state, request, self.config)
            if prepared.kind is OperationType.SUBSCRIPTION:  # router/subscriptions serves them
                raise RequestError(
                    "Subscriptions are served over WebSocket or SSE (Accept: text/event-stream).",
                    BAD_REQUEST,
                    405,
                    405,
                )
            if context.method == "GET" and prepared.kind is not OperationType.QUERY:
                raise RequestError(
                    "Only queries can be sent with GET; use POST.", BAD_REQUEST, 405, 405
                )
            response = await self._execute(state, prepared, request, context)
        except RequestError as exc:
            return self._failed(exc, prepared, context)
        except Exception:  # a router bug: answer a GraphQL error, never a bare 500
            logger.exception("request failed")
            error = RequestError("Internal router error.", INTERNAL_SERVER_ERROR, 500, 500)
            return self._failed(error, prepared, context)
        for hook in self.hooks:
            hook.on_response(response, prepared, context)
        return None, response

    def _failed(
        self, exc: RequestError, prepared: PreparedOperation | None, context: RequestContext
    ) -> tuple[RequestError, dict[str, Any]]:
        body: dict[str, Any] = {"errors": exc.errors}
        for hook in self.hooks:
            hook.on_response(body, prepared, context)
        return exc, body

    async def _execute(
        self,
        state: SchemaState,
        prepared: PreparedOperation,
        request: GraphQLRequest,
        context: RequestContext,
    ) -> dict[str, Any]:
        for hook in self.hooks:
            hook.on_prepared(prepared, context)
        coerced = coerce_variables(state.api_schema, prepared.operation, request.variables)
        initial = None
        if prepared.introspection:
            initial = introspect(state.api_schema, prepared.document, prepared.operation, coerced)
        execution = ExecutionContext(
            self.client, state.subgraph_urls, state.api_schema, context.headers
        )
        return await execute_plan(
            prepared.plan,
            prepared.shape,
            # coerced values (client defaults applied) are what the subgraphs must see
            coerced,
            execution,
            coerced_variables=coerced,
            initial_data=initial,
        )

    async def watch(self, path: Path, stop: asyncio.Event) -> None:
        """Reload when the supergraph file changes, until `stop` is set."""
        from watchfiles import awatch

        target = _absolute(path)
        async for changes in awatch(
            os.path.dirname(target),
            stop_event=stop,
            debounce=100,
            step=50,
            force_polling=self.config.reload_poll,
            poll_delay_ms=200,
        ):
            if not any(_absolute(p) == target for _, p in changes):
                continue
            try:
                self.load_file(Path(target))
            except Exception:
                logger.exception("supergraph reload failed; keeping the current one")
            else:
                logger.warning("supergraph reloaded from %s", target)


def _absolute(path: str | Path) -> str:
    return os.path.abspath(path)


__all__ = [
    "GraphQLRequest",
    "PreparedOperation",
    "QueryPlanHook",
    "RequestContext",
    "RequestError",
    "Router",
    "RouterHook",
    "SchemaState",
    "load_schema_state",
    "prepare",
]
