"""Per-request loaders of the files subgraph."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.files.models import StoredFile
from subgraphs.files.repository import FileRepository
from subgraphs.kit.loaders import Loader


class FilesById(Loader[uuid.UUID, StoredFile]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, StoredFile]:
        return {row.id: row for row in await FileRepository(session).list_by_ids(keys)}
