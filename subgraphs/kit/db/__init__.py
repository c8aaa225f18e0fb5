"""Database access for subgraphs: engines with bounded waits and the per-tenant registry."""

from subgraphs.kit.db.engines import (
    SQLITE_BEGIN,
    WRITE_OPTIONS,
    Database,
    EngineOptions,
    begin_write,
    create_database_engine,
    is_sqlite_url,
    write_transaction,
)
from subgraphs.kit.db.registry import (
    RegistryStats,
    TenantDirectory,
    TenantEngineRegistry,
    TenantIdentityError,
    TenantLocation,
)

__all__ = [
    "SQLITE_BEGIN",
    "WRITE_OPTIONS",
    "Database",
    "EngineOptions",
    "RegistryStats",
    "TenantDirectory",
    "TenantEngineRegistry",
    "TenantIdentityError",
    "TenantLocation",
    "begin_write",
    "create_database_engine",
    "is_sqlite_url",
    "write_transaction",
]
