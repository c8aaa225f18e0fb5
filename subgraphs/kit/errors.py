"""Error conventions shared by every subgraph.

    DomainError                  expected failures; class-level `code` and message template
    ├── TenantRequiredError      the operation needs a tenant and the request names none
    ├── TenantNotFoundError      the request names a tenant that does not exist
    ├── TenantUnavailableError   the tenant exists but is not ACTIVE
    ├── DatabaseUnavailableError a database did not answer in time
    └── InvalidCursorError       a pagination cursor that we did not issue

At the GraphQL edge, mutations catch DomainErrors into `userErrors { field message code }`
(`subgraphs.kit.payloads.guard`), and `KitErrorsExtension` gives other DomainErrors an
`extensions.code` while masking every unexpected error (logged with the request id).
"""

from __future__ import annotations

import logging
from enum import Enum, StrEnum
from typing import Any, ClassVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

logger = logging.getLogger("subgraphs.errors")

__all__ = [
    "DatabaseUnavailableError",
    "DomainError",
    "InvalidCursorError",
    "KitErrorCode",
    "KitErrorsExtension",
    "TenantNotFoundError",
    "TenantRequiredError",
    "TenantUnavailableError",
    "UserError",
]


class KitErrorCode(StrEnum):
    INTERNAL = "INTERNAL"
    TENANT_REQUIRED = "TENANT_REQUIRED"
    TENANT_NOT_FOUND = "TENANT_NOT_FOUND"
    TENANT_UNAVAILABLE = "TENANT_UNAVAILABLE"
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
    INVALID_CURSOR = "INVALID_CURSOR"


class DomainError(Exception):
    """An expected failure: a stable `code`, a `message` template formatted with `data`."""

    code: ClassVar[Enum] = KitErrorCode.INTERNAL
    message: ClassVar[str] = "The operation failed."

    def __init__(self, *, field: str | None = None, **data: Any) -> None:
        self.field = field
        self.data = data
        super().__init__(self.message.format(**data))

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


@strawberry.federation.type(shareable=True, description="An expected failure of a mutation.")
class UserError:
    field: str | None
    message: str
    code: str

    @classmethod
    def of(cls, error: DomainError) -> UserError:
        return cls(field=error.field, message=str(error), code=error.code_name)


def _should_mask(error: GraphQLError) -> bool:
    return error.original_error is not None


class KitErrorsExtension(MaskErrors):
    """DomainErrors keep their message and gain `extensions.code`; the rest are masked."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_should_mask, error_message="Internal server error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, DomainError):
            return GraphQLError(
                message=str(original),
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                original_error=None,
                extensions={"code": original.code_name},
            )
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        logger.error(
            "unexpected error (request %s) at %s",
            request_id,
            error.path,
            exc_info=original,
        )
        masked = super().anonymise_error(error)
        masked.extensions = {"code": KitErrorCode.INTERNAL.value, "requestId": request_id}
        return masked
