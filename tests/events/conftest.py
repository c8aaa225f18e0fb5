"""Fixtures: provisioned tenants on PostgreSQL (or SQLite) and a throwaway Redis."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
for _name in [m for m in sys.modules if m == "subgraphs" or m.startswith("subgraphs.")]:
    if getattr(sys.modules[_name], "__file__", None) is None:
        del sys.modules[_name]

import tempfile  # noqa: E402
from collections.abc import AsyncIterator, Iterator  # noqa: E402
from contextlib import AbstractAsyncContextManager  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import pytest  # noqa: E402
from redis.asyncio import Redis  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from saas_platform.tenancy.directory import ControlTenantDirectory  # noqa: E402
from saas_platform.tenancy.provisioning import Provisioner  # noqa: E402
from saas_platform.tenancy.testing import TenancyEnv, tenancy_env  # noqa: E402
from saas_platform.worker.tenants import ControlTenantSource  # noqa: E402
from subgraphs.kit.db import TenantEngineRegistry  # noqa: E402
from subgraphs.kit.ids import TenantId  # noqa: E402
from tests.conftest import POSTGRES_URL, REDIS_URL  # noqa: E402
from tests.events.redis_server import ThrowawayRedis  # noqa: E402

TABLES = [
    "event_outbox",
    "processed_events",
    "background_jobs",
    "webhook_attempts",
    "webhook_deliveries",
    "webhook_endpoints",
]


@dataclass
class World:
    env: TenancyEnv
    registry: TenantEngineRegistry
    source: ControlTenantSource
    tenants: list[TenantId]

    def session(self, tenant_id: TenantId) -> AbstractAsyncContextManager[AsyncSession]:
        return self.registry.session(tenant_id)

    async def clean(self) -> None:
        for tenant_id in self.tenants:
            async with self.session(tenant_id) as session, session.begin():
                for table in TABLES:
                    await session.execute(text(f"DELETE FROM {table}"))

    async def count(self, tenant_id: TenantId, sql: str) -> int:
        async with self.session(tenant_id) as session:
            return int((await session.execute(text(sql))).scalar_one())


async def _build_world(backend: str, admin: str | None) -> AsyncIterator[World]:
    data = Path(tempfile.mkdtemp(prefix="events-world-"))
    async with tenancy_env(backend, data, admin) as env:
        provisioner = Provisioner(env.control, env.settings)
        tenants = [
            TenantId((await provisioner.create_tenant(slug, slug.title())).id)
            for slug in ("alpha", "beta", "gamma")
        ]
        registry = TenantEngineRegistry(ControlTenantDirectory(env.control), budget=20)
        try:
            yield World(env, registry, ControlTenantSource(env.control, 0.0), tenants)
        finally:
            await registry.aclose()


@pytest.fixture(scope="session")
async def _pg_world(postgres_available: bool) -> AsyncIterator[World | None]:
    if not postgres_available:
        yield None
        return
    async for world in _build_world("postgres", POSTGRES_URL):
        yield world


@pytest.fixture(scope="session")
async def _sqlite_world() -> AsyncIterator[World]:
    async for world in _build_world("sqlite", None):
        yield world


@pytest.fixture
async def world(postgres_url: str, _pg_world: World | None) -> World:
    """Three ACTIVE tenants on PostgreSQL, their event tables emptied before each test."""
    assert _pg_world is not None
    await _pg_world.clean()
    return _pg_world


@pytest.fixture
async def sqlite_world(_sqlite_world: World) -> World:
    await _sqlite_world.clean()
    return _sqlite_world


@pytest.fixture(scope="session")
def throwaway() -> Iterator[ThrowawayRedis | None]:
    try:
        server = ThrowawayRedis()
    except FileNotFoundError:
        yield None
        return
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
async def redis(redis_url: str, throwaway: ThrowawayRedis | None) -> AsyncIterator[Redis]:
    """A flushed Redis: the throwaway server when redis-server exists, else db 15 of REDIS_URL."""
    url = throwaway.url if throwaway is not None else REDIS_URL.rsplit("/", 1)[0] + "/15"
    if throwaway is not None and (throwaway.process is None or throwaway.process.poll()):
        throwaway.start()
    client = Redis.from_url(url, socket_timeout=5)
    await client.flushdb()
    try:
        yield client
    finally:
        await client.aclose()
