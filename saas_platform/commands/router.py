"""`saas-platform router`: run the federation router (the same as `python -m router`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(root: typer.Typer) -> None:
    root.command("router")(router)


def router(
    supergraph: Annotated[
        Path | None, typer.Option(help="Supergraph SDL file (watched for changes).")
    ] = None,
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    config: Annotated[Path | None, typer.Option(help="Router YAML configuration.")] = None,
) -> None:
    """Run the GraphQL federation router over a supergraph (default schema/supergraph.graphql)."""
    from router.__main__ import serve
    from router.config import ConfigError, load_config

    if supergraph is None and config is None:
        default = Path("schema/supergraph.graphql")
        supergraph = default if default.is_file() else None
    try:
        settings = load_config(config, supergraph=supergraph, host=host, port=port)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if settings.supergraph is None:
        raise typer.BadParameter("no supergraph: pass --supergraph FILE")
    serve(settings)
