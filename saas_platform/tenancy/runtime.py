"""Bootstrap: the control database, default placement target and the process runtime."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from saas_platform.settings import Settings
from saas_platform.tenancy import servers
from saas_platform.tenancy.directory import ControlTenantDirectory
from saas_platform.tenancy.migrations import upgrade_control
from subgraphs.kit.context import ScopeResolver
from subgraphs.kit.db import Database, EngineOptions, TenantEngineRegistry, is_sqlite_url
from subgraphs.kit.runtime import Runtime
from subgraphs.tenants.models import DatabaseServer
from subgraphs.tenants.repository import DatabaseServerRepository

DEFAULT_SERVER = "default"


def tenant_engine_options(settings: Settings) -> EngineOptions:
    return EngineOptions(
        pool_size=settings.tenant_pool_size,
        max_overflow=settings.tenant_max_overflow,
        connect_timeout=settings.db_connect_timeout,
        command_timeout=settings.db_command_timeout,
        pool_timeout=settings.db_pool_timeout,
    )


def control_engine_options(settings: Settings) -> EngineOptions:
    return EngineOptions(
        pool_size=settings.control_pool_size,
        max_overflow=0,
        connect_timeout=settings.db_connect_timeout,
        command_timeout=settings.db_command_timeout,
        pool_timeout=settings.db_pool_timeout,
        application_name="saas-platform-control",
    )


def open_control(settings: Settings) -> Database:
    return Database.connect(settings.control_url, control_engine_options(settings))


async def prepare_control(settings: Settings) -> None:
    """Create the control database if missing, migrate it, register the default server."""
    url = settings.control_url
    if is_sqlite_url(url):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        (settings.data_dir / "tenants").mkdir(parents=True, exist_ok=True)
    else:
        name = make_url(url).database or "saas_control"
        await servers.create_database(
            settings.default_server_url, name, connect_timeout=settings.db_connect_timeout
        )
    await upgrade_control(url)
    control = open_control(settings)
    try:
        await ensure_default_server(control, settings)
    finally:
        await control.dispose()


async def ensure_default_server(control: Database, settings: Settings) -> None:
    async with control.transaction() as session:
        repository = DatabaseServerRepository(session)
        if await repository.list_all():
            return
        repository.add(DatabaseServer(name=DEFAULT_SERVER, url=settings.default_server_url))


def build_runtime(settings: Settings, redis: object | None = None) -> Runtime:
    """The process runtime. Redis is connected when REDIS_URL is set (else in-memory)."""
    control = open_control(settings)
    directory = ControlTenantDirectory(control)
    registry = TenantEngineRegistry(
        directory,
        budget=settings.connection_budget,
        options=tenant_engine_options(settings),
        acquire_timeout=settings.db_pool_timeout + settings.db_connect_timeout,
    )
    scopes = ScopeResolver(directory, trust_header=settings.trust_tenant_header)
    if redis is None and settings.redis_url:
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
    runtime = Runtime(control=control, tenants=registry, scopes=scopes, redis=redis)
    runtime.extras["settings"] = settings
    return runtime


def serving_app(app: Starlette, runtime: Runtime) -> ASGIApp:
    """Wrap a subgraph app so the server's lifespan closes the runtime at shutdown. With
    Redis, committed events wake the worker's relays (`kit.events.wake`) while serving."""

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        stop_announcing = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if runtime.redis is not None:
                    from subgraphs.kit.events.wake import start_wake_publisher

                    stop_announcing = start_wake_publisher(runtime.redis)[1]
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if stop_announcing is not None:
                    stop_announcing()
                await runtime.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    return asgi


async def start_runtime(settings: Settings) -> Runtime:
    """Prepare the control database and build the runtime (what `saas-platform dev` calls)."""
    await prepare_control(settings)
    runtime = build_runtime(settings)
    runtime.extras["settings"] = settings
    return runtime
