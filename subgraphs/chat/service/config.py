"""Configuration: inboxes (channel, routing, capacity, office hours), teams, canned replies."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from subgraphs.chat.errors import (
    CannedReplyNotFoundError,
    DuplicateShortCodeError,
    InboxNotFoundError,
    InvalidChatInputError,
    TeamNotFoundError,
)
from subgraphs.chat.models import (
    Channel,
    ChatCannedReply,
    ChatInbox,
    ChatTeam,
    RoutingStrategy,
)
from subgraphs.chat.repository import ConfigRepository, RoutingRepository
from subgraphs.chat.service import routing, skills
from subgraphs.chat.service.common import Unit
from subgraphs.chat.service.hours import check_timezone, parse_hours


@dataclass(frozen=True, slots=True)
class InboxSpec:
    name: str | None = None
    channel: Channel | None = None
    routing: RoutingStrategy | None = None
    capacity: int | None = None
    clear_capacity: bool = False
    team_id: uuid.UUID | None = None
    timezone: str | None = None
    office_hours: str | None = None
    away_message: str | None = None
    required_skills: tuple[str, ...] | None = None  # for conversations started from now on


async def save_inbox(unit: Unit, inbox_id: uuid.UUID | None, spec: InboxSpec) -> ChatInbox:
    unit.actor.require_configure("configure inboxes")
    config = ConfigRepository(unit.session, unit.scope)
    if inbox_id is None:
        if not (spec.name or "").strip() or spec.channel is None:
            raise InvalidChatInputError(reason="name and channel are required", field="name")
        inbox = config.add(
            ChatInbox(
                id=uuid.uuid4(),
                name="",
                channel=spec.channel,
                routing=RoutingStrategy.BALANCED,
                timezone="UTC",
                office_hours="",
                away_message="",
                required_skills="[]",
            )
        )
    else:
        await RoutingRepository(unit.session, unit.scope).lock()
        found = await config.inbox(inbox_id)
        if found is None:
            raise InboxNotFoundError(field="id")
        inbox = found
    _apply(inbox, spec)
    if spec.team_id is not None and await config.team(spec.team_id) is None:
        raise TeamNotFoundError(field="teamId")
    await unit.session.flush()
    if inbox_id is not None:
        await routing.dispatch(unit, locked=True)  # capacity or routing may have changed
    return inbox


def _apply(inbox: ChatInbox, spec: InboxSpec) -> None:
    if spec.name is not None:
        inbox.name = spec.name.strip()[:120]
    if spec.channel is not None:
        inbox.channel = spec.channel
    if spec.routing is not None:
        inbox.routing = spec.routing
    if spec.capacity is not None:
        if spec.capacity < 0:
            raise InvalidChatInputError(reason="capacity must be ≥ 0", field="capacity")
        inbox.capacity = spec.capacity
    if spec.clear_capacity:
        inbox.capacity = None
    if spec.team_id is not None:
        inbox.team_id = spec.team_id
    if spec.timezone is not None:
        check_timezone(spec.timezone)
        inbox.timezone = spec.timezone
    if spec.office_hours is not None:
        parse_hours(spec.office_hours)
        inbox.office_hours = spec.office_hours
    if spec.away_message is not None:
        inbox.away_message = spec.away_message[:2000]
    if spec.required_skills is not None:
        inbox.required_skills = skills.dump(
            skills.normalize(spec.required_skills, "requiredSkills")
        )


async def save_team(
    unit: Unit, team_id: uuid.UUID | None, name: str | None, members: list[uuid.UUID] | None
) -> ChatTeam:
    unit.actor.require_configure("configure teams")
    config = ConfigRepository(unit.session, unit.scope)
    if team_id is None:
        if not (name or "").strip():
            raise InvalidChatInputError(reason="a name is required", field="name")
        team = ChatTeam(id=uuid.uuid4(), name=(name or "").strip()[:120])
        unit.session.add(team)
    else:
        found = await config.team(team_id)
        if found is None:
            raise TeamNotFoundError(field="id")
        team = found
        if name is not None:
            team.name = name.strip()[:120]
    await unit.session.flush()
    if members is not None:
        await RoutingRepository(unit.session, unit.scope).lock()
        await config.set_members(team.id, list(dict.fromkeys(members)))
        await unit.session.flush()
        await routing.dispatch(unit, locked=True)
    return team


async def save_canned_reply(
    unit: Unit, reply_id: uuid.UUID | None, short_code: str | None, content: str | None
) -> ChatCannedReply:
    unit.actor.require_agent("manage canned replies")
    config = ConfigRepository(unit.session, unit.scope)
    if reply_id is None:
        reply = ChatCannedReply(id=uuid.uuid4(), short_code="", content="", archived=False)
        unit.session.add(reply)
    else:
        found = await config.canned_reply(reply_id)
        if found is None:
            raise CannedReplyNotFoundError(field="id")
        reply = found
    if short_code is not None:
        code = short_code.strip().lower()
        if not code or len(code) > 60 or " " in code:
            raise InvalidChatInputError(reason="short code", field="shortCode")
        other = await config.canned_by_code(code)
        if other is not None and other.id != reply.id:
            raise DuplicateShortCodeError(short_code=code, field="shortCode")
        reply.short_code = code
    if content is not None:
        reply.content = content.strip()[:20_000]
    if not reply.short_code or not reply.content:
        raise InvalidChatInputError(reason="short code and content are required", field="content")
    await unit.session.flush()
    return reply


async def delete_canned_reply(unit: Unit, reply_id: uuid.UUID) -> uuid.UUID:
    unit.actor.require_agent("manage canned replies")
    found = await ConfigRepository(unit.session, unit.scope).canned_reply(reply_id)
    if found is None or found.archived:
        raise CannedReplyNotFoundError(field="id")
    found.archived = True
    found.short_code = f"{found.short_code[:20]}~{found.id.hex[:12]}"  # frees the code
    return found.id
