"""Time-based automations (the scheduled job: once per ticket per condition window, batches,
re-runs, tenants) and automations on new comments."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from saas_platform.worker.tenants import ControlTenantSource
from subgraphs.kit.events.scheduler import JobRun
from subgraphs.kit.ids import TenantId
from subgraphs.tickets.jobs import sla_check_job, time_automations
from subgraphs.tickets.models import Ticket
from subgraphs.tickets.service.automation_time import TimeRunResult, run_time_automations
from tests.subgraphs.tickets.harness import COMMENT, UPDATE, People, TicketsHarness, sqlite_only
from tests.subgraphs.tickets.test_automations import _cond, _ok, _save, _ticket


def _tenant(people: People) -> TenantId:
    return TenantId(uuid.UUID(people.tenant.id))


async def _run(th: TicketsHarness, people: People, hours: float, **kw: Any) -> TimeRunResult:
    at = datetime.now(UTC) + timedelta(hours=hours)
    async with th.identity.runtime.tenants.session(_tenant(people)) as session, session.begin():
        return await run_time_automations(session, _tenant(people), at, **kw)


async def _job(th: TicketsHarness, people: People, hours: float) -> int:
    at = datetime.now(UTC) + timedelta(hours=hours)
    return await time_automations(th.identity.runtime.tenants.session, _tenant(people), at)


def _fired(ticket: Any) -> list[str]:
    return [h["new"] for h in ticket["history"] if h["field"] == "automation"]


async def _status(th: TicketsHarness, people: People, ticket_id: str, status: str) -> None:
    body = await th.gql(
        UPDATE,
        {"input": {"id": ticket_id, "status": status}},
        tenant=people.tenant,
        token=people.agent,
    )
    assert body["data"]["updateTicket"]["userErrors"] == [], body


async def test_pending_rule_fires_once_per_stay_in_the_status(
    th: TicketsHarness, people: People
) -> None:
    await _ok(
        th,
        people,
        name="Pending 48h",
        triggers=["TIME"],
        conditions=[
            _cond("CATEGORY", "IS", "PENDING"),
            _cond("HOURS_SINCE_STATUS_CHANGED", "GREATER_THAN", "48"),
        ],
        actions={"addTags": ["chase"], "internalNote": "Still waiting on the customer"},
    )
    pending = await th.create(people)
    fresh = await th.create(people)  # open: never matches
    await _status(th, people, pending["id"], "pending")
    assert (await _run(th, people, 47)).fired == 0  # not yet 48 hours
    assert (await _run(th, people, 49)).fired == 1
    got = await _ticket(th, people, pending["id"])
    assert got["tags"] == ["chase"]
    assert [c["body"] for c in got["comments"]] == ["Still waiting on the customer"]
    assert _fired(got) == ["Pending 48h"]
    via = {h["via"] for h in got["history"] if h["field"] == "tags"}
    assert via == {"automation: Pending 48h"}
    # the same stay in PENDING: re-runs (a restart, the next slot) fire nothing
    assert (await _run(th, people, 49)).fired == 0
    assert await _job(th, people, 200) == 0
    assert _fired(await _ticket(th, people, fresh["id"])) == []
    # a new stay in PENDING opens a new window
    await _status(th, people, pending["id"], "open")
    await _status(th, people, pending["id"], "pending")
    assert (await _run(th, people, 20)).fired == 0
    assert await _job(th, people, 49) == 1
    assert _fired(await _ticket(th, people, pending["id"])) == ["Pending 48h", "Pending 48h"]


async def test_quiet_rule_never_rearms_itself_and_closed_tickets_rest(
    th: TicketsHarness, people: People
) -> None:
    await _ok(
        th,
        people,
        name="Nudge",
        triggers=["TIME"],
        conditions=[_cond("HOURS_SINCE_UPDATED", "GREATER_THAN", "24")],
        actions={"internalNote": "No update for a day"},
    )
    quiet = await th.create(people)
    solved = await th.create(people)
    await _status(th, people, solved["id"], "solved")
    await _status(th, people, solved["id"], "closed")
    assert (await _run(th, people, 25)).fired == 1
    # the firing updated the ticket itself: that window is used up too
    assert (await _run(th, people, 60)).fired == 0
    # a person's update starts a new quiet spell
    body = await th.gql(
        UPDATE,
        {"input": {"id": quiet["id"], "subject": "Any news?"}},
        tenant=people.tenant,
        token=people.agent,
    )
    assert body["data"]["updateTicket"]["userErrors"] == []
    assert (await _run(th, people, 25)).fired == 1
    got = await _ticket(th, people, quiet["id"])
    assert [c["body"] for c in got["comments"]] == ["No update for a day"] * 2
    assert _fired(await _ticket(th, people, solved["id"])) == []  # closed: never


async def test_batches_cover_every_ticket_once(th: TicketsHarness, people: People) -> None:
    await _ok(
        th,
        people,
        name="Old",
        triggers=["TIME"],
        conditions=[_cond("HOURS_SINCE_CREATED", "GREATER_THAN", "168")],
        actions={"addTags": ["old"]},
    )
    created = [await th.create(people) for _ in range(5)]
    after: int | None = 0
    fired, batches = 0, 0
    while after is not None:
        result = await _run(th, people, 169, after=after, limit=2)
        fired, after, batches = fired + result.fired, result.next_after, batches + 1
    assert (fired, batches) == (5, 3)
    for ticket in created:
        assert (await _ticket(th, people, ticket["id"]))["tags"] == ["old"]
    assert await _job(th, people, 500) == 0  # created once: fires once per ticket, ever


@sqlite_only
async def test_time_rules_stay_in_their_tenant(th: TicketsHarness, people: People) -> None:
    other = await th.people()
    await _ok(
        th,
        people,
        name="A stale",
        triggers=["TIME"],
        conditions=[_cond("HOURS_SINCE_CREATED", "GREATER_THAN", "1")],
        actions={"priority": "urgent"},
    )
    mine, theirs = await th.create(people), await th.create(other)
    assert await _job(th, other, 5) == 0  # B has no rule: A's never runs on B's tickets
    assert await _job(th, people, 5) == 1
    body = await th.gql(
        "query($id: ID!) { ticket(id: $id) { priority { key } } }",
        {"id": theirs["id"]},
        tenant=other.tenant,
        token=other.agent,
    )
    assert body["data"]["ticket"]["priority"]["key"] == "normal"
    assert (await _ticket(th, people, mine["id"]))["priority"]["key"] == "urgent"


@sqlite_only
async def test_time_and_comment_rules_are_validated(th: TicketsHarness, people: People) -> None:
    bad = [
        ({"triggers": ["TIME"], "conditions": [_cond("STATUS", "IS", "new")]}, "INVALID_INPUT"),
        (
            {"triggers": ["TIME"], "conditions": [_cond("HOURS_SINCE_UPDATED", "LESS_THAN", "2")]},
            "INVALID_INPUT",
        ),
        (
            {
                "triggers": ["TIME"],
                "conditions": [_cond("HOURS_SINCE_UPDATED", "GREATER_THAN", "soon")],
            },
            "INVALID_INPUT",
        ),
        (
            {
                "triggers": ["TIME"],
                "conditions": [_cond("HOURS_SINCE_CREATED", "GREATER_THAN", "-1")],
            },
            "INVALID_INPUT",
        ),
        (
            {
                "triggers": ["TIME"],
                "conditions": [
                    _cond("HOURS_SINCE_CREATED", "GREATER_THAN", "1"),
                    _cond("STATUS", "CHANGED"),
                ],
            },
            "INVALID_INPUT",
        ),
        (
            {"triggers": ["UPDATED"], "conditions": [_cond("COMMENT_BODY", "CONTAINS", "x")]},
            "INVALID_INPUT",
        ),
        (
            {"triggers": ["COMMENTED"], "conditions": [_cond("COMMENT_AUTHOR", "IS", "BOT")]},
            "INVALID_INPUT",
        ),
        (
            {"triggers": ["COMMENTED"], "conditions": [_cond("COMMENT_PUBLIC", "IS", "yes")]},
            "INVALID_INPUT",
        ),
    ]
    for data, code in bad:
        result = await _save(th, people, name="Bad", actions={"addTags": ["x"]}, **data)
        assert [e["code"] for e in result["userErrors"]] == [code], data
    denied = await _save(
        th,
        people,
        token=people.agent,
        name="Agent's",
        triggers=["TIME"],
        conditions=[_cond("HOURS_SINCE_CREATED", "GREATER_THAN", "1")],
        actions={"addTags": ["x"]},
    )
    assert [e["code"] for e in denied["userErrors"]] == ["FORBIDDEN"]


@sqlite_only
async def test_comment_rules_read_the_new_comment(th: TicketsHarness, people: People) -> None:
    t = people.tenant
    await _ok(
        th,
        people,
        name="Angry customer",
        triggers=["COMMENTED"],
        conditions=[
            _cond("COMMENT_AUTHOR", "IS", "REQUESTER"),
            _cond("COMMENT_PUBLIC", "IS", "true"),
            _cond("COMMENT_BODY", "CONTAINS", "refund", "cancel"),
        ],
        actions={"priority": "urgent", "internalNote": "Refund risk"},
    )
    await _ok(
        th,
        people,
        name="Escalation note",
        position=1,
        triggers=["COMMENTED"],
        conditions=[
            _cond("COMMENT_AUTHOR", "IS", "AGENT"),
            _cond("COMMENT_PUBLIC", "IS", "false"),
            _cond("COMMENT_BODY", "CONTAINS", "#escalate"),
        ],
        actions={"addTags": ["escalated"]},
    )
    ticket = await th.create(people, token=people.requester)

    async def comment(token: str, body: str, public: bool = True) -> None:
        got = await th.gql(
            COMMENT,
            {"input": {"ticketId": ticket["id"], "body": body, "public": public}},
            tenant=t,
            token=token,
        )
        assert got["data"]["addTicketComment"]["userErrors"] == [], got

    await comment(people.agent, "Could you try a refund of the cable?")  # an agent: no
    await comment(people.requester, "Thanks, it works")  # no keyword: no
    assert (await _ticket(th, people, ticket["id"]))["priority"]["key"] == "normal"
    await comment(people.requester, "I want to CANCEL my plan")
    got = await _ticket(th, people, ticket["id"])
    assert got["priority"]["key"] == "urgent"
    assert _fired(got) == ["Angry customer"]
    assert "Refund risk" in [c["body"] for c in got["comments"] if not c["public"]]
    # the automation's internal note started no pass of its own, and stays hidden
    mine = await th.gql(
        "query($id: ID!) { ticket(id: $id) { comments { body } } }",
        {"id": ticket["id"]},
        tenant=t,
        token=people.requester,
    )
    bodies = [c["body"] for c in mine["data"]["ticket"]["comments"]]
    assert "Refund risk" not in bodies
    assert "I want to CANCEL my plan" in bodies
    await comment(people.agent, "#escalate please", public=False)
    got = await _ticket(th, people, ticket["id"])
    assert got["tags"] == ["escalated"]
    assert _fired(got) == ["Angry customer", "Escalation note"]
    # a rule on updates never fires for comments, nor comment rules for updates
    body = await th.gql(
        UPDATE,
        {"input": {"id": ticket["id"], "subject": "cancel refund"}},
        tenant=t,
        token=people.agent,
    )
    assert body["data"]["updateTicket"]["userErrors"] == []
    assert _fired(await _ticket(th, people, ticket["id"])) == ["Angry customer", "Escalation note"]


@sqlite_only
async def test_the_worker_job_runs_time_rules(th: TicketsHarness, people: People) -> None:
    """The worker's `tickets.sla_check` slot runs them for every active tenant."""
    await _ok(
        th,
        people,
        name="Week old",
        triggers=["TIME"],
        conditions=[_cond("HOURS_SINCE_CREATED", "GREATER_THAN", "168")],
        actions={"addTags": ["week"]},
    )
    ticket = await th.create(people)
    old = datetime.now(UTC) - timedelta(days=8)
    async with th.identity.runtime.tenants.session(_tenant(people)) as session, session.begin():
        row = await session.get(Ticket, uuid.UUID(ticket["id"]))
        assert row is not None
        row.created_at = row.updated_at = old  # test set-up: a ticket from last week
    runtime = th.identity.runtime
    job = sla_check_job(ControlTenantSource(runtime.control, 0), runtime.tenants.session)
    for _ in range(2):  # the second slot finds the window used
        await job.run(JobRun(job=job.name, slot=datetime.now(UTC), token=1))
    got = await _ticket(th, people, ticket["id"])
    assert got["tags"] == ["week"]
    assert _fired(got) == ["Week old"]


