"""Process-wide resources shared by every subgraph app running in one process."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from subgraphs.kit.context import ScopeResolver
from subgraphs.kit.db.engines import Database
from subgraphs.kit.db.registry import TenantEngineRegistry

ReadinessCheck = Callable[[], Awaitable[None]]

__all__ = ["ReadinessCheck", "Runtime"]


@dataclass
class Runtime:
    """The control database, the per-tenant engine registry, the scope resolver and Redis.

    One per process: subgraph apps started in the same process share it, so the connection
    budget is per process, not per subgraph.
    """

    control: Database
    tenants: TenantEngineRegistry
    scopes: ScopeResolver
    redis: Any | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        checks: dict[str, ReadinessCheck] = {"control_database": self.control.ping}
        if self.redis is not None:
            redis = self.redis

            async def ping_redis() -> None:
                await redis.ping()

            checks["redis"] = ping_redis
        return checks

    async def aclose(self) -> None:
        await self.tenants.aclose()
        await self.control.dispose()
        if self.redis is not None:
            await self.redis.aclose()
        await asyncio.sleep(0)
