"""`saas-platform dev`: the whole platform in one process (what `make run` starts).

Every subgraph is served on its own port, exactly as in production, the supergraph is composed
from their SDL at start-up, and the router serves it on port 8000. The embedded default (SQLite
file per tenant under DATA_DIR, in-memory pub/sub) is used unless DATABASE_URL / REDIS_URL are set.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer


def register(root: typer.Typer) -> None:
    root.command("dev")(dev)


def dev(
    host: Annotated[
        str, typer.Option(help="Interface for the router and subgraphs.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Router port.")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    """Run the router and every subgraph in one process."""
    try:
        asyncio.run(_run(host, port, log_level))
    except PlatformStartError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc


def _dev_policies(host: str) -> dict[str, object]:
    """The router's edge policies as production runs them: the tenant from `<slug>.localhost`
    or `X-Tenant` (slug or id, looked up in the tenants subgraph) and tokens verified against
    the identity subgraph's JWKS (tenant tokens, and operator tokens acting in no tenant).
    Environment overrides (ROUTER_POLICIES__...) still apply."""
    import os

    from subgraphs.kit.auth import DEFAULT_AUDIENCE, DEFAULT_ISSUER, OPERATOR_TOKEN_TYPE
    from subgraphs.kit.auth.tokens import DEFAULT_OPERATOR_AUDIENCE
    from subgraphs.registry import SUBGRAPHS

    policies: dict[str, object] = {
        "tenant": {"enabled": True, "lookup": True, "base_domain": "localhost"},
    }
    identity = SUBGRAPHS.get("identity")
    if identity is not None:
        policies["jwt"] = {
            "enabled": True,
            "jwks_url": f"http://{host}:{identity.port}/.well-known/jwks.json",
            "issuer": DEFAULT_ISSUER,
            "audience": DEFAULT_AUDIENCE,
            "opaque_prefixes": ["sk_live_"],  # API keys: verified by the subgraphs
            # platform operators (`operatorLogin`): no tenant; the tenants subgraph decides
            "platform_tokens": {
                "typ": OPERATOR_TOKEN_TYPE,
                "audience": os.environ.get("AUTH_OPERATOR_AUDIENCE", DEFAULT_OPERATOR_AUDIENCE),
            },
        }
    return policies


def _dev_passthrough(router_origin: str) -> list[dict[str, str]] | None:
    """Downloads on the router's origin: `GET /files/<token>` is passed to the files subgraph
    and download links point at the router (unless `FILES_PUBLIC_URL` or
    `ROUTER_PASSTHROUGH_ROUTES` say otherwise)."""
    import os

    from subgraphs.registry import SUBGRAPHS

    if "files" not in SUBGRAPHS or os.environ.get("ROUTER_PASSTHROUGH_ROUTES"):
        return None
    os.environ.setdefault("FILES_PUBLIC_URL", router_origin)  # read by the files subgraph
    return [{"path_prefix": "/files/", "subgraph": "files"}]


class PlatformStartError(Exception):
    """The platform could not start (composition failed, a port is taken, ...)."""


async def _run(host: str, port: int, log_level: str) -> None:
    from router.app import build_app
    from router.compose import SubgraphSource, compose
    from router.config import load_config
    from saas_platform.serving import Endpoint, serve_all
    from saas_platform.settings import Settings
    from saas_platform.tenancy.runtime import serving_app, start_runtime
    from saas_platform.worker.runner import run_embedded_worker
    from subgraphs.kit.federation import print_sdl
    from subgraphs.registry import SUBGRAPHS

    settings = Settings.from_env()
    shown_host = "localhost" if host in {"127.0.0.1", "0.0.0.0"} else host
    passthrough = _dev_passthrough(f"http://{shown_host}:{port}")
    runtime = await start_runtime(settings)
    endpoints: list[Endpoint] = []
    sources: list[SubgraphSource] = []
    specs = list(SUBGRAPHS.values())
    for index, spec in enumerate(specs):
        app = spec.build_app(runtime)
        # the runtime (shared by every subgraph app) closes with the last subgraph server
        served = serving_app(app, runtime) if index == len(specs) - 1 else app
        endpoints.append(Endpoint(spec.name, served, host, spec.port))
        url = f"http://{host}:{spec.port}/graphql"
        sources.append(SubgraphSource(name=spec.name, url=url, sdl=print_sdl(spec.build_schema())))

    result = compose(sources)
    if result.supergraph_sdl is None:
        details = "; ".join(f"[{e.code}] {e.subgraph}: {e.message}" for e in result.errors)
        raise PlatformStartError(f"composition failed: {details}")
    supergraph_path = settings.data_dir / "supergraph.graphql"
    supergraph_path.parent.mkdir(parents=True, exist_ok=True)
    supergraph_path.write_text(result.supergraph_sdl)

    router_config = load_config(
        supergraph=Path(supergraph_path),
        host=host,
        port=port,
        policies=_dev_policies(host),
        passthrough_routes=passthrough,
    )
    router_app = build_app(router_config)
    endpoints.append(Endpoint("router", router_app, host, port))

    backend = "embedded (SQLite per tenant, in-memory pub/sub)"
    if not settings.embedded:
        backend = "PostgreSQL" + (" + Redis" if settings.redis_url else "")
    typer.echo(f"SaaS platform ({backend}), data in {settings.data_dir.resolve()}")
    for endpoint in endpoints[:-1]:
        typer.echo(f"  subgraph {endpoint.name:<14} http://{shown_host}:{endpoint.port}/graphql")
    typer.secho(
        f"GraphQL API (router): http://{shown_host}:{port}/graphql   (GraphiQL in a browser)",
        fg=typer.colors.GREEN,
        bold=True,
    )
    typer.echo("Press Ctrl+C to stop.")
    # the worker (outbox relay, consumers, webhooks, scheduler) runs in the same process
    stop_worker = asyncio.Event()
    worker = asyncio.create_task(run_embedded_worker(runtime, stop_worker))
    try:
        await serve_all(endpoints, log_level=log_level)
    except OSError as exc:
        raise PlatformStartError(str(exc)) from exc
    finally:
        stop_worker.set()
        await asyncio.wait_for(worker, timeout=10)
