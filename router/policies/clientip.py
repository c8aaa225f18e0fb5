"""The client's IP address, for per-IP rate limits.

By default the socket peer is the client and `X-Forwarded-For` is ignored (anyone can send
it). With `trusted_proxies` (addresses or CIDR networks), a request whose peer is a trusted
proxy is attributed to the right-most address of `X-Forwarded-For` that is not itself a
trusted proxy: hops to its left were written by the client and are never believed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network


class ClientAddress:
    def __init__(self, trusted_proxies: Sequence[str], header: str = "x-forwarded-for") -> None:
        self.networks: tuple[IPv4Network | IPv6Network, ...] = tuple(
            ip_network(item, strict=False) for item in trusted_proxies
        )
        self.header = header.lower()

    def _trusted(self, address: str) -> bool:
        try:
            parsed = ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.networks)

    def resolve(self, peer: str | None, headers: Mapping[str, str]) -> str | None:
        """The client address (None: unknown, e.g. a transport without a peer)."""
        if peer is None or not self.networks or not self._trusted(peer):
            return peer
        forwarded = headers.get(self.header)
        if not forwarded:
            return peer
        client = peer
        for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
            try:
                client = str(ip_address(hop))
            except ValueError:
                return client  # a malformed hop: the nearest trusted address answers for it
            if not self._trusted(client):
                return client
        return client  # every hop is a trusted proxy: the left-most one
