"""Per-request loaders: one repository call per batch, keyed by plain ids (tenant-bound)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.chat.models import ChatContact, ChatConversation, ChatInbox, ChatTeam
from subgraphs.chat.repository import (
    ConfigRepository,
    ConversationsRepository,
    MessagesRepository,
)
from subgraphs.chat.views import MessageView
from subgraphs.kit.loaders import Loader


class ConversationsById(Loader[uuid.UUID, ChatConversation]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, ChatConversation]:
        rows = await ConversationsRepository(session).list_by_ids(keys)
        return {r.id: r for r in rows}


class ConversationsByTicket(Loader[uuid.UUID, list[ChatConversation]]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, list[ChatConversation]]:
        found: dict[uuid.UUID, list[ChatConversation]] = {k: [] for k in keys}
        for row in await ConversationsRepository(session).list_by_tickets(keys):
            if row.ticket_id is not None:
                found[row.ticket_id].append(row)
        return found


class ContactsById(Loader[uuid.UUID, ChatContact]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, ChatContact]:
        return {c.id: c for c in await ConversationsRepository(session).contacts(list(keys))}


class InboxesById(Loader[uuid.UUID, ChatInbox]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, ChatInbox]:
        return {i.id: i for i in await ConfigRepository(session).inboxes(keys)}


class TeamsById(Loader[uuid.UUID, ChatTeam]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, ChatTeam]:
        return {t.id: t for t in await ConfigRepository(session).teams(keys)}


class TeamMembersByTeam(Loader[uuid.UUID, list[uuid.UUID]]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, list[uuid.UUID]]:
        found: dict[uuid.UUID, list[uuid.UUID]] = {k: [] for k in keys}
        for member in await ConfigRepository(session).members(keys):
            found[member.team_id].append(member.user_id)
        return found


class MessagesByConversation(Loader[tuple[uuid.UUID, bool], list[MessageView]]):
    """Key: (conversation id, include private notes)."""

    async def batch(
        self, session: AsyncSession, keys: Sequence[tuple[uuid.UUID, bool]]
    ) -> Mapping[tuple[uuid.UUID, bool], list[MessageView]]:
        repo = MessagesRepository(session)
        found: dict[tuple[uuid.UUID, bool], list[MessageView]] = {k: [] for k in keys}
        for private in (True, False):
            ids = [k[0] for k in keys if k[1] is private]
            if ids:
                for row in await repo.for_conversations(ids, include_private=private):
                    found[(row.conversation_id, private)].append(MessageView.of(row))
        return found


class ReceiptsByConversation(Loader[uuid.UUID, list[tuple[str, int]]]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, list[tuple[str, int]]]:
        found: dict[uuid.UUID, list[tuple[str, int]]] = {k: [] for k in keys}
        for row in await MessagesRepository(session).receipts(keys):
            found[row.conversation_id].append((row.participant, row.last_read_seq))
        return found


class QueuePositions(Loader[uuid.UUID, int]):
    async def batch(
        self, session: AsyncSession, keys: Sequence[uuid.UUID]
    ) -> Mapping[uuid.UUID, int]:
        return await ConversationsRepository(session).queue_positions(keys)
