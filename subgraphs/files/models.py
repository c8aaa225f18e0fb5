"""Tables of the files subgraph, in each tenant's database (branch `files`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from subgraphs.kit.models import NAMING, utcnow

__all__ = ["USAGE_ROW", "FilePurpose", "FileUsage", "FilesBase", "StoredFile"]

USAGE_ROW = 1


class FilesBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class FilePurpose(StrEnum):
    ATTACHMENT = "ATTACHMENT"
    AVATAR = "AVATAR"
    IMPORT = "IMPORT"


class StoredFile(FilesBase):
    """One uploaded file. `storage_key` is a random name in the tenant's storage area; `name`
    is the sanitised client name, shown and sent as the download's file name only."""

    __tablename__ = "files"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(127))
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20), default=FilePurpose.ATTACHMENT.value)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FileUsage(FilesBase):
    """What the tenant stores: one row (id `USAGE_ROW`), changed in the transaction that adds
    or removes a `files` row, and checked against the quota there."""

    __tablename__ = "file_usage"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    files: Mapped[int] = mapped_column(Integer, default=0)
