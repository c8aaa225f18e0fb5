"""Per-request loaders of the identity subgraph."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.identity.models import User
from subgraphs.identity.repository import UserRepository
from subgraphs.kit.loaders import Loader


class UsersById(Loader[uuid.UUID, User]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, User]:
        return {u.id: u for u in await UserRepository(session).list_by_ids(keys)}
