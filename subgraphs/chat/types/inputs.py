"""Inputs and payloads of the chat mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

from subgraphs.chat.types.enums import (
    ChatChannel,
    ChatRoutingStrategy,
    ConversationPriority,
    ConversationStatus,
)
from subgraphs.chat.types.objects import (
    AgentPresence,
    CannedReply,
    ChatInbox,
    ChatMessage,
    ChatTeam,
    Conversation,
)
from subgraphs.kit.graphql_errors import UserError


@strawberry.input(name="StartConversationInput")
class StartConversationInput:
    inbox_id: strawberry.ID
    body: str
    subject: str = ""
    priority: ConversationPriority | None = None  # type: ignore[valid-type]
    contact_name: str = ""
    contact_email: str | None = None
    skills: list[str] | None = strawberry.field(
        default=None, description="Skills the conversation needs (added to the inbox's)."
    )


@strawberry.input(name="UpdateConversationInput")
class UpdateConversationInput:
    id: strawberry.ID
    status: ConversationStatus | None = None  # type: ignore[valid-type]
    priority: ConversationPriority | None = None  # type: ignore[valid-type]
    snoozed_until: datetime | None = None
    subject: str | None = None
    required_skills: list[str] | None = strawberry.field(
        default=None, description="Replace the skills routing requires (re-routes if queued)."
    )


@strawberry.input(name="AssignConversationInput")
class AssignConversationInput:
    id: strawberry.ID
    assignee_id: strawberry.ID | None = None


@strawberry.input(name="ChatAttachmentInput")
class ChatAttachmentInput:
    name: str
    url: str
    content_type: str = "application/octet-stream"
    size: int = 0


@strawberry.input(name="SendChatMessageInput")
class SendChatMessageInput:
    conversation_id: strawberry.ID
    body: str = ""
    private: bool = False
    canned_reply_id: strawberry.ID | None = None
    mentions: list[strawberry.ID] | None = None
    attachments: list[ChatAttachmentInput] | None = strawberry.field(
        default=None, deprecation_reason="Upload with uploadFile and pass attachmentIds."
    )
    attachment_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Files uploaded with `uploadFile` (files subgraph)."
    )
    contact_token: str | None = None


@strawberry.input(name="MarkConversationReadInput")
class MarkConversationReadInput:
    conversation_id: strawberry.ID
    seq: int | None = None
    contact_token: str | None = None


@strawberry.input(name="SaveChatInboxInput")
class SaveChatInboxInput:
    id: strawberry.ID | None = None
    name: str | None = None
    channel: ChatChannel | None = None  # type: ignore[valid-type]
    routing: ChatRoutingStrategy | None = None  # type: ignore[valid-type]
    capacity: int | None = None
    unlimited_capacity: bool = False
    team_id: strawberry.ID | None = None
    timezone: str | None = None
    office_hours: str | None = None
    away_message: str | None = None
    required_skills: list[str] | None = None


@strawberry.input(name="SaveChatTeamInput")
class SaveChatTeamInput:
    id: strawberry.ID | None = None
    name: str | None = None
    member_ids: list[strawberry.ID] | None = None


@strawberry.input(name="SaveCannedReplyInput")
class SaveCannedReplyInput:
    id: strawberry.ID | None = None
    short_code: str | None = None
    content: str | None = None


@strawberry.input(name="MergeConversationsInput")
class MergeConversationsInput:
    source_id: strawberry.ID
    target_id: strawberry.ID


@strawberry.input(name="SetAgentCapacityInput")
class SetAgentCapacityInput:
    user_id: strawberry.ID
    capacity: int


@strawberry.input(name="SetAgentSkillsInput")
class SetAgentSkillsInput:
    user_id: strawberry.ID
    skills: list[str]


@strawberry.type(name="ConversationPayload")
class ConversationPayload:
    conversation: Conversation | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="StartConversationPayload")
class StartConversationPayload:
    conversation: Conversation | None = None
    contact_token: str | None = strawberry.field(
        default=None, description="Anonymous contacts only: keep it to continue the chat."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="ChatMessagePayload")
class ChatMessagePayload:
    message: ChatMessage | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="MarkConversationReadPayload")
class MarkConversationReadPayload:
    last_read_seq: int | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="ChatInboxPayload")
class ChatInboxPayload:
    inbox: ChatInbox | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="ChatTeamPayload")
class ChatTeamPayload:
    team: ChatTeam | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="CannedReplyPayload")
class CannedReplyPayload:
    canned_reply: CannedReply | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="DeleteCannedReplyPayload")
class DeleteCannedReplyPayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="AgentPresencePayload")
class AgentPresencePayload:
    presence: AgentPresence | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input(name="ConversationFilter")
class ConversationFilterInput:
    status: list[ConversationStatus] | None = None  # type: ignore[valid-type]
    inbox_id: list[strawberry.ID] | None = None
    assignee_id: list[strawberry.ID] | None = None
    unassigned: bool | None = None
    queued: bool | None = None


@strawberry.type(name="ChatQueueEntry")
class ChatQueueEntry:
    conversation_id: strawberry.ID
    inbox_id: strawberry.ID
    position: int


@strawberry.type(name="ChatTyping")
class ChatTyping:
    conversation_id: strawberry.ID
    participant: str
    typing: bool
