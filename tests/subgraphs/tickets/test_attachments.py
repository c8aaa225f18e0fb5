"""Comment attachments: files of the files subgraph by id (`File` stubs), reference links kept."""

from __future__ import annotations

import uuid

from tests.subgraphs.tickets.harness import COMMENT, People, TicketsHarness, sqlite_only

pytestmark = sqlite_only

COMMENTS = """query($id: ID!) { ticket(id: $id) { comments { body attachments { id }
  links { name url } } } }"""


async def test_file_ids_and_links(th: TicketsHarness, people: People) -> None:
    t = people.tenant
    ticket = await th.create(people, token=people.requester)
    files = [str(uuid.uuid4()) for _ in range(3)]
    link = {"name": "log.txt", "url": "https://files.example/log.txt"}
    body = await th.gql(
        COMMENT,
        {
            "input": {
                "ticketId": ticket["id"],
                "body": "see attached",
                "attachmentIds": [*files, files[0]],  # a repeat is kept once
                "links": [link],
            }
        },
        tenant=t,
        token=people.agent,
    )
    comment = body["data"]["addTicketComment"]["comment"]
    assert comment["attachments"] == [{"id": f} for f in files]
    assert comment["links"] == [link]
    # the deprecated reference input still works, as links
    old = await th.gql(
        COMMENT,
        {"input": {"ticketId": ticket["id"], "body": "old client", "attachments": [link]}},
        tenant=t,
        token=people.agent,
    )
    assert old["data"]["addTicketComment"]["comment"]["links"] == [link]
    assert old["data"]["addTicketComment"]["comment"]["attachments"] == []
    # the requester reads them on public replies
    got = await th.gql(COMMENTS, {"id": ticket["id"]}, tenant=t, token=people.requester)
    first = got["data"]["ticket"]["comments"][0]
    assert first["attachments"] == [{"id": f} for f in files]


async def test_bad_attachment_ids(th: TicketsHarness, people: People) -> None:
    t = people.tenant
    ticket = await th.create(people)
    for ids, code in (
        ([str(uuid.uuid4()) for _ in range(11)], "INVALID_INPUT"),
        (["not-an-id"], "INVALID_INPUT"),
    ):
        body = await th.gql(
            COMMENT,
            {"input": {"ticketId": ticket["id"], "body": "x", "attachmentIds": ids}},
            tenant=t,
            token=people.agent,
        )
        result = body["data"]["addTicketComment"]
        assert result["comment"] is None
        assert [e["code"] for e in result["userErrors"]] == [code]
    got = await th.gql(COMMENTS, {"id": ticket["id"]}, tenant=t, token=people.agent)
    assert got["data"]["ticket"]["comments"] == []


async def test_attachments_stay_in_their_tenant(th: TicketsHarness, people: People) -> None:
    other = await th.people()
    ticket = await th.create(people)
    file_id = str(uuid.uuid4())
    body = await th.gql(
        COMMENT,
        {"input": {"ticketId": ticket["id"], "body": "x", "attachmentIds": [file_id]}},
        tenant=other.tenant,
        token=other.agent,
    )
    codes = [e["code"] for e in body["data"]["addTicketComment"]["userErrors"]]
    assert codes == ["TICKET_NOT_FOUND"]
    got = await th.gql(COMMENTS, {"id": ticket["id"]}, tenant=other.tenant, token=other.agent)
    assert got["data"]["ticket"] is None
    mine = await th.gql(COMMENTS, {"id": ticket["id"]}, tenant=people.tenant, token=people.agent)
    assert mine["data"]["ticket"]["comments"] == []
