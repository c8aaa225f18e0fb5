"""Wiring of the tenants subgraph: `build_schema()` and `build_app(runtime)`."""

from __future__ import annotations

import os
import uuid

import strawberry
from starlette.applications import Starlette

from subgraphs.kit.app import build_subgraph_app
from subgraphs.kit.auth.throttle import MemoryThrottle, RedisThrottle, Rule
from subgraphs.kit.federation import build_federated_schema
from subgraphs.kit.ids import TenantId
from subgraphs.kit.runtime import Runtime
from subgraphs.tenants.deps import SIGNUP_RULE, TenantsDeps
from subgraphs.tenants.resolvers import Mutation, Query
from subgraphs.tenants.types import Tenant

NAME = "tenants"
PORT = 8001


def build_schema() -> strawberry.federation.Schema:
    return build_federated_schema(query=Query, mutation=Mutation, types=[Tenant])


def build_app(runtime: Runtime, deps: TenantsDeps | None = None) -> Starlette:
    """The tenants subgraph on the runtime's control database.

    Without `deps`, the provisioner and settings come from `saas_platform` (the default wiring
    of `saas-platform dev` and `saas-platform subgraph tenants`).
    """
    if deps is None:
        deps = default_deps(runtime)
    return build_subgraph_app(build_schema(), runtime, name=NAME, deps=deps, tenant_bound=False)


def default_deps(runtime: Runtime) -> TenantsDeps:
    from saas_platform.settings import Settings
    from saas_platform.tenancy.provisioning import Provisioner

    settings = runtime.extras.get("settings")
    if not isinstance(settings, Settings):
        settings = Settings.from_env()

    async def on_status_change(tenant_id: uuid.UUID) -> None:
        runtime.scopes.forget(TenantId(tenant_id))
        await runtime.tenants.evict(TenantId(tenant_id))

    limit = int(os.environ.get("TENANT_SIGNUPS_PER_HOUR", str(SIGNUP_RULE.limit)))
    redis = runtime.redis
    return TenantsDeps(
        provisioner=Provisioner(runtime.control, settings),
        base_domain=settings.base_domain,
        on_status_change=on_status_change,
        authenticator=lambda: runtime.scopes.authenticator,
        throttle=RedisThrottle(redis, "tenants:") if redis is not None else MemoryThrottle(),
        signup_rule=Rule(limit=limit, window=SIGNUP_RULE.window),
    )
