"""The `saas-platform` command line.

Each command group lives in its own module under `saas_platform.commands` and exposes either
`app` (a Typer group, mounted under the module's name) or `register(root)` (adds top-level
commands). Modules are listed here so the command tree is explicit.
"""

from __future__ import annotations

import importlib

import typer

root = typer.Typer(
    name="saas-platform",
    no_args_is_help=True,
    help="Multi-tenant SaaS platform behind a Python federation router.",
    pretty_exceptions_show_locals=False,
)

# module name -> group name on the command line (None: the module registers top-level commands)
COMMAND_MODULES: dict[str, str | None] = {
    "dev": None,  # saas-platform dev
    "router": None,  # saas-platform router
    "subgraph": None,  # saas-platform subgraph NAME
    "migrate": None,  # saas-platform migrate
    "tenants": "tenants",  # saas-platform tenants create|list|...
    "schema": "schema",  # saas-platform schema compose|...
    "worker": None,  # saas-platform worker
    "events": "events",  # saas-platform events tail|dead-letters|replay
    "identity": "identity",  # saas-platform identity keys|rotate-key
    "operators": "operators",  # saas-platform operators create|list|enroll-mfa|disable
}


def _load() -> None:
    for module_name, group in COMMAND_MODULES.items():
        try:
            module = importlib.import_module(f"saas_platform.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"saas_platform.commands.{module_name}":
                continue  # not built yet
            raise
        if group is None:
            module.register(root)
        else:
            root.add_typer(module.app, name=group)


_load()


def main() -> None:
    root()
