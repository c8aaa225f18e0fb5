"""Notifications from events, listed, counted, marked read; preferences; tenant isolation."""

from __future__ import annotations

import uuid

from subgraphs.chat.events import AgentMentioned, ConversationAssigned
from subgraphs.projects.events import TaskCommented
from subgraphs.tickets.events import CommentAdded, SlaBreached, SlaWarning, TicketAssigned
from tests.subgraphs.notifications.harness import (
    LIST,
    MARK,
    PREFS,
    SET_PREFS,
    SETTINGS,
    NotificationsHarness,
    Team,
)


def assigned(team: Team, ticket: uuid.UUID, to: uuid.UUID, by: uuid.UUID) -> TicketAssigned:
    return TicketAssigned(
        tenant_id=team.tenant_id,
        actor=str(by),
        ticket_id=ticket,
        assignee_id=to,
        previous_assignee_id=None,
        rule="manual",
    )


async def feed(nh: NotificationsHarness, team: Team, who: object, **vars: object) -> dict:  # type: ignore[type-arg]
    return await nh.ok(LIST, dict(vars), team=team, who=who)  # type: ignore[arg-type]


async def test_assignment_notifies_the_assignee_once(nh: NotificationsHarness, team: Team) -> None:
    ticket = uuid.uuid4()
    event = assigned(team, ticket, team.agent.id, team.owner.id)
    await nh.deliver(team, event)
    await nh.deliver(team, event, deliveries=2)  # a redelivery adds nothing
    data = await feed(nh, team, team.agent)
    (edge,) = data["notifications"]["edges"]
    assert edge["node"]["kind"] == "TICKET_ASSIGNED"
    assert edge["node"]["subjectId"] == str(ticket)
    assert edge["node"]["link"] == f"/tickets/{ticket}"
    assert edge["node"]["actorId"] == str(team.owner.id)
    assert data["unreadNotificationCount"] == 1
    assert (await feed(nh, team, team.owner))["notifications"]["edges"] == []


async def test_own_actions_notify_nobody(nh: NotificationsHarness, team: Team) -> None:
    await nh.deliver(team, assigned(team, uuid.uuid4(), team.agent.id, team.agent.id))
    mention = AgentMentioned(
        tenant_id=team.tenant_id,
        actor=f"user:{team.agent.id}",
        conversation_id=uuid.uuid4(),
        message_id=uuid.uuid4(),
        mentioned=(team.agent.id,),
    )
    await nh.deliver(team, mention)
    assert (await feed(nh, team, team.agent))["unreadNotificationCount"] == 0


async def test_sla_events_reach_the_followed_assignee(nh: NotificationsHarness, team: Team) -> None:
    ticket = uuid.uuid4()
    sla = {"ticket_id": ticket, "metric": "first_reply", "cycle": 1, "due_at": "2026-11-29T15:00"}
    # before any assignment nobody is notified
    await nh.deliver(team, SlaWarning(tenant_id=team.tenant_id, **sla))  # type: ignore[arg-type]
    await nh.deliver(team, assigned(team, ticket, team.agent.id, team.owner.id))
    await nh.deliver(team, SlaWarning(tenant_id=team.tenant_id, **sla))  # type: ignore[arg-type]
    await nh.deliver(team, SlaBreached(tenant_id=team.tenant_id, **sla))  # type: ignore[arg-type]
    nodes = [e["node"] for e in (await feed(nh, team, team.agent))["notifications"]["edges"]]
    assert [n["kind"] for n in nodes] == ["SLA_BREACHED", "SLA_WARNING", "TICKET_ASSIGNED"]
    assert "first reply" in nodes[0]["title"]


async def test_mentions_in_tickets_tasks_and_chat(nh: NotificationsHarness, team: Team) -> None:
    await nh.ok(SETTINGS, {"handle": "@Other"}, team=team, who=team.other)
    ticket_comment = CommentAdded(
        tenant_id=team.tenant_id,
        actor=str(team.owner.id),
        ticket_id=uuid.uuid4(),
        comment_id=uuid.uuid4(),
        public=False,
        mentions=("other", str(team.agent.id), "nobody"),
    )
    task_comment = TaskCommented(
        tenant_id=team.tenant_id,
        actor=str(team.owner.id),
        task_id=uuid.uuid4(),
        comment_id=uuid.uuid4(),
        mentioned=(str(team.agent.id),),
    )
    chat = AgentMentioned(
        tenant_id=team.tenant_id,
        actor=f"user:{team.owner.id}",
        conversation_id=uuid.uuid4(),
        message_id=uuid.uuid4(),
        mentioned=(team.agent.id, team.other.id),
    )
    for event in (ticket_comment, task_comment, chat):
        await nh.deliver(team, event)
    agent = [e["node"] for e in (await feed(nh, team, team.agent))["notifications"]["edges"]]
    other = [e["node"] for e in (await feed(nh, team, team.other))["notifications"]["edges"]]
    assert [n["subjectType"] for n in agent] == ["conversation", "task", "ticket"]
    assert [n["subjectType"] for n in other] == ["conversation", "ticket"]
    assert all(n["kind"] == "MENTIONED" for n in agent + other)


