"""Redis keys of the events backbone, built by one function.

Streams are per domain and shared by every tenant (`events:{domain}`): events carry their
`tenant_id`, and a consumer opens only that tenant's database. Per-tenant keys put the tenant
first (`t:{tenant}:...`), as every tenant-scoped key of the platform does.
"""

from __future__ import annotations

from subgraphs.kit.ids import TenantId

__all__ = ["dead_letter_stream", "key", "stream_for"]


def key(*parts: str, tenant: TenantId | None = None) -> str:
    """`t:{tenant}:a:b` for per-tenant keys, `a:b` for process-wide ones."""
    if any(not part or ":" in part for part in parts):
        raise ValueError(f"invalid key parts {parts!r}")
    prefix = () if tenant is None else ("t", str(tenant))
    return ":".join((*prefix, *parts))


def stream_for(domain: str) -> str:
    return key("events", domain)


def dead_letter_stream(group: str) -> str:
    return key("events", "dlq", group)
