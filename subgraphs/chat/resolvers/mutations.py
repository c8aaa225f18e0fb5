# mypy: disable-error-code="untyped-decorator"
# (strawberry types its decorators only when called without arguments; ours set descriptions)
"""Mutation root fields: parse, call one use case, map the result."""

from __future__ import annotations

import strawberry

from subgraphs.chat.models import (
    ChatAgent,
    ConversationPriority,
    ConversationStatus,
    PresenceStatus,
)
from subgraphs.chat.resolvers.common import mutate, prime, require_id
from subgraphs.chat.service import config, conversations, escalation, messages, routing, skills
from subgraphs.chat.service.common import Unit
from subgraphs.chat.service.typing import set_typing
from subgraphs.chat.types.enums import AgentPresenceStatus
from subgraphs.chat.types.inputs import (
    AgentPresencePayload,
    AssignConversationInput,
    CannedReplyPayload,
    ChatInboxPayload,
    ChatMessagePayload,
    ChatTeamPayload,
    ConversationPayload,
    DeleteCannedReplyPayload,
    MarkConversationReadInput,
    MarkConversationReadPayload,
    MergeConversationsInput,
    SaveCannedReplyInput,
    SaveChatInboxInput,
    SaveChatTeamInput,
    SendChatMessageInput,
    SetAgentCapacityInput,
    SetAgentSkillsInput,
    StartConversationInput,
    StartConversationPayload,
    UpdateConversationInput,
)
from subgraphs.chat.types.objects import (
    AgentPresence,
    CannedReply,
    ChatInbox,
    ChatMessage,
    ChatTeam,
    Conversation,
    Ctx,
    User,
)
from subgraphs.chat.views import Attachment, ConversationView
from subgraphs.kit.graphql_errors import UserError


async def _conversation_payload(info: Ctx, unit: Unit, view: ConversationView) -> Conversation:
    await prime(info, unit.session, [view.id])
    return Conversation.of(view)


def _sid(value: object) -> strawberry.ID:
    return strawberry.ID(str(value))


