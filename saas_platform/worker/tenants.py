"""The control database as the worker's `TenantSource` (ACTIVE tenants, cached briefly)."""

from __future__ import annotations

import time

from subgraphs.kit.db import Database
from subgraphs.kit.ids import TenantId
from subgraphs.tenants.models import TenantStatus
from subgraphs.tenants.repository import TenantRepository


class ControlTenantSource:
    def __init__(self, control: Database, ttl_seconds: float = 2.0) -> None:
        self.control = control
        self._ttl = ttl_seconds
        self._cached: tuple[float, list[TenantId]] | None = None

    async def active_tenants(self) -> list[TenantId]:
        now = time.monotonic()
        if self._cached is not None and self._cached[0] > now:
            return list(self._cached[1])
        async with self.control.session() as session:
            tenants = await TenantRepository(session).list_with_status([TenantStatus.ACTIVE])
        found = [TenantId(t.id) for t in tenants]
        self._cached = (now + self._ttl, found)
        return list(found)

    def forget(self) -> None:
        self._cached = None
