"""Private projects: who may see a project, and the filters that apply it.

A private project, its tasks and everything hanging off them (comments, worklogs, boards,
cycles, links, roll-ups) exist only for the project's members and the tenant's admins
(roles owner/admin, or `users:manage`). For everyone else they are *not found*: the same
answer as an id that never existed, never FORBIDDEN.

Reads (resolvers, entities) filter with `hidden_projects(info)`: the private projects the
caller is not a member of, one query per request (a loader). Writes go through the lookups
of `service/common.py`, which check the viewer the mutation bound to its write session
(`bind_viewer`); sessions without a viewer (scheduled jobs) see everything.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.loaders import Loader
from subgraphs.projects.models import Project
from subgraphs.projects.repository.projects import ProjectRepository

if TYPE_CHECKING:
    from subgraphs.projects.types.common import Ctx

ADMIN_ROLES = frozenset({"owner", "admin"})
ADMIN_PERMISSION = "users:manage"
_VIEWER = "projects.viewer"
NOTHING: frozenset[uuid.UUID] = frozenset()


class InProject(Protocol):
    @property
    def project_id(self) -> uuid.UUID: ...


T = TypeVar("T", bound=InProject)


def sees_everything(principal: Principal) -> bool:
    return bool(ADMIN_ROLES & set(principal.roles)) or principal.can(ADMIN_PERMISSION)


class HiddenProjects(Loader[uuid.UUID, frozenset[uuid.UUID]]):
    """Key: a user id; value: the private projects that user is not a member of."""

    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, frozenset[uuid.UUID]]:
        found = await ProjectRepository(session).hidden_from(keys)
        return {user: frozenset(projects) for user, projects in found.items()}


async def hidden_projects(info: Ctx) -> frozenset[uuid.UUID]:
    principal = info.context.require_principal()
    if sees_everything(principal):
        return NOTHING
    found = await info.context.loaders.get(HiddenProjects).load(principal.user_id)
    return found or NOTHING


async def visible(info: Ctx, rows: Iterable[T]) -> list[T]:
    """`rows` (tasks, boards, cycles, worklogs) of projects the caller may see."""
    items = list(rows)
    if not items:
        return items
    hidden = await hidden_projects(info)
    return [r for r in items if r.project_id not in hidden]


async def visible_one(info: Ctx, row: T | None) -> T | None:
    if row is None:
        return None
    return row if row.project_id not in await hidden_projects(info) else None


async def still_visible(info: Ctx, project_id: uuid.UUID) -> bool:
    """Whether the caller may see the project *now*: a fresh read, no per-request cache (a
    long-lived subscription re-checks it for each event; admins cost no query)."""
    principal = info.context.require_principal()
    if sees_everything(principal):
        return True
    async with info.context.sessions.read() as session:
        bind_viewer(session, principal)
        return await may_see_project_id(session, project_id)


async def visible_project(info: Ctx, project: Project | None) -> Project | None:
    if project is None:
        return None
    return project if project.id not in await hidden_projects(info) else None


# -- writes --------------------------------------------------------------------------------


def bind_viewer(session: AsyncSession, principal: Principal) -> None:
    """The caller of the mutation using `session`: its lookups hide what it may not see."""
    session.info[_VIEWER] = principal


def _restricted_viewer(session: AsyncSession) -> Principal | None:
    viewer: Any = session.info.get(_VIEWER)
    if not isinstance(viewer, Principal) or sees_everything(viewer):
        return None
    return viewer


async def may_see(session: AsyncSession, project: Project) -> bool:
    viewer = _restricted_viewer(session)
    if viewer is None or not project.private:
        return True
    return await ProjectRepository(session).find_member(project.id, viewer.user_id) is not None


async def may_see_project_id(session: AsyncSession, project_id: uuid.UUID) -> bool:
    if _restricted_viewer(session) is None:
        return True
    project = await ProjectRepository(session).find(project_id)
    return project is not None and await may_see(session, project)
