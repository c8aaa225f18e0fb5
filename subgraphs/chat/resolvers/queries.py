# mypy: disable-error-code="untyped-decorator"
# (strawberry types its decorators only when called without arguments; ours set descriptions)
"""Query root fields."""

from __future__ import annotations

from datetime import datetime

import strawberry

from subgraphs.chat.repository import ConversationFilter
from subgraphs.chat.resolvers.common import parse_id, read, require_id
from subgraphs.chat.service import queries, skills
from subgraphs.chat.service.common import Unit
from subgraphs.chat.types.inputs import ChatQueueEntry, ConversationFilterInput
from subgraphs.chat.types.objects import (
    AgentPresence,
    CannedReply,
    ChatInbox,
    ChatTeam,
    Conversation,
    Ctx,
    User,
)
from subgraphs.kit.errors import InvalidCursorError
from subgraphs.kit.relay import Connection, connection_from_rows, decode_cursor, page_size


def _filter(raw: ConversationFilterInput | None) -> ConversationFilter:
    if raw is None:
        return ConversationFilter()
    return ConversationFilter(
        statuses=tuple(str(s) for s in raw.status or ()),
        inbox_ids=tuple(require_id(i, "inboxId") for i in raw.inbox_id or ()),
        assignee_ids=tuple(require_id(i, "assigneeId") for i in raw.assignee_id or ()),
        unassigned=raw.unassigned,
        queued=raw.queued,
    )


def _after(cursor: str | None) -> tuple[datetime, object] | None:
    raw = decode_cursor(cursor)
    if raw is None:
        return None
    at, _, key = raw.partition("|")
    try:
        return datetime.fromisoformat(at), require_id(key, "after")
    except ValueError as exc:
        raise InvalidCursorError(field="after") from exc


@strawberry.type
class Query:
    @strawberry.field(description="One conversation the caller may see.")
    async def conversation(
        self, info: Ctx, id: strawberry.ID, contact_token: str | None = None
    ) -> Conversation | None:
        key = parse_id(id)

        async def work(unit: Unit) -> Conversation | None:
            row = await queries.get_conversation(unit, key)
            return Conversation.of_row(row) if row is not None else None

        return await read(info, work, contact_token=contact_token)

    @strawberry.field(description="Conversations, newest first (a contact sees their own).")
    async def conversations(
        self,
        info: Ctx,
        filter: ConversationFilterInput | None = None,
        first: int | None = None,
        after: str | None = None,
        contact_token: str | None = None,
    ) -> Connection[Conversation]:
        spec, size, cursor = _filter(filter), page_size(first), _after(after)

        async def work(unit: Unit) -> Connection[Conversation]:
            rows = await queries.list_conversations(unit, spec, cursor, size + 1)  # type: ignore[arg-type]
            nodes = [Conversation.of_row(r) for r in rows]
            return connection_from_rows(
                nodes,
                size=size,
                had_cursor=cursor is not None,
                key=lambda c: f"{c.view.created_at.isoformat()}|{c.id}",
            )

        return await read(info, work, contact_token=contact_token)

    @strawberry.field(description="Waiting conversations in routing order (agents only).")
    async def chat_queue(self, info: Ctx) -> list[ChatQueueEntry]:
        async def work(unit: Unit) -> list[ChatQueueEntry]:
            rows = await queries.queue(unit)
            positions: dict[object, int] = {}
            entries = []
            for row in rows:
                positions[row.inbox_id] = positions.get(row.inbox_id, 0) + 1
                entries.append(
                    ChatQueueEntry(
                        conversation_id=strawberry.ID(str(row.id)),
                        inbox_id=strawberry.ID(str(row.inbox_id)),
                        position=positions[row.inbox_id],
                    )
                )
            return entries

        return await read(info, work)

    @strawberry.field
    async def chat_inboxes(self, info: Ctx) -> list[ChatInbox]:
        async def work(unit: Unit) -> list[ChatInbox]:
            return [ChatInbox.of(r) for r in await queries.inboxes(unit)]

        return await read(info, work)

    @strawberry.field
    async def chat_teams(self, info: Ctx) -> list[ChatTeam]:
        async def work(unit: Unit) -> list[ChatTeam]:
            rows = await queries.teams(unit)
            return [ChatTeam(id=strawberry.ID(str(t.id)), name=t.name) for t in rows]

        return await read(info, work)

    @strawberry.field(description="Canned replies, optionally by short-code prefix.")
    async def canned_replies(self, info: Ctx, search: str | None = None) -> list[CannedReply]:
        async def work(unit: Unit) -> list[CannedReply]:
            rows = await queries.canned_replies(unit, search)
            return [
                CannedReply(id=strawberry.ID(str(r.id)), short_code=r.short_code, content=r.content)
                for r in rows
            ]

        return await read(info, work)

    @strawberry.field(description="Agents' presence and capacity (routing view).")
    async def agent_presences(self, info: Ctx) -> list[AgentPresence]:
        async def work(unit: Unit) -> list[AgentPresence]:
            return [
                AgentPresence(
                    user=User(id=strawberry.ID(str(a.user_id))),
                    status=status,
                    capacity=a.capacity,
                    last_seen_at=a.last_seen_at,
                    skills=list(skills.load(a.skills)),
                )
                for a, status in await queries.agents(unit)
            ]

        return await read(info, work)
