"""Per-request database sessions: short read sessions, one write session per request."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.db.engines import begin_write
from subgraphs.kit.errors import TenantRequiredError

__all__ = ["RequestSessions", "SessionOpener"]

SessionOpener = Callable[[], AbstractAsyncContextManager[AsyncSession]]


class RequestSessions:
    """Sessions of one request.

    graphql-core resolves sibling fields concurrently and an AsyncSession must not be shared
    across tasks, so every `read()` is its own short session. A mutation uses `write()`, one
    session for the request, committed or rolled back by the kit at the request boundary;
    services never commit. The write session's transaction begins at `write()` as a write
    transaction (`BEGIN IMMEDIATE` on SQLite, see `kit.db.begin_write`); reads stay deferred.
    """

    def __init__(self, opener: SessionOpener | None) -> None:
        self._opener = opener
        self._stack = AsyncExitStack()
        self._write: AsyncSession | None = None
        self._after_commit: list[Callable[[], Awaitable[None]]] = []
        self.rollback_only = False

    def _open(self) -> AbstractAsyncContextManager[AsyncSession]:
        if self._opener is None:
            raise TenantRequiredError()
        return self._opener()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._open() as session:
            yield session

    async def write(self) -> AsyncSession:
        if self._write is None:
            session = await self._stack.enter_async_context(self._open())
            await begin_write(session)
            self._write = session
        return self._write

    def after_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run `callback` once the request's write session has committed (cache
        invalidation, events); never when it rolls back."""
        self._after_commit.append(callback)

    async def close(self, *, commit: bool) -> None:
        session, self._write = self._write, None
        committed = False
        try:
            if session is not None:
                if commit and not self.rollback_only:
                    await session.commit()
                    committed = True
                else:
                    await session.rollback()
        finally:
            await self._stack.aclose()
        callbacks, self._after_commit = self._after_commit, []
        if committed:
            for callback in callbacks:
                await callback()
