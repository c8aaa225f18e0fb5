"""OpenTelemetry tracing: one `graphql.request` span per operation with children
`graphql.parse`, `graphql.validate`, `graphql.plan` (or a cache hit) and `subgraph.fetch`,
exported over OTLP/HTTP when `otlp_endpoint` (env `ROUTER_OTLP_ENDPOINT`) is set.

A W3C `traceparent` from the client continues its trace (and its sampling decision); each
subgraph request carries its own fetch span's `traceparent`. The request span is found through
a ContextVar set by `TracingHook` (router/observability/hook.py), so the pipeline's stages and
the subgraph client open children without a tracer being passed around. Without an endpoint
there is no tracer and every call below is one ContextVar read.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:  # the SDK and the exporter (protobuf, requests) load only when tracing is on
    from opentelemetry.sdk.trace.export import SpanExporter

logger = logging.getLogger("router.observability")

# attribute names (OpenTelemetry GraphQL semantic conventions where they exist)
OPERATION_NAME = "graphql.operation.name"
OPERATION_TYPE = "graphql.operation.type"
REQUEST_ID = "router.request_id"
TENANT = "router.tenant"
SUBGRAPH = "router.subgraph.name"
ERROR_CODE = "graphql.error.code"
ERROR_COUNT = "graphql.errors.count"
CACHE_HIT = "graphql.plan.cache_hit"

_PROPAGATOR = TraceContextTextMapPropagator()


class RouterTracer:
    """An SDK tracer provider of its own (the global one is left alone) and its exporter."""

    def __init__(
        self,
        exporter: SpanExporter,
        service_name: str = "router",
        schedule_delay_millis: float = 1000,
    ) -> None:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        self.provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
        self.provider.add_span_processor(
            BatchSpanProcessor(exporter, schedule_delay_millis=schedule_delay_millis)
        )
        self.tracer = self.provider.get_tracer("router")

    def start_request(self, headers: Mapping[str, str], name: str = "graphql.request") -> Span:
        """A server span continuing the caller's `traceparent`/`tracestate`, when valid."""
        parent = _PROPAGATOR.extract(carrier=dict(headers))
        return self.tracer.start_span(name, context=parent, kind=SpanKind.SERVER)

    def start_child(
        self,
        name: str,
        parent: Span,
        attributes: Mapping[str, Any] | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
    ) -> Span:
        context = trace.set_span_in_context(parent)
        return self.tracer.start_span(name, context=context, kind=kind, attributes=attributes)

    def force_flush(self, timeout_millis: int = 10_000) -> bool:
        """Blocking: call it from a thread inside an event loop."""
        return self.provider.force_flush(timeout_millis)

    def shutdown(self) -> None:
        """Blocking (flushes the queue): call it from a thread inside an event loop."""
        self.provider.shutdown()


def traceparent(span: Span) -> str | None:
    """The W3C `traceparent` naming `span` as the parent."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier, context=trace.set_span_in_context(span))
    return carrier.get("traceparent")


# ---- the active request span ---------------------------------------------------------------

_active: ContextVar[tuple[RouterTracer, Span] | None] = ContextVar("router_span", default=None)


def activate(tracer: RouterTracer, span: Span) -> None:
    _active.set((tracer, span))


def deactivate() -> None:
    _active.set(None)


def active() -> tuple[RouterTracer, Span] | None:
    return _active.get()


@contextlib.contextmanager
def _stage(
    tracer: RouterTracer, parent: Span, name: str, attributes: dict[str, Any]
) -> Iterator[Span]:
    span = tracer.start_child(name, parent, attributes)
    try:
        yield span
    except Exception as exc:
        mark_error(span, getattr(exc, "code", None) or type(exc).__name__)
        raise
    finally:
        span.end()


def stage(name: str, **attributes: Any) -> contextlib.AbstractContextManager[Span | None]:
    """A child of the active request span around a pipeline stage (no-op without one). A
    `RequestError` raised inside marks the span as failed with its `extensions.code`."""
    current = _active.get()
    if current is None:
        return contextlib.nullcontext()
    return _stage(current[0], current[1], name, attributes)


def plan_cache_hit(failed_code: str | None = None) -> None:
    """A `graphql.plan` span for a prepared operation (or request error) found in the cache."""
    current = _active.get()
    if current is None:
        return
    span = current[0].start_child("graphql.plan", current[1], {CACHE_HIT: True})
    if failed_code is not None:
        mark_error(span, failed_code)
    span.end()


def mark_error(span: Span, code: str) -> None:
    span.set_attribute(ERROR_CODE, code)
    span.set_status(Status(StatusCode.ERROR, code))


# ---- construction --------------------------------------------------------------------------


def traces_url(endpoint: str) -> str:
    """`http://collector:4318` -> `http://collector:4318/v1/traces` (a given path is kept)."""
    parts = urlsplit(endpoint)
    if parts.path in ("", "/"):
        return endpoint.rstrip("/") + "/v1/traces"
    return endpoint


def build_tracer(
    endpoint: str, service_name: str = "router", headers: Mapping[str, str] | None = None
) -> RouterTracer | None:
    """An OTLP/HTTP (protobuf) exporting tracer, or None when `endpoint` is empty."""
    if not endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    exporter = OTLPSpanExporter(endpoint=traces_url(endpoint), headers=dict(headers or {}))
    logger.info("tracing: exporting spans to %s", traces_url(endpoint))
    return RouterTracer(exporter, service_name)
