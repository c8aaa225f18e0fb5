"""All SQL of the files subgraph."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete

from subgraphs.files.models import StoredFile
from subgraphs.kit.repository import Repository

__all__ = ["FileRepository"]


class FileRepository(Repository[StoredFile]):
    model = StoredFile

    async def find(self, file_id: uuid.UUID) -> StoredFile | None:
        return await self.find_one(self.base().where(StoredFile.id == file_id))

    async def list_by_ids(self, ids: Sequence[uuid.UUID]) -> Sequence[StoredFile]:
        return await self.find_all(self.base().where(StoredFile.id.in_(list(ids))))

    async def remove(self, file_id: uuid.UUID) -> None:
        await self.session.execute(delete(StoredFile).where(StoredFile.id == file_id))
