"""Observability: Prometheus metrics (text exposition), a tracing seam, JSON logs."""

from router.observability.logs import JsonFormatter, bind_log_context, configure_json_logs
from router.observability.metrics import Counter, Gauge, Histogram, Registry
from router.observability.tracing import NoopTracer, Tracer, build_tracer

__all__ = [
    "Counter",
    "Gauge",
    "Histogram",
    "JsonFormatter",
    "NoopTracer",
    "Registry",
    "Tracer",
    "bind_log_context",
    "build_tracer",
    "configure_json_logs",
]
