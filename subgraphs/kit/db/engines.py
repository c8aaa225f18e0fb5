"""Engine factory with explicit timeouts, for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

__all__ = [
    "SQLITE_BEGIN",
    "WRITE_OPTIONS",
    "Database",
    "EngineOptions",
    "begin_write",
    "create_database_engine",
    "is_sqlite_url",
    "write_transaction",
]

SQLITE_BEGIN = "sqlite_begin"
"""Execution option naming the SQLite transaction mode (`DEFERRED`, `IMMEDIATE`, `EXCLUSIVE`)
that the engine's `begin` listener puts after `BEGIN`; other dialects ignore it."""
WRITE_OPTIONS = {SQLITE_BEGIN: "IMMEDIATE"}
_BEGIN_MODES = frozenset({"", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"})


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """Pool and timeout settings; `pool_size + max_overflow` is one engine's connection cap."""

    pool_size: int = 2
    max_overflow: int = 0
    connect_timeout: float = 3.0
    command_timeout: float = 10.0
    pool_timeout: float = 2.0
    pool_recycle: int = 1800
    application_name: str = "saas-platform"
    null_pool: bool = False

    @property
    def max_connections(self) -> int:
        return 1 if self.null_pool else self.pool_size + self.max_overflow


def is_sqlite_url(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _pool_args(options: EngineOptions) -> dict[str, Any]:
    if options.null_pool:
        return {"poolclass": NullPool}
    return {
        "pool_size": options.pool_size,
        "max_overflow": options.max_overflow,
        "pool_timeout": options.pool_timeout,
        "pool_recycle": options.pool_recycle,
        "pool_pre_ping": True,
    }


def create_database_engine(url: str, options: EngineOptions | None = None) -> AsyncEngine:
    """An AsyncEngine whose every wait is bounded (connect, command, pool checkout)."""
    options = options or EngineOptions()
    if is_sqlite_url(url):
        engine = create_async_engine(
            url, connect_args={"timeout": options.command_timeout}, **_pool_args(options)
        )
        _configure_sqlite(engine)
        return engine
    connect_args = {
        "timeout": options.connect_timeout,
        "command_timeout": options.command_timeout,
        "server_settings": {"application_name": options.application_name},
    }
    return create_async_engine(url, connect_args=connect_args, **_pool_args(options))


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, and transactional DDL (SQLAlchemy's pysqlite recipe)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # let SQLAlchemy emit BEGIN itself, so DDL runs inside the transaction too
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = str(connection.get_execution_options().get(SQLITE_BEGIN, "")).upper()
        if mode not in _BEGIN_MODES:
            raise ValueError(f"unknown SQLite transaction mode {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


async def begin_write(session: AsyncSession) -> None:
    """Begin `session`'s transaction as a write transaction, before its first statement.

    On SQLite that is `BEGIN IMMEDIATE`: the database's write lock is taken up front, waiting
    up to the busy timeout for another writer, so a transaction that reads then writes never
    fails with "database is locked" (a deferred one that read first cannot upgrade once
    another writer committed). Read sessions stay deferred and, with WAL, run concurrently
    with the writer. On PostgreSQL a plain `BEGIN`: rows are locked by the statements.
    """
    connection = await session.connection(execution_options=WRITE_OPTIONS)
    options = (
        connection.sync_connection.get_execution_options() if connection.sync_connection else {}
    )
    if options.get(SQLITE_BEGIN) != WRITE_OPTIONS[SQLITE_BEGIN]:  # began as a read: too late
        raise RuntimeError("begin_write() after the transaction's first statement")


@asynccontextmanager
async def write_transaction(
    opened: AbstractAsyncContextManager[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """`async with write_transaction(sessions(tenant_id)) as session:` a write transaction on
    a freshly opened session, committed on success and rolled back on error."""
    async with opened as session, session.begin():
        await begin_write(session)
        yield session


class Database:
    """One database behind one engine: `transaction()` commits on success, rolls back on error."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def connect(cls, url: str, options: EngineOptions | None = None) -> Database:
        return cls(create_database_engine(url, options))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write transaction (`BEGIN IMMEDIATE` on SQLite, see `begin_write`)."""
        async with write_transaction(self.sessionmaker()) as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
