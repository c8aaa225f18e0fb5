"""The tenant scope and the per-request context of a subgraph.

`resolve_scope(request, resolver)` is the one seam where a subgraph learns its tenant. Today it
reads the `x-tenant-id` header that the router sets, and only when the process runs in trusted
mode (`TRUST_TENANT_HEADER=true`, the default until identity lands). The identity issue
replaces it with JWT verification (the token's tenant claim), without changing its callers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.requests import HTTPConnection

from subgraphs.kit.auth.authenticator import Authenticator
from subgraphs.kit.auth.errors import UnauthenticatedError
from subgraphs.kit.auth.principal import Principal, require_permission
from subgraphs.kit.db.registry import ACTIVE, TenantDirectory, TenantLocation
from subgraphs.kit.errors import (
    DomainError,
    TenantNotFoundError,
    TenantRequiredError,
    TenantUnavailableError,
)
from subgraphs.kit.ids import TenantId, parse_tenant_id
from subgraphs.kit.loaders import LoaderRegistry
from subgraphs.kit.scope import TenantScope
from subgraphs.kit.sessions import RequestSessions

TENANT_HEADER = "x-tenant-id"
ROUTER_TENANT_HEADER = "x-tenant"  # what the router propagates by default
D = TypeVar("D")

__all__ = [
    "TENANT_HEADER",
    "RequestAuth",
    "ScopeResolver",
    "SubgraphContext",
    "TenantId",
    "TenantScope",
    "resolve_request",
    "resolve_scope",
]


class ScopeResolver:
    """Looks tenants up in the directory, with a short cache so suspension applies quickly."""

    def __init__(
        self, directory: TenantDirectory, *, trust_header: bool, ttl_seconds: float = 5.0
    ) -> None:
        self.directory = directory
        self.trust_header = trust_header
        self._ttl = ttl_seconds
        self._cache: dict[TenantId, tuple[float, TenantLocation | None]] = {}
        # set by the identity subgraph (in-process keys) or from AUTH_JWKS_URL; once set, a
        # bare tenant header only names the target of public operations (login, sign-up)
        self.authenticator: Authenticator | None = None

    async def scope_for(self, tenant_id: TenantId) -> TenantScope:
        location = await self._locate(tenant_id)
        if location is None:
            raise TenantNotFoundError(tenant=str(tenant_id))
        if location.status != ACTIVE:
            raise TenantUnavailableError(tenant=location.slug, status=location.status.lower())
        return TenantScope(tenant_id=location.tenant_id, slug=location.slug)

    async def _locate(self, tenant_id: TenantId) -> TenantLocation | None:
        now = time.monotonic()
        cached = self._cache.get(tenant_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        location = await self.directory.locate(tenant_id)
        self._cache[tenant_id] = (now + self._ttl, location)
        return location

    def forget(self, tenant_id: TenantId) -> None:
        self._cache.pop(tenant_id, None)


async def resolve_scope(request: HTTPConnection, resolver: ScopeResolver) -> TenantScope | None:
    """The request's tenant, or None when it names none. Seam for JWT verification."""
    if not resolver.trust_header:
        return None
    raw = request.headers.get(TENANT_HEADER)
    if not raw:
        return None
    tenant_id = parse_tenant_id(raw)
    if tenant_id is None:
        raise TenantNotFoundError(tenant=raw)
    return await resolver.scope_for(tenant_id)


@dataclass(frozen=True, slots=True)
class RequestAuth:
    """What a request proved: its tenant `scope` (from a verified credential), its `principal`,
    and the `target` tenant it names (the only thing public operations such as login may use)."""

    scope: TenantScope | None
    principal: Principal | None
    target: TenantScope | None


async def resolve_request(request: HTTPConnection, resolver: ScopeResolver) -> RequestAuth:
    """Verify the request's credential against the tenant it targets (the cross-tenant guard).

    Without an authenticator this is `resolve_scope` (trusted header, development only).
    """
    authenticator = resolver.authenticator
    if authenticator is None:
        scope = await resolve_scope(request, resolver)
        return RequestAuth(scope=scope, principal=None, target=scope)
    authenticator.precheck(request.headers.get("authorization"))  # no I/O before this
    raw = request.headers.get(TENANT_HEADER) or request.headers.get(ROUTER_TENANT_HEADER)
    target: TenantScope | None = None
    if raw:
        tenant_id = parse_tenant_id(raw)
        if tenant_id is None:
            raise TenantNotFoundError(tenant=raw)
        target = await resolver.scope_for(tenant_id)
    target_id = target.tenant_id if target is not None else None
    principal = await authenticator.authenticate(request.headers.get("authorization"), target_id)
    if principal is None:
        return RequestAuth(scope=None, principal=None, target=target)
    scope = target if target is not None else await resolver.scope_for(principal.tenant_id)
    return RequestAuth(scope=scope, principal=principal, target=scope)


@dataclass
class SubgraphContext(Generic[D]):
    """What resolvers get as `info.context` (`Info[SubgraphContext[Deps], None]`).

    `deps` holds the subgraph's own collaborators (ports such as a provisioner), built once
    per process by its `build_app`.
    """

    request: HTTPConnection
    request_id: str
    scope: TenantScope | None
    sessions: RequestSessions
    loaders: LoaderRegistry
    deps: D
    scope_error: DomainError | None = None
    principal: Principal | None = None
    target: TenantScope | None = None
    authenticated: bool = False  # an authenticator is configured: scope needs a credential

    def require_scope(self) -> TenantScope:
        if self.scope_error is not None:
            raise self.scope_error
        if self.scope is None:
            if self.authenticated and self.target is not None:
                raise UnauthenticatedError()
            raise TenantRequiredError()
        return self.scope

    def require_principal(self) -> Principal:
        """The verified caller (its tenant is the request's scope), else UNAUTHENTICATED."""
        self.require_scope()
        if self.principal is None:
            raise UnauthenticatedError()
        return self.principal

    def require_permission(self, permission: str) -> Principal:
        """The verified caller holding `permission`: UNAUTHENTICATED or FORBIDDEN otherwise."""
        return require_permission(self.require_principal(), permission)

    def require_target(self) -> TenantScope:
        """The tenant the request names, credential or not (login, sign-up, invitations)."""
        if self.scope_error is not None:
            raise self.scope_error
        if self.target is None:
            raise TenantRequiredError()
        return self.target
