"""The per-user channel of `notificationAdded` and the JSON a notification travels as."""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from subgraphs.kit.pubsub import PubSub, channel
from subgraphs.notifications.models import Notification


def user_channel(tenant_id: uuid.UUID, user_id: uuid.UUID) -> str:
    """`t:{tenant}:notifications:{user}`: tenant- and user-scoped, never shared."""
    return channel(tenant_id, "notifications", user_id)


def to_json(row: Notification) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "user_id": str(row.user_id),
        "kind": row.kind,
        "title": row.title,
        "body": row.body,
        "link": row.link,
        "subject_type": row.subject_type,
        "subject_id": str(row.subject_id) if row.subject_id else None,
        "actor_id": str(row.actor_id) if row.actor_id else None,
        "read_at": row.read_at.isoformat() if row.read_at else None,
        "created_at": row.created_at.isoformat(),
    }


async def publish(pubsub: PubSub, tenant_id: uuid.UUID, row: Notification) -> None:
    await pubsub.publish(user_channel(tenant_id, row.user_id), orjson.dumps(to_json(row)).decode())
