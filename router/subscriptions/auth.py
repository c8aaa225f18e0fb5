"""The authentication seam of `connection_init` (and of SSE requests).

An authenticator turns the `connection_init` payload and the handshake headers into the
`RequestContext` used for every operation of the connection, or refuses the connection with
`ConnectionRejected` (close 4403). The default one only copies the propagated headers: values
from the payload (`{"authorization": "Bearer ..."}` or `{"headers": {...}}`) win over the
handshake's. A policy (JWT verification, tenant resolution) replaces it:

    app.state.subscriptions.authenticator = my_authenticator

The `RouterHook.on_request` hooks still run for every operation, with this context.
"""

from __future__ import annotations

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
        return RequestContext(headers=connection_headers(payload, headers, propagate))

    return authenticate


def connection_headers(
    payload: Mapping[str, Any], headers: Mapping[str, str], propagate: frozenset[str]
) -> tuple[tuple[str, str], ...]:
    """Sorted (name, value) pairs of the propagated headers; payload values win."""
    found = {k.lower(): v for k, v in headers.items() if k.lower() in propagate}
    nested = payload.get("headers")
    sources = [payload, nested] if isinstance(nested, Mapping) else [payload]
    for source in sources:
        for key, value in source.items():
            name = str(key).lower()
            if name in propagate and isinstance(value, str) and not _unsafe(value):
                found[name] = value
    return tuple(sorted(found.items()))


def _unsafe(value: str) -> bool:
    return "\r" in value or "\n" in value
