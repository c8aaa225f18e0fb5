"""Router metrics: a `RouterHook` for requests and a `SubgraphClient` decorator for fetches.

Series: `router_requests_total{operation,tenant}`, `router_request_duration_seconds{operation}`,
`router_errors_total{code}`, `router_subgraph_fetch_duration_seconds{subgraph}`,
`router_subgraph_fetch_failures_total{subgraph,kind}`, `router_plan_cache_total{result}`,
`router_rate_limit_rejections_total{tenant}`, `router_active_subscriptions` (a gauge the
subscriptions package sets with `set_function`). Operation and tenant labels are bounded
(past the cap they read `other`); anonymous operations read `-`.
"""

from __future__ import annotations

import time
from typing import Any

from router.observability.metrics import Registry
from router.observability.tracing import NoopTracer, Span, Tracer
from router.pipeline import GraphQLRequest, PreparedOperation, RequestContext, Router, RouterHook
from router.transport import SubgraphClient, SubgraphRequest, SubgraphResponse

_START = "router.observability.start"
_SPANS = "router.observability.spans"


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

    def render(self) -> str:
        return self.registry.render()


class MetricsHook(RouterHook):
    """Duck-typed `RouterHook`; install it last so it sees the request other hooks rewrote."""

    def __init__(
        self, metrics: RouterMetrics, router: Router, tracer: Tracer | None = None
    ) -> None:
        self.metrics = metrics
        self.router = router
        self.tracer = tracer or NoopTracer()
        self.tracing = not isinstance(self.tracer, NoopTracer)

    async def on_request(self, request: GraphQLRequest, context: RequestContext) -> None:
        context.extensions[_START] = time.perf_counter()
        state = self.router.state
        hit = False
        if state is not None:
            hit = state.cache.get((request.query, request.operation_name)) is not None
            self.metrics.plan_cache.inc("hit" if hit else "miss")
        if self.tracing:  # parse + validate + plan run (or hit the cache) inside "prepare"
            edge = context.edge
            attributes = {"graphql.operation.name": request.operation_name or ""}
            if edge is not None:
                attributes["router.request_id"] = edge.request_id
            request_span = self.tracer.start("graphql.request", attributes)
            prepare_span = self.tracer.start("graphql.prepare", {"router.plan_cache_hit": hit})
            context.extensions[_SPANS] = [request_span, prepare_span]

    def on_prepared(self, prepared: PreparedOperation, context: RequestContext) -> None:
        spans: list[Span] | None = context.extensions.get(_SPANS)
        if spans is not None and len(spans) == 2:
            spans.pop().end()

    def on_response(
        self,
        response: dict[str, Any],
        prepared: PreparedOperation | None,
        context: RequestContext,
    ) -> None:
        m = self.metrics
        operation = "-"
        if prepared is not None and prepared.operation.name is not None:
            operation = prepared.operation.name.value
        edge = context.edge
        tenant = edge.tenant.id if edge is not None and edge.tenant is not None else "-"
        m.requests.inc(operation, tenant)
        start = context.extensions.get(_START)
        if start is not None:
            m.duration.observe(time.perf_counter() - start, operation)
        errors = response.get("errors") or ()
        for error in errors:
            code = str((error.get("extensions") or {}).get("code", "UNKNOWN"))
            m.errors.inc(code)
            if code == "RATE_LIMITED":
                m.rate_limited.inc(tenant)
        spans: list[Span] | None = context.extensions.pop(_SPANS, None)
        if spans:
            spans[0].set_attribute("graphql.errors", len(errors))
            for span in reversed(spans):
                span.end()


class MeteredClient:
    """A `SubgraphClient` decorator timing every fetch (and opening a span per fetch)."""

    def __init__(
        self, inner: SubgraphClient, metrics: RouterMetrics, tracer: Tracer | None = None
    ) -> None:
        self.inner = inner
        self.metrics = metrics
        self.tracer = tracer or NoopTracer()
        self.noop = isinstance(self.tracer, NoopTracer)

    async def execute(self, request: SubgraphRequest) -> SubgraphResponse:
        start = time.perf_counter()
        if self.noop:
            response = await self.inner.execute(request)
        else:
            with self.tracer.span("subgraph.fetch", {"subgraph": request.service_name}):
                response = await self.inner.execute(request)
        self.metrics.fetch_duration.observe(time.perf_counter() - start, request.service_name)
        if response.failure is not None:
            self.metrics.fetch_failures.inc(request.service_name, response.failure.kind.value)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
