"""The subgraph kit: context, sessions, loaders, errors, Relay, federation, app factory.

Names are imported lazily, so `subgraphs.kit.db` and `subgraphs.kit.errors` stay cheap to import
(the fleet migration workers use them without loading strawberry).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from subgraphs.kit.app import build_subgraph_app
    from subgraphs.kit.context import (
        TENANT_HEADER,
        ScopeResolver,
        SubgraphContext,
        TenantScope,
        resolve_scope,
    )
    from subgraphs.kit.errors import DomainError
    from subgraphs.kit.federation import FEDERATION_VERSION, build_federated_schema, print_sdl
    from subgraphs.kit.graphql_errors import UserError
    from subgraphs.kit.ids import TenantId
    from subgraphs.kit.loaders import Loader, LoaderRegistry
    from subgraphs.kit.payloads import guard
    from subgraphs.kit.repository import Repository
    from subgraphs.kit.runtime import Runtime
    from subgraphs.kit.sessions import RequestSessions

_EXPORTS = {
    "FEDERATION_VERSION": "federation",
    "TENANT_HEADER": "context",
    "DomainError": "errors",
    "Loader": "loaders",
    "LoaderRegistry": "loaders",
    "Repository": "repository",
    "RequestSessions": "sessions",
    "Runtime": "runtime",
    "ScopeResolver": "context",
    "SubgraphContext": "context",
    "TenantId": "ids",
    "TenantScope": "context",
    "UserError": "graphql_errors",
    "build_federated_schema": "federation",
    "build_subgraph_app": "app",
    "guard": "payloads",
    "print_sdl": "federation",
    "resolve_scope": "context",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'subgraphs.kit' has no attribute {name!r}")
    return getattr(importlib.import_module(f"subgraphs.kit.{module}"), name)
