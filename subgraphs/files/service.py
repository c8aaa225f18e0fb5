"""Use cases of the files subgraph: upload, read, delete, sign download URLs, download."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.files.deps import FilesDeps
from subgraphs.files.models import FilePurpose, StoredFile
from subgraphs.files.repository import FileRepository
from subgraphs.kit.auth.errors import ForbiddenError
from subgraphs.kit.auth.principal import Principal
from subgraphs.kit.files import (
    FileMissingError,
    QuotaExceededError,
    ingest,
    new_key,
    sign_download,
)
from subgraphs.kit.scope import TenantScope

__all__ = [
    "Download",
    "delete_file",
    "download_url",
    "find_file",
    "open_download",
    "upload_file",
]

MANAGERS = frozenset({"owner", "admin"})


async def upload_file(
    deps: FilesDeps,
    principal: Principal,
    session: AsyncSession,
    chunks: AsyncIterator[bytes],
    *,
    name: str | None,
    content_type: str | None,
    purpose: FilePurpose,
) -> StoredFile:
    """Check the upload (size, type, sniffed bytes, name, the tenant's quota), store it, record
    it. The quota is counted first, in the transaction that adds the row
    (`FileRepository.reserve`), so a refused upload stores nothing and concurrent uploads of a
    tenant queue on its usage row until each commits."""
    blob = await ingest(chunks, name, content_type, deps.config)
    repository = FileRepository(session)
    quota = deps.config.tenant_quota_bytes
    key = new_key()
    tenant = str(principal.tenant_id)
    try:
        if not await repository.reserve(blob.size, quota):
            used, _ = await repository.usage()
            raise QuotaExceededError(field="file", size=blob.size, limit=quota, used=used)
        await deps.storage.put(tenant, key, blob.data, blob.content_type)
    finally:
        blob.close()
    row = StoredFile(
        id=uuid.uuid4(),
        name=blob.name,
        size=blob.size,
        content_type=blob.content_type,
        sha256=blob.sha256,
        storage_key=key,
        purpose=purpose.value,
        uploaded_by=principal.user_id,
    )
    repository.add(row)
    await session.flush()
    return row


async def find_file(session: AsyncSession, file_id: uuid.UUID) -> StoredFile | None:
    return await FileRepository(session).find(file_id)


async def delete_file(
    deps: FilesDeps, principal: Principal, session: AsyncSession, file_id: uuid.UUID
) -> tuple[StoredFile, str]:
    """Remove the record; returns it and the tenant, so the bytes go once the commit holds."""
    repository = FileRepository(session)
    row = await repository.find(file_id)
    if row is None:
        raise FileMissingError(field="id", id=str(file_id))
    if row.uploaded_by != principal.user_id and not MANAGERS & set(principal.roles):
        raise ForbiddenError(permission="files:delete")
    await repository.remove(file_id)
    await repository.release(row.size)  # the quota frees the bytes with the row
    return row, str(principal.tenant_id)


def download_url(
    deps: FilesDeps, base_url: str, scope: TenantScope, file_id: uuid.UUID, expires_in: int | None
) -> str:
    """`<base>/files/<token>`, valid `expires_in` seconds (clamped to the configured range)."""
    config = deps.config
    ttl = config.url_ttl if expires_in is None else expires_in
    ttl = max(1, min(ttl, config.url_max_ttl))
    expires = int(time.time()) + ttl
    token = sign_download(config.signing_secret, str(scope.tenant_id), str(file_id), expires)
    return f"{(config.public_url or base_url).rstrip('/')}/files/{token}"


@dataclass(frozen=True, slots=True)
class Download:
    name: str
    content_type: str
    size: int
    sha256: str
    chunks: AsyncIterator[bytes]


async def open_download(
    deps: FilesDeps, session: AsyncSession, tenant_id: str, file_id: uuid.UUID
) -> Download:
    row = await FileRepository(session).find(file_id)
    if row is None:
        raise FileMissingError(id=str(file_id))
    chunks = deps.storage.read(tenant_id, row.storage_key)
    return Download(row.name, row.content_type, row.size, row.sha256, chunks)
