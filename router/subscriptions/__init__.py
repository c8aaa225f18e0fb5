"""Subscriptions: graphql-transport-ws and SSE for clients, WebSocket streams to subgraphs.

    client ── WebSocketEndpoint / serve_event_stream (websocket.py, sse.py)
                └─ SubscriptionService.start (service.py): hooks, cached prepare, plan
                     └─ SubscriptionHub (hub.py): one SharedStream per identical subscription
                          ├─ upstream_events (upstream.py): the subgraph's WebSocket
                          └─ resolve_event (events.py): `rest` of the plan per event, shaped

See docs/router-subscriptions.md.
"""

from router.subscriptions.auth import (
    ConnectionAuthenticator,
    ConnectionRejected,
    header_authenticator,
)
from router.subscriptions.hub import SharedStream, Sink, SubscriptionHub
from router.subscriptions.protocol import (
    GRAPHQL_TRANSPORT_WS,
    GRAPHQL_WS,
    SUBSCRIPTION_UPSTREAM_FAILED,
    CloseCode,
)
from router.subscriptions.service import SubscriptionService
from router.subscriptions.sse import serve_event_stream, wants_event_stream
from router.subscriptions.upstream import UpstreamError, UpstreamRequest, upstream_events
from router.subscriptions.websocket import WebSocketEndpoint

__all__ = [
    "GRAPHQL_TRANSPORT_WS",
    "GRAPHQL_WS",
    "SUBSCRIPTION_UPSTREAM_FAILED",
    "CloseCode",
    "ConnectionAuthenticator",
    "ConnectionRejected",
    "SharedStream",
    "Sink",
    "SubscriptionHub",
    "SubscriptionService",
    "UpstreamError",
    "UpstreamRequest",
    "WebSocketEndpoint",
    "header_authenticator",
    "serve_event_stream",
    "upstream_events",
    "wants_event_stream",
]
