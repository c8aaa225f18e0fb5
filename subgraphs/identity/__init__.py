"""The identity subgraph: users, roles, tokens, API keys, MFA, audit log (per tenant)."""

from subgraphs.identity.app import NAME, PORT, build_app, build_schema
from subgraphs.identity.deps import IdentityDeps

__all__ = ["NAME", "PORT", "IdentityDeps", "build_app", "build_schema"]
