"""Test support: an isolated tenancy environment per test, on SQLite or PostgreSQL.

Every PostgreSQL database it creates shares a random `t_test_<hex>_` prefix and is dropped at
the end, control database included.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from saas_platform.settings import Settings, normalize_database_url
from saas_platform.tenancy import servers
from saas_platform.tenancy.runtime import open_control, prepare_control
from subgraphs.kit.db import Database

DEAD_SERVER_URL = "postgresql+asyncpg://postgres@127.0.0.1:1/postgres"
# one migrated template per test session, shared by its isolated environments
SESSION_TEMPLATE_PREFIX = f"t_test_{secrets.token_hex(4)}_"


@dataclass
class TenancyEnv:
    backend: str
    settings: Settings
    control: Database

    @property
    def prefix(self) -> str:
        return self.settings.tenant_db_prefix

    async def databases(self) -> list[str]:
        """Tenant databases on the default server (control and templates excluded)."""
        if self.backend == "sqlite":
            folder = self.settings.data_dir / "tenants"
            return sorted(p.stem for p in folder.glob("*.db"))
        names = await servers.list_databases(self.settings.default_server_url, self.prefix)
        return [n for n in names if n != f"{self.prefix}control" and "_tpl_" not in n]


def isolated_settings(
    backend: str, data_dir: Path, postgres_admin_url: str | None = None, **overrides: Any
) -> Settings:
    prefix = f"t_test_{secrets.token_hex(4)}_"
    database_url = None
    if backend == "postgres":
        assert postgres_admin_url is not None
        url = make_url(normalize_database_url(postgres_admin_url)).set(database=f"{prefix}control")
        database_url = url.render_as_string(hide_password=False)
    settings = Settings(
        database_url=database_url,
        data_dir=data_dir,
        tenant_db_prefix=prefix,
        template_db_prefix=SESSION_TEMPLATE_PREFIX,
    )
    return dataclasses.replace(settings, **overrides)


async def drop_prefixed(settings: Settings, prefix: str | None = None) -> None:
    """Drop every database named `prefix*` (default: the environment's tenant prefix)."""
    if settings.embedded:
        return
    server = settings.default_server_url
    gate = asyncio.Semaphore(24)

    async def drop(name: str) -> None:
        async with gate:
            await servers.drop_database(server, name)

    names = await servers.list_databases(server, prefix or settings.tenant_db_prefix)
    await asyncio.gather(*(drop(n) for n in names))


@asynccontextmanager
async def tenancy_env(
    backend: str,
    data_dir: Path,
    postgres_admin_url: str | None = None,
    *,
    drop_at_exit: bool = True,
    **overrides: Any,
) -> AsyncIterator[TenancyEnv]:
    """`drop_at_exit=False` leaves dropping to the caller (`drop_prefixed(env.settings)`):
    each DROP DATABASE forces a checkpoint, so big runs defer it to the session's end."""
    settings = isolated_settings(backend, data_dir, postgres_admin_url, **overrides)
    try:
        await prepare_control(settings)
        control = open_control(settings)
        try:
            yield TenancyEnv(backend, settings, control)
        finally:
            await control.dispose()
    finally:
        if drop_at_exit:
            await drop_prefixed(settings)


async def drop_session_templates(postgres_admin_url: str) -> None:
    """Drop the session's shared template databases (at the end of a test session)."""
    url = normalize_database_url(postgres_admin_url)
    settings = Settings(database_url=url, tenant_db_prefix=SESSION_TEMPLATE_PREFIX)
    await drop_prefixed(settings, SESSION_TEMPLATE_PREFIX)