async def test_conversation_assignment(nh: NotificationsHarness, team: Team) -> None:
    event = ConversationAssigned(
        tenant_id=team.tenant_id,
        actor="contact:" + str(uuid.uuid4()),
        conversation_id=uuid.uuid4(),
        assignee_id=team.agent.id,
        previous_assignee_id=None,
    )
    await nh.deliver(team, event)
    (edge,) = (await feed(nh, team, team.agent))["notifications"]["edges"]
    assert edge["node"]["kind"] == "CONVERSATION_ASSIGNED"


async def test_pagination_unread_only_and_mark_read(nh: NotificationsHarness, team: Team) -> None:
    for _ in range(5):
        await nh.deliver(team, assigned(team, uuid.uuid4(), team.agent.id, team.owner.id))
    first = await feed(nh, team, team.agent, first=2)
    assert first["notifications"]["pageInfo"]["hasNextPage"] is True
    cursor = first["notifications"]["pageInfo"]["endCursor"]
    second = await feed(nh, team, team.agent, first=10, after=cursor)
    ids = [e["node"]["id"] for e in first["notifications"]["edges"]]
    ids += [e["node"]["id"] for e in second["notifications"]["edges"]]
    assert len(set(ids)) == 5
    marked = await nh.ok(MARK, {"input": {"ids": ids[:2]}}, team=team, who=team.agent)
    assert marked["markNotificationsRead"] == {"marked": 2, "unreadCount": 3, "userErrors": []}
    unread = await feed(nh, team, team.agent, unread=True)
    assert {e["node"]["id"] for e in unread["notifications"]["edges"]} == set(ids[2:])
    everything = await nh.ok(MARK, {"input": {"all": True}}, team=team, who=team.agent)
    assert everything["markNotificationsRead"]["unreadCount"] == 0
    assert everything["markNotificationsRead"]["marked"] == 3


async def test_bad_input_gives_user_errors(nh: NotificationsHarness, team: Team) -> None:
    both = await nh.ok(MARK, {"input": {"ids": [], "all": True}}, team=team, who=team.agent)
    assert both["markNotificationsRead"]["userErrors"][0]["code"] == "INVALID_INPUT"
    bad = await nh.ok(MARK, {"input": {"ids": ["nope"]}}, team=team, who=team.agent)
    assert bad["markNotificationsRead"]["userErrors"][0]["field"] == "ids"
    email = await nh.ok(SETTINGS, {"email": "not-an-email"}, team=team, who=team.agent)
    assert email["updateNotificationSettings"]["userErrors"][0]["field"] == "email"
    await nh.ok(SETTINGS, {"handle": "ada"}, team=team, who=team.agent)
    taken = await nh.ok(SETTINGS, {"handle": "ADA"}, team=team, who=team.other)
    assert taken["updateNotificationSettings"]["userErrors"][0]["code"] == "HANDLE_TAKEN"
    body = await nh.gql(LIST, {"after": "garbage"}, tenant=team.tenant, token=team.agent.token)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_preferences_default_and_turn_off_in_app(
    nh: NotificationsHarness, team: Team
) -> None:
    prefs = (await nh.ok(PREFS, {}, team=team, who=team.agent))["notificationPreferences"]
    by_kind = {p["kind"]: p for p in prefs}
    assert by_kind["MENTIONED"] == {"kind": "MENTIONED", "inApp": True, "email": True, "push": True}
    change = [{"kind": "TICKET_ASSIGNED", "inApp": False, "email": False, "push": False}]
    saved = await nh.ok(SET_PREFS, {"p": change}, team=team, who=team.agent)
    updated = {p["kind"]: p for p in saved["updateNotificationPreferences"]["preferences"]}
    assert updated["TICKET_ASSIGNED"]["inApp"] is False
    await nh.deliver(team, assigned(team, uuid.uuid4(), team.agent.id, team.owner.id))
    assert (await feed(nh, team, team.agent))["unreadNotificationCount"] == 0
    # another user's preferences are untouched
    other = (await nh.ok(PREFS, {}, team=team, who=team.other))["notificationPreferences"]
    assert {p["kind"]: p for p in other}["TICKET_ASSIGNED"]["inApp"] is True


async def test_tenant_isolation_of_queries_and_mutations(
    nh: NotificationsHarness, team: Team
) -> None:
    other_team = await nh.team()
    await nh.deliver(team, assigned(team, uuid.uuid4(), team.agent.id, team.owner.id))
    mine = await feed(nh, team, team.agent)
    (edge,) = mine["notifications"]["edges"]
    # tenant B's people see nothing of tenant A, and cannot mark A's notification read
    theirs = await feed(nh, other_team, other_team.agent)
    assert theirs["notifications"]["edges"] == []
    assert theirs["unreadNotificationCount"] == 0
    marked = await nh.ok(
        MARK, {"input": {"ids": [edge["node"]["id"]]}}, team=other_team, who=other_team.agent
    )
    assert marked["markNotificationsRead"]["marked"] == 0
    assert (await feed(nh, team, team.agent))["unreadNotificationCount"] == 1
    # a token of tenant B aimed at tenant A is refused
    forged = await nh.gql(LIST, {}, tenant=team.tenant, token=other_team.agent.token)
    assert forged["data"] is None
    assert forged["errors"][0]["extensions"]["code"] in {"UNAUTHENTICATED", "FORBIDDEN"}
    for query in (MARK, SETTINGS, PREFS):
        variables = {"input": {"all": True}} if query is MARK else {}
        body = await nh.gql(query, variables, tenant=team.tenant, token=other_team.agent.token)
        assert "errors" in body, body
