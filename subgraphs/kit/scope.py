"""`TenantScope`: the tenant a request acts for (light module: no web framework)."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.kit.ids import TenantId

__all__ = ["TenantScope"]


@dataclass(frozen=True, slots=True)
class TenantScope:
    """The tenant a request acts for; services take it first, repositories filter by it."""

    tenant_id: TenantId
    slug: str
