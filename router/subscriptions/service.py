"""Operations over a long-lived transport (WebSocket or SSE): one entry point, `start`.

Queries and mutations go through `Router.handle` (hooks included) and give one result.
Subscriptions are prepared by the same cached pipeline stages, pass the same `on_request` /
`on_prepared` hooks, and join a shared upstream stream in the `SubscriptionHub`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from graphql import OperationType

from router.observability import tracing
from router.pipeline import (
    BAD_REQUEST,
    INTERNAL_SERVER_ERROR,
    GraphQLRequest,
    PreparedOperation,
    RequestContext,
    RequestError,
    Router,
    SchemaState,
    coerce_variables,
    prepare,
)
from router.plan import Subscription
from router.subscriptions.auth import (
    ConnectionAuthenticator,
    ConnectionRejected,
    header_authenticator,
)
from router.subscriptions.events import PreparedSubscription, finish_result, resolve_event
from router.subscriptions.hub import SharedStream, Sink, SubscriptionHub
from router.subscriptions.protocol import GRAPHQL_TRANSPORT_WS
from router.subscriptions.upstream import UpstreamError, UpstreamRequest, upstream_events

logger = logging.getLogger("router.subscriptions")
NOT_READY = "SUPERGRAPH_NOT_LOADED"
EVENT_METHOD = "SUBSCRIPTION_EVENT"  # RequestContext.method seen by on_response for events
# per-request tracing headers: not part of what a subscription means, so never a reason not
# to share a stream, and not sent upstream on a shared one
UNSHARED_HEADERS = frozenset({"x-request-id", "traceparent", "tracestate"})


@dataclass(frozen=True, slots=True)
class Rejected:
    """The operation never started: `errors` go out as one `error` message."""

    errors: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Single:
    """A query or mutation: one result, then complete."""

    result: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Joined:
    """A subscription attached to a shared stream; `stop()` detaches it."""

    service: SubscriptionService
    stream: SharedStream
    sink: Sink

    def stop(self) -> None:
        self.service.hub.leave(self.stream, self.sink)


Started = Rejected | Single | Joined


class StreamObserver(Protocol):
    """Counts what streams deliver and how often upstreams fail (RouterMetrics is one)."""

    def delivered(self, tenant: str, count: int) -> None: ...

    def upstream_failed(self, subgraph: str) -> None: ...


class _CountedSink:
    """A subscriber's sink counting each payload handed to it, under its tenant."""

    def __init__(self, inner: Sink, observer: StreamObserver, tenant: str) -> None:
        self.inner = inner
        self.observer = observer
        self.tenant = tenant

    def deliver(self, payload: str) -> None:
        self.observer.delivered(self.tenant, 1)
        self.inner.deliver(payload)

    def complete(self) -> None:
        self.inner.complete()


async def _observed(
    events: AsyncGenerator[dict[str, Any], None], observer: StreamObserver, subgraph: str
) -> AsyncGenerator[dict[str, Any], None]:
    async with contextlib.aclosing(events):
        try:
            async for event in events:
                yield event
        except UpstreamError:
            observer.upstream_failed(subgraph)
            raise


