"""Observability: Prometheus metrics (text exposition), OpenTelemetry traces, JSON logs."""

from router.observability.logs import JsonFormatter, bind_log_context, configure_json_logs
from router.observability.metrics import Counter, Gauge, Histogram, Registry
from router.observability.tracing import RouterTracer, build_tracer

__all__ = [
    "Counter",
    "Gauge",
    "Histogram",
    "JsonFormatter",
    "Registry",
    "RouterTracer",
    "bind_log_context",
    "build_tracer",
    "configure_json_logs",
]
