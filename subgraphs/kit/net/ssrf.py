"""SSRF guard for outbound requests: resolve, refuse non-public addresses, pin the address.

A URL's host is resolved once; if any address is private, loopback, link-local, multicast,
reserved or unspecified, the request is refused before any connection is made (unless the
caller allows private targets: tests and on-premises receivers). `pinned_post` then connects
to the checked address itself (the URL carries the IP; the Host header and TLS SNI, hence
certificate verification, keep the name), so a DNS answer that changes between check and
connect (DNS rebinding) cannot reach another address. Redirects are never followed: a 3xx is
returned to the caller as it is, so a redirect to a private address is never requested.

Users: webhooks (`subgraphs.integrations.dispatcher`, pinned) and Web Push endpoints
(`subgraphs.notifications.delivery.push`, checked; pywebpush connects by name).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

import httpx

from subgraphs.kit.errors import DomainError

Resolver = Callable[[str, int], Awaitable[list[str]]]


class NetErrorCode(StrEnum):
    URL_NOT_ALLOWED = "URL_NOT_ALLOWED"


class UrlNotAllowedError(DomainError):
    """Not http(s), no host, does not resolve, or resolves to a non-public address."""

    code = NetErrorCode.URL_NOT_ALLOWED
    message = "URL {url} is not allowed: {reason}."


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
    try:
        port = parts.port
    except ValueError as exc:
        raise UrlNotAllowedError(field="url", url=url, reason="invalid port") from exc
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UrlNotAllowedError(field="url", url=url, reason="only http(s) URLs with a host")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def resolve_target(
    url: str, *, allow_private: bool, resolver: Resolver = system_resolver
) -> Target:
    """Check `url` and return it pinned to its first checked address."""
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
    pinned = parts._replace(netloc=f"{literal}:{port}").geturl()
    default_port = port == (443 if scheme == "https" else 80)
    host_header = host if default_port else f"{host}:{port}"
    return Target(pinned, host_header, host if scheme == "https" else None)


async def pinned_post(
    client: httpx.AsyncClient,
    url: str,
    *,
    content: bytes,
    headers: Mapping[str, str],
    allow_private: bool,
    resolver: Resolver = system_resolver,
) -> httpx.Response:
    """POST to `url` at its checked address; never follows redirects.

    Raises UrlNotAllowedError before connecting when the URL is refused."""
    target = await resolve_target(url, allow_private=allow_private, resolver=resolver)
    extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else {}
    return await client.post(
        target.url,
        content=content,
        headers={**headers, "Host": target.host_header},
        extensions=extensions,
        follow_redirects=False,
    )
