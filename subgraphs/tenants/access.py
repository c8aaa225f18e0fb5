"""Who may do what on the control plane.

- Platform operators (an `op+jwt` from identity's `operatorLogin`, operator still ACTIVE in the
  control database) may do everything.
- A tenant's own members (a verified tenant credential) may read their tenant's details; with
  `tenant:manage` they may rename it and manage its custom domains (`billing:manage` too for a
  plan change).
- Anonymous callers may create a tenant (self-serve sign-up, throttled per IP) and look a tenant
  up by slug or host, seeing only its public fields (`id`, `slug`, `name`, `status`).

Authorisation failures are GraphQL errors (`UNAUTHENTICATED`, `FORBIDDEN`), never userErrors.
Without an authenticator in the process (no identity, no `AUTH_JWKS_URL`) nobody is an
operator: administrative operations fail closed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from subgraphs.kit.auth.errors import ForbiddenError, UnauthenticatedError
from subgraphs.kit.auth.principal import OperatorPrincipal, Principal
from subgraphs.kit.context import SubgraphContext
from subgraphs.kit.errors import DomainError
from subgraphs.tenants.deps import TenantsDeps
from subgraphs.tenants.repository import OperatorRepository

TENANT_MANAGE = "tenant:manage"
BILLING_MANAGE = "billing:manage"
OPERATOR = "platform:operator"  # named in FORBIDDEN errors; not a tenant permission


@dataclass(frozen=True, slots=True)
class Caller:
    operator: OperatorPrincipal | None = None
    principal: Principal | None = None

    @property
    def anonymous(self) -> bool:
        return self.operator is None and self.principal is None

    def member_of(self, tenant_id: uuid.UUID) -> bool:
        return self.principal is not None and self.principal.tenant_id == tenant_id

    def denial(self, permission: str) -> DomainError:
        if self.anonymous:
            return UnauthenticatedError()
        return ForbiddenError(permission=permission)


async def resolve_caller(context: SubgraphContext[TenantsDeps]) -> Caller:
    """The verified caller; UNAUTHENTICATED for a credential that fails verification."""
    authorization = context.request.headers.get("authorization")
    authenticator = context.deps.authenticator()
    if authenticator is not None and authenticator.is_operator_credential(authorization):
        operator = await authenticator.authenticate_operator(authorization)
        if operator is None:
            raise UnauthenticatedError()
        async with context.sessions.read() as session:
            if await OperatorRepository(session).find_active(operator.operator_id) is None:
                raise UnauthenticatedError("operator disabled or removed")
        return Caller(operator=operator)
    if context.scope_error is not None:
        raise context.scope_error  # a tenant credential that failed verification
    return Caller(principal=context.principal)


async def caller_or_anonymous(
    context: SubgraphContext[TenantsDeps],
) -> tuple[Caller, DomainError | None]:
    """For public fields: the caller, or anonymous plus the error a private field will raise."""
    try:
        return await resolve_caller(context), None
    except DomainError as error:
        return Caller(), error


async def require_operator(context: SubgraphContext[TenantsDeps]) -> OperatorPrincipal:
    caller = await resolve_caller(context)
    if caller.operator is None:
        raise caller.denial(OPERATOR)
    return caller.operator


async def require_tenant_manager(
    context: SubgraphContext[TenantsDeps], tenant_id: uuid.UUID | None, *extra: str
) -> Caller:
    """An operator, or a member of `tenant_id` holding `tenant:manage` (and `extra`).
    `tenant_id` None (not known yet): any member with the permissions; the service then
    restricts the operation to the member's own tenant."""
    caller = await resolve_caller(context)
    if caller.operator is not None:
        return caller
    principal = caller.principal
    if principal is None:
        raise UnauthenticatedError()
    if tenant_id is not None and principal.tenant_id != tenant_id:
        raise ForbiddenError(permission=OPERATOR)
    for permission in (TENANT_MANAGE, *extra):
        if not principal.can(permission):
            raise ForbiddenError(permission=permission)
    return caller


def sees_details(caller: Caller, tenant_id: uuid.UUID) -> bool:
    return caller.operator is not None or caller.member_of(tenant_id)


def sees_domains(caller: Caller, tenant_id: uuid.UUID) -> bool:
    if caller.operator is not None:
        return True
    return (
        caller.member_of(tenant_id)
        and caller.principal is not None
        and (caller.principal.can(TENANT_MANAGE))
    )
