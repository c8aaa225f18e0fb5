"""The subgraph kit: context, sessions, loaders, errors, Relay, federation, app factory."""

from subgraphs.kit.app import build_subgraph_app
from subgraphs.kit.context import (
    TENANT_HEADER,
    ScopeResolver,
    SubgraphContext,
    TenantScope,
    resolve_scope,
)
from subgraphs.kit.errors import DomainError, UserError
from subgraphs.kit.federation import FEDERATION_VERSION, build_federated_schema, print_sdl
from subgraphs.kit.ids import TenantId
from subgraphs.kit.loaders import Loader, LoaderRegistry
from subgraphs.kit.payloads import guard
from subgraphs.kit.repository import Repository
from subgraphs.kit.runtime import Runtime
from subgraphs.kit.sessions import RequestSessions

__all__ = [
    "FEDERATION_VERSION",
    "TENANT_HEADER",
    "DomainError",
    "Loader",
    "LoaderRegistry",
    "Repository",
    "RequestSessions",
    "Runtime",
    "ScopeResolver",
    "SubgraphContext",
    "TenantId",
    "TenantScope",
    "UserError",
    "build_federated_schema",
    "build_subgraph_app",
    "guard",
    "print_sdl",
    "resolve_scope",
]
