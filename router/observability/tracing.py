"""The tracing seam: spans through a tiny `Tracer` protocol.

`NoopTracer` costs nothing. `build_tracer(endpoint)` imports OpenTelemetry lazily, only when
`otlp_endpoint` (env `ROUTER_OTLP_ENDPOINT`) is configured; the packages
(`opentelemetry-sdk`, `opentelemetry-exporter-otlp-proto-http`) are optional dependencies. A
missing package is logged once and tracing stays off, it never stops the router.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

logger = logging.getLogger("router.observability")


class Span(Protocol):
    def set_attribute(self, key: str, value: Any) -> None: ...

    def end(self) -> None: ...


class Tracer(Protocol):
    def span(
        self, name: str, attributes: Mapping[str, Any] | None = None
    ) -> contextlib.AbstractContextManager[Any]: ...

    def start(self, name: str, attributes: Mapping[str, Any] | None = None) -> Span:
        """A span ended explicitly (for stages that begin and end in different hooks)."""
        ...


class _NoopSpan:
    def set_attribute(self, key: str, value: Any) -> None:
        return None

    def end(self) -> None:
        return None


_NOOP_SPAN = _NoopSpan()


class NoopTracer:
    @contextlib.contextmanager
    def span(self, name: str, attributes: Mapping[str, Any] | None = None) -> Iterator[None]:
        yield None

    def start(self, name: str, attributes: Mapping[str, Any] | None = None) -> Span:
        return _NOOP_SPAN


class OtelTracer:
    """Spans exported over OTLP/HTTP by a batch processor (OpenTelemetry SDK)."""

    def __init__(self, endpoint: str, service_name: str = "router") -> None:
        trace: Any = importlib.import_module("opentelemetry.trace")
        sdk: Any = importlib.import_module("opentelemetry.sdk.trace")
        export: Any = importlib.import_module("opentelemetry.sdk.trace.export")
        resources: Any = importlib.import_module("opentelemetry.sdk.resources")
        otlp: Any = importlib.import_module("opentelemetry.exporter.otlp.proto.http.trace_exporter")
        provider = sdk.TracerProvider(
            resource=resources.Resource.create({"service.name": service_name})
        )
        provider.add_span_processor(
            export.BatchSpanProcessor(otlp.OTLPSpanExporter(endpoint=endpoint))
        )
        self.provider = provider
        self.tracer = trace.get_tracer("router", tracer_provider=provider)

    @contextlib.contextmanager
    def span(self, name: str, attributes: Mapping[str, Any] | None = None) -> Iterator[Any]:
        with self.tracer.start_as_current_span(name, attributes=dict(attributes or {})) as span:
            yield span

    def start(self, name: str, attributes: Mapping[str, Any] | None = None) -> Span:
        span: Span = self.tracer.start_span(name, attributes=dict(attributes or {}))
        return span


def build_tracer(endpoint: str) -> Tracer:
    if not endpoint:
        return NoopTracer()
    try:
        return OtelTracer(endpoint)
    except ImportError:
        logger.warning("otlp_endpoint is set but opentelemetry is not installed; tracing off")
        return NoopTracer()
