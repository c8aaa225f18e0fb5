"""The one function that names pub/sub channels: `t:{tenant}:{part}:{part}...`."""

from __future__ import annotations

import uuid

from subgraphs.kit.ids import TenantId

__all__ = ["channel"]


def channel(tenant_id: TenantId | uuid.UUID, *parts: object) -> str:
    """A tenant-prefixed channel name; parts may not contain ':' (no way to forge a prefix)."""
    texts = [str(part) for part in parts]
    if not texts or any(not t or ":" in t for t in texts):
        raise ValueError(f"bad channel parts {texts!r}")
    return ":".join(["t", str(uuid.UUID(str(tenant_id))), *texts])
