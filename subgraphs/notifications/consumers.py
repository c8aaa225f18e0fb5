"""The `notifications` consumer group: domain events -> notifications (run by the worker).

Idempotent twice over: the consumer kit records each event once per group, and a
notification is unique per (event, user, kind). The actor of an event is never notified.

| event | who is notified |
|---|---|
| `tickets.ticket_assigned` | the new assignee (TICKET_ASSIGNED); the assignee is followed |
| `tickets.comment_added` | @mentioned users (MENTIONED): `@<uuid>` or a user's `@handle` |
| `tickets.sla_warning` / `tickets.sla_breached` | the ticket's followed assignee |
| `projects.task_commented` | @mentioned users (MENTIONED) |
| `chat.agent_mentioned` | @mentioned agents (MENTIONED) |
| `chat.conversation_assigned` | the new assignee (CONVERSATION_ASSIGNED); followed |
| `chat.message_posted` | the assignee while AWAY/OFFLINE at post time (CHAT_MESSAGE) |
| `integrations.webhook_endpoint_disabled` | the users in `notify` (WEBHOOK_DISABLED) |
| `identity.user_created` / `identity.user_updated` | nobody: default the user's email and
  @handle settings (`identity_sync.py`) |
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.kit.events import Event, HandlerContext, Subscription
from subgraphs.notifications.identity_sync import USER_EVENTS, identity_user
from subgraphs.notifications.models import NotificationKind, SubjectAssignee
from subgraphs.notifications.produce import Draft, notify
from subgraphs.notifications.repository import AssigneesRepository, RecipientsRepository

GROUP = "notifications"
TICKET, TASK, CONVERSATION, WEBHOOK = "ticket", "task", "conversation", "webhook_endpoint"
_K = NotificationKind
EventHandler = Callable[[AsyncSession, Event], Awaitable[None]]


def _field(event: Event, name: str) -> object:
    return getattr(event, name, None)


def _uuids(values: Iterable[object]) -> list[uuid.UUID]:
    found: list[uuid.UUID] = []
    for value in values:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


async def _follow(
    session: AsyncSession, subject_type: str, subject_id: uuid.UUID, assignee: uuid.UUID | None
) -> None:
    row = await AssigneesRepository(session).find(subject_type, subject_id)
    if row is None:
        row = SubjectAssignee(subject_type=subject_type, subject_id=subject_id)
        session.add(row)
    row.assignee_id, row.updated_at = assignee, datetime.now(UTC)


async def ticket_assigned(session: AsyncSession, event: Event) -> None:
    ticket_id = uuid.UUID(str(_field(event, "ticket_id")))
    assignee = _field(event, "assignee_id")
    assignee_id = uuid.UUID(str(assignee)) if assignee else None
    await _follow(session, TICKET, ticket_id, assignee_id)
    if assignee_id is not None:
        draft = Draft(_K.TICKET_ASSIGNED, {}, f"/tickets/{ticket_id}", TICKET, ticket_id)
        await notify(session, event, [assignee_id], draft)


async def conversation_assigned(session: AsyncSession, event: Event) -> None:
    conversation_id = uuid.UUID(str(_field(event, "conversation_id")))
    assignee = _field(event, "assignee_id")
    assignee_id = uuid.UUID(str(assignee)) if assignee else None
    await _follow(session, CONVERSATION, conversation_id, assignee_id)
    if assignee_id is not None:
        link = f"/chat/conversations/{conversation_id}"
        draft = Draft(_K.CONVERSATION_ASSIGNED, {}, link, CONVERSATION, conversation_id)
        await notify(session, event, [assignee_id], draft)


async def sla_event(session: AsyncSession, event: Event) -> None:
    ticket_id = uuid.UUID(str(_field(event, "ticket_id")))
    followed = await AssigneesRepository(session).find(TICKET, ticket_id)
    if followed is None or followed.assignee_id is None:
        return
    kind = _K.SLA_BREACHED if event.event_type.endswith("breached") else _K.SLA_WARNING
    values = {
        "metric": str(_field(event, "metric") or "").replace("_", " "),
        "due_at": str(_field(event, "due_at") or ""),
    }
    draft = Draft(kind, values, f"/tickets/{ticket_id}", TICKET, ticket_id)
    await notify(session, event, [followed.assignee_id], draft)


async def _mentioned_handles(session: AsyncSession, handles: Iterable[str]) -> list[uuid.UUID]:
    items = [str(h) for h in handles]
    direct = _uuids(items)
    names = [h for h in items if h.lower() not in {str(u) for u in direct}]
    named = await RecipientsRepository(session).by_handles(names) if names else []
    return [*direct, *(r.user_id for r in named)]


async def ticket_comment(session: AsyncSession, event: Event) -> None:
    mentions = _field(event, "mentions") or ()
    users = await _mentioned_handles(session, mentions)  # type: ignore[arg-type]
    if users:
        ticket_id = uuid.UUID(str(_field(event, "ticket_id")))
        values = {"where": "a ticket comment"}
        draft = Draft(_K.MENTIONED, values, f"/tickets/{ticket_id}", TICKET, ticket_id)
        await notify(session, event, users, draft)


async def task_comment(session: AsyncSession, event: Event) -> None:
    users = _uuids(_field(event, "mentioned") or ())  # type: ignore[arg-type]
    if users:
        task_id = uuid.UUID(str(_field(event, "task_id")))
        draft = Draft(_K.MENTIONED, {"where": "a task comment"}, f"/tasks/{task_id}", TASK, task_id)
        await notify(session, event, users, draft)


async def chat_mention(session: AsyncSession, event: Event) -> None:
    users = _uuids(_field(event, "mentioned") or ())  # type: ignore[arg-type]
    if users:
        conversation_id = uuid.UUID(str(_field(event, "conversation_id")))
        link = f"/chat/conversations/{conversation_id}"
        values = {"where": "a chat conversation"}
        draft = Draft(_K.MENTIONED, values, link, CONVERSATION, conversation_id)
        await notify(session, event, users, draft)


async def chat_message(session: AsyncSession, event: Event) -> None:
    """`chat.message_posted` (from chat: `conversation_id`, `assignee_id`,
    `assignee_status` at posting time, `private`, `preview`): the assignee hears about a new
    message only while AWAY or OFFLINE (online agents see it in the conversation)."""
    assignee = _field(event, "assignee_id")
    status = str(_field(event, "assignee_status") or "ONLINE").upper()
    if not assignee or status == "ONLINE":
        return
    conversation_id = uuid.UUID(str(_field(event, "conversation_id")))
    preview = str(_field(event, "preview") or "")[:140] or "New message"
    link = f"/chat/conversations/{conversation_id}"
    draft = Draft(_K.CHAT_MESSAGE, {"preview": preview}, link, CONVERSATION, conversation_id)
    await notify(session, event, [uuid.UUID(str(assignee))], draft)


async def webhook_disabled(session: AsyncSession, event: Event) -> None:
    """`integrations.webhook_endpoint_disabled`: who registered the endpoint (`notify`)."""
    users = _uuids(_field(event, "notify") or ())  # type: ignore[arg-type]
    if users:
        endpoint_id = uuid.UUID(str(_field(event, "endpoint_id")))
        values = {
            "url": str(_field(event, "url") or ""),
            "failures": str(_field(event, "consecutive_failures") or ""),
        }
        link = f"/settings/webhooks/{endpoint_id}"
        draft = Draft(_K.WEBHOOK_DISABLED, values, link, WEBHOOK, endpoint_id)
        await notify(session, event, users, draft)


HANDLERS: dict[str, EventHandler] = {
    "tickets.ticket_assigned": ticket_assigned,
    "tickets.comment_added": ticket_comment,
    "tickets.sla_warning": sla_event,
    "tickets.sla_breached": sla_event,
    "projects.task_commented": task_comment,
    "chat.agent_mentioned": chat_mention,
    "chat.conversation_assigned": conversation_assigned,
    "chat.message_posted": chat_message,
    "integrations.webhook_endpoint_disabled": webhook_disabled,
    **dict.fromkeys(USER_EVENTS, identity_user),
}


async def handle(context: HandlerContext, event: Event) -> None:
    handler = HANDLERS.get(event.event_type)
    if handler is not None:
        await handler(context.session, event)


def notifications_subscription() -> Subscription:
    return Subscription(
        GROUP,
        ("tickets", "projects", "chat", "integrations", "identity"),
        handle,
        event_types=frozenset(HANDLERS),
    )
