"""The tenants subgraph: tenant registry, custom domains, self-serve sign-up (control plane)."""

from subgraphs.tenants.app import NAME, PORT, build_app, build_schema
from subgraphs.tenants.deps import TenantsDeps

__all__ = ["NAME", "PORT", "TenantsDeps", "build_app", "build_schema"]
