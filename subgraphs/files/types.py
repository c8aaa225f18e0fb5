# mypy: disable-error-code="untyped-decorator"
# (strawberry types its decorators only when called without arguments; ours set descriptions)
"""GraphQL shape of the files subgraph: `File` (the entity other subgraphs reference)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.files import models
from subgraphs.files.deps import FilesDeps
from subgraphs.files.loaders import FilesById
from subgraphs.kit.context import SubgraphContext
from subgraphs.kit.graphql_errors import UserError
from subgraphs.kit.models import aware

Ctx = Info[SubgraphContext[FilesDeps], None]


@strawberry.enum(description="Why a file was uploaded.")
class FilePurpose(Enum):
    ATTACHMENT = "ATTACHMENT"
    AVATAR = "AVATAR"
    IMPORT = "IMPORT"


def parse_id(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


@strawberry.federation.type(keys=["id"], description="A stored file of the tenant.")
class File:
    id: strawberry.ID
    name: str = strawberry.field(description="Sanitised client file name (display only).")
    size: int = strawberry.field(description="Bytes.")
    content_type: str
    sha256: str = strawberry.field(description="Hex SHA-256 of the bytes.")
    created_at: datetime

    @strawberry.field(description="A signed link valid `expiresIn` seconds (default 900).")
    def download_url(self, info: Ctx, expires_in: int | None = None) -> str:
        from subgraphs.files.service import download_url

        context = info.context
        scope = context.require_scope()
        base = str(context.request.base_url)
        return download_url(context.deps, base, scope, uuid.UUID(self.id), expires_in)

    @classmethod
    def of(cls, row: models.StoredFile) -> File:
        return cls(
            id=strawberry.ID(str(row.id)),
            name=row.name,
            size=row.size,
            content_type=row.content_type,
            sha256=row.sha256,
            created_at=aware(row.created_at),
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> File | None:
        info.context.require_principal()
        file_id = parse_id(id)
        if file_id is None:
            return None
        row = await info.context.loaders.get(FilesById).load(file_id)
        return cls.of(row) if row is not None else None


@strawberry.type
class UploadFilePayload:
    file: File | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteFilePayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
