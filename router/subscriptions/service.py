"""Operations over a long-lived transport (WebSocket or SSE): one entry point, `start`.

Queries and mutations go through `Router.handle` (hooks included) and give one result.
Subscriptions are prepared by the same cached pipeline stages, pass the same `on_request` /
`on_prepared` hooks, and join a shared upstream stream in the `SubscriptionHub`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import OperationType

from router.pipeline import (
    GraphQLRequest,
    RequestContext,
    RequestError,
    Router,
    coerce_variables,
    prepare,
)
from router.plan import Subscription
from router.subscriptions.auth import ConnectionAuthenticator, header_authenticator
from router.subscriptions.events import PreparedSubscription, resolve_event
from router.subscriptions.hub import SharedStream, Sink, SubscriptionHub
from router.subscriptions.protocol import GRAPHQL_TRANSPORT_WS
from router.subscriptions.upstream import UpstreamRequest, upstream_events

NOT_READY = "SUPERGRAPH_NOT_LOADED"
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

    async def start(self, request: GraphQLRequest, context: RequestContext, sink: Sink) -> Started:
        state = self.router.state
        if state is None:
            return Rejected([_error("The supergraph is not loaded yet.", NOT_READY)])
        try:
            prepared = prepare(state, request, self.router.config)
        except RequestError:  # hooks may still make sense of it (persisted queries, limits)
            prepared = None
        if prepared is None or prepared.kind is not OperationType.SUBSCRIPTION:
            error, result = await self.router.handle(request, context)
            return Rejected(result["errors"]) if error is not None else Single(result)
        try:
            for hook in self.router.hooks:
                await hook.on_request(request, context)
            for hook in self.router.hooks:
                hook.on_prepared(prepared, context)
            variables = coerce_variables(state.api_schema, prepared.operation, request.variables)
        except RequestError as exc:
            return Rejected(exc.errors)
        plan = prepared.plan.node
        if not isinstance(plan, Subscription):
            return Rejected([_error("The subscription has no plan.", "PLANNING_ERROR")])
        headers = tuple((k, v) for k, v in context.headers if k not in UNSHARED_HEADERS)
        subscription = PreparedSubscription(state, prepared, plan, variables, headers)
        key = (
            id(state),
            request.query,
            request.operation_name,
            orjson.dumps(variables, option=orjson.OPT_SORT_KEYS),
            headers,
        )
        stream = self.hub.join(
            key,
            sink,
            lambda: upstream_events(self._upstream_request(subscription)),
            lambda event: resolve_event(subscription, event, self.router.client),
        )
        return Joined(self, stream, sink)

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


def _error(message: str, code: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code}}