async def test_business_hours_rule_skips_the_weekend(th: TicketsHarness, people: People) -> None:
    """Weekdays 24h (UTC) calendar: a ticket created Friday 12:00 has 12 business hours on
    Sunday 12:00 (48 calendar hours) and 25 on Monday 13:00."""

    async def admin(query: str, variables: dict[str, Any]) -> Any:
        body = await th.gql(query, variables, tenant=people.tenant, token=people.owner)
        assert "errors" not in body, body
        return body["data"]

    weekdays = {str(d): [["00:00", "24:00"]] for d in range(5)}
    made = await admin(
        'mutation($h: JSON!) { createBusinessCalendar(input: {name: "Weekdays", '
        'timezone: "UTC", hours: $h}) { calendar { id } } }',
        {"h": weekdays},
    )
    await admin(
        'mutation($c: ID) { createSlaPolicy(input: {name: "All", position: 1, '
        "targets: {}, calendarId: $c}) { policy { id } userErrors { code } } }",
        {"c": made["createBusinessCalendar"]["calendar"]["id"]},
    )
    # business-hour conditions only in TIME-only rules (other passes have no calendar)
    mixed = await _save(
        th,
        people,
        name="Mixed",
        triggers=["TIME", "UPDATED"],
        conditions=[_cond("BUSINESS_HOURS_SINCE_CREATED", "GREATER_THAN", "24")],
        actions={"addTags": ["x"]},
    )
    assert [e["code"] for e in mixed["userErrors"]] == ["INVALID_INPUT"]
    await _ok(
        th,
        people,
        name="Business day",
        triggers=["TIME"],
        conditions=[_cond("BUSINESS_HOURS_SINCE_CREATED", "GREATER_THAN", "24")],
        actions={"addTags": ["business"]},
    )
    await _ok(
        th,
        people,
        name="Calendar day",
        triggers=["TIME"],
        conditions=[_cond("HOURS_SINCE_CREATED", "GREATER_THAN", "24")],
        actions={"addTags": ["calendar"]},
    )
    ticket = await th.create(people)
    friday = datetime(2026, 11, 27, 12, tzinfo=UTC)
    assert friday.weekday() == 4
    tenant = _tenant(people)
    async with th.identity.runtime.tenants.session(tenant) as session, session.begin():
        row = await session.get(Ticket, uuid.UUID(ticket["id"]))
        assert row is not None
        row.created_at = row.updated_at = row.status_changed_at = friday

    async def run_at(at: datetime) -> int:
        async with th.identity.runtime.tenants.session(tenant) as session, session.begin():
            return (await run_time_automations(session, tenant, at)).fired

    assert await run_at(friday + timedelta(hours=48)) == 1  # Sunday: calendar hours only
    assert (await _ticket(th, people, ticket["id"]))["tags"] == ["calendar"]
    assert await run_at(friday + timedelta(hours=72)) == 0  # Monday 12:00: 24 business hours
    assert await run_at(friday + timedelta(hours=73)) == 1  # Monday 13:00: 25
    assert sorted((await _ticket(th, people, ticket["id"]))["tags"]) == ["business", "calendar"]
