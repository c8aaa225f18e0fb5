"""Custom roles of a tenant, next to the built-in ones."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.errors import (
    InvalidInputError,
    RoleExistsError,
    RoleInUseError,
    RoleNotFoundError,
)
from subgraphs.identity.models import Role
from subgraphs.identity.permissions import BUILTIN_ROLES, unknown_permissions
from subgraphs.identity.repository import MembershipRepository, RoleRepository
from subgraphs.identity.service.common import Actor, record

ROLE_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,63}$")


@dataclass(frozen=True, slots=True)
class RoleView:
    name: str
    description: str
    permissions: frozenset[str]
    builtin: bool


async def list_roles(session: AsyncSession) -> list[RoleView]:
    builtin = [RoleView(name, "", perms, True) for name, perms in BUILTIN_ROLES.items()]
    custom = [
        RoleView(r.name, r.description, frozenset(r.permissions.split()), False)
        for r in await RoleRepository(session).list_all()
    ]
    return builtin + custom


async def create_role(
    session: AsyncSession, name: str, permissions: Sequence[str], description: str, actor: Actor
) -> RoleView:
    if not ROLE_NAME.match(name):
        raise InvalidInputError(field="name", what="role name", reason="use a-z, 0-9, - and _")
    unknown = unknown_permissions(permissions)
    if unknown:
        reason = f"unknown {', '.join(unknown)}"
        raise InvalidInputError(field="permissions", what="permissions", reason=reason)
    roles = RoleRepository(session)
    if name in BUILTIN_ROLES or await roles.find_by_name(name) is not None:
        raise RoleExistsError(field="name", role=name)
    role = roles.add(
        Role(name=name, description=description[:500], permissions=" ".join(sorted(permissions)))
    )
    await session.flush()
    await record(session, "role.created", actor, target=role.id, name=name)
    return RoleView(name, role.description, frozenset(permissions), False)


async def delete_role(session: AsyncSession, name: str, actor: Actor) -> None:
    roles = RoleRepository(session)
    role = await roles.find_by_name(name)
    if role is None:
        raise RoleNotFoundError(field="name", role=name)
    if await MembershipRepository(session).count_with_role(name) > 0:
        raise RoleInUseError(field="name", role=name)
    await roles.remove(role)
    await session.flush()
    await record(session, "role.deleted", actor, name=name)
