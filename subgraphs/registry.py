"""Every subgraph of the platform: name, port, app and schema factories.

A subgraph package `subgraphs.<name>` provides `app.py` with `build_schema()` and
`build_app(runtime)`. Packages not written yet are skipped, so `SUBGRAPHS` lists what exists.
`subgraph_sdls()` feeds `saas-platform schema compose`.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from starlette.applications import Starlette

from subgraphs.kit.federation import print_sdl
from subgraphs.kit.runtime import Runtime

# name -> port; the router composes them from http://127.0.0.1:<port>/graphql by default
PORTS: dict[str, int] = {
    "tenants": 8001,
    "identity": 8002,
    "files": 8003,
    "tickets": 8004,
    "projects": 8005,
    "chat": 8006,
    "notifications": 8007,
    "integrations": 8008,
}


@dataclass(frozen=True, slots=True)
class SubgraphSpec:
    name: str
    port: int
    build_app: Callable[[Runtime], Starlette]
    build_schema: Callable[[], strawberry.federation.Schema]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"


def _load(name: str, port: int) -> SubgraphSpec | None:
    module_name = f"subgraphs.{name}.app"
    if importlib.util.find_spec(f"subgraphs.{name}") is None:
        return None
    try:
        module: Any = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name in {module_name, f"subgraphs.{name}"}:
            return None
        raise
    if not hasattr(module, "build_app") or not hasattr(module, "build_schema"):
        return None
    return SubgraphSpec(name, port, module.build_app, module.build_schema)


def _discover() -> dict[str, SubgraphSpec]:
    found = {name: _load(name, port) for name, port in PORTS.items()}
    return {name: spec for name, spec in found.items() if spec is not None}


SUBGRAPHS: dict[str, SubgraphSpec] = _discover()


def subgraph_sdls(base_url: str = "http://127.0.0.1") -> dict[str, tuple[str, str]]:
    """name -> (routing URL, SDL as `_service { sdl }` returns it)."""
    return {
        name: (f"{base_url}:{spec.port}/graphql", print_sdl(spec.build_schema()))
        for name, spec in SUBGRAPHS.items()
    }
