"""`Principal`: who is calling, for which tenant, with which permissions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from subgraphs.kit.auth.errors import ForbiddenError, UnauthenticatedError
from subgraphs.kit.ids import TenantId

__all__ = [
    "OperatorPrincipal",
    "Principal",
    "PrincipalKind",
    "require_any_permission",
    "require_permission",
]


class PrincipalKind(StrEnum):
    USER = "user"  # a person, through an access token
    SERVICE = "service"  # a service account, through its API key
    API_KEY = "api_key"  # a person's API key


@dataclass(frozen=True, slots=True)
class Principal:
    """A verified caller. `permissions` is what this credential may do (for a token, the
    `scope` claim: the role's permissions when the token was issued)."""

    tenant_id: TenantId
    user_id: uuid.UUID
    kind: PrincipalKind
    roles: tuple[str, ...] = ()
    permissions: frozenset[str] = field(default_factory=frozenset)
    session_id: str | None = None
    credential_id: str | None = None  # jti of the token, or the API key's id

    def can(self, permission: str) -> bool:
        return permission in self.permissions


@dataclass(frozen=True, slots=True)
class OperatorPrincipal:
    """A platform operator (control database): administers tenants, belongs to none. Never a
    `Principal`, so no tenant-scoped check can mistake one for a member."""

    operator_id: uuid.UUID
    email: str
    credential_id: str  # jti of the operator token


def require_permission(principal: Principal | None, permission: str) -> Principal:
    """The principal when it holds `permission`; UNAUTHENTICATED without one, else FORBIDDEN."""
    if principal is None:
        raise UnauthenticatedError()
    if permission not in principal.permissions:
        raise ForbiddenError(permission=permission)
    return principal


def require_any_permission(principal: Principal | None, permissions: Iterable[str]) -> Principal:
    wanted = list(permissions)
    if principal is None:
        raise UnauthenticatedError()
    if not any(p in principal.permissions for p in wanted):
        raise ForbiddenError(permission=" or ".join(wanted))
    return principal
