"""Per-tenant engine registry: bounded connections however many tenants are active.

Each tenant gets a small engine (`pool_size + max_overflow` connections at most). The registry
keeps at most `budget // per_engine` engines alive, counting engines being created and evicted
engines still draining, so the sum of every pool stays within the budget. A process-wide
semaphore of `budget` permits is taken before a session checks out a connection and released
when it closes. Least-recently-used engines are evicted; an evicted engine is disposed once its
in-flight sessions finish. A new engine checks the database's `tenant_identity` row before its
first use and refuses to serve a database that belongs to another tenant (fail closed).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from subgraphs.kit.db.engines import EngineOptions, create_database_engine
from subgraphs.kit.errors import DatabaseUnavailableError, TenantNotFoundError
from subgraphs.kit.ids import TenantId

__all__ = [
    "RegistryStats",
    "TenantDirectory",
    "TenantEngineRegistry",
    "TenantIdentityError",
    "TenantLocation",
]

ACTIVE = "ACTIVE"


@dataclass(frozen=True, slots=True)
class TenantLocation:
    """Where a tenant's database lives, as the control database records it."""

    tenant_id: TenantId
    slug: str
    status: str
    database_url: str


class TenantDirectory(Protocol):
    """Port to the control database: a tenant's slug, status and database URL."""

    async def locate(self, tenant_id: TenantId) -> TenantLocation | None: ...


class TenantIdentityError(Exception):
    """The database's `tenant_identity` row names another tenant, or is missing."""


@dataclass(slots=True)
class RegistryStats:
    engines_created: int = 0
    engines_evicted: int = 0
    engines_disposed: int = 0
    peak_sessions: int = 0
    sessions: int = 0


@dataclass(eq=False, slots=True)
class _Entry:
    tenant_id: TenantId
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    in_flight: int = 0
    evicted: bool = False


@dataclass(slots=True)
class _State:
    engines: OrderedDict[TenantId, _Entry] = field(default_factory=OrderedDict)
    draining: set[_Entry] = field(default_factory=set)
    creating: set[TenantId] = field(default_factory=set)

    @property
    def slots(self) -> int:
        return len(self.engines) + len(self.draining) + len(self.creating)


class TenantEngineRegistry:
    def __init__(
        self,
        directory: TenantDirectory,
        *,
        budget: int = 40,
        options: EngineOptions | None = None,
        acquire_timeout: float = 5.0,
    ) -> None:
        self.options = options or EngineOptions()
        per_engine = self.options.max_connections
        if per_engine > budget:
            raise ValueError(f"one engine may open {per_engine} connections, budget is {budget}")
        self.budget = budget
        self.max_engines = budget // per_engine
        self.stats = RegistryStats()
        self._directory = directory
        self._acquire_timeout = acquire_timeout
        self._permits = asyncio.Semaphore(budget)
        self._changed = asyncio.Condition()
        self._state = _State()
        self._tasks: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def session(self, tenant_id: TenantId) -> AsyncIterator[AsyncSession]:
        """A session on the tenant's database, holding one budget permit while open."""
        try:
            await asyncio.wait_for(self._permits.acquire(), self._acquire_timeout)
        except TimeoutError as exc:
            raise DatabaseUnavailableError(reason="connection budget exhausted") from exc
        self.stats.sessions += 1
        self.stats.peak_sessions = max(self.stats.peak_sessions, self.stats.sessions)
        try:
            entry = await self._checkout(tenant_id)
            try:
                async with entry.sessionmaker() as session:
                    yield session
            finally:
                await self._checkin(entry)
        finally:
            self.stats.sessions -= 1
            self._permits.release()

    @property
    def engine_count(self) -> int:
        return len(self._state.engines)

    async def evict(self, tenant_id: TenantId) -> None:
        """Forget a tenant's engine (suspension, restore, purge); disposed once idle."""
        async with self._changed:
            entry = self._state.engines.get(tenant_id)
            if entry is not None:
                self._retire(entry)
        await self._drain_tasks()

    async def aclose(self) -> None:
        async with self._changed:
            for entry in list(self._state.engines.values()):
                self._retire(entry)
        await self._drain_tasks()

    async def _drain_tasks(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    async def _checkout(self, tenant_id: TenantId) -> _Entry:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._acquire_timeout
        async with self._changed:
            while True:
                entry = self._state.engines.get(tenant_id)
                if entry is not None:
                    self._state.engines.move_to_end(tenant_id)
                    entry.in_flight += 1
                    return entry
                if tenant_id not in self._state.creating:
                    if self._state.slots < self.max_engines:
                        self._state.creating.add(tenant_id)
                        break
                    if self._evict_idle():
                        continue
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise DatabaseUnavailableError(reason="no engine slot freed in time")
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError as exc:
                    raise DatabaseUnavailableError(reason="no engine slot freed in time") from exc
        return await self._create(tenant_id)

    async def _create(self, tenant_id: TenantId) -> _Entry:
        engine: AsyncEngine | None = None
        try:
            location = await self._directory.locate(tenant_id)
            if location is None:
                raise TenantNotFoundError(tenant=str(tenant_id))
            engine = create_database_engine(location.database_url, self.options)
            await _verify_identity(engine, tenant_id)
        except BaseException:
            if engine is not None:
                await engine.dispose()
            async with self._changed:
                self._state.creating.discard(tenant_id)
                self._changed.notify_all()
            raise
        entry = _Entry(tenant_id, engine, async_sessionmaker(engine, expire_on_commit=False))
        entry.in_flight = 1
        async with self._changed:
            self._state.creating.discard(tenant_id)
            self._state.engines[tenant_id] = entry
            self.stats.engines_created += 1
            self._changed.notify_all()
        return entry

    async def _checkin(self, entry: _Entry) -> None:
        async with self._changed:
            entry.in_flight -= 1
            if entry.evicted and entry.in_flight == 0:
                self._schedule_dispose(entry)
            self._changed.notify_all()

    def _evict_idle(self) -> bool:
        """Retire the least recently used idle engine; False when every engine is busy."""
        for entry in self._state.engines.values():
            if entry.in_flight == 0:
                self._retire(entry)
                return True
        return False

    def _retire(self, entry: _Entry) -> None:
        del self._state.engines[entry.tenant_id]
        entry.evicted = True
        self.stats.engines_evicted += 1
        self._state.draining.add(entry)
        if entry.in_flight == 0:
            self._schedule_dispose(entry)

    def _schedule_dispose(self, entry: _Entry) -> None:
        task = asyncio.get_running_loop().create_task(self._dispose(entry))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _dispose(self, entry: _Entry) -> None:
        try:
            await entry.engine.dispose()
        finally:
            async with self._changed:
                self._state.draining.discard(entry)
                self.stats.engines_disposed += 1
                self._changed.notify_all()


async def _verify_identity(engine: AsyncEngine, tenant_id: TenantId) -> None:
    try:
        connection = await engine.connect()
    except (DBAPIError, OSError, TimeoutError) as exc:
        raise DatabaseUnavailableError(reason=type(exc).__name__) from exc
    try:
        rows = (await connection.execute(text("SELECT tenant_id FROM tenant_identity"))).all()
    except DBAPIError as exc:
        raise TenantIdentityError(f"no readable tenant_identity for {tenant_id}") from exc
    finally:
        await connection.close()
    found = {str(row[0]) for row in rows}
    if found != {str(tenant_id)}:
        raise TenantIdentityError(f"database identity {sorted(found)} is not tenant {tenant_id}")
