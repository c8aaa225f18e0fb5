"""The tenants subgraph: tenant registry, custom domains, self-serve sign-up (control plane).

Imported lazily so the control-plane models and repositories load without strawberry.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from subgraphs.tenants.app import NAME, PORT, build_app, build_schema
    from subgraphs.tenants.deps import TenantsDeps

_EXPORTS = {
    "NAME": "app",
    "PORT": "app",
    "TenantsDeps": "deps",
    "build_app": "app",
    "build_schema": "app",
}

__all__ = [
    "NAME",
    "PORT",
    "TenantsDeps",
    "build_app",
    "build_schema",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'subgraphs.tenants' has no attribute {name!r}")
    return getattr(importlib.import_module(f"subgraphs.tenants.{module}"), name)
