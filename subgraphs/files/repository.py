"""All SQL of the files subgraph."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update

from subgraphs.files.models import USAGE_ROW, FileUsage, StoredFile
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

    # ---- usage (the storage quota) ---------------------------------------------------------

    async def usage(self) -> tuple[int, int]:
        """(bytes, files) stored by the tenant."""
        row = await self.session.get(FileUsage, USAGE_ROW)
        if row is not None:
            return row.bytes, row.files
        return await self._counted()

    async def reserve(self, size: int, quota: int) -> bool:
        """Count `size` more bytes and one more file, unless that passes `quota` (0: none).
        One conditional UPDATE: concurrent uploads of the tenant queue on the row's lock and
        each sees the others' bytes, so together they never pass the quota."""
        statement: Any = update(FileUsage).where(FileUsage.id == USAGE_ROW)
        if quota > 0:
            statement = statement.where(FileUsage.bytes + size <= quota)
        statement = statement.values(bytes=FileUsage.bytes + size, files=FileUsage.files + 1)
        result: Any = await self.session.execute(statement)
        if result.rowcount == 1:
            return True
        if await self.session.get(FileUsage, USAGE_ROW) is not None:
            return False  # the row is there: the quota refused
        used, count = await self._counted()  # a database older than the usage row's seed
        if quota > 0 and used + size > quota:
            return False
        self.session.add(FileUsage(id=USAGE_ROW, bytes=used + size, files=count + 1))
        await self.session.flush()
        return True

    async def release(self, size: int) -> None:
        await self.session.execute(
            update(FileUsage)
            .where(FileUsage.id == USAGE_ROW)
            .values(bytes=FileUsage.bytes - size, files=FileUsage.files - 1)
        )

    async def _counted(self) -> tuple[int, int]:
        statement = select(func.coalesce(func.sum(StoredFile.size), 0), func.count())
        row = (await self.session.execute(statement.select_from(StoredFile))).one()
        return int(row[0]), int(row[1])
