"""The client's IP address as a subgraph sees it, for per-IP throttles (logins, sign-ups).

Behind the router the socket peer is the router, so the router sends the address it computed
(after its own trusted-proxy resolution) in `x-client-ip`, replacing whatever the caller sent
(docs/router.md, `policies.headers.client_ip`). A subgraph believes that header only when the
peer is a trusted router: `KIT_TRUSTED_ROUTERS` (addresses or CIDRs, comma-separated; default
loopback, `127.0.0.0/8,::1`; empty: never). Otherwise the peer itself is the client.
`X-Forwarded-For` is never read here: anyone can send it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.requests import HTTPConnection

CLIENT_IP_HEADER = "x-client-ip"
DEFAULT_TRUSTED_ROUTERS = "127.0.0.0/8,::1"

__all__ = ["CLIENT_IP_HEADER", "client_ip", "trusted_routers"]


def _networks(items: Iterable[str]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(item.strip(), strict=False) for item in items if item.strip())


@lru_cache(maxsize=8)
def trusted_routers(spec: str | None = None) -> tuple[IPv4Network | IPv6Network, ...]:
    """The trusted router networks (`spec`, else `KIT_TRUSTED_ROUTERS`, else loopback)."""
    if spec is None:
        spec = os.environ.get("KIT_TRUSTED_ROUTERS", DEFAULT_TRUSTED_ROUTERS)
    return _networks(spec.split(","))


def _parse(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(connection: HTTPConnection, trusted: str | None = None) -> str | None:
    """The client address: the trusted router's `x-client-ip`, else the socket peer."""
    peer = connection.client.host if connection.client else None
    parsed_peer = _parse(peer)
    if parsed_peer is not None:
        networks = trusted_routers(trusted)
        address = ip_address(parsed_peer)
        if any(address in network for network in networks):
            forwarded = _parse(connection.headers.get(CLIENT_IP_HEADER))
            if forwarded is not None:
                return forwarded
    return peer[:64] if peer else None
