"""Database access for subgraphs: engines with bounded waits and the per-tenant registry."""

from subgraphs.kit.db.engines import Database, EngineOptions, create_database_engine, is_sqlite_url
from subgraphs.kit.db.registry import (
    RegistryStats,
    TenantDirectory,
    TenantEngineRegistry,
    TenantIdentityError,
    TenantLocation,
)

__all__ = [
    "Database",
    "EngineOptions",
    "RegistryStats",
    "TenantDirectory",
    "TenantEngineRegistry",
    "TenantIdentityError",
    "TenantLocation",
    "create_database_engine",
    "is_sqlite_url",
]
