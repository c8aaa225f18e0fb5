"""Backup and restore of one tenant database.

PostgreSQL: `pg_dump -Fc` to a file; restore with `pg_restore` into a fresh database, check
its `tenant_identity`, then swap it in by renaming (the live database is untouched until the
restored copy is complete and belongs to the same tenant). SQLite: the sqlite3 backup API,
through a scratch file checked the same way.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from saas_platform.settings import Settings
from saas_platform.tenancy import servers
from subgraphs.kit.db import Database, is_sqlite_url
from subgraphs.tenants.errors import TenantNotFoundError
from subgraphs.tenants.models import DatabaseServer, Tenant
from subgraphs.tenants.repository import DatabaseServerRepository, TenantRepository


class BackupError(Exception):
    """pg_dump/pg_restore failed, or the backup belongs to another tenant."""


@dataclass(frozen=True, slots=True)
class TenantDatabase:
    tenant: Tenant
    server: DatabaseServer

    @property
    def url(self) -> str:
        return servers.tenant_database_url(self.server.url, self.tenant.database_name)


async def locate(control: Database, slug: str) -> TenantDatabase:
    async with control.session() as session:
        tenant = await TenantRepository(session).find_by_slug(slug)
        if tenant is None:
            raise TenantNotFoundError(tenant=slug)
        server = await DatabaseServerRepository(session).find_by_id(tenant.database_server_id)
    if server is None:
        raise TenantNotFoundError(tenant=slug)
    return TenantDatabase(tenant, server)


async def _run(*argv: str) -> None:
    env = {**os.environ, "PGCONNECT_TIMEOUT": "5"}
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        raise BackupError(f"{argv[0]} exited {process.returncode}: {stderr.decode()[-2000:]}")


def _sqlite_path(url: str) -> Path:
    return Path(url.split("///", 1)[1])


def _sqlite_copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _sqlite_identity(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT tenant_id FROM tenant_identity").fetchall()
    connection.close()
    return {str(row[0]) for row in rows}


async def backup_tenant(control: Database, slug: str, out: Path) -> Path:
    target = await locate(control, slug)
    out.parent.mkdir(parents=True, exist_ok=True)
    if is_sqlite_url(target.url):
        await asyncio.to_thread(_sqlite_copy, _sqlite_path(target.url), out)
        return out
    dsn = servers.libpq_dsn(target.url)
    await _run(shutil.which("pg_dump") or "pg_dump", "-Fc", "--no-owner", "-f", str(out), dsn)
    return out


async def restore_tenant(control: Database, settings: Settings, slug: str, source: Path) -> None:
    """Replace the tenant's data with the backup; refuses another tenant's backup."""
    if not await asyncio.to_thread(source.is_file):
        raise BackupError(f"no backup file at {source}")
    target = await locate(control, slug)
    if is_sqlite_url(target.url):
        await asyncio.to_thread(_restore_sqlite, target, source)
    else:
        await _restore_postgres(target, source, settings.db_connect_timeout)


def _restore_sqlite(target: TenantDatabase, source: Path) -> None:
    live = _sqlite_path(target.url)
    scratch = live.with_name(f"{live.stem}.restore-{uuid.uuid4().hex[:8]}.db")
    try:
        _sqlite_copy(source, scratch)
        _check_identity(_sqlite_identity(scratch), target.tenant)
        _sqlite_copy(scratch, live)
    finally:
        scratch.unlink(missing_ok=True)


def _check_identity(found: set[str], tenant: Tenant) -> None:
    if found != {str(tenant.id)}:
        raise BackupError(f"backup belongs to {sorted(found) or 'no tenant'}, not {tenant.slug}")


async def _restore_postgres(target: TenantDatabase, source: Path, connect_timeout: float) -> None:
    live = target.tenant.database_name
    fresh, old = f"{live}_restore", f"{live}_old"
    server_url = target.server.url
    await servers.drop_database(server_url, fresh, connect_timeout)
    await servers.create_database(
        server_url, fresh, template="template0", connect_timeout=connect_timeout
    )
    try:
        fresh_dsn = servers.libpq_dsn(servers.tenant_database_url(server_url, fresh))
        pg_restore = shutil.which("pg_restore") or "pg_restore"
        await _run(pg_restore, "--no-owner", "--exit-on-error", "-d", fresh_dsn, str(source))
        async with servers.admin_connection(servers.tenant_database_url(server_url, fresh)) as db:
            rows = await db.fetch("SELECT tenant_id FROM tenant_identity")
        _check_identity({str(r[0]) for r in rows}, target.tenant)
    except BaseException:
        await servers.drop_database(server_url, fresh, connect_timeout)
        raise
    await _swap(server_url, live, fresh, old, connect_timeout)


async def _swap(server_url: str, live: str, fresh: str, old: str, connect_timeout: float) -> None:
    await servers.drop_database(server_url, old, connect_timeout)
    async with servers.admin_connection(server_url, connect_timeout) as admin:
        # sessions on the live database would block the rename; pools reconnect (pre-ping)
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", live
        )
        await admin.execute(
            f"ALTER DATABASE {servers.quoted(live)} RENAME TO {servers.quoted(old)}"
        )
        await admin.execute(
            f"ALTER DATABASE {servers.quoted(fresh)} RENAME TO {servers.quoted(live)}"
        )
    await servers.drop_database(server_url, old, connect_timeout)
