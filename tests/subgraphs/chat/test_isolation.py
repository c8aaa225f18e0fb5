"""Cross-tenant isolation for every root field: tenant B, holding every permission and tenant
A's ids, reads nothing of A and changes nothing of A; A's token is refused on B's tenant."""

from __future__ import annotations

from typing import Any

import pytest

from subgraphs.chat.app import build_schema
from tests.subgraphs.chat.harness import GET, SEND, ChatHarness, People

OPS: dict[str, tuple[str, Any]] = {
    "conversation": (
        "query($id: ID!) { conversation(id: $id) { id } }",
        lambda a: {"id": a["conv"]},
    ),
    "conversations": ("{ conversations { edges { node { id } } } }", lambda a: {}),
    "chatQueue": ("{ chatQueue { conversationId } }", lambda a: {}),
    "chatInboxes": ("{ chatInboxes { id } }", lambda a: {}),
    "chatTeams": ("{ chatTeams { id } }", lambda a: {}),
    "cannedReplies": ("{ cannedReplies { id } }", lambda a: {}),
    "agentPresences": ("{ agentPresences { user { id } } }", lambda a: {}),
    "startConversation": (
        (
            'mutation($i: ID!) { startConversation(input: {inboxId: $i, body: "x"}) { '
            "conversation { id } userErrors { code } } }"
        ),
        lambda a: {"i": a["inbox"]},
    ),
    "updateConversation": (
        (
            "mutation($id: ID!) { updateConversation(input: {id: $id, status: RESOLVED}) { "
            "conversation { id } userErrors { code } } }"
        ),
        lambda a: {"id": a["conv"]},
    ),
    "assignConversation": (
        (
            "mutation($id: ID!, $u: ID!) { assignConversation(input: {id: $id, assigneeId: "
            "$u}) { conversation { id } userErrors { code } } }"
        ),
        lambda a: {"id": a["conv"], "u": a["agent"]},
    ),
    "sendChatMessage": (
        (
            'mutation($id: ID!) { sendChatMessage(input: {conversationId: $id, body: "x"}) '
            "{ message { id } userErrors { code } } }"
        ),
        lambda a: {"id": a["conv"]},
    ),
    "markConversationRead": (
        (
            "mutation($id: ID!) { markConversationRead(input: {conversationId: $id}) { "
            "lastReadSeq userErrors { code } } }"
        ),
        lambda a: {"id": a["conv"]},
    ),
    "escalateConversationToTicket": (
        (
            "mutation($id: ID!) { escalateConversationToTicket(conversationId: $id) { "
            "conversation { id } userErrors { code } } }"
        ),
        lambda a: {"id": a["conv"]},
    ),
    "mergeConversations": (
        (
            "mutation($s: ID!, $t: ID!) { mergeConversations(input: {sourceId: $s, "
            "targetId: $t}) { conversation { id } userErrors { code } } }"
        ),
        lambda a: {"s": a["conv"], "t": a["conv2"]},
    ),
    "setAgentPresence": (
        "mutation { setAgentPresence(status: ONLINE) { presence { status } userErrors { code } } }",
        lambda a: {},
    ),
    "setAgentCapacity": (
        (
            "mutation($u: ID!) { setAgentCapacity(input: {userId: $u, capacity: 0}) { "
            "presence { capacity } userErrors { code } } }"
        ),
        lambda a: {"u": a["agent"]},
    ),
    "setAgentSkills": (
        (
            'mutation($u: ID!) { setAgentSkills(input: {userId: $u, skills: ["x"]}) { '
            "presence { skills } userErrors { code } } }"
        ),
        lambda a: {"u": a["agent"]},
    ),
    "saveChatInbox": (
        (
            'mutation($id: ID!) { saveChatInbox(input: {id: $id, name: "stolen"}) { inbox '
            "{ id } userErrors { code } } }"
        ),
        lambda a: {"id": a["inbox"]},
    ),
    "saveChatTeam": (
        (
            'mutation($id: ID!) { saveChatTeam(input: {id: $id, name: "stolen"}) { team { '
            "id } userErrors { code } } }"
        ),
        lambda a: {"id": a["team"]},
    ),
    "saveCannedReply": (
        (
            'mutation($id: ID!) { saveCannedReply(input: {id: $id, content: "stolen"}) { '
            "cannedReply { id } userErrors { code } } }"
        ),
        lambda a: {"id": a["canned"]},
    ),
    "deleteCannedReply": (
        "mutation($id: ID!) { deleteCannedReply(id: $id) { deletedId userErrors { code } } }",
        lambda a: {"id": a["canned"]},
    ),
    "setChatTyping": (
        "mutation($id: ID!) { setChatTyping(conversationId: $id) }",
        lambda a: {"id": a["conv"]},
    ),
}
SUBSCRIPTIONS = {"messageAdded", "typing", "conversationUpdated", "presenceChanged", "queueChanged"}


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the guard is the database per tenant + the verified token: one backend


