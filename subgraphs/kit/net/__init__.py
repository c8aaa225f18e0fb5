"""Outbound network helpers shared by subgraphs (SSRF guard with address pinning)."""

from subgraphs.kit.net.ssrf import (
    NetErrorCode,
    Resolver,
    Target,
    UrlNotAllowedError,
    check_url_shape,
    is_public,
    pinned_post,
    resolve_target,
    system_resolver,
)

__all__ = [
    "NetErrorCode",
    "Resolver",
    "Target",
    "UrlNotAllowedError",
    "check_url_shape",
    "is_public",
    "pinned_post",
    "resolve_target",
    "system_resolver",
]
