"""Collaborators of the chat subgraph, built once per process by `build_app`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.chat.presence import PresenceStore
from subgraphs.chat.realtime import Fanout
from subgraphs.kit.pubsub import PubSub

TenantOpener = Callable[[uuid.UUID], AbstractAsyncContextManager[AsyncSession]]


@dataclass
class ChatDeps:
    pubsub: PubSub
    presence: PresenceStore
    open_tenant: TenantOpener | None = None  # sessions for anonymous contacts (target tenant)
    fanout: Fanout | None = None

    def channels(self) -> Fanout:
        """The process's fan-out over `pubsub` (created on first use)."""
        if self.fanout is None or self.fanout.pubsub is not self.pubsub:
            self.fanout = Fanout(self.pubsub)
        return self.fanout

    presence_ttl: float = 60.0  # seconds without a heartbeat before an agent counts offline
