"""Through the kit's event pipeline: outbox -> relay -> stream -> the `notifications` consumer
group, with two tenants on one stream (each notification lands in its own tenant)."""

from __future__ import annotations

import uuid

from subgraphs.kit.events import Consumer, ConsumerOptions, MemoryStreams, Relay, record
from subgraphs.kit.ids import TenantId
from subgraphs.notifications.consumers import notifications_subscription
from subgraphs.tickets.events import TicketAssigned
from tests.subgraphs.notifications.harness import LIST, NotificationsHarness, Team


class Tenants:
    def __init__(self, *ids: TenantId) -> None:
        self.ids = list(ids)

    async def active_tenants(self) -> list[TenantId]:
        return self.ids


async def test_events_become_notifications_through_the_consumer_group(
    nh: NotificationsHarness, team: Team
) -> None:
    other_team = await nh.team()
    sessions = nh.identity.runtime.tenants.session
    tickets: dict[TenantId, uuid.UUID] = {}
    for owner, person in ((team, team.agent), (other_team, other_team.agent)):
        tickets[owner.tenant_id] = uuid.uuid4()
        async with sessions(owner.tenant_id) as session, session.begin():
            record(
                session,
                TicketAssigned(
                    tenant_id=owner.tenant_id,
                    actor=str(owner.owner.id),
                    ticket_id=tickets[owner.tenant_id],
                    assignee_id=person.id,
                    previous_assignee_id=None,
                    rule="round_robin",
                ),
            )
    streams = MemoryStreams()
    assert await Relay(streams, Tenants(team.tenant_id, other_team.tenant_id), sessions).run_once()
    consumer = Consumer(
        streams, notifications_subscription(), sessions, options=ConsumerOptions(block_ms=10)
    )
    await consumer.ensure_groups()
    while await consumer.poll_once(block_ms=10):
        pass
    # the two assignments, and identity.user_created of each team's 3 users (email defaults)
    assert consumer.stats.handled == 2 + 6
    for owner, person in ((team, team.agent), (other_team, other_team.agent)):
        data = await nh.ok(LIST, {}, team=owner, who=person)
        (edge,) = data["notifications"]["edges"]
        assert edge["node"]["subjectId"] == str(tickets[owner.tenant_id])
