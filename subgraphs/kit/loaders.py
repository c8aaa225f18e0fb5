"""Per-request dataloaders: `ctx.loaders.get(TicketsById).load(ticket_id)`.

A loader subclass implements `batch(session, keys) -> {key: value}`; the base runs it in its
own short read session and returns values in key order, None for misses.
"""

from __future__ import annotations

import abc
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.sessions import RequestSessions

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
L = TypeVar("L", bound="Loader[Any, Any]")

__all__ = ["Loader", "LoaderRegistry"]


class Loader(abc.ABC, Generic[K, V]):
    def __init__(self, sessions: RequestSessions) -> None:
        self.sessions = sessions
        self._loader: Any = DataLoader(batch_load_fn=self._batch)

    @abc.abstractmethod
    async def batch(self, session: AsyncSession, keys: Sequence[K]) -> Mapping[K, V]:
        """Load every key with one repository call."""

    async def _batch(self, keys: Sequence[K]) -> list[V | None]:
        async with self.sessions.read() as session:
            found = await self.batch(session, keys)
        return [found.get(key) for key in keys]

    async def load(self, key: K) -> V | None:
        value: V | None = await self._loader.load(key)
        return value

    def prime(self, key: K, value: V) -> None:
        self._loader.clear(key).prime(key, value)

    def clear(self, key: K) -> None:
        self._loader.clear(key)


class LoaderRegistry:
    """Loaders created lazily, once per request."""

    def __init__(self, sessions: RequestSessions) -> None:
        self._sessions = sessions
        self._loaders: dict[type[Any], Any] = {}

    def get(self, loader_type: type[L]) -> L:
        loader = self._loaders.get(loader_type)
        if loader is None:
            loader = self._loaders[loader_type] = loader_type(self._sessions)
        assert isinstance(loader, loader_type)
        return loader
