# mypy: disable-error-code="untyped-decorator"
# (strawberry types its decorators only when called without arguments; ours set descriptions)
"""Subscriptions (graphql-transport-ws), tenant-scoped by their channel names.

Each event carries the snapshot a query would build, so subscribers need no query per event.
When the pub/sub backend breaks, the stream ends with an error (never silence).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator

import strawberry

from subgraphs.chat import realtime
from subgraphs.chat.errors import ConversationNotFoundError
from subgraphs.chat.models import PresenceStatus
from subgraphs.chat.resolvers.common import parse_id, read
from subgraphs.chat.service import queries
from subgraphs.chat.service.common import ChatActor, Unit
from subgraphs.chat.types.enums import AgentPresenceStatus
from subgraphs.chat.types.inputs import ChatQueueEntry, ChatTyping
from subgraphs.chat.types.objects import AgentPresence, ChatMessage, Conversation, Ctx, User
from subgraphs.chat.views import ConversationView, MessageView
from subgraphs.kit.auth.errors import ForbiddenError


@strawberry.type(name="ChatQueueUpdate")
class ChatQueueUpdate:
    entries: list[ChatQueueEntry]


async def _visible(info: Ctx, raw: strawberry.ID, token: str | None) -> tuple[uuid.UUID, ChatActor]:
    key = parse_id(raw)

    async def work(unit: Unit) -> tuple[uuid.UUID, ChatActor]:
        if key is None or await queries.get_conversation(unit, key) is None:
            raise ConversationNotFoundError(field="conversationId")
        return key, unit.actor

    return await read(info, work, contact_token=token)


async def _agent(info: Ctx) -> ChatActor:
    async def work(unit: Unit) -> ChatActor:
        if unit.actor.is_contact:
            raise ForbiddenError(permission="chat:read")
        return unit.actor

    return await read(info, work)


def _tenant(info: Ctx) -> uuid.UUID:
    scope = info.context.scope or info.context.target
    assert scope is not None
    return scope.tenant_id


@strawberry.type
class Subscription:
    @strawberry.subscription(description="New messages of a conversation (notes for agents).")
    async def message_added(
        self, info: Ctx, conversation_id: strawberry.ID, contact_token: str | None = None
    ) -> AsyncGenerator[ChatMessage, None]:
        key, actor = await _visible(info, conversation_id, contact_token)
        name = realtime.conversation_channel(_tenant(info), key)
        async for signal in info.context.deps.channels().listen(name):
            if signal.kind != "message":
                continue
            view = MessageView.from_json(signal.data)
            if view.private and actor.is_contact:
                continue
            yield ChatMessage.of(view)

    @strawberry.subscription(description="Who is typing in a conversation (ephemeral).")
    async def typing(
        self, info: Ctx, conversation_id: strawberry.ID, contact_token: str | None = None
    ) -> AsyncGenerator[ChatTyping, None]:
        key, actor = await _visible(info, conversation_id, contact_token)
        name = realtime.conversation_channel(_tenant(info), key)
        async for signal in info.context.deps.channels().listen(name):
            if signal.kind != "typing" or signal.data["participant"] == actor.participant:
                continue
            yield ChatTyping(
                conversation_id=conversation_id,
                participant=str(signal.data["participant"]),
                typing=bool(signal.data["typing"]),
            )

    @strawberry.subscription(
        description="Conversations as they change (status, assignee, "
        "queue, new messages); a contact sees their own."
    )
    async def conversation_updated(
        self, info: Ctx, id: strawberry.ID | None = None, contact_token: str | None = None
    ) -> AsyncGenerator[Conversation, None]:
        only = None
        if id is not None:
            only, actor = await _visible(info, id, contact_token)
        else:
            actor = await _agent(info)
        name = realtime.chat_channel(_tenant(info), realtime.CONVERSATIONS)
        async for signal in info.context.deps.channels().listen(name):
            view = ConversationView.from_json(signal.data)
            if only is not None and view.id != only:
                continue
            if actor.is_contact and view.contact_id != actor.contact_id:
                continue
            yield Conversation.of(view)

    @strawberry.subscription(description="Agents going online, away or offline.")
    async def presence_changed(self, info: Ctx) -> AsyncGenerator[AgentPresence, None]:
        await _agent(info)
        name = realtime.chat_channel(_tenant(info), realtime.PRESENCE)
        async for signal in info.context.deps.channels().listen(name):
            status = AgentPresenceStatus(PresenceStatus(signal.data["status"]))
            yield AgentPresence(user=User(id=strawberry.ID(signal.data["user_id"])), status=status)

    @strawberry.subscription(description="The waiting queue, in routing order, on each change.")
    async def queue_changed(self, info: Ctx) -> AsyncGenerator[ChatQueueUpdate, None]:
        await _agent(info)
        name = realtime.chat_channel(_tenant(info), realtime.QUEUE)
        async for signal in info.context.deps.channels().listen(name):
            positions: dict[str, int] = {}
            entries = []
            for entry in signal.data["entries"]:
                inbox = entry["inbox_id"]
                positions[inbox] = positions.get(inbox, 0) + 1
                entries.append(
                    ChatQueueEntry(
                        conversation_id=strawberry.ID(entry["id"]),
                        inbox_id=strawberry.ID(inbox),
                        position=positions[inbox],
                    )
                )
            yield ChatQueueUpdate(entries=entries)
