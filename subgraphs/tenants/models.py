"""Control database tables: tenants, custom domains, database servers (placement targets)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, String, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from subgraphs.kit.models import NAMING
from subgraphs.kit.models import aware as aware  # re-exported for this subgraph
from subgraphs.kit.models import utcnow as utcnow  # re-exported for this subgraph


class ControlBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class TenantStatus(StrEnum):
    PROVISIONING = "PROVISIONING"
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    DELETED = "DELETED"
    FAILED = "FAILED"


class DomainState(StrEnum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"


class DatabaseServer(ControlBase):
    """A placement target: a PostgreSQL server (admin URL) or a folder of SQLite files."""

    __tablename__ = "database_servers"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(Text)
    capacity: Mapped[int] = mapped_column(Integer, default=1000)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Tenant(ControlBase):
    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=TenantStatus.PROVISIONING.value)
    plan: Mapped[str] = mapped_column(String(40), default="free")
    database_server_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("database_servers.id"), index=True
    )
    database_name: Mapped[str] = mapped_column(String(63))
    provisioning_step: Mapped[str | None] = mapped_column(String(40), default=None)
    failure_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class CustomDomain(ControlBase):
    __tablename__ = "custom_domains"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    host: Mapped[str] = mapped_column(String(253), unique=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    verification_token: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), default=DomainState.PENDING.value)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class OperatorStatus(StrEnum):
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"


class Operator(ControlBase):
    """A platform operator: administers tenants across the platform, belongs to none.

    Signs in through identity's `operatorLogin` (argon2id hash, optional TOTP); disabling one
    refuses its tokens at the next administrative request."""

    __tablename__ = "platform_operators"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=OperatorStatus.ACTIVE.value)
    mfa_secret: Mapped[str | None] = mapped_column(Text, default=None)  # Fernet-encrypted
    mfa_enabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
