"""Database servers as placement targets: create, test and drop tenant databases.

A server URL is either a PostgreSQL admin URL (`postgresql+asyncpg://.../postgres`) or, on the
embedded default, a folder of SQLite files (`sqlite+aiosqlite:////abs/data/tenants`).
PostgreSQL admin statements (`CREATE DATABASE` cannot run in a transaction) go through a plain
asyncpg connection with explicit timeouts.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from subgraphs.kit.db import is_sqlite_url

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
DUPLICATE_DATABASE = "42P04"

__all__ = [
    "ServerUnreachableError",
    "create_database",
    "database_exists",
    "drop_database",
    "list_databases",
    "tenant_database_url",
]


class ServerUnreachableError(Exception):
    """The database server did not accept a connection in time."""


def quoted(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"unsafe database name {name!r}")
    return f'"{name}"'


def sqlite_folder(server_url: str) -> Path:
    return Path(make_url(server_url).database or ".")


def tenant_database_url(server_url: str, database_name: str) -> str:
    if is_sqlite_url(server_url):
        return f"sqlite+aiosqlite:///{sqlite_folder(server_url) / database_name}.db"
    return make_url(server_url).set(database=database_name).render_as_string(hide_password=False)


def libpq_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def admin_connection(
    server_url: str, connect_timeout: float = 3.0
) -> AsyncIterator[asyncpg.Connection]:
    try:
        connection = await asyncpg.connect(libpq_dsn(server_url), timeout=connect_timeout)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        # refused, timed out, starting up, or refusing our credentials: unusable either way
        raise ServerUnreachableError(f"{type(exc).__name__}: {exc}") from exc
    try:
        yield connection
    finally:
        await connection.close()


def _sqlite_files(server_url: str, name: str) -> list[Path]:
    base = sqlite_folder(server_url) / f"{name}.db"
    return [base, base.with_name(base.name + "-wal"), base.with_name(base.name + "-shm")]


async def database_exists(server_url: str, name: str, connect_timeout: float = 3.0) -> bool:
    if is_sqlite_url(server_url):
        return _sqlite_files(server_url, name)[0].exists()
    async with admin_connection(server_url, connect_timeout) as connection:
        found = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        return found is not None


async def create_database(
    server_url: str, name: str, *, template: str | None = None, connect_timeout: float = 3.0
) -> bool:
    """Create the database unless it exists; True when this call created it."""
    if is_sqlite_url(server_url):
        path = _sqlite_files(server_url, name)[0]
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            return False
        path.touch()
        return True
    async with admin_connection(server_url, connect_timeout) as connection:
        if await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        statement = f"CREATE DATABASE {quoted(name)}"
        if template is not None:
            statement += f" TEMPLATE {quoted(template)}"
        try:
            await connection.execute(statement)
        except asyncpg.exceptions.DuplicateDatabaseError:
            return False
        return True


async def drop_database(server_url: str, name: str, connect_timeout: float = 3.0) -> bool:
    if is_sqlite_url(server_url):
        files = _sqlite_files(server_url, name)
        existed = files[0].exists()
        for path in files:
            with suppress(FileNotFoundError):
                path.unlink()
        return existed
    async with admin_connection(server_url, connect_timeout) as connection:
        is_template = await connection.fetchval(
            "SELECT datistemplate FROM pg_database WHERE datname = $1", name
        )
        if is_template is None:
            return False
        if is_template:
            await connection.execute(f"ALTER DATABASE {quoted(name)} IS_TEMPLATE false")
        await connection.execute(f"DROP DATABASE IF EXISTS {quoted(name)} WITH (FORCE)")
        return True


async def list_databases(server_url: str, prefix: str, connect_timeout: float = 3.0) -> list[str]:
    if is_sqlite_url(server_url):
        folder = sqlite_folder(server_url)
        files = folder.glob(f"{prefix}*.db") if folder.exists() else []
        return sorted(p.stem for p in files)
    async with admin_connection(server_url, connect_timeout) as connection:
        rows = await connection.fetch(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1", prefix
        )
        return [row[0] for row in rows]


async def run_admin(server_url: str, statement: str, connect_timeout: float = 3.0) -> None:
    async with admin_connection(server_url, connect_timeout) as connection:
        await asyncio.wait_for(connection.execute(statement), connect_timeout * 10)