def _presence(agent: ChatAgent) -> AgentPresence:
    return AgentPresence(
        user=User(id=_sid(agent.user_id)),
        status=PresenceStatus(agent.status),
        capacity=agent.capacity,
        last_seen_at=agent.last_seen_at,
        skills=list(skills.load(agent.skills)),
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="A contact (or an agent, for the API channel) opens a "
        "conversation; anonymous visitors get a contact token."
    )
    async def start_conversation(
        self, info: Ctx, input: StartConversationInput
    ) -> StartConversationPayload:

        async def work(unit: Unit) -> StartConversationPayload:
            new = conversations.NewConversation(
                inbox_id=require_id(input.inbox_id, "inboxId"),
                body=input.body,
                subject=input.subject,
                priority=input.priority or ConversationPriority.NONE,
                contact_name=input.contact_name.strip()[:200],
                contact_email=(input.contact_email or "").strip()[:320] or None,
                skills=tuple(input.skills or ()),
            )
            started = await conversations.start_conversation(unit, new)
            node = await _conversation_payload(info, unit, started.conversation)
            return StartConversationPayload(conversation=node, contact_token=started.contact_token)

        result = await mutate(info, work, public=True)
        return StartConversationPayload(user_errors=result) if isinstance(result, list) else result

    @strawberry.mutation
    async def update_conversation(
        self, info: Ctx, input: UpdateConversationInput
    ) -> ConversationPayload:

        async def work(unit: Unit) -> Conversation:
            skills_wanted = input.required_skills
            change = conversations.ConversationChange(
                conversation_id=require_id(input.id, "id"),
                status=ConversationStatus(input.status) if input.status else None,
                priority=ConversationPriority(input.priority) if input.priority else None,
                snoozed_until=input.snoozed_until,
                subject=input.subject,
                required_skills=None if skills_wanted is None else tuple(skills_wanted),
            )
            view = await conversations.update_conversation(unit, change)
            return await _conversation_payload(info, unit, view)

        result = await mutate(info, work)
        return _payload(result)

    @strawberry.mutation
    async def assign_conversation(
        self, info: Ctx, input: AssignConversationInput
    ) -> ConversationPayload:

        async def work(unit: Unit) -> Conversation:
            key = require_id(input.id, "id")
            assignee = require_id(input.assignee_id, "assigneeId") if input.assignee_id else None
            view = await conversations.assign_conversation(unit, key, assignee)
            return await _conversation_payload(info, unit, view)

        return _payload(await mutate(info, work))

    @strawberry.mutation(description="A reply, or a private note (`private: true`, agents).")
    async def send_chat_message(self, info: Ctx, input: SendChatMessageInput) -> ChatMessagePayload:

        async def work(unit: Unit) -> ChatMessage:
            return ChatMessage.of(await messages.post_message(unit, _new_message(input)))

        result = await mutate(info, work, contact_token=input.contact_token)
        if isinstance(result, list):
            return ChatMessagePayload(user_errors=result)
        return ChatMessagePayload(message=result)

    @strawberry.mutation(description="Move the caller's read receipt forward.")
    async def mark_conversation_read(
        self, info: Ctx, input: MarkConversationReadInput
    ) -> MarkConversationReadPayload:

        async def work(unit: Unit) -> int:
            key = require_id(input.conversation_id, "conversationId")
            return await messages.mark_read(unit, key, input.seq)

        result = await mutate(info, work, contact_token=input.contact_token)
        if isinstance(result, list):
            return MarkConversationReadPayload(user_errors=result)
        return MarkConversationReadPayload(last_read_seq=result)

    @strawberry.mutation(description="Link a ticket (created by the tickets subgraph).")
    async def escalate_conversation_to_ticket(
        self, info: Ctx, conversation_id: strawberry.ID
    ) -> ConversationPayload:

        async def work(unit: Unit) -> Conversation:
            key = require_id(conversation_id, "conversationId")
            view = await escalation.escalate_to_ticket(unit, key)
            return await _conversation_payload(info, unit, view)

        return _payload(await mutate(info, work))

    @strawberry.mutation(
        description="Move the source's messages into the target; the source "
        "is resolved with a link to it."
    )
    async def merge_conversations(
        self, info: Ctx, input: MergeConversationsInput
    ) -> ConversationPayload:

        async def work(unit: Unit) -> Conversation:
            source = require_id(input.source_id, "sourceId")
            target = require_id(input.target_id, "targetId")
            view = await escalation.merge_conversations(unit, source, target)
            return await _conversation_payload(info, unit, view)

        return _payload(await mutate(info, work))

    @strawberry.mutation(description="The calling agent's heartbeat and status.")
    async def set_agent_presence(
        self,
        info: Ctx,
        status: AgentPresenceStatus,  # type: ignore[valid-type]
    ) -> AgentPresencePayload:
        wanted = PresenceStatus(status)

        async def work(unit: Unit) -> AgentPresence:
            agent = await routing.set_presence(unit, wanted)
            await info.context.deps.presence.beat(unit.scope.tenant_id, agent.user_id, wanted)
            return AgentPresence(
                user=User(id=_sid(agent.user_id)),
                status=wanted,
                capacity=agent.capacity,
                last_seen_at=agent.last_seen_at,
            )

        result = await mutate(info, work)
        if isinstance(result, list):
            return AgentPresencePayload(user_errors=result)
        return AgentPresencePayload(presence=result)

    @strawberry.mutation(description="How many open conversations an agent takes at once.")
    async def set_agent_capacity(
        self, info: Ctx, input: SetAgentCapacityInput
    ) -> AgentPresencePayload:

        async def work(unit: Unit) -> AgentPresence:
            user_id = require_id(input.user_id, "userId")
            return _presence(await routing.set_capacity(unit, user_id, input.capacity))

        result = await mutate(info, work)
        if isinstance(result, list):
            return AgentPresencePayload(user_errors=result)
        return AgentPresencePayload(presence=result)

    @strawberry.mutation(
        description="Replace an agent's skills: conversations requiring skills are routed "
        "only to agents holding all of them."
    )
    async def set_agent_skills(self, info: Ctx, input: SetAgentSkillsInput) -> AgentPresencePayload:

        async def work(unit: Unit) -> AgentPresence:
            user_id = require_id(input.user_id, "userId")
            return _presence(await routing.set_skills(unit, user_id, input.skills))

        result = await mutate(info, work)
        if isinstance(result, list):
            return AgentPresencePayload(user_errors=result)
        return AgentPresencePayload(presence=result)

    @strawberry.mutation(description="Create (no id) or update an inbox.")
    async def save_chat_inbox(self, info: Ctx, input: SaveChatInboxInput) -> ChatInboxPayload:

        async def work(unit: Unit) -> ChatInbox:
            key = require_id(input.id, "id") if input.id else None
            return ChatInbox.of(await config.save_inbox(unit, key, _inbox_spec(input)))

        result = await mutate(info, work)
        if isinstance(result, list):
            return ChatInboxPayload(user_errors=result)
        return ChatInboxPayload(inbox=result)

    @strawberry.mutation(description="Create (no id) or update a team and its members.")
    async def save_chat_team(self, info: Ctx, input: SaveChatTeamInput) -> ChatTeamPayload:

        async def work(unit: Unit) -> ChatTeam:
            key = require_id(input.id, "id") if input.id else None
            members = None
            if input.member_ids is not None:
                members = [require_id(m, "memberIds") for m in input.member_ids]
            team = await config.save_team(unit, key, input.name, members)
            return ChatTeam(id=_sid(team.id), name=team.name)

        result = await mutate(info, work)
        if isinstance(result, list):
            return ChatTeamPayload(user_errors=result)
        return ChatTeamPayload(team=result)

    @strawberry.mutation(description="Create (no id) or update a canned reply.")
    async def save_canned_reply(self, info: Ctx, input: SaveCannedReplyInput) -> CannedReplyPayload:

        async def work(unit: Unit) -> CannedReply:
            key = require_id(input.id, "id") if input.id else None
            row = await config.save_canned_reply(unit, key, input.short_code, input.content)
            return CannedReply(id=_sid(row.id), short_code=row.short_code, content=row.content)

        result = await mutate(info, work)
        if isinstance(result, list):
            return CannedReplyPayload(user_errors=result)
        return CannedReplyPayload(canned_reply=result)

    @strawberry.mutation
    async def delete_canned_reply(self, info: Ctx, id: strawberry.ID) -> DeleteCannedReplyPayload:

        async def work(unit: Unit) -> strawberry.ID:
            return _sid(await config.delete_canned_reply(unit, require_id(id, "id")))

        result = await mutate(info, work)
        if isinstance(result, list):
            return DeleteCannedReplyPayload(user_errors=result)
        return DeleteCannedReplyPayload(deleted_id=result)

    @strawberry.mutation(description="Announce typing (ephemeral, not stored).")
    async def set_chat_typing(
        self,
        info: Ctx,
        conversation_id: strawberry.ID,
        typing: bool = True,
        contact_token: str | None = None,
    ) -> bool:
        key = require_id(conversation_id, "conversationId")

        async def work(unit: Unit) -> bool:
            await set_typing(unit, key, typing)
            return True

        result = await mutate(info, work, contact_token=contact_token)
        return result is True


