"""`saas-platform subgraph NAME`: run one subgraph as its own process."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from saas_platform.settings import Settings


def register(root: typer.Typer) -> None:
    root.command("subgraph")(subgraph)


def subgraph(
    name: Annotated[str, typer.Argument(help="tenants, identity, tickets, projects, chat, ...")],
    port: Annotated[int | None, typer.Option(help="Port (default: the subgraph's own).")] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
) -> None:
    """Serve one subgraph (/graphql, /health, /ready) with uvicorn."""
    import uvicorn

    from saas_platform.tenancy.runtime import build_runtime, prepare_control, serving_app
    from subgraphs.registry import SUBGRAPHS

    spec = SUBGRAPHS.get(name)
    if spec is None:
        raise typer.BadParameter(f"unknown subgraph {name!r}; known: {', '.join(SUBGRAPHS)}")
    settings = Settings.from_env()
    asyncio.run(prepare_control(settings))
    runtime = build_runtime(settings)
    app = serving_app(spec.build_app(runtime), runtime)
    typer.echo(f"{name} subgraph on http://{host}:{port or spec.port}/graphql")
    uvicorn.run(app, host=host, port=port or spec.port, log_level="info")
