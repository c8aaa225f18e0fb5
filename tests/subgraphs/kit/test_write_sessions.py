"""Write sessions begin as write transactions: `BEGIN IMMEDIATE` on SQLite, plain on PostgreSQL.

A deferred SQLite transaction that reads, then writes cannot upgrade once another writer has
committed ("database is locked"); the kit's write sessions take the write lock up front instead.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SAWarning
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.db import (
    SQLITE_BEGIN,
    Database,
    EngineOptions,
    begin_write,
    write_transaction,
)
from subgraphs.kit.sessions import RequestSessions

WRITERS = 8
GUARD = 30.0  # deadlock guard only: every awaited step here finishes in milliseconds


async def _counter_database(url: str, options: EngineOptions) -> Database:
    database = Database.connect(url, options)
    async with database.transaction() as session:
        await session.execute(text("DROP TABLE IF EXISTS counter"))
        await session.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)"))
        await session.execute(text("INSERT INTO counter (id, value) VALUES (1, 0)"))
    return database


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kit.db'}"
    database = await _counter_database(url, EngineOptions(pool_size=WRITERS))
    yield database
    await database.dispose()


@pytest.fixture
async def postgres_db(postgres_url: str) -> AsyncIterator[Database]:
    name = f"kit_writes_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres_url, timeout=3)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = make_url(postgres_url).set(drivername="postgresql+asyncpg", database=name)
    database = await _counter_database(
        url.render_as_string(hide_password=False), EngineOptions(pool_size=WRITERS)
    )
    yield database
    await database.dispose()
    admin = await asyncpg.connect(postgres_url, timeout=3)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _read(session: AsyncSession) -> int:
    return int((await session.execute(text("SELECT value FROM counter WHERE id = 1"))).scalar_one())


async def _read_then_increment(session: AsyncSession) -> None:
    value = await _read(session)
    await asyncio.sleep(0)  # a yield, so that other writers' reads interleave with this one
    await session.execute(text("UPDATE counter SET value = :v WHERE id = 1"), {"v": value + 1})


async def _request_write(database: Database) -> None:
    sessions = RequestSessions(database.session)
    try:
        await _read_then_increment(await sessions.write())
    except BaseException:
        await sessions.close(commit=False)
        raise
    await sessions.close(commit=True)


async def _transaction_write(database: Database) -> None:
    async with write_transaction(database.session()) as session:
        await _read_then_increment(session)


async def _count(database: Database) -> int:
    async with database.session() as session:
        return await _read(session)


def _statements(database: Database) -> list[str]:
    seen: list[str] = []

    @event.listens_for(database.engine.sync_engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    return seen


@pytest.mark.parametrize("write", [_request_write, _transaction_write])
async def test_concurrent_read_then_write_sessions_on_sqlite_all_commit(
    sqlite_db: Database, write: Callable[[Database], Any]
) -> None:
    results = await asyncio.wait_for(
        asyncio.gather(*(write(sqlite_db) for _ in range(WRITERS)), return_exceptions=True), GUARD
    )
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert await _count(sqlite_db) == WRITERS


async def test_write_sessions_begin_immediate_and_read_sessions_deferred(
    sqlite_db: Database,
) -> None:
    seen = _statements(sqlite_db)
    sessions = RequestSessions(sqlite_db.session)
    async with sessions.read() as session:
        await _read(session)
    await sessions.write()
    await sessions.close(commit=True)
    async with sqlite_db.transaction() as session:
        await _read(session)
    begins = [s for s in seen if s.startswith("BEGIN")]
    assert begins == ["BEGIN", "BEGIN IMMEDIATE", "BEGIN IMMEDIATE"]


async def test_the_write_lock_is_held_from_write_and_readers_still_run(
    sqlite_db: Database, tmp_path: Path
) -> None:
    writer = RequestSessions(sqlite_db.session)
    impatient = Database.connect(
        f"sqlite+aiosqlite:///{tmp_path / 'kit.db'}", EngineOptions(command_timeout=0.05)
    )
    try:
        session = await writer.write()  # no statement yet: the lock comes with the BEGIN
        with pytest.raises(OperationalError, match="database is locked"):
            async with write_transaction(impatient.session()) as other:
                await _read(other)
        await session.execute(text("UPDATE counter SET value = 41 WHERE id = 1"))
        # WAL: readers see the last committed value while the writer holds the lock
        reader = RequestSessions(impatient.session)
        async with reader.read() as read_session:
            assert await asyncio.wait_for(_read(read_session), GUARD) == 0
        await writer.close(commit=True)
        async with reader.read() as read_session:
            assert await _read(read_session) == 41
    finally:
        await writer.close(commit=False)
        await impatient.dispose()


async def test_begin_write_after_the_first_statement_is_refused(sqlite_db: Database) -> None:
    async with sqlite_db.session() as session, session.begin():
        await _read(session)
        with pytest.warns(SAWarning), pytest.raises(RuntimeError, match="first statement"):
            await begin_write(session)


async def test_an_unknown_sqlite_begin_mode_is_refused(sqlite_db: Database) -> None:
    async with sqlite_db.session() as session:
        with pytest.raises(ValueError, match="transaction mode"):
            await session.connection(execution_options={SQLITE_BEGIN: "NOW; DROP TABLE counter"})
    assert await _count(sqlite_db) == 0


@pytest.mark.postgres
async def test_postgres_write_sessions_do_not_serialise(postgres_db: Database) -> None:
    async with postgres_db.transaction() as session:
        await session.execute(text("INSERT INTO counter (id, value) VALUES (2, 0)"))
    first = RequestSessions(postgres_db.session)
    try:
        session = await first.write()
        await session.execute(text("UPDATE counter SET value = 1 WHERE id = 1"))
        # another write session commits on another row while the first is still open
        second = RequestSessions(postgres_db.session)
        other = await asyncio.wait_for(second.write(), GUARD)
        await other.execute(text("UPDATE counter SET value = 7 WHERE id = 2"))
        await asyncio.wait_for(second.close(commit=True), GUARD)
        await first.close(commit=True)
    finally:
        await first.close(commit=False)
    async with postgres_db.session() as session:
        rows = (await session.execute(text("SELECT id, value FROM counter ORDER BY id"))).all()
    assert [tuple(r) for r in rows] == [(1, 1), (2, 7)]


@pytest.mark.postgres
async def test_postgres_locked_read_then_write_sessions_all_commit(postgres_db: Database) -> None:
    async def write() -> None:
        sessions = RequestSessions(postgres_db.session)
        session = await sessions.write()
        statement = text("SELECT value FROM counter WHERE id = 1 FOR UPDATE")
        value = int((await session.execute(statement)).scalar_one())
        await session.execute(text("UPDATE counter SET value = :v WHERE id = 1"), {"v": value + 1})
        await sessions.close(commit=True)

    await asyncio.wait_for(asyncio.gather(*(write() for _ in range(WRITERS))), GUARD)
    assert await _count(postgres_db) == WRITERS
