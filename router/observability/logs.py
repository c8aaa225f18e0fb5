"""Structured JSON logs carrying the request id and tenant (and, with tracing on, the trace and
span ids of the request, to find its trace).

The ids live in ContextVars set once per request by the policy hook (log context only: no
router code reads them to decide anything). `JsonFormatter` writes one JSON object per line.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from datetime import UTC, datetime

import orjson

from router.observability import tracing

request_id_var: ContextVar[str | None] = ContextVar("router_request_id", default=None)
tenant_var: ContextVar[str | None] = ContextVar("router_tenant", default=None)


def bind_log_context(request_id: str | None, tenant: str | None) -> None:
    request_id_var.set(request_id)
    tenant_var.set(tenant)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        tenant = tenant_var.get()
        if tenant:
            entry["tenant"] = tenant
        current = tracing.active()
        if current is not None:
            span_context = current[1].get_span_context()
            if span_context.is_valid:
                entry["trace_id"] = format(span_context.trace_id, "032x")
                entry["span_id"] = format(span_context.span_id, "016x")
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


def configure_json_logs(level: str = "warning") -> None:
    """Route the `router` loggers through one JSON handler on stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("router")
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False
