"""Scheduled jobs of the chat subgraph, for the worker's scheduler.

`chat_upkeep_job(tenants, sessions)` runs, per tenant, what every routing decision already
does on the way (`routing.dispatch`): agents whose presence heartbeat expired go OFFLINE and
their open conversations are requeued and routed again, snoozed conversations whose time
came reopen, and the queue is routed. Without it, these only happened when someone else's
action triggered routing. Realtime signals are published after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from subgraphs.chat.presence import PRESENCE_TTL_SECONDS
from subgraphs.chat.realtime import Signal, publish_all
from subgraphs.chat.service.common import ChatActor, Unit
from subgraphs.chat.service.routing import dispatch
from subgraphs.kit.db import write_transaction
from subgraphs.kit.events import SessionFactory, TenantSource
from subgraphs.kit.events.schedule import Every
from subgraphs.kit.events.scheduler import JobRun, ScheduledJob
from subgraphs.kit.ids import TenantId
from subgraphs.kit.pubsub import PubSub
from subgraphs.kit.scope import TenantScope

logger = logging.getLogger("subgraphs.chat.jobs")
UPKEEP_SECONDS = 15
SYSTEM = "system:chat-upkeep"


@dataclass(frozen=True, slots=True)
class SystemActor(ChatActor):
    """The scheduler acting: events it records name it as their actor."""

    @property
    def participant(self) -> str:
        return SYSTEM


def system_actor() -> SystemActor:
    return SystemActor(None, None, is_agent=False, reads_all=True, configures=False)


async def upkeep_tenant(
    sessions: SessionFactory,
    tenant_id: TenantId,
    *,
    now: datetime | None = None,
    presence_ttl: float = PRESENCE_TTL_SECONDS,
) -> list[Signal]:
    """One tenant's upkeep in one write transaction (`BEGIN IMMEDIATE` on SQLite); returns
    the signals to publish."""
    scope = TenantScope(tenant_id=tenant_id, slug="")
    async with write_transaction(sessions(tenant_id)) as session:
        unit = Unit(session, scope, system_actor(), presence_ttl=presence_ttl)
        if now is not None:
            unit.now = now
        await dispatch(unit)
        await session.flush()
        return unit.signals.drain()


def chat_upkeep_job(
    tenants: TenantSource, sessions: SessionFactory, pubsub: PubSub | None = None
) -> ScheduledJob:
    hub = pubsub

    async def run(job: JobRun) -> None:
        nonlocal hub
        now = datetime.now(UTC)
        for tenant_id in await tenants.active_tenants():
            try:
                signals = await upkeep_tenant(sessions, tenant_id, now=now)
                if signals:
                    hub = hub or PubSub.from_env()
                    await publish_all(hub, signals)
            except Exception:  # one tenant's failure must not stop the others
                logger.exception("chat upkeep failed for tenant %s", tenant_id)

    return ScheduledJob("chat.upkeep", Every(UPKEEP_SECONDS), run)
