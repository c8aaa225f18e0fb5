"""Conversations and messages through the HTTP API: contacts, agents, notes, receipts."""

from __future__ import annotations

from tests.subgraphs.chat.harness import GET, SEND, UPDATE, ChatHarness, People

CANNED = """mutation($input: SaveCannedReplyInput!) { saveCannedReply(input: $input) {
  cannedReply { id shortCode content } userErrors { field code } } }"""
READ = """mutation($input: MarkConversationReadInput!) { markConversationRead(input: $input) {
  lastReadSeq userErrors { code } } }"""


async def test_anonymous_visitor_chats_with_an_agent(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    started = await ch.start(people, inbox, contactName="Ada", contactEmail="ada@x.test")
    token, conv = started["contactToken"], started["conversation"]
    assert token.startswith("cct_")
    assert conv["status"] == "OPEN"
    assert conv["contact"]["identified"] is False
    assert [m["body"] for m in conv["messages"]] == ["Hello, I need help"]
    reply = {"conversationId": conv["id"], "body": "Hi Ada!"}
    await ch.ok(SEND, {"input": reply}, tenant=people.tenant, token=people.agent)
    note = {
        "conversationId": conv["id"],
        "body": "VIP",
        "private": True,
        "mentions": [people.agent2_id],
    }
    sent = await ch.ok(SEND, {"input": note}, tenant=people.tenant, token=people.agent)
    assert sent["message"]["mentions"] == [{"id": people.agent2_id}]
    mine = {"conversationId": conv["id"], "body": "thanks", "contactToken": token}
    await ch.ok(SEND, {"input": mine}, tenant=people.tenant, token=None)
    seen = await ch.gql(GET, {"id": conv["id"], "token": token}, tenant=people.tenant)
    bodies = [m["body"] for m in seen["data"]["conversation"]["messages"]]
    assert bodies == ["Hello, I need help", "Hi Ada!", "thanks"]  # no private note
    agent_view = await ch.gql(GET, {"id": conv["id"]}, tenant=people.tenant, token=people.agent)
    messages = agent_view["data"]["conversation"]["messages"]
    assert [m["seq"] for m in messages] == [1, 2, 3, 4]
    assert [m["private"] for m in messages] == [False, False, True, False]


async def test_contacts_cannot_write_notes_or_see_others(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    mine = await ch.start(people, inbox, token=people.customer)
    other = await ch.start(people, inbox)
    assert mine["contactToken"] is None
    assert mine["conversation"]["contact"]["identified"]
    note = {"conversationId": mine["conversation"]["id"], "body": "x", "private": True}
    body = await ch.gql(SEND, {"input": note}, tenant=people.tenant, token=people.customer)
    assert body["data"]["sendChatMessage"]["userErrors"][0]["code"] == "INVALID_INPUT"
    foreign = {"conversationId": other["conversation"]["id"], "body": "peek"}
    body = await ch.gql(SEND, {"input": foreign}, tenant=people.tenant, token=people.customer)
    assert body["data"]["sendChatMessage"]["userErrors"][0]["code"] == "CONVERSATION_NOT_FOUND"
    got = await ch.gql(
        GET, {"id": other["conversation"]["id"]}, tenant=people.tenant, token=people.customer
    )
    assert got["data"]["conversation"] is None
    listed = await ch.gql(
        "{ conversations { edges { node { id } } } }", tenant=people.tenant, token=people.customer
    )
    ids = [e["node"]["id"] for e in listed["data"]["conversations"]["edges"]]
    assert ids == [mine["conversation"]["id"]]
    change = {"id": mine["conversation"]["id"], "status": "RESOLVED"}
    body = await ch.gql(UPDATE, {"input": change}, tenant=people.tenant, token=people.customer)
    assert body["data"]["updateConversation"]["userErrors"][0]["code"] == "NOT_AN_AGENT"
    body = await ch.gql(UPDATE, {"input": change}, tenant=people.tenant, token=people.viewer)
    assert body["data"]["updateConversation"]["userErrors"][0]["code"] == "NOT_AN_AGENT"
    body = await ch.gql(
        GET, {"id": other["conversation"]["id"], "token": "cct_nope"}, tenant=people.tenant
    )
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CONTACT_TOKEN"
    body = await ch.gql(GET, {"id": other["conversation"]["id"]}, tenant=people.tenant)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_statuses_priority_snooze_and_receipts(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    conv = (await ch.start(people, inbox))["conversation"]
    change = {"id": conv["id"], "status": "SNOOZED"}
    body = await ch.gql(UPDATE, {"input": change}, tenant=people.tenant, token=people.agent)
    assert body["data"]["updateConversation"]["userErrors"][0]["code"] == "INVALID_TRANSITION"
    change = {
        "id": conv["id"],
        "status": "SNOOZED",
        "snoozedUntil": "2099-01-01T00:00:00Z",
        "priority": "URGENT",
    }
    result = await ch.ok(UPDATE, {"input": change}, tenant=people.tenant, token=people.agent)
    assert result["conversation"]["status"] == "SNOOZED"
    assert result["conversation"]["priority"] == "URGENT"
    for status in ("PENDING", "RESOLVED", "OPEN"):
        change = {"id": conv["id"], "status": status}
        result = await ch.ok(UPDATE, {"input": change}, tenant=people.tenant, token=people.agent)
        assert result["conversation"]["status"] == status
        assert result["conversation"]["snoozedUntil"] is None
    read = await ch.ok(
        READ, {"input": {"conversationId": conv["id"]}}, tenant=people.tenant, token=people.agent
    )
    assert read["lastReadSeq"] == 1
    read = await ch.ok(
        READ,
        {"input": {"conversationId": conv["id"], "seq": 0}},
        tenant=people.tenant,
        token=people.agent,
    )
    assert read["lastReadSeq"] == 1  # receipts only move forward
    got = await ch.gql(GET, {"id": conv["id"]}, tenant=people.tenant, token=people.agent)
    receipts = got["data"]["conversation"]["readReceipts"]
    assert receipts == [{"participant": f"user:{people.agent_id}", "lastReadSeq": 1}]


async def test_canned_replies(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    conv = (await ch.start(people, inbox))["conversation"]
    data = {"shortCode": "Greet", "content": "Hello! How can I help?"}
    saved = await ch.ok(CANNED, {"input": data}, tenant=people.tenant, token=people.agent)
    reply_id = saved["cannedReply"]["id"]
    assert saved["cannedReply"]["shortCode"] == "greet"
    body = await ch.gql(CANNED, {"input": data}, tenant=people.tenant, token=people.agent)
    assert body["data"]["saveCannedReply"]["userErrors"][0]["code"] == "DUPLICATE_SHORT_CODE"
    found = await ch.gql(
        '{ cannedReplies(search: "gr") { shortCode } }', tenant=people.tenant, token=people.agent
    )
    assert found["data"]["cannedReplies"] == [{"shortCode": "greet"}]
    send = {"conversationId": conv["id"], "cannedReplyId": reply_id}
    sent = await ch.ok(SEND, {"input": send}, tenant=people.tenant, token=people.agent)
    assert sent["message"]["body"] == "Hello! How can I help?"


async def test_escalation_and_merge(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    first = (await ch.start(people, inbox, token=people.customer))["conversation"]
    second = (await ch.start(people, inbox, token=people.customer, body="again"))["conversation"]
    escalate = """mutation($id: ID!) { escalateConversationToTicket(conversationId: $id) {
      conversation { ticket { id } ticketState messages { kind body } } userErrors { code } } }"""
    done = await ch.ok(escalate, {"id": first["id"]}, tenant=people.tenant, token=people.agent)
    ticket_id = done["conversation"]["ticket"]["id"]
    assert done["conversation"]["ticketState"] == "PENDING"
    assert done["conversation"]["messages"][-1]["kind"] == "SYSTEM"
    again = await ch.gql(escalate, {"id": first["id"]}, tenant=people.tenant, token=people.agent)
    assert again["data"]["escalateConversationToTicket"]["userErrors"][0]["code"] == (
        "INVALID_TRANSITION"
    )
    entities = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Ticket { id conversations { id } } } }"""
    reps = [{"__typename": "Ticket", "id": ticket_id}]
    got = await ch.gql(entities, {"r": reps}, tenant=people.tenant, token=people.agent)
    assert got["data"]["_entities"] == [{"id": ticket_id, "conversations": [{"id": first["id"]}]}]
    merge = """mutation($s: ID!, $t: ID!) { mergeConversations(input: {sourceId: $s, targetId: $t})
      { conversation { id messageCount messages { seq body } } userErrors { code } } }"""
    merged = await ch.ok(
        merge, {"s": second["id"], "t": first["id"]}, tenant=people.tenant, token=people.agent
    )
    seqs = [m["seq"] for m in merged["conversation"]["messages"]]
    assert seqs == list(range(1, len(seqs) + 1)) == list(range(1, 5))
    assert merged["conversation"]["messages"][2]["body"] == "again"
    source = await ch.gql(GET, {"id": second["id"]}, tenant=people.tenant, token=people.agent)
    assert source["data"]["conversation"]["status"] == "RESOLVED"
    assert source["data"]["conversation"]["mergedIntoId"] == first["id"]


async def test_attachment_references(ch: ChatHarness, people: People) -> None:
    inbox = await ch.inbox(people)
    conv = (await ch.start(people, inbox))["conversation"]
    file = {"name": "invoice.pdf", "url": "files/abc", "contentType": "application/pdf", "size": 42}
    data = {"conversationId": conv["id"], "attachments": [file]}
    sent = await ch.ok(SEND, {"input": data}, tenant=people.tenant, token=people.agent)
    assert sent["message"]["attachments"] == [
        {"name": "invoice.pdf", "url": "files/abc", "size": 42}
    ]
    assert sent["message"]["body"] == ""
    empty = {"conversationId": conv["id"], "body": "  "}
    body = await ch.gql(SEND, {"input": empty}, tenant=people.tenant, token=people.agent)
    assert body["data"]["sendChatMessage"]["userErrors"][0]["field"] == "body"
