"""Malformed ids land in the payload's userErrors (never data: null with a top-level error);
who may start a conversation, and who gets a contact token."""

from __future__ import annotations

import uuid

import pytest

from tests.subgraphs.chat.harness import SEND, ChatHarness, People

OTHER = str(uuid.uuid4())  # a well-formed id, so only the malformed one is reported
ERRORS = "userErrors { field code }"
CASES: dict[str, tuple[str, str]] = {
    "startConversation": (
        f'startConversation(input: {{inboxId: "nope", body: "x"}}) {{ {ERRORS} }}',
        "inboxId",
    ),
    "updateConversation": (
        f'updateConversation(input: {{id: "nope", status: RESOLVED}}) {{ {ERRORS} }}',
        "id",
    ),
    "assignConversation": (
        f'assignConversation(input: {{id: "{OTHER}", assigneeId: "nope"}}) {{ {ERRORS} }}',
        "assigneeId",
    ),
    "sendChatMessage": (
        f'sendChatMessage(input: {{conversationId: "{OTHER}", body: "x", mentions: ["nope"]}}) '
        f"{{ {ERRORS} }}",
        "mentions",
    ),
    "markConversationRead": (
        f'markConversationRead(input: {{conversationId: "nope"}}) {{ {ERRORS} }}',
        "conversationId",
    ),
    "escalateConversationToTicket": (
        f'escalateConversationToTicket(conversationId: "nope") {{ {ERRORS} }}',
        "conversationId",
    ),
    "mergeConversations": (
        f'mergeConversations(input: {{sourceId: "{OTHER}", targetId: "nope"}}) {{ {ERRORS} }}',
        "targetId",
    ),
    "setAgentCapacity": (
        f'setAgentCapacity(input: {{userId: "nope", capacity: 2}}) {{ {ERRORS} }}',
        "userId",
    ),
    "setAgentSkills": (
        f'setAgentSkills(input: {{userId: "nope", skills: []}}) {{ {ERRORS} }}',
        "userId",
    ),
    "saveChatInbox": (
        f'saveChatInbox(input: {{name: "x", channel: API, teamId: "nope"}}) {{ {ERRORS} }}',
        "teamId",
    ),
    "saveChatTeam": (
        f'saveChatTeam(input: {{name: "x", memberIds: ["{OTHER}", "nope"]}}) {{ {ERRORS} }}',
        "memberIds",
    ),
    "saveCannedReply": (
        f'saveCannedReply(input: {{id: "nope", shortCode: "a", content: "b"}}) {{ {ERRORS} }}',
        "id",
    ),
    "deleteCannedReply": (f'deleteCannedReply(id: "nope") {{ {ERRORS} }}', "id"),
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_a_malformed_id_is_a_user_error(ch: ChatHarness, people: People, name: str) -> None:
    field, expected = CASES[name]
    body = await ch.gql(f"mutation {{ {field} }}", tenant=people.tenant, token=people.owner)
    assert "errors" not in body, body
    assert body["data"][name]["userErrors"] == [{"field": expected, "code": "INVALID_INPUT"}]


async def test_every_id_taking_mutation_is_covered(ch: ChatHarness, people: People) -> None:
    """A new mutation taking an id gets a case here (setChatTyping returns a Boolean and has
    no payload: its malformed id stays a top-level INVALID_INPUT)."""
    body = await ch.gql("{ __schema { mutationType { fields { name } } } }", tenant=people.tenant)
    names = {f["name"] for f in body["data"]["__schema"]["mutationType"]["fields"]}
    assert names - {"setAgentPresence", "setChatTyping"} == set(CASES)


async def test_anonymous_start_with_a_malformed_inbox_is_a_user_error(
    ch: ChatHarness, people: People
) -> None:
    field, _ = CASES["startConversation"]
    body = await ch.gql(f"mutation {{ {field} }}", tenant=people.tenant)
    assert "errors" not in body, body
    errors = body["data"]["startConversation"]["userErrors"]
    assert errors == [{"field": "inboxId", "code": "INVALID_INPUT"}]


async def test_auth_failures_stay_top_level_errors(ch: ChatHarness, people: People) -> None:
    field, _ = CASES["updateConversation"]
    body = await ch.gql(f"mutation {{ {field} }}", tenant=people.tenant)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_staff_start_for_a_contact_without_a_token(ch: ChatHarness, people: People) -> None:
    """An agent (here the owner) opens a conversation on a customer's behalf: the contact is
    the one named, not the agent, and no contact token is issued (agents read everything)."""
    inbox = await ch.inbox(people)
    started = await ch.start(
        people, inbox, token=people.owner, contactName="Bob", contactEmail="bob@x.test"
    )
    assert started["contactToken"] is None
    conv = started["conversation"]
    assert conv["contact"]["name"] == "Bob"
    assert conv["contact"]["email"] == "bob@x.test"
    assert conv["contact"]["identified"] is False
    assert [m["authorKind"] for m in conv["messages"]] == ["CONTACT"]
    reply = {"conversationId": conv["id"], "body": "We are on it"}
    await ch.ok(SEND, {"input": reply}, tenant=people.tenant, token=people.agent)
    again = await ch.start(people, inbox, token=people.owner, contactName="Eve")
    assert again["contactToken"] is None
    assert again["conversation"]["contact"]["id"] != conv["contact"]["id"]


async def test_a_viewer_may_not_start_conversations(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    field, _ = CASES["startConversation"]
    query = field.replace('"nope"', f'"{inbox}"')
    body = await ch.gql(f"mutation {{ {query} }}", tenant=people.tenant, token=people.viewer)
    assert "errors" not in body, body
    assert body["data"]["startConversation"]["userErrors"] == [
        {"field": None, "code": "NOT_AN_AGENT"}
    ]
    listed = await ch.gql(
        "{ conversations { edges { node { id } } } }", tenant=people.tenant, token=people.owner
    )
    assert listed["data"]["conversations"]["edges"] == []