def test_every_root_field_is_covered() -> None:
    graphql = build_schema()._schema
    assert graphql.query_type is not None
    assert graphql.mutation_type is not None
    assert graphql.subscription_type is not None
    names = set(graphql.query_type.fields) | set(graphql.mutation_type.fields)
    assert names - {"_entities", "_service"} == set(OPS)
    assert set(graphql.subscription_type.fields) == SUBSCRIPTIONS


async def _seed(ch: ChatHarness, a: People) -> dict[str, str]:
    inbox = await ch.inbox(a)
    conv = (await ch.start(a, inbox))["conversation"]["id"]
    conv2 = (await ch.start(a, inbox))["conversation"]["id"]
    team = await ch.ok(
        'mutation { saveChatTeam(input: {name: "A"}) { team { id } userErrors { code } } }',
        {},
        tenant=a.tenant,
        token=a.owner,
    )
    canned = await ch.ok(
        (
            'mutation { saveCannedReply(input: {shortCode: "a", content: "A"}) { '
            "cannedReply { id } userErrors { code } } }"
        ),
        {},
        tenant=a.tenant,
        token=a.owner,
    )
    await ch.presence(a, a.agent)
    return {
        "inbox": inbox,
        "conv": conv,
        "conv2": conv2,
        "team": team["team"]["id"],
        "canned": canned["cannedReply"]["id"],
        "agent": a.agent_id,
    }


async def test_tenant_b_reaches_nothing_of_tenant_a(ch: ChatHarness) -> None:
    a, b = await ch.people(), await ch.people()
    ids = await _seed(ch, a)
    before = await ch.gql(GET, {"id": ids["conv"]}, tenant=a.tenant, token=a.owner)
    leaked = set(ids.values())
    for name, (query, variables) in OPS.items():
        body = await ch.gql(query, variables(ids), tenant=b.tenant, token=b.owner)
        text = str(body)
        hits = [value for value in leaked if value in text and value != ids["agent"]]
        assert not hits, (name, body)
        result = (body.get("data") or {}).get(name)
        if (
            isinstance(result, dict)
            and "userErrors" in result
            and name
            not in {
                "setAgentPresence",
                "setAgentCapacity",  # B's own routing rows: allowed
                "setAgentSkills",
            }
        ):
            assert result["userErrors"], (name, body)
    after = await ch.gql(GET, {"id": ids["conv"]}, tenant=a.tenant, token=a.owner)
    assert after == before
    names = await ch.gql(
        "{ chatInboxes { name } chatTeams { name } cannedReplies { content } }",
        tenant=a.tenant,
        token=a.owner,
    )
    assert names["data"] == {
        "chatInboxes": [{"name": "Support"}],
        "chatTeams": [{"name": "A"}],
        "cannedReplies": [{"content": "A"}],
    }


async def test_a_token_is_refused_on_another_tenant(ch: ChatHarness) -> None:
    a, b = await ch.people(), await ch.people()
    ids = await _seed(ch, a)
    for name, (query, variables) in OPS.items():
        body = await ch.gql(query, variables(ids), tenant=b.tenant, token=a.owner)
        assert body.get("data") is None or body["data"].get(name) in (None, False), body
        codes = {e["extensions"]["code"] for e in body.get("errors", [])}
        assert codes == {"UNAUTHENTICATED"}, (name, body)
    sent = {"conversationId": ids["conv"], "body": "x"}
    body = await ch.gql(SEND, {"input": sent}, tenant=b.tenant, token=a.agent)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
