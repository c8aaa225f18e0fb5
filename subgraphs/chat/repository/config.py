"""Inboxes, teams and canned replies."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select

from subgraphs.chat.models import ChatCannedReply, ChatInbox, ChatTeam, ChatTeamMember
from subgraphs.kit.repository import Repository


class ConfigRepository(Repository[ChatInbox]):
    model = ChatInbox

    async def inbox(self, inbox_id: uuid.UUID) -> ChatInbox | None:
        return await self.find_one(self.base().where(ChatInbox.id == inbox_id))

    async def inboxes(self, ids: Sequence[uuid.UUID] | None = None) -> Sequence[ChatInbox]:
        statement = self.base()
        if ids is not None:
            statement = statement.where(ChatInbox.id.in_(list(ids)))
        return await self.find_all(statement.order_by(ChatInbox.name, ChatInbox.id))

    async def team(self, team_id: uuid.UUID) -> ChatTeam | None:
        result = await self.session.execute(select(ChatTeam).where(ChatTeam.id == team_id))
        return result.scalars().first()

    async def teams(self, ids: Sequence[uuid.UUID] | None = None) -> Sequence[ChatTeam]:
        statement = select(ChatTeam).order_by(ChatTeam.name)
        if ids is not None:
            statement = statement.where(ChatTeam.id.in_(list(ids)))
        return (await self.session.execute(statement)).scalars().all()

    async def members(self, team_ids: Sequence[uuid.UUID]) -> Sequence[ChatTeamMember]:
        statement = select(ChatTeamMember).where(ChatTeamMember.team_id.in_(list(team_ids)))
        result = await self.session.execute(statement.order_by(ChatTeamMember.user_id))
        return result.scalars().all()

    async def set_members(self, team_id: uuid.UUID, user_ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(delete(ChatTeamMember).where(ChatTeamMember.team_id == team_id))
        self.session.add_all([ChatTeamMember(team_id=team_id, user_id=u) for u in user_ids])

    async def canned_replies(self, search: str | None = None) -> Sequence[ChatCannedReply]:
        statement = select(ChatCannedReply).where(ChatCannedReply.archived.is_(False))
        if search:
            statement = statement.where(ChatCannedReply.short_code.startswith(search.lower()))
        result = await self.session.execute(statement.order_by(ChatCannedReply.short_code))
        return result.scalars().all()

    async def canned_reply(self, reply_id: uuid.UUID) -> ChatCannedReply | None:
        statement = select(ChatCannedReply).where(ChatCannedReply.id == reply_id)
        return (await self.session.execute(statement)).scalars().first()

    async def canned_by_code(self, short_code: str) -> ChatCannedReply | None:
        statement = select(ChatCannedReply).where(ChatCannedReply.short_code == short_code)
        return (await self.session.execute(statement)).scalars().first()
