"""The authentication seam of `connection_init` (and of SSE requests).

An authenticator turns the `connection_init` payload and the handshake headers into the
`RequestContext` used for every operation of the connection, or refuses the connection with
`ConnectionRejected` (close 4403). The default one only copies the propagated headers: values
from the payload (`{"authorization": "Bearer ..."}` or `{"headers": {...}}`) win over the
handshake's. A policy (JWT verification, tenant resolution) replaces it:

    app.state.subscriptions.authenticator = my_authenticator

The context's `request_headers` (handshake headers, payload values on top) are what the edge
policies (`router.policies.PolicyHook`) read: at `connection_init` the router runs every
hook's `on_request` once on a probe request, and a 401/403 `RequestError` closes the socket
with 4403; the hooks run again for every operation, with a fresh copy of this context.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from router.pipeline import RequestContext

ConnectionAuthenticator = Callable[
    [Mapping[str, Any], Mapping[str, str]], Awaitable[RequestContext]
]


class ConnectionRejected(Exception):
    """Raised by an authenticator: the connection is closed with 4403 (SSE: 401/403)."""

    def __init__(self, reason: str = "Forbidden", status: int = 403) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def header_authenticator(propagate: frozenset[str]) -> ConnectionAuthenticator:
    """The default: propagated headers from the handshake, overridden by the payload."""

    async def authenticate(
        payload: Mapping[str, Any], headers: Mapping[str, str]
    ) -> RequestContext:
        incoming = connection_request_headers(payload, headers)
        outgoing = tuple(sorted((k, v) for k, v in incoming.items() if k in propagate))
        return RequestContext(headers=outgoing, request_headers=incoming)

    return authenticate


# never taken from a payload: they describe the connection itself (Host decides the tenant;
# the proxy headers name the client's address for per-IP rate limits)
_CONNECTION_HEADERS = frozenset(
    {
        *("host", "origin", "cookie", "connection", "upgrade", "content-length", "content-type"),
        *("x-forwarded-for", "forwarded", "x-real-ip"),
    }
)
_NAME = re.compile(r"^[a-z0-9-]{1,64}$")


def connection_request_headers(
    payload: Mapping[str, Any], headers: Mapping[str, str]
) -> dict[str, str]:
    """The handshake headers (lower-case names) with the payload's string values on top:
    `{"authorization": "Bearer ..."}` or `{"headers": {...}}` (browsers cannot set headers on
    a WebSocket handshake). Connection-level headers and CR/LF values are never taken."""
    found = {k.lower(): v for k, v in headers.items()}
    nested = payload.get("headers")
    sources = [payload, nested] if isinstance(nested, Mapping) else [payload]
    for source in sources:
        for key, value in source.items():
            name = str(key).lower()
            if (
                isinstance(value, str)
                and _NAME.match(name)
                and name not in _CONNECTION_HEADERS
                and not name.startswith("sec-")
                and "\r" not in value
                and "\n" not in value
            ):
                found[name] = value
    return found
