"""Wiring: the policy and metrics hooks around a `Router` (called by `router.app`)."""

from __future__ import annotations

import asyncio

from router.config import RouterConfig
from router.observability.hook import MetricsHook, RouterMetrics, TracingHook
from router.observability.tracing import RouterTracer
from router.pipeline import Router, RouterHook
from router.policies.hook import PolicyHook


def install_edge(
    router: Router,
    config: RouterConfig,
    metrics: RouterMetrics | None,
    tracer: RouterTracer | None = None,
) -> None:
    """`TracingHook` first (its span covers the policies), then `PolicyHook` (it may refuse or
    rewrite the request), `MetricsHook` last."""
    hooks: list[RouterHook] = list(router.hooks)
    if config.policies_enabled:
        policy = PolicyHook(config, router)
        hooks.insert(0, policy)
        if metrics is not None:
            cache = policy.analyses
            r = metrics.registry
            r.gauge("router_analysis_cache_hits", "Policy analysis cache hits").set_function(
                lambda: float(cache.hits)
            )
            r.gauge("router_analysis_cache_misses", "Policy analysis cache misses").set_function(
                lambda: float(cache.misses)
            )
    if tracer is not None:
        hooks.insert(0, TracingHook(tracer))
    if metrics is not None:
        hooks.append(MetricsHook(metrics, router))
    router.hooks = tuple(hooks)


async def close_edge(router: Router) -> None:
    """Release what the policy hook holds (the Redis connection pool); flush the spans."""
    for hook in router.hooks:
        if isinstance(hook, PolicyHook):
            await hook.aclose()
        elif isinstance(hook, TracingHook):  # the exporter blocks: off the event loop
            await asyncio.to_thread(hook.tracer.shutdown)


__all__ = ["close_edge", "install_edge"]
