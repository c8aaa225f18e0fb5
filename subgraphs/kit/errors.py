"""Error conventions shared by every subgraph.

    DomainError                  expected failures; class-level `code` and message template
    ├── TenantRequiredError      the operation needs a tenant and the request names none
    ├── TenantNotFoundError      the request names a tenant that does not exist
    ├── TenantUnavailableError   the tenant exists but is not ACTIVE
    ├── DatabaseUnavailableError a database did not answer in time
    └── InvalidCursorError       a pagination cursor that we did not issue

This module stays free of strawberry (services and the engine registry import it). At the
GraphQL edge (`subgraphs.kit.graphql_errors`), mutations catch DomainErrors into
`userErrors { field message code }` (`guard`), and `KitErrorsExtension` gives other DomainErrors
an `extensions.code` while masking every unexpected error (logged with the request id).
"""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Any, ClassVar

__all__ = [
    "DatabaseUnavailableError",
    "DomainError",
    "InvalidCursorError",
    "KitErrorCode",
    "TenantNotFoundError",
    "TenantRequiredError",
    "TenantUnavailableError",
]


class KitErrorCode(StrEnum):
    INTERNAL = "INTERNAL"
    TENANT_REQUIRED = "TENANT_REQUIRED"
    TENANT_NOT_FOUND = "TENANT_NOT_FOUND"
    TENANT_UNAVAILABLE = "TENANT_UNAVAILABLE"
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
    INVALID_CURSOR = "INVALID_CURSOR"


class _Blank(dict[str, Any]):
    """Template data where a missing key renders empty rather than raising."""

    def __missing__(self, key: str) -> str:
        return ""


class DomainError(Exception):
    """An expected failure: a stable `code`, a `message` template formatted with `data`."""

    code: ClassVar[Enum] = KitErrorCode.INTERNAL
    message: ClassVar[str] = "The operation failed."

    def __init__(self, *, field: str | None = None, **data: Any) -> None:
        self.field = field
        self.data = data
        super().__init__(self.message.format_map(_Blank(data)))

    @property
    def code_name(self) -> str:
        return str(self.code.value)


class TenantRequiredError(DomainError):
    code = KitErrorCode.TENANT_REQUIRED
    message = "This operation needs a tenant."


class TenantNotFoundError(DomainError):
    code = KitErrorCode.TENANT_NOT_FOUND
    message = "Tenant {tenant} does not exist."


class TenantUnavailableError(DomainError):
    code = KitErrorCode.TENANT_UNAVAILABLE
    message = "Tenant {tenant} is {status}."


class DatabaseUnavailableError(DomainError):
    code = KitErrorCode.DATABASE_UNAVAILABLE
    message = "The database did not answer: {reason}"


class InvalidCursorError(DomainError):
    code = KitErrorCode.INVALID_CURSOR
    message = "Invalid pagination cursor."
