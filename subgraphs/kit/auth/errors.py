"""Errors of the auth kit.

    DomainError (subgraphs.kit.errors)
    ├── UnauthenticatedError   no credential, or a credential that failed verification
    └── ForbiddenError         an authenticated principal without the required permission

Every verification failure raises the same `UnauthenticatedError` with the same message, so a
caller learns nothing about why its token was refused; the `reason` attribute (never sent to the
client) says it for logs and tests.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from subgraphs.kit.errors import DomainError

__all__ = ["AuthErrorCode", "ForbiddenError", "UnauthenticatedError"]


class AuthErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"


class UnauthenticatedError(DomainError):
    code = AuthErrorCode.UNAUTHENTICATED
    message = "Authentication required."

    def __init__(self, reason: str = "missing credentials", **data: Any) -> None:
        super().__init__(**data)
        self.reason = reason


class ForbiddenError(DomainError):
    code = AuthErrorCode.FORBIDDEN
    message = "Permission {permission!r} is required."
