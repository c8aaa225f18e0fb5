"""Router metrics and traces: `MetricsHook` and `TracingHook` (RouterHooks) and `MeteredClient`,
a `SubgraphClient` decorator timing each fetch and opening its `subgraph.fetch` span.

Series: `router_requests_total{operation,tenant}`, `router_request_duration_seconds{operation}`,
`router_errors_total{code}`, `router_subgraph_fetch_duration_seconds{subgraph}`,
`router_subgraph_fetch_failures_total{subgraph,kind}`, `router_plan_cache_total{result}`,
`router_rate_limit_rejections_total{tenant}`, `router_active_subscriptions` (a gauge the
subscriptions package sets with `set_function`), `router_subscription_events_total{tenant}`
and `router_subscription_upstream_failures_total{subgraph}`. Operation and tenant labels are
bounded (past the cap they read `other`); anonymous operations read `-`.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from graphql import OperationType
from opentelemetry.trace import Span, SpanKind

from router.observability import tracing
from router.observability.metrics import Registry
from router.observability.tracing import RouterTracer
from router.pipeline import GraphQLRequest, PreparedOperation, RequestContext, Router, RouterHook
from router.transport import SubgraphClient, SubgraphRequest, SubgraphResponse

_START = "router.observability.start"
_SPAN = "router.observability.span"
EVENT_METHOD = "SUBSCRIPTION_EVENT"  # RequestContext.method of a subscription event's response


class RouterMetrics:
    def __init__(self, registry: Registry | None = None, tenant_labels: int = 100) -> None:
        r = self.registry = registry or Registry()
        self.requests = r.counter(
            "router_requests_total", "GraphQL requests", ("operation", "tenant"), tenant_labels
        )
        self.duration = r.histogram(
            "router_request_duration_seconds", "GraphQL request latency", ("operation",)
        )
        self.errors = r.counter("router_errors_total", "Errors in responses", ("code",))
        self.fetch_duration = r.histogram(
            "router_subgraph_fetch_duration_seconds", "Subgraph fetch latency", ("subgraph",)
        )
        self.fetch_failures = r.counter(
            "router_subgraph_fetch_failures_total", "Failed subgraph fetches", ("subgraph", "kind")
        )
        self.plan_cache = r.counter(
            "router_plan_cache_total", "Prepared-operation cache lookups", ("result",)
        )
        self.rate_limited = r.counter(
            "router_rate_limit_rejections_total",
            "Requests refused by the rate limit",
            ("tenant",),
            tenant_labels,
        )
        self.active_subscriptions = r.gauge(
            "router_active_subscriptions", "Open client subscriptions"
        )
        self.subscription_events = r.counter(
            "router_subscription_events_total",
            "Subscription payloads handed to clients (events and final errors)",
            ("tenant",),
            tenant_labels,
        )
        self.subscription_failures = r.counter(
            "router_subscription_upstream_failures_total",
            "Upstream subscription streams that failed (clients got an error and completion)",
            ("subgraph",),
            100,
        )

    def render(self) -> str:
        return self.registry.render()

    # the subscriptions package's observer (router.subscriptions.service.StreamObserver)
    def delivered(self, tenant: str, count: int) -> None:
        self.subscription_events.inc(tenant, amount=float(count))

    def upstream_failed(self, subgraph: str) -> None:
        self.subscription_failures.inc(subgraph)


class MetricsHook(RouterHook):
    """Duck-typed `RouterHook`; install it last so it sees the request other hooks rewrote."""

    def __init__(self, metrics: RouterMetrics, router: Router) -> None:
        self.metrics = metrics
        self.router = router

    async def on_request(self, request: GraphQLRequest, context: RequestContext) -> None:
        context.extensions[_START] = time.perf_counter()
        state = self.router.state
        if state is not None:
            hit = state.cache.get((request.query, request.operation_name)) is not None
            self.metrics.plan_cache.inc("hit" if hit else "miss")

    def on_response(
        self,
        response: dict[str, Any],
        prepared: PreparedOperation | None,
        context: RequestContext,
    ) -> None:
        m = self.metrics
        edge = context.edge
        tenant = edge.tenant.id if edge is not None and edge.tenant is not None else "-"
        errors = response.get("errors") or ()
        if context.method != EVENT_METHOD:  # events are counted as deliveries, not requests
            operation = "-"
            if prepared is not None and prepared.operation.name is not None:
                operation = prepared.operation.name.value
            m.requests.inc(operation, tenant)
            start = context.extensions.get(_START)
            if start is not None:
                m.duration.observe(time.perf_counter() - start, operation)
        for error in errors:
            code = str((error.get("extensions") or {}).get("code", "UNKNOWN"))
            m.errors.inc(code)
            if code == "RATE_LIMITED":
                m.rate_limited.inc(tenant)


class TracingHook(RouterHook):
    """The `graphql.request` span: install it first, so it covers the edge policies and sees
    their refusals. It is the active span (router.observability.tracing) while the request
    runs; the pipeline's stages and `MeteredClient` open its children."""

    def __init__(self, tracer: RouterTracer) -> None:
        self.tracer = tracer

    async def on_request(self, request: GraphQLRequest, context: RequestContext) -> None:
        span = self.tracer.start_request(context.request_headers)
        if request.operation_name:
            span.set_attribute(tracing.OPERATION_NAME, request.operation_name)
        context.extensions[_SPAN] = span
        tracing.activate(self.tracer, span)

    def on_prepared(self, prepared: PreparedOperation, context: RequestContext) -> None:
        span: Span | None = context.extensions.get(_SPAN)
        if span is None:
            return
        name = prepared.operation.name
        span.set_attribute(tracing.OPERATION_NAME, name.value if name is not None else "")
        span.set_attribute(tracing.OPERATION_TYPE, prepared.kind.value)
        if prepared.kind is OperationType.SUBSCRIPTION:  # streamed: the span is the set-up
            self._finish(span, {}, context)

    def on_response(
        self,
        response: dict[str, Any],
        prepared: PreparedOperation | None,
        context: RequestContext,
    ) -> None:
        span: Span | None = context.extensions.get(_SPAN)
        if span is not None and context.method != EVENT_METHOD:
            self._finish(span, response, context)

    def _finish(self, span: Span, response: dict[str, Any], context: RequestContext) -> None:
        context.extensions.pop(_SPAN, None)
        edge = context.edge
        if edge is not None:
            span.set_attribute(tracing.REQUEST_ID, edge.request_id)
            if edge.tenant is not None:
                span.set_attribute(tracing.TENANT, str(edge.tenant.id))
            if edge.denied:
                span.set_attribute("router.denied_fields", len(edge.denied))
        errors = response.get("errors") or ()
        if errors:
            span.set_attribute(tracing.ERROR_COUNT, len(errors))
            code = str((errors[0].get("extensions") or {}).get("code", "UNKNOWN"))
            if "data" not in response:  # refused: the request failed as a whole
                tracing.mark_error(span, code)
            else:
                span.set_attribute(tracing.ERROR_CODE, code)
        span.end()
        tracing.deactivate()


