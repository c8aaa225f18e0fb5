"""Agent routing: round-robin or balanced, capacity caps, teams, an ordered queue.

Every decision runs under the routing lock (`RoutingRepository.lock`: a transaction-scoped
advisory lock on PostgreSQL, the write lock on SQLite), then reads load and capacity, so two
processes never hand out the same free slot. Waiting conversations keep their place
(`queued_at`) and `dispatch` walks the queue oldest first each time capacity may have freed:
a conversation resolved, an agent came online, a capacity changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from subgraphs.chat.events import ConversationAssigned
from subgraphs.chat.models import (
    ChatAgent,
    ChatConversation,
    ChatInbox,
    ConversationStatus,
    PresenceStatus,
    RoutingStrategy,
    aware,
)
from subgraphs.chat.repository import ConfigRepository, ConversationsRepository, RoutingRepository
from subgraphs.chat.service import signals, skills
from subgraphs.chat.service.common import Unit
from subgraphs.kit.events import record

DEFAULT_CAPACITY = 5


def online(unit: Unit, agent: ChatAgent) -> bool:
    seen = aware(agent.last_seen_at)
    fresh = seen is not None and seen >= unit.now - timedelta(seconds=unit.presence_ttl)
    return agent.status == PresenceStatus.ONLINE and fresh


def presence_of(unit: Unit, agent: ChatAgent | None) -> PresenceStatus:
    """An agent's presence as routing sees it: OFFLINE once the heartbeat is older than TTL."""
    if agent is None or not _fresh(unit, agent):
        return PresenceStatus.OFFLINE
    return PresenceStatus(agent.status)


def _waited(agent: ChatAgent) -> tuple[int, str, str]:
    # never assigned first, then the longest since the last assignment; the id breaks ties
    last = aware(agent.last_assigned_at)
    return (0 if last is None else 1, last.isoformat() if last else "", str(agent.user_id))


def choose(strategy: str, eligible: Sequence[ChatAgent], load: dict[uuid.UUID, int]) -> ChatAgent:
    if strategy == RoutingStrategy.ROUND_ROBIN:
        return min(eligible, key=_waited)
    return min(eligible, key=lambda a: (load.get(a.user_id, 0), *_waited(a)))


def assign(unit: Unit, row: ChatConversation, user_id: uuid.UUID | None) -> None:
    previous = row.assignee_id
    row.assignee_id = user_id
    row.queued_at = None if user_id is not None else row.queued_at
    row.updated_at = unit.now
    record(
        unit.session,
        ConversationAssigned(
            tenant_id=unit.scope.tenant_id,
            actor=unit.actor.participant,
            conversation_id=row.id,
            assignee_id=user_id,
            previous_assignee_id=previous,
        ),
    )
    signals.conversation_changed(unit, row)


async def dispatch(unit: Unit, *, locked: bool = False) -> list[ChatConversation]:
    """Assign waiting conversations, oldest first, while capacity allows. Returns them."""
    routing = RoutingRepository(unit.session, unit.scope)
    if not locked:
        await routing.lock()
    conversations = ConversationsRepository(unit.session, unit.scope)
    await _expire_stale(unit, routing, conversations)
    await _wake_snoozed(unit, conversations)
    queue = list(await conversations.queue())
    if not queue:
        return []
    config = ConfigRepository(unit.session, unit.scope)
    inboxes = {i.id: i for i in await config.inboxes()}
    teams = {i.team_id for i in inboxes.values() if i.team_id is not None}
    members: dict[uuid.UUID, set[uuid.UUID]] = {t: set() for t in teams}
    for member in await config.members(list(teams)) if teams else []:
        members[member.team_id].add(member.user_id)
    agents = [a for a in await routing.agents() if online(unit, a)]
    held = {a.user_id: frozenset(skills.load(a.skills)) for a in agents}
    per_agent, per_inbox = await conversations.open_load()
    assigned: list[ChatConversation] = []
    for row in queue:
        inbox = inboxes.get(row.inbox_id)
        if inbox is None or not _inbox_has_room(inbox, per_inbox):
            continue
        needs = skills.load(row.required_skills)
        eligible = [
            a
            for a in agents
            if per_agent.get(a.user_id, 0) < a.capacity
            and (inbox.team_id is None or a.user_id in members[inbox.team_id])
            and skills.qualifies(held[a.user_id], needs)
        ]
        if not eligible:
            continue
        agent = choose(inbox.routing, eligible, per_agent)
        assign(unit, row, agent.user_id)
        agent.last_assigned_at = unit.now + timedelta(microseconds=len(assigned))
        per_agent[agent.user_id] = per_agent.get(agent.user_id, 0) + 1
        per_inbox[inbox.id] = per_inbox.get(inbox.id, 0) + 1
        assigned.append(row)
    if assigned:
        signals.queue_changed(unit, [r for r in queue if r.queued_at is not None])
    return assigned