class SubscriptionService:
    """Starts operations for the WebSocket and SSE endpoints of one router."""

    def __init__(
        self, router: Router, authenticator: ConnectionAuthenticator | None = None
    ) -> None:
        self.router = router
        config = router.config
        propagate = frozenset(h.lower() for h in config.propagate_headers)
        self.authenticator = authenticator or header_authenticator(propagate)
        self.hub = SubscriptionHub()
        self.protocols: Mapping[str, str] = dict(config.subscription_protocols)
        self.connections = 0  # open WebSocket connections
        self.dropped_clients = 0  # closed because their queue was full (1013)
        self.observer: StreamObserver | None = None  # metrics (set by router.app)

    async def check_connection(self, context: RequestContext) -> float | None:
        """Run every hook's `on_request` once on a probe request (`connection_init`): a 401/403
        refusal (bad token, unknown tenant) raises `ConnectionRejected` (close 4403). Returns
        the verified token's `exp` (epoch seconds), when there is one."""
        probe = operation_context(context, context.method)
        try:
            for hook in self.router.hooks:
                try:
                    await hook.on_request(_PROBE, probe)
                except RequestError as exc:
                    if exc.status in (401, 403):
                        raise ConnectionRejected(exc.message) from exc
                    break  # rate limits and the like apply per operation
        finally:  # the probe is no request: its span (tracing on) is dropped, never exported
            tracing.deactivate()
        principal = probe.edge.principal if probe.edge is not None else None
        expires = principal.claims.get("exp") if principal is not None else None
        return float(expires) if isinstance(expires, int | float) else None

    async def start(self, request: GraphQLRequest, context: RequestContext, sink: Sink) -> Started:
        """Hooks first, as over HTTP: persisted-query ids are resolved and the edge limits
        refuse a request before its document is parsed, validated or planned. Then the
        prepared operation decides: a query or mutation runs once (`Single`), a subscription
        joins its shared stream."""
        state = self.router.state
        if state is None:
            return Rejected([_error("The supergraph is not loaded yet.", NOT_READY)])
        prepared: PreparedOperation | None = None
        try:
            for hook in self.router.hooks:  # may refuse, or replace the request
                replaced = await hook.on_request(request, context)
                if replaced is not None:
                    request = replaced
            prepared = prepare(state, request, self.router.config)
            if prepared.kind is not OperationType.SUBSCRIPTION:
                return await self._single(state, prepared, request, context)
            for hook in self.router.hooks:
                hook.on_prepared(prepared, context)
            variables = coerce_variables(state.api_schema, prepared.operation, request.variables)
        except RequestError as exc:
            return self._rejected(exc, prepared, context)
        plan = prepared.plan.node
        if not isinstance(plan, Subscription):
            return Rejected([_error("Only subscriptions can be streamed.", "BAD_REQUEST")])
        headers = tuple((k, v) for k, v in context.headers if k not in UNSHARED_HEADERS)
        # hooks' on_response runs once per event with this context: the method tells them it
        # is an event (metrics must not time it as a request), `edge` keeps the grants
        event_context = dataclasses.replace(context, method=EVENT_METHOD, extensions={})
        subscription = PreparedSubscription(
            state, prepared, plan, variables, headers, event_context, self.router.hooks
        )
        key = (
            id(state),
            request.query,
            request.operation_name,
            orjson.dumps(variables, option=orjson.OPT_SORT_KEYS),
            headers,
        )
        observer = self.observer
        if observer is not None:
            edge = context.edge
            tenant = str(edge.tenant.id) if edge is not None and edge.tenant is not None else "-"
            sink = _CountedSink(sink, observer, tenant)
            name = plan.primary.service_name

            def source() -> AsyncGenerator[dict[str, Any], None]:
                events = upstream_events(self._upstream_request(subscription))
                return _observed(events, observer, name)
        else:

            def source() -> AsyncGenerator[dict[str, Any], None]:
                return upstream_events(self._upstream_request(subscription))

        stream = self.hub.join(
            key,
            sink,
            source,
            lambda event: resolve_event(subscription, event, self.router.client),
            lambda result: finish_result(subscription, result),
        )
        return Joined(self, stream, sink)

    async def _single(
        self,
        state: SchemaState,
        prepared: PreparedOperation,
        request: GraphQLRequest,
        context: RequestContext,
    ) -> Started:
        """A query or mutation whose `on_request` hooks already ran: what `Router.handle` does
        after them (its hooks must not run twice: a rate limit would count it twice)."""
        if context.method == "GET" and prepared.kind is not OperationType.QUERY:
            raise RequestError("Only queries can be sent with GET; use POST.", BAD_REQUEST, 405)
        try:
            response = await self.router._execute(state, prepared, request, context)
        except RequestError:
            raise
        except Exception:  # a router bug: a GraphQL error, as Router.handle answers it
            logger.exception("operation failed")
            error = RequestError("Internal router error.", INTERNAL_SERVER_ERROR, 500, 500)
            return self._rejected(error, prepared, context)
        for hook in self.router.hooks:
            hook.on_response(response, prepared, context)
        return Single(response)

    def _rejected(
        self, exc: RequestError, prepared: PreparedOperation | None, context: RequestContext
    ) -> Rejected:
        body: dict[str, Any] = {"errors": exc.errors}
        for hook in self.router.hooks:
            hook.on_response(body, prepared, context)
        return Rejected(body["errors"])

    def _upstream_request(self, subscription: PreparedSubscription) -> UpstreamRequest:
        primary = subscription.plan.primary
        name = primary.service_name
        return UpstreamRequest(
            service_name=name,
            url=subscription.state.subgraph_urls.get(name, ""),
            payload=subscription.upstream_payload,
            headers=subscription.headers,
            protocol=self.protocols.get(name, GRAPHQL_TRANSPORT_WS),
            connect_timeout=self.router.config.connect_timeout,
        )

    async def aclose(self) -> None:
        await self.hub.aclose()


_PROBE = GraphQLRequest("{ __typename }")


def operation_context(base: RequestContext, method: str) -> RequestContext:
    """A fresh context per operation: hooks write into it (edge, response headers, ...)."""
    return dataclasses.replace(
        base,
        method=method,
        extensions=dict(base.extensions),
        request_headers=dict(base.request_headers),
        response_headers=[],
        edge=None,
        started=time.perf_counter(),
    )


def _error(message: str, code: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code}}
