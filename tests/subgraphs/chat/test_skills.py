"""Skills routing: a conversation goes only to an agent holding every skill it requires
(the inbox's required skills plus the conversation's own); one nobody can serve keeps its
place in the queue while later ones are routed, and is assigned once an agent gets the skill."""

from __future__ import annotations

from typing import Any

from tests.subgraphs.chat.harness import GET, INBOX, UPDATE, ChatHarness, People

SKILLS = """mutation($u: ID!, $s: [String!]!) { setAgentSkills(input: {userId: $u, skills: $s}) {
  presence { user { id } skills } userErrors { field code } } }"""
PRESENCES = "{ agentPresences { user { id } skills } }"


async def _state(ch: ChatHarness, people: People, conv_id: str) -> dict[str, Any]:
    body = await ch.gql(GET, {"id": conv_id}, tenant=people.tenant, token=people.owner)
    conversation: dict[str, Any] = body["data"]["conversation"]
    return conversation


async def _skills(ch: ChatHarness, people: People, user: str, names: list[str]) -> Any:
    return await ch.gql(SKILLS, {"u": user, "s": names}, tenant=people.tenant, token=people.owner)


async def test_conversations_go_to_agents_with_every_required_skill(
    ch: ChatHarness, people: People
) -> None:
    inbox = await ch.inbox(people, routing="BALANCED")
    done = await _skills(ch, people, people.agent2_id, ["Billing", "de", "billing"])
    assert done["data"]["setAgentSkills"]["presence"]["skills"] == ["billing", "de"]
    await ch.presence(people, people.agent)
    await ch.presence(people, people.agent2)
    # leave agent2 as balanced routing's second choice (more load, or as much but assigned
    # last): without the skills check the next conversation would go to agent
    first = (await ch.start(people, inbox))["conversation"]
    if first["assignee"]["id"] != people.agent2_id:
        await ch.start(people, inbox)
    german = (await ch.start(people, inbox, skills=["DE", "billing"]))["conversation"]
    assert german["assignee"] == {"id": people.agent2_id}
    assert sorted(german["requiredSkills"]) == ["billing", "de"]

    # nobody speaks French: it waits with its place; a later plain conversation is routed
    french = (await ch.start(people, inbox, skills=["fr"]))["conversation"]
    plain = (await ch.start(people, inbox))["conversation"]
    assert french["assignee"] is None
    assert (french["queued"], french["queuePosition"]) == (True, 1)
    assert plain["assignee"] is not None
    await _skills(ch, people, people.agent_id, ["fr"])
    assert (await _state(ch, people, french["id"]))["assignee"] == {"id": people.agent_id}
    seen = await ch.gql(PRESENCES, tenant=people.tenant, token=people.owner)
    held = {p["user"]["id"]: p["skills"] for p in seen["data"]["agentPresences"]}
    assert held[people.agent_id] == ["fr"]


async def test_inbox_skills_and_changing_a_waiting_conversations_skills(
    ch: ChatHarness, people: People
) -> None:
    inbox = await ch.inbox(people, requiredSkills=["vip"])
    await ch.presence(people, people.agent)
    waiting = (await ch.start(people, inbox))["conversation"]
    assert waiting["requiredSkills"] == ["vip"]
    assert waiting["queued"] is True
    change = {"id": waiting["id"], "requiredSkills": []}  # an agent drops the requirement
    updated = await ch.ok(UPDATE, {"input": change}, tenant=people.tenant, token=people.agent)
    assert updated["conversation"]["assignee"] == {"id": people.agent_id}
    assert updated["conversation"]["requiredSkills"] == []
    listed = await ch.ok(INBOX, {"input": {"id": inbox}}, tenant=people.tenant, token=people.owner)
    assert listed["inbox"]["id"] == inbox


async def test_bad_skills_are_user_errors(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    bad = await _skills(ch, people, people.agent_id, ["no spaces"])
    assert bad["data"]["setAgentSkills"]["userErrors"] == [
        {"field": "skills", "code": "INVALID_INPUT"}
    ]
    many = await _skills(ch, people, people.agent_id, [f"s{i}" for i in range(21)])
    assert many["data"]["setAgentSkills"]["userErrors"][0]["code"] == "INVALID_INPUT"
    refused = await ch.gql(
        SKILLS, {"u": people.agent_id, "s": ["x"]}, tenant=people.tenant, token=people.agent
    )
    assert refused["data"]["setAgentSkills"]["userErrors"][0]["code"] == "NOT_AN_AGENT"
    started = await ch.gql(
        """mutation($i: ID!) { startConversation(input: {inboxId: $i, body: "hi",
          skills: ["<script>"]}) { conversation { id } userErrors { field code } } }""",
        {"i": inbox},
        tenant=people.tenant,
    )
    payload = started["data"]["startConversation"]
    assert payload["conversation"] is None
    assert payload["userErrors"] == [{"field": "skills", "code": "INVALID_INPUT"}]
