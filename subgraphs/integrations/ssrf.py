"""SSRF guard for outbound webhooks: resolve, refuse non-public addresses, pin the address.

A URL's host is resolved once; if any address is private, loopback, link-local, multicast,
reserved or unspecified, the request is refused before any connection is made (unless
`WEBHOOK_ALLOW_PRIVATE=true`, for tests and on-premises receivers). The request then connects
to the checked address itself (Host header and TLS SNI keep the name), so a DNS answer that
changes between check and connect (rebinding) cannot redirect it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from subgraphs.integrations.errors import UrlNotAllowedError

Resolver = Callable[[str, int], Awaitable[list[str]]]


@dataclass(frozen=True, slots=True)
class Target:
    url: str  # with the checked IP as host
    host_header: str
    sni_hostname: str | None


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def check_url_shape(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UrlNotAllowedError(field="url", url=url, reason="only http(s) URLs with a host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, parts.hostname, port


async def resolve_target(
    url: str, *, allow_private: bool, resolver: Resolver = system_resolver
) -> Target:
    scheme, host, port = check_url_shape(url)
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = await resolver(host, port)
        except OSError as exc:
            raise UrlNotAllowedError(url=url, reason="host does not resolve") from exc
    if not addresses:
        raise UrlNotAllowedError(url=url, reason="host does not resolve")
    if not allow_private:
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise UrlNotAllowedError(url=url, reason=f"non-public address {refused[0]}")
    chosen = addresses[0]
    parts = urlsplit(url)
    literal = f"[{chosen}]" if ":" in chosen else chosen
    netloc = f"{literal}:{port}"
    pinned = parts._replace(netloc=netloc).geturl()
    default_port = port == (443 if scheme == "https" else 80)
    host_header = host if default_port else f"{host}:{port}"
    return Target(pinned, host_header, host if scheme == "https" else None)
