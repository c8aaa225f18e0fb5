"""SLA policies on tickets: selection, live state, pauses, and the idempotent check job."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from subgraphs.kit.events.models import OutboxRow
from subgraphs.kit.ids import TenantId
from subgraphs.tickets.service.sla_check import check_sla
from tests.subgraphs.tickets.harness import (
    COMMENT,
    GET,
    UPDATE,
    People,
    TicketsHarness,
    sqlite_only,
)

POLICY = """mutation($input: CreateSlaPolicyInput!) { createSlaPolicy(input: $input) {
  policy { id } userErrors { code field message } } }"""


async def _policies(th: TicketsHarness, people: People) -> None:
    for data in (
        {
            "name": "VIP",
            "position": 1,
            "conditions": {"tags": ["vip"]},
            "targets": {
                "normal": {"FIRST_RESPONSE": 10, "RESOLUTION": 60},
                "high": {"FIRST_RESPONSE": 5, "RESOLUTION": 30},
            },
        },
        {
            "name": "Default",
            "position": 2,
            "warnBeforeMinutes": 30,
            "targets": {
                "normal": {
                    "FIRST_RESPONSE": 60,
                    "NEXT_RESPONSE": 30,
                    "PERIODIC_UPDATE": 120,
                    "RESOLUTION": 480,
                }
            },
        },
    ):
        body = await th.gql(POLICY, {"input": data}, tenant=people.tenant, token=people.owner)
        assert body["data"]["createSlaPolicy"]["userErrors"] == [], body


def _sla(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["metric"]: s for s in body["data"]["ticket"]["sla"]}


async def _check(th: TicketsHarness, people: People, at: datetime) -> tuple[int, int]:
    tenant = TenantId(uuid.UUID(people.tenant.id))
    async with th.identity.runtime.tenants.session(tenant) as session, session.begin():
        result = await check_sla(session, tenant, at)
    return result.warnings, result.breaches


async def _outbox(th: TicketsHarness, people: People) -> list[str]:
    tenant = TenantId(uuid.UUID(people.tenant.id))
    async with th.identity.runtime.tenants.session(tenant) as session:
        rows = (await session.execute(select(OutboxRow.event_type))).scalars().all()
    return [r for r in rows if r.startswith("tickets.sla")]


@sqlite_only
async def test_policy_selection_and_live_state(th: TicketsHarness, people: People) -> None:
    await _policies(th, people)
    t = people.tenant
    vip = await th.create(people, tags=["vip"])
    plain = await th.create(people, token=people.requester)
    vip_sla = _sla(await th.gql(GET, {"id": vip["id"]}, tenant=t, token=people.agent))
    plain_sla = _sla(await th.gql(GET, {"id": plain["id"]}, tenant=t, token=people.agent))
    assert set(vip_sla) == {"FIRST_RESPONSE", "RESOLUTION"}
    assert 500 < vip_sla["FIRST_RESPONSE"]["remainingSeconds"] <= 600
    assert 3500 < plain_sla["FIRST_RESPONSE"]["remainingSeconds"] <= 3600
    # priority change retargets the running clocks
    body = await th.gql(
        UPDATE, {"input": {"id": vip["id"], "priority": "high"}}, tenant=t, token=people.agent
    )
    assert body["data"]["updateTicket"]["userErrors"] == []
    vip_sla = _sla(await th.gql(GET, {"id": vip["id"]}, tenant=t, token=people.agent))
    assert vip_sla["FIRST_RESPONSE"]["remainingSeconds"] <= 300
    # an agent's public reply fulfils first response and starts periodic updates
    await th.gql(
        COMMENT, {"input": {"ticketId": plain["id"], "body": "On it"}}, tenant=t, token=people.agent
    )
    plain_sla = _sla(await th.gql(GET, {"id": plain["id"]}, tenant=t, token=people.agent))
    assert plain_sla["FIRST_RESPONSE"]["fulfilledAt"] is not None
    assert "PERIODIC_UPDATE" in plain_sla
    body = await th.gql(GET, {"id": plain["id"]}, tenant=t, token=people.agent)
    assert body["data"]["ticket"]["status"]["key"] == "open"


@sqlite_only
async def test_pausing_status_stops_the_clock(th: TicketsHarness, people: People) -> None:
    await _policies(th, people)
    t = people.tenant
    ticket = await th.create(people)
    await th.gql(
        UPDATE, {"input": {"id": ticket["id"], "status": "pending"}}, tenant=t, token=people.agent
    )
    sla = _sla(await th.gql(GET, {"id": ticket["id"]}, tenant=t, token=people.agent))
    assert sla["RESOLUTION"]["paused"]
    assert sla["RESOLUTION"]["targetAt"] is None
    assert await _check(th, people, datetime.now(UTC) + timedelta(days=30)) == (0, 0)
    await th.gql(
        UPDATE, {"input": {"id": ticket["id"], "status": "open"}}, tenant=t, token=people.agent
    )
    sla = _sla(await th.gql(GET, {"id": ticket["id"]}, tenant=t, token=people.agent))
    assert not sla["RESOLUTION"]["paused"]
    assert sla["RESOLUTION"]["targetAt"] is not None


async def test_check_job_warns_and_breaches_once(th: TicketsHarness, people: People) -> None:
    await _policies(th, people)
    t = people.tenant
    ticket = await th.create(people)
    now = datetime.now(UTC)
    assert await _check(th, people, now) == (0, 0)
    # 35 min later: first response (60 min, warn 30 min before) warns
    assert await _check(th, people, now + timedelta(minutes=35)) == (1, 0)
    assert await _check(th, people, now + timedelta(minutes=36)) == (0, 0)
    # 2 hours later: first response breached (its warning already sent)
    assert await _check(th, people, now + timedelta(hours=2)) == (0, 1)
    # 9 hours: resolution (480 min) breached; its warning window passed unseen (no late
    # warning after the breach)
    assert await _check(th, people, now + timedelta(hours=9)) == (0, 1)
    assert await _check(th, people, now + timedelta(hours=10)) == (0, 0)
    assert sorted(await _outbox(th, people)) == [
        "tickets.sla_breached",
        "tickets.sla_breached",
        "tickets.sla_warning",
    ]
    query = """query($f: TicketFilter) { tickets(filter: $f) { edges { node { id } } } }"""
    body = await th.gql(query, {"f": {"slaBreached": True}}, tenant=t, token=people.agent)
    assert [e["node"]["id"] for e in body["data"]["tickets"]["edges"]] == [ticket["id"]]
    body = await th.gql(query, {"f": {"slaBreached": False}}, tenant=t, token=people.agent)
    assert body["data"]["tickets"]["edges"] == []
    sla = _sla(await th.gql(GET, {"id": ticket["id"]}, tenant=t, token=people.agent))
    assert sla["FIRST_RESPONSE"]["breached"]


@sqlite_only
async def test_next_response_cycles(th: TicketsHarness, people: People) -> None:
    await _policies(th, people)
    t = people.tenant
    ticket = await th.create(people, token=people.requester)
    await th.gql(
        COMMENT,
        {"input": {"ticketId": ticket["id"], "body": "Hello"}},
        tenant=t,
        token=people.agent,
    )
    await th.gql(
        COMMENT,
        {"input": {"ticketId": ticket["id"], "body": "Still broken"}},
        tenant=t,
        token=people.requester,
    )
    sla = _sla(await th.gql(GET, {"id": ticket["id"]}, tenant=t, token=people.agent))
    assert sla["NEXT_RESPONSE"]["cycle"] == 1
    assert sla["NEXT_RESPONSE"]["fulfilledAt"] is None
    await th.gql(
        COMMENT,
        {"input": {"ticketId": ticket["id"], "body": "Fixed?"}},
        tenant=t,
        token=people.agent,
    )
    await th.gql(
        COMMENT,
        {"input": {"ticketId": ticket["id"], "body": "No"}},
        tenant=t,
        token=people.requester,
    )
    sla = _sla(await th.gql(GET, {"id": ticket["id"]}, tenant=t, token=people.agent))
    assert sla["NEXT_RESPONSE"]["cycle"] == 2
    assert sla["PERIODIC_UPDATE"]["cycle"] == 2