def _new_message(input: SendChatMessageInput) -> messages.NewMessage:
    """Parsed inside the unit of work, so a malformed id is a userError, not a top-level
    error (as every parse in this module)."""
    return messages.NewMessage(
        conversation_id=require_id(input.conversation_id, "conversationId"),
        body=input.body,
        private=input.private,
        canned_reply_id=require_id(input.canned_reply_id, "cannedReplyId")
        if input.canned_reply_id
        else None,
        mentions=tuple(require_id(m, "mentions") for m in input.mentions or ()),
        attachments=tuple(
            Attachment(a.name[:255], a.url[:2000], a.content_type[:120], max(0, a.size))
            for a in input.attachments or ()
        ),
        file_ids=tuple(require_id(f, "attachmentIds") for f in input.attachment_ids or ()),
    )


def _inbox_spec(input: SaveChatInboxInput) -> config.InboxSpec:
    return config.InboxSpec(
        name=input.name,
        channel=input.channel,
        routing=input.routing,
        capacity=input.capacity,
        clear_capacity=input.unlimited_capacity,
        team_id=require_id(input.team_id, "teamId") if input.team_id else None,
        timezone=input.timezone,
        office_hours=input.office_hours,
        away_message=input.away_message,
        required_skills=None if input.required_skills is None else tuple(input.required_skills),
    )


def _payload(result: Conversation | list[UserError]) -> ConversationPayload:
    if isinstance(result, list):
        return ConversationPayload(user_errors=result)
    return ConversationPayload(conversation=result)
