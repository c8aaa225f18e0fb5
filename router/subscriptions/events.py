"""Per-event resolution: the subgraph's event is the root data; `Subscription.rest` (entity
fetches to other subgraphs) runs on it through the executor, which also shapes the payload by
the client's selection and re-paths entity errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from router.executor import ExecutionContext, execute_plan
from router.executor.context import DOWNSTREAM_SERVICE_ERROR
from router.executor.rewrites import apply_rewrites
from router.pipeline import PreparedOperation, RequestContext, RouterHook, SchemaState
from router.plan import QueryPlan, Subscription
from router.transport import Headers, SubgraphClient


@dataclass(frozen=True, slots=True)
class PreparedSubscription:
    """A planned subscription with its coerced variables and the caller's headers."""

    state: SchemaState
    prepared: PreparedOperation
    plan: Subscription
    variables: Mapping[str, Any]  # coerced
    headers: Headers  # sent upstream and with every entity fetch
    context: RequestContext  # of the subscriber that opened the stream
    hooks: Sequence[RouterHook] = ()

    @property
    def upstream_payload(self) -> dict[str, Any]:
        primary = self.plan.primary
        forwarded = {k: self.variables[k] for k in primary.variable_usages if k in self.variables}
        payload: dict[str, Any] = {"query": primary.operation, "variables": forwarded}
        if primary.operation_name:
            payload["operationName"] = primary.operation_name
        return payload


async def resolve_event(
    subscription: PreparedSubscription, event: dict[str, Any], client: SubgraphClient
) -> dict[str, Any]:
    """The client's execution result for one upstream event."""
    primary = subscription.plan.primary
    upstream_errors = [
        _located(error, primary.service_name)
        for error in event.get("errors") or ()
        if isinstance(error, dict)
    ]
    data = event.get("data")
    if not isinstance(data, dict):
        errors = upstream_errors or [_no_data(primary.service_name)]
        return finish_result(subscription, {"data": None, "errors": errors})
    if primary.output_rewrites:
        apply_rewrites(data, primary.output_rewrites)
    state = subscription.state
    context = ExecutionContext(client, state.subgraph_urls, state.api_schema, subscription.headers)
    response = await execute_plan(
        QueryPlan(subscription.plan.rest),
        subscription.prepared.shape,
        subscription.variables,
        context,
        coerced_variables=subscription.variables,
        initial_data=data,
    )
    if upstream_errors:
        response["errors"] = [*upstream_errors, *response.get("errors", ())]
    return finish_result(subscription, response)


def finish_result(subscription: PreparedSubscription, response: dict[str, Any]) -> dict[str, Any]:
    """The router hooks' `on_response` (authorization nulls, error masking, metrics) on a
    result of the stream: every event, and the final error of a failed stream. Every sharer
    has the same headers, hence the same principal: one pass serves them all."""
    for hook in subscription.hooks:
        hook.on_response(response, subscription.prepared, subscription.context)
    return response


def _located(error: dict[str, Any], service: str) -> dict[str, Any]:
    """A subgraph event error: its path is already a client path (root fields keep their
    response keys); subgraph `locations` are dropped."""
    out: dict[str, Any] = {"message": str(error.get("message", "Subgraph error"))}
    if isinstance(error.get("path"), list):
        out["path"] = error["path"]
    extensions = dict(error.get("extensions") or {})
    extensions.setdefault("code", DOWNSTREAM_SERVICE_ERROR)
    extensions["service"] = service
    out["extensions"] = extensions
    return out


def _no_data(service: str) -> dict[str, Any]:
    return {
        "message": f"Event from '{service}' has no data.",
        "extensions": {"code": DOWNSTREAM_SERVICE_ERROR, "service": service},
    }