class MeteredClient:
    """A `SubgraphClient` decorator: fetch latency and failures per subgraph (`metrics`), and a
    `subgraph.fetch` span per request when a request span is active, whose `traceparent` the
    subgraph receives."""

    def __init__(self, inner: SubgraphClient, metrics: RouterMetrics | None) -> None:
        self.inner = inner
        self.metrics = metrics

    async def execute(self, request: SubgraphRequest) -> SubgraphResponse:
        start = time.perf_counter()
        current = tracing.active()
        if current is None:
            response = await self.inner.execute(request)
        else:
            response = await self._traced(request, *current)
        if self.metrics is not None:
            name = request.service_name
            self.metrics.fetch_duration.observe(time.perf_counter() - start, name)
            if response.failure is not None:
                self.metrics.fetch_failures.inc(name, response.failure.kind.value)
        return response

    async def _traced(
        self, request: SubgraphRequest, tracer: RouterTracer, parent: Span
    ) -> SubgraphResponse:
        attributes: dict[str, Any] = {tracing.SUBGRAPH: request.service_name}
        attributes["url.full"] = request.url
        span = tracer.start_child("subgraph.fetch", parent, attributes, SpanKind.CLIENT)
        try:
            header = tracing.traceparent(span)
            if header is not None:
                kept = tuple(h for h in request.headers if h[0] not in ("traceparent",))
                headers = tuple(sorted((*kept, ("traceparent", header))))
                request = dataclasses.replace(request, headers=headers)
            response = await self.inner.execute(request)
            span.set_attribute("http.response.status_code", response.status)
            if response.failure is not None:
                tracing.mark_error(span, response.failure.kind.value)
            return response
        finally:
            span.end()

    async def aclose(self) -> None:
        await self.inner.aclose()
