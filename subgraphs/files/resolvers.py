# mypy: disable-error-code="untyped-decorator"
# (strawberry types its decorators only when called without arguments; ours set descriptions)
"""Query and mutations of the files subgraph: parse, call one service function, map."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import strawberry
from strawberry.file_uploads import Upload

from subgraphs.files import models, service
from subgraphs.files.loaders import FilesById
from subgraphs.files.types import (
    Ctx,
    DeleteFilePayload,
    File,
    FilePurpose,
    UploadFilePayload,
    parse_id,
)
from subgraphs.kit.files import FileMissingError, FileRequiredError
from subgraphs.kit.payloads import UserError, guard

CHUNK = 64 * 1024


async def _chunks(upload: Any) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK):
        yield chunk


@strawberry.type
class Query:
    @strawberry.field(description="A file of the caller's tenant; null when there is none.")
    async def file(self, info: Ctx, id: strawberry.ID) -> File | None:
        info.context.require_principal()
        file_id = parse_id(id)
        if file_id is None:
            return None
        row = await info.context.loaders.get(FilesById).load(file_id)
        return File.of(row) if row is not None else None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Upload one file (GraphQL multipart request spec).")
    async def upload_file(
        self, info: Ctx, file: Upload, purpose: FilePurpose = FilePurpose.ATTACHMENT
    ) -> UploadFilePayload:
        context = info.context
        principal = context.require_principal()
        upload: Any = file
        if not hasattr(upload, "read"):  # a JSON request naming the file with a plain value
            return UploadFilePayload(user_errors=[UserError.of(FileRequiredError(field="file"))])
        work = service.upload_file(
            context.deps,
            principal,
            await context.sessions.write(),
            _chunks(upload),
            name=getattr(upload, "filename", None),
            content_type=getattr(upload, "content_type", None),
            purpose=models.FilePurpose(purpose.value),
        )
        try:
            result = await guard(context, work)
        finally:  # the form's spooled temporary file
            await upload.close()
        if isinstance(result, list):
            return UploadFilePayload(user_errors=result)
        await context.sessions.close(commit=True)
        return UploadFilePayload(file=File.of(result))

    @strawberry.mutation(description="Delete a file (its uploader, or an owner or admin).")
    async def delete_file(self, info: Ctx, id: strawberry.ID) -> DeleteFilePayload:
        context = info.context
        principal = context.require_principal()
        file_id = parse_id(id)
        if file_id is None:
            error = FileMissingError(field="id", id=str(id))
            return DeleteFilePayload(user_errors=[UserError.of(error)])
        work = service.delete_file(context.deps, principal, await context.sessions.write(), file_id)
        result = await guard(context, work)
        if isinstance(result, list):
            return DeleteFilePayload(user_errors=result)
        row, tenant = result
        storage = context.deps.storage

        async def remove_bytes() -> None:
            await storage.delete(tenant, row.storage_key)

        context.sessions.after_commit(remove_bytes)
        await context.sessions.close(commit=True)
        return DeleteFilePayload(deleted_id=strawberry.ID(str(file_id)))
