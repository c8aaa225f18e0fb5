"""The dispatch job (every active tenant) and new chat messages for an away assignee."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

from subgraphs.kit.events import Event
from subgraphs.kit.events.scheduler import JobRun
from subgraphs.kit.ids import TenantId
from subgraphs.notifications.jobs import dispatch_job
from subgraphs.tickets.events import TicketAssigned
from tests.subgraphs.notifications.harness import LIST, NotificationsHarness, Team


@dataclass(frozen=True, kw_only=True)
class MessagePosted(Event):
    """The payload the handler expects from chat (not registered: chat owns the type)."""

    event_type: ClassVar[str] = "chat.message_posted"
    domain: ClassVar[str] = "chat"
    conversation_id: uuid.UUID
    message_id: uuid.UUID
    assignee_id: uuid.UUID | None
    assignee_status: str
    private: bool
    preview: str


def posted(team: Team, status: str, preview: str = "Hello?") -> MessagePosted:
    return MessagePosted(
        tenant_id=team.tenant_id,
        actor="contact:" + str(uuid.uuid4()),
        conversation_id=uuid.uuid4(),
        message_id=uuid.uuid4(),
        assignee_id=team.agent.id,
        assignee_status=status,
        private=False,
        preview=preview,
    )


async def test_new_message_notifies_only_an_away_assignee(
    nh: NotificationsHarness, team: Team
) -> None:
    await nh.deliver(team, posted(team, "ONLINE"))
    assert (await nh.ok(LIST, {}, team=team, who=team.agent))["unreadNotificationCount"] == 0
    await nh.deliver(team, posted(team, "AWAY", "Is anyone there?"))
    await nh.deliver(team, posted(team, "OFFLINE"))
    data = await nh.ok(LIST, {}, team=team, who=team.agent)
    nodes = [e["node"] for e in data["notifications"]["edges"]]
    assert [n["kind"] for n in nodes] == ["CHAT_MESSAGE", "CHAT_MESSAGE"]
    assert "Is anyone there?" in {n["body"] for n in nodes}


class Tenants:
    def __init__(self, *ids: TenantId) -> None:
        self.ids = list(ids)

    async def active_tenants(self) -> list[TenantId]:
        return self.ids


async def test_dispatch_job_sends_for_every_active_tenant(nh: NotificationsHarness) -> None:
    teams = [await nh.team(), await nh.team()]
    for team in teams:
        event = TicketAssigned(
            tenant_id=team.tenant_id,
            actor=str(team.owner.id),
            ticket_id=uuid.uuid4(),
            assignee_id=team.agent.id,
            previous_assignee_id=None,
            rule="manual",
        )
        await nh.deliver(team, event)
    dispatcher = nh.dispatcher()
    sessions = nh.identity.runtime.tenants.session
    job = dispatch_job(Tenants(*(t.tenant_id for t in teams)), sessions, dispatcher)
    await job.run(JobRun(job.name, datetime.now(UTC), 1))
    for team in teams:  # nothing left: the job sent (or skipped) every delivery
        assert (await dispatcher.run_tenant(team.tenant_id)).sent == 0
        leftover = await nh.dispatch(team)
        assert leftover.sent + leftover.skipped + leftover.retried == 0
