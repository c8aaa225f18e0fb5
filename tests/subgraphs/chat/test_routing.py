"""Routing: balanced and round-robin, capacity caps, the queue, presence, office hours."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.subgraphs.chat.harness import CAPACITY, GET, INBOX, UPDATE, ChatHarness, People

QUEUE = "{ chatQueue { conversationId position } }"


async def _state(ch: ChatHarness, people: People, conv_id: str) -> dict[str, Any]:
    body = await ch.gql(GET, {"id": conv_id}, tenant=people.tenant, token=people.owner)
    conversation: dict[str, Any] = body["data"]["conversation"]
    return conversation


async def _resolve(ch: ChatHarness, people: People, conv_id: str) -> None:
    change = {"id": conv_id, "status": "RESOLVED"}
    await ch.ok(UPDATE, {"input": change}, tenant=people.tenant, token=people.owner)


async def test_balanced_with_caps_and_an_ordered_queue(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people, routing="BALANCED")
    for token, user in ((people.agent, people.agent_id), (people.agent2, people.agent2_id)):
        await ch.ok(CAPACITY, {"u": user, "c": 1}, tenant=people.tenant, token=people.owner)
        await ch.presence(people, token)
    convs = [(await ch.start(people, inbox))["conversation"] for _ in range(4)]
    assignees = {c["assignee"]["id"] for c in convs[:2] if c["assignee"]}
    assert assignees == {people.agent_id, people.agent2_id}
    assert [(c["queued"], c["queuePosition"]) for c in convs[2:]] == [(True, 1), (True, 2)]
    queue = await ch.gql(QUEUE, tenant=people.tenant, token=people.agent)
    assert [e["conversationId"] for e in queue["data"]["chatQueue"]] == [
        convs[2]["id"],
        convs[3]["id"],
    ]
    freed = convs[0]["assignee"]["id"]
    await _resolve(ch, people, convs[0]["id"])
    third = await _state(ch, people, convs[2]["id"])
    assert third["assignee"] == {"id": freed}
    assert third["queued"] is False
    assert (await _state(ch, people, convs[3]["id"]))["queuePosition"] == 1
    await ch.ok(CAPACITY, {"u": people.agent_id, "c": 5}, tenant=people.tenant, token=people.owner)
    assert (await _state(ch, people, convs[3]["id"]))["assignee"] is not None


async def test_round_robin_rotates(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people, routing="ROUND_ROBIN")
    await ch.presence(people, people.agent)
    await ch.presence(people, people.agent2)
    convs = [(await ch.start(people, inbox))["conversation"] for _ in range(4)]
    order = [c["assignee"]["id"] for c in convs]
    assert order[0] != order[1]
    assert order[:2] == order[2:]


async def test_inbox_cap_team_and_offline_reassignment(ch: ChatHarness, people: People) -> None:
    team = """mutation($m: [ID!]) { saveChatTeam(input: {name: "Tier 1", memberIds: $m}) {
      team { id members { id } } userErrors { code } } }"""
    made = await ch.ok(
        team, {"m": [people.agent_id, people.agent2_id]}, tenant=people.tenant, token=people.owner
    )
    inbox = await ch.inbox(people, capacity=2, teamId=made["team"]["id"])
    await ch.presence(people, people.owner)  # not in the team: never routed to
    await ch.presence(people, people.agent)
    convs = [(await ch.start(people, inbox))["conversation"] for _ in range(3)]
    assert [c["assignee"]["id"] for c in convs[:2]] == [people.agent_id] * 2
    assert convs[2]["queued"] is True  # the inbox's cap, not the agent's
    await ch.presence(people, people.agent2)
    await ch.presence(people, people.agent, "OFFLINE")
    states = [await _state(ch, people, c["id"]) for c in convs]
    assert [s["assignee"]["id"] if s["assignee"] else None for s in states] == [
        people.agent2_id,
        people.agent2_id,
        None,
    ]
    assert states[2]["queuePosition"] == 1
    presences = await ch.gql(
        "{ agentPresences { user { id } status } }", tenant=people.tenant, token=people.agent2
    )
    by_user = {p["user"]["id"]: p["status"] for p in presences["data"]["agentPresences"]}
    assert by_user[people.agent_id] == "OFFLINE"
    assert by_user[people.agent2_id] == "ONLINE"


async def test_office_hours_away_reply(ch: ChatHarness, people: People) -> None:
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    closed = json.dumps({d: [] for d in days})
    always = json.dumps({d: [["00:00", "23:59:59"]] for d in days})
    shut = await ch.inbox(
        people, officeHours=closed, awayMessage="We are away.", timezone="Europe/Paris"
    )
    conv = (await ch.start(people, shut))["conversation"]
    assert [(m["kind"], m["body"]) for m in conv["messages"]][-1] == ("SYSTEM", "We are away.")
    opened = await ch.inbox(people, officeHours=always, awayMessage="We are away.")
    conv = (await ch.start(people, opened))["conversation"]
    assert [m["kind"] for m in conv["messages"]] == ["TEXT"]
    spec = {"name": "x", "channel": "API", "officeHours": '{"mon": 1}'}
    bad = await ch.gql(INBOX, {"input": spec}, tenant=people.tenant, token=people.owner)
    errors = bad["data"]["saveChatInbox"]["userErrors"]
    assert errors == [
        {"field": "officeHours", "code": "INVALID_INPUT", "message": errors[0]["message"]}
    ]


async def test_snoozed_conversations_reopen_when_due(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    conv = (await ch.start(people, inbox))["conversation"]
    until = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    change = {"id": conv["id"], "status": "SNOOZED", "snoozedUntil": until}
    await ch.ok(UPDATE, {"input": change}, tenant=people.tenant, token=people.agent)
    await asyncio.sleep(1.2)
    await ch.presence(people, people.agent)  # any routing decision wakes due snoozes
    state = await _state(ch, people, conv["id"])
    assert state["status"] == "OPEN"
    assert state["snoozedUntil"] is None
