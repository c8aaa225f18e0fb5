"""What the edge decided about a request: tenant, principal, request id, trace context.

`EdgeContext` is built once per request by `PolicyHook.on_request` and kept on the typed
`RequestContext.edge`; later stages (authorization, rate limit, logs) read it, never headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NewType

TenantId = NewType("TenantId", str)

UNAUTHENTICATED = "UNAUTHENTICATED"


@dataclass(frozen=True, slots=True)
class Tenant:
    """A resolved tenant: its id (what subgraphs receive) and slug, and how it was found."""

    id: TenantId
    slug: str
    source: str  # "host", "custom-domain", "header"


@dataclass(frozen=True, slots=True)
class Principal:
    """A verified access token's subject, tenant and scopes."""

    subject: str
    tenant_id: str | None
    scopes: frozenset[str]
    claims: Mapping[str, Any]
    token: str
    platform: bool = False  # a `jwt.platform_tokens` token: no tenant, acts in none


@dataclass(slots=True)
class EdgeContext:
    """Per-request edge facts; `tenant` and `principal` are None when absent."""

    request_id: str
    tenant: Tenant | None = None
    principal: Principal | None = None
    client_ip: str | None = None  # after trusted-proxy resolution; sent to subgraphs
    traceparent: str | None = None
    response_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    cost: int | None = None
    cost_requested: bool = False  # the request's extensions asked for {"cost": true}
    # unauthorized positions: ((response key, field type), ...) from the root (policies.authz)
    denied: list[Any] = field(default_factory=list)
    placeholder: bool = False  # every root field was denied: `{ __typename }` ran instead
