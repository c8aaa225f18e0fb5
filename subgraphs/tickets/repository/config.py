"""SQL of per-tenant configuration: statuses, priorities, groups, custom fields, calendars,
SLA policies, macros and saved views."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.tickets.models import (
    Automation,
    Calendar,
    CustomField,
    Group,
    GroupMember,
    Macro,
    Priority,
    SlaPolicy,
    Status,
    View,
)

T = TypeVar("T")


class ConfigRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _all(self, statement: Any) -> Sequence[Any]:
        return (await self.session.execute(statement)).scalars().all()

    async def get(self, model: type[T], key: uuid.UUID) -> T | None:
        return await self.session.get(model, key)

    def add(self, instance: Any) -> None:
        self.session.add(instance)

    async def flush(self) -> None:
        await self.session.flush()

    async def delete(self, instance: Any) -> None:
        await self.session.delete(instance)

    async def statuses(self) -> Sequence[Status]:
        return await self._all(select(Status).order_by(Status.position, Status.key))

    async def status_by_key(self, key: str) -> Status | None:
        return (await self.session.execute(select(Status).where(Status.key == key))).scalar()

    async def priorities(self) -> Sequence[Priority]:
        return await self._all(select(Priority).order_by(Priority.rank))

    async def priority_by_key(self, key: str) -> Priority | None:
        statement = select(Priority).where(Priority.key == key)
        return (await self.session.execute(statement)).scalar()

    async def groups(self) -> Sequence[Group]:
        return await self._all(select(Group).order_by(Group.name))

    async def members(self, group_id: uuid.UUID) -> Sequence[GroupMember]:
        statement = (
            select(GroupMember)
            .where(GroupMember.group_id == group_id)
            .order_by(GroupMember.position, GroupMember.user_id)
        )
        return await self._all(statement)

    async def replace_members(
        self, group_id: uuid.UUID, members: Sequence[tuple[uuid.UUID, int]]
    ) -> None:
        await self.session.execute(delete(GroupMember).where(GroupMember.group_id == group_id))
        for position, (user_id, capacity) in enumerate(members):
            self.session.add(
                GroupMember(
                    group_id=group_id, user_id=user_id, capacity=capacity, position=position
                )
            )

    async def lock_group(self, group_id: uuid.UUID) -> int | None:
        """Bump the group's assignment cursor and return it. The UPDATE holds the row (on
        SQLite the database) lock until commit, so concurrent auto-assignments serialise."""
        statement = (
            update(Group)
            .where(Group.id == group_id)
            .values(cursor=Group.cursor + 1)
            .returning(Group.cursor)
        )
        value = (await self.session.execute(statement)).scalar()
        return int(value) if value is not None else None

    async def fields(self) -> Sequence[CustomField]:
        return await self._all(select(CustomField).order_by(CustomField.key))

    async def calendars(self) -> Sequence[Calendar]:
        return await self._all(select(Calendar).order_by(Calendar.name))

    async def policies(self) -> Sequence[SlaPolicy]:
        return await self._all(select(SlaPolicy).order_by(SlaPolicy.position, SlaPolicy.name))

    async def automations(self, *, active_only: bool = False) -> Sequence[Automation]:
        statement = select(Automation).order_by(Automation.position, Automation.created_at)
        if active_only:
            statement = statement.where(Automation.active.is_(True))
        return await self._all(statement)

    async def macros(self) -> Sequence[Macro]:
        return await self._all(select(Macro).order_by(Macro.name))

    async def views(self, owner_id: uuid.UUID) -> Sequence[View]:
        statement = (
            select(View)
            .where(or_(View.owner_id.is_(None), View.owner_id == owner_id))
            .order_by(View.name)
        )
        return await self._all(statement)