def _inbox_has_room(inbox: ChatInbox, per_inbox: dict[uuid.UUID, int]) -> bool:
    if inbox.routing == RoutingStrategy.MANUAL:
        return False
    return inbox.capacity is None or per_inbox.get(inbox.id, 0) < inbox.capacity


async def enqueue(unit: Unit, row: ChatConversation) -> None:
    """Put a conversation in the queue (keeping an earlier place) and route."""
    routing = RoutingRepository(unit.session, unit.scope)
    await routing.lock()
    row.assignee_id = None
    row.queued_at = row.queued_at or unit.now
    await unit.session.flush()
    assigned = await dispatch(unit, locked=True)
    if row not in assigned:
        queue = await ConversationsRepository(unit.session, unit.scope).queue()
        signals.queue_changed(unit, queue)


async def requeue_agent(
    unit: Unit, user_id: uuid.UUID, conversations: ConversationsRepository
) -> None:
    """An agent went offline: their open conversations go back to the queue, at the place
    their creation time gives them, and are routed again."""
    for row in await conversations.active_for_agent(user_id):
        assign(unit, row, None)
        row.queued_at = row.created_at
    await unit.session.flush()


async def _expire_stale(
    unit: Unit, routing: RoutingRepository, conversations: ConversationsRepository
) -> None:
    for agent in await routing.agents():
        if agent.status != PresenceStatus.OFFLINE and not _fresh(unit, agent):
            agent.status = PresenceStatus.OFFLINE
            signals.presence_changed(unit, agent.user_id, PresenceStatus.OFFLINE)
            await requeue_agent(unit, agent.user_id, conversations)


async def _wake_snoozed(unit: Unit, conversations: ConversationsRepository) -> None:
    """Snoozed conversations whose time came reopen (checked at every routing decision)."""
    for row in await conversations.due_snoozed(unit.now):
        row.status, row.snoozed_until, row.updated_at = ConversationStatus.OPEN, None, unit.now
        signals.conversation_changed(unit, row)


def _fresh(unit: Unit, agent: ChatAgent) -> bool:
    seen = aware(agent.last_seen_at)
    return seen is not None and seen >= unit.now - timedelta(seconds=unit.presence_ttl)


async def set_presence(unit: Unit, status: PresenceStatus) -> ChatAgent:
    """A heartbeat (or a status change) of the calling agent."""
    user_id = unit.actor.require_agent("set presence")
    routing = RoutingRepository(unit.session, unit.scope)
    await routing.lock()
    agent = await routing.agent(user_id)
    if agent is None:
        agent = ChatAgent(user_id=user_id, status=PresenceStatus.OFFLINE, capacity=DEFAULT_CAPACITY)
        unit.session.add(agent)
    was_online = online(unit, agent)
    changed = agent.status != status or not _fresh(unit, agent)
    agent.status, agent.last_seen_at = status, unit.now
    if changed:
        signals.presence_changed(unit, user_id, status.value)
    conversations = ConversationsRepository(unit.session, unit.scope)
    if status == PresenceStatus.OFFLINE:
        await requeue_agent(unit, user_id, conversations)
    if status == PresenceStatus.OFFLINE or (status == PresenceStatus.ONLINE and not was_online):
        await unit.session.flush()
        await dispatch(unit, locked=True)
    return agent


async def _routing_row(unit: Unit, user_id: uuid.UUID, routing: RoutingRepository) -> ChatAgent:
    agent = await routing.agent(user_id)
    if agent is None:
        agent = ChatAgent(
            user_id=user_id, status=PresenceStatus.OFFLINE, capacity=DEFAULT_CAPACITY, skills="[]"
        )
        unit.session.add(agent)
    return agent


async def set_capacity(unit: Unit, user_id: uuid.UUID, capacity: int) -> ChatAgent:
    unit.actor.require_configure("change agent capacity")
    routing = RoutingRepository(unit.session, unit.scope)
    await routing.lock()
    agent = await _routing_row(unit, user_id, routing)
    agent.capacity = max(0, capacity)
    await unit.session.flush()
    await dispatch(unit, locked=True)
    return agent


async def set_skills(unit: Unit, user_id: uuid.UUID, names: Sequence[str]) -> ChatAgent:
    """Replace an agent's skills (administrators); waiting conversations may now fit."""
    unit.actor.require_configure("change agent skills")
    chosen = skills.normalize(names, "skills")
    routing = RoutingRepository(unit.session, unit.scope)
    await routing.lock()
    agent = await _routing_row(unit, user_id, routing)
    agent.skills = skills.dump(chosen)
    await unit.session.flush()
    await dispatch(unit, locked=True)
    return agent
