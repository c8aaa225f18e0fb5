"""`saas-platform worker`: relay, consumers, webhook dispatcher and scheduler in one process."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import typer


def register(root: typer.Typer) -> None:
    root.command("worker")(worker)


def worker(
    roles: Annotated[
        str, typer.Option(help="Comma-separated: relay,consumers,webhooks,scheduler.")
    ] = "relay,consumers,webhooks,scheduler",
    name: Annotated[
        str | None, typer.Option(help="Consumer name prefix (stable across restarts).")
    ] = None,
) -> None:
    """Run the background worker until SIGINT/SIGTERM (Redis Streams when REDIS_URL is set)."""
    chosen = [r.strip() for r in roles.split(",") if r.strip()]
    asyncio.run(_run(chosen, name))


async def _run(roles: list[str], name: str | None) -> None:
    from saas_platform.settings import Settings
    from saas_platform.tenancy.runtime import start_runtime
    from saas_platform.worker.runner import build_worker

    settings = Settings.from_env()
    runtime = await start_runtime(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    backend = "Redis Streams" if settings.redis_url else "in-memory streams (no REDIS_URL)"
    typer.echo(f"worker: {', '.join(roles)} on {backend}")
    try:
        await build_worker(runtime, roles=roles, name=name).run(stop)
    finally:
        await runtime.aclose()
