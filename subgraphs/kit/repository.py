"""`Repository[M]`: the base of every repository; all SQL lives in repositories.

Every query starts from `self.base()`. With a scope, `base()` filters by the model's
`tenant_id` column when it has one (defence in depth on top of the database per tenant).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.scope import TenantScope

M = TypeVar("M")

__all__ = ["Repository"]


class Repository(Generic[M]):
    model: type[M]

    def __init__(self, session: AsyncSession, scope: TenantScope | None = None) -> None:
        self.session = session
        self.scope = scope

    def base(self) -> Select[M]:
        statement = select(self.model)
        tenant_column: Any = getattr(self.model, "tenant_id", None)
        if self.scope is not None and tenant_column is not None:
            statement = statement.where(tenant_column == self.scope.tenant_id)
        return statement

    async def find_one(self, statement: Select[M]) -> M | None:
        result = await self.session.execute(statement.limit(1))
        return result.scalars().first()

    async def find_all(self, statement: Select[M]) -> Sequence[M]:
        result = await self.session.execute(statement)
        return result.scalars().all()

    def add(self, instance: M) -> M:
        self.session.add(instance)
        return instance

    async def flush(self) -> None:
        await self.session.flush()
