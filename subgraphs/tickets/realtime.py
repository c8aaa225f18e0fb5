"""Realtime: committed ticket events fan out on tenant channels; presence for collisions.

`install(pubsub)` subscribes to the outbox's in-process hub (events arrive only after their
transaction committed) and republishes ticket events on `t:{tenant}:tickets`, through
broadcaster (memory:// in one process, redis:// across processes). Subscriptions re-read the
ticket for each event, so what a subscriber receives always equals a fresh query.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from subgraphs.kit.context import TenantScope
from subgraphs.kit.events import Event, local_hub
from subgraphs.kit.pubsub import PubSub, channel
from subgraphs.tickets.events import DOMAIN, CommentAdded, TicketsMerged

logger = logging.getLogger("subgraphs.tickets.realtime")


@dataclass(frozen=True, slots=True)
class TicketMessage:
    type: str
    ticket_ids: tuple[uuid.UUID, ...]
    internal: bool  # an internal note: never shown to requesters


def tickets_channel(tenant_id: uuid.UUID) -> str:
    return channel(tenant_id, "tickets")


def presence_channel(tenant_id: uuid.UUID, ticket_id: uuid.UUID) -> str:
    return channel(tenant_id, "presence", ticket_id)


def message_of(event: Event) -> TicketMessage | None:
    if event.domain != DOMAIN:
        return None
    if isinstance(event, TicketsMerged):
        targets: tuple[uuid.UUID, ...] = (event.source_id, event.target_id)
    else:
        ticket_id = getattr(event, "ticket_id", None)
        if ticket_id is None:
            return None
        targets = (ticket_id,)
    internal = isinstance(event, CommentAdded) and not event.public
    return TicketMessage(event.event_type.removeprefix("tickets."), targets, internal)


def encode(message: TicketMessage) -> str:
    return orjson.dumps(
        {
            "type": message.type,
            "ids": [str(i) for i in message.ticket_ids],
            "internal": message.internal,
        }
    ).decode()


def decode(raw: str) -> TicketMessage:
    data = orjson.loads(raw)
    ids = tuple(uuid.UUID(i) for i in data["ids"])
    return TicketMessage(str(data["type"]), ids, bool(data["internal"]))


async def publish_event(pubsub: PubSub, event: Event) -> None:
    message = message_of(event)
    if message is None:
        return
    await pubsub.publish(tickets_channel(event.tenant_id), encode(message))


def install(pubsub: PubSub) -> Callable[[], None]:
    """Republish committed ticket events of this process; returns the unsubscribe."""

    def on_event(event: Event) -> object:
        if event.domain != DOMAIN:
            return None
        return publish_event(pubsub, event)

    return local_hub.subscribe(on_event)  # type: ignore[arg-type]


async def ticket_messages(pubsub: PubSub, scope: TenantScope) -> AsyncIterator[TicketMessage]:
    async for raw in pubsub.subscribe(tickets_channel(scope.tenant_id)):
        try:
            yield decode(raw)
        except (ValueError, KeyError, TypeError):
            logger.warning("dropping a malformed ticket message")


async def publish_presence(
    pubsub: PubSub, scope: TenantScope, ticket_id: uuid.UUID, user_id: uuid.UUID, state: str
) -> None:
    body = {"user": str(user_id), "state": state, "at": datetime.now(UTC).isoformat()}
    await pubsub.publish(presence_channel(scope.tenant_id, ticket_id), orjson.dumps(body).decode())


async def presence_messages(
    pubsub: PubSub, scope: TenantScope, ticket_id: uuid.UUID
) -> AsyncIterator[tuple[uuid.UUID, str, datetime]]:
    async for raw in pubsub.subscribe(presence_channel(scope.tenant_id, ticket_id)):
        data = orjson.loads(raw)
        yield uuid.UUID(data["user"]), str(data["state"]), datetime.fromisoformat(data["at"])
