# ruff: noqa: E501  (GraphQL documents read better on one line)
"""Dependencies (both sides, cycles refused), ticket links and federation stubs, time
tracking (Jira adjustEstimate, timers, SQL roll-ups) and cycles with roll-over."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from subgraphs.kit.events.scheduler import JobRun
from subgraphs.kit.ids import TenantId
from subgraphs.projects.jobs import cycle_rollover_job
from subgraphs.projects.service.cycles import rollover_due_cycles
from tests.subgraphs.projects.conftest import World

LINK = """mutation($i: LinkTasksInput!) {
  linkTasks(input: $i) { relation { id type taskId } userErrors { field code } }
}"""
RELATIONS = "query($id: ID!) { task(id: $id) { relations { type task { title } } } }"
LOG = """mutation($i: LogWorkInput!) {
  logWork(input: $i) { worklog { id durationSeconds author { id } } userErrors { field code } }
}"""
TASK_TIME = "query($id: ID!) { task(id: $id) { remainingHours estimatedHours timeSpentSeconds } }"


def codes(body: dict[str, Any], name: str) -> list[str]:
    return [e["code"] for e in body["data"][name]["userErrors"]]


async def test_dependencies_across_projects_and_cycle_refusal(world: World) -> None:
    api = world.api
    one = await api.project(world.a, world.key())
    two = await api.project(world.a, world.key())
    a = await api.task(world.a, one["id"], "a")
    b = await api.task(world.a, two["id"], "b")
    c = await api.task(world.a, one["id"], "c")
    await api.ok(
        LINK, {"i": {"taskId": a["id"], "type": "BLOCKS", "otherTaskId": b["id"]}}, tenant=world.a
    )
    await api.ok(
        LINK,
        {"i": {"taskId": c["id"], "type": "BLOCKED_BY", "otherTaskId": b["id"]}},
        tenant=world.a,
    )
    # c -> a would close a -> b -> c -> a
    body = await api.gql(
        LINK, {"i": {"taskId": c["id"], "type": "BLOCKS", "otherTaskId": a["id"]}}, tenant=world.a
    )
    assert codes(body, "linkTasks") == ["DEPENDENCY_CYCLE"]
    body = await api.gql(
        LINK,
        {"i": {"taskId": a["id"], "type": "BLOCKED_BY", "otherTaskId": c["id"]}},
        tenant=world.a,
    )
    assert codes(body, "linkTasks") == ["DEPENDENCY_CYCLE"]
    body = await api.gql(
        LINK, {"i": {"taskId": a["id"], "type": "RELATES", "otherTaskId": a["id"]}}, tenant=world.a
    )
    assert codes(body, "linkTasks") == ["INVALID_INPUT"]
    await api.ok(
        LINK, {"i": {"taskId": c["id"], "type": "RELATES", "otherTaskId": a["id"]}}, tenant=world.a
    )
    await api.ok(
        LINK,
        {"i": {"taskId": c["id"], "type": "DUPLICATES", "otherTaskId": a["id"]}},
        tenant=world.a,
    )
    shown = {}
    for task in (a, b, c):
        data = await api.ok(RELATIONS, {"id": task["id"]}, tenant=world.a)
        shown[task["title"]] = sorted(
            (r["type"], r["task"]["title"]) for r in data["task"]["relations"]
        )
    assert shown["a"] == [("BLOCKS", "b"), ("DUPLICATED_BY", "c"), ("RELATES", "c")]
    assert shown["b"] == [("BLOCKED_BY", "a"), ("BLOCKS", "c")]
    assert shown["c"] == [("BLOCKED_BY", "b"), ("DUPLICATES", "a"), ("RELATES", "a")]


async def test_ticket_links_and_federation_entities(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    task = await api.task(world.a, project["id"], "engineering fix", assigneeId=world.a.owner_id)
    ticket = str(uuid.uuid4())
    link = "mutation($t: ID!, $k: ID!) { linkTicket(taskId: $t, ticketId: $k) { task { linkedTickets { id } } userErrors { code } } }"
    data = await api.ok(link, {"t": task["id"], "k": ticket}, tenant=world.a)
    assert data["linkTicket"]["task"]["linkedTickets"] == [{"id": ticket}]
    entities = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Ticket { id linkedTasks { identifier title } }
      ... on User { id assignedTasks { title } }
      ... on Task { id title }
      ... on Project { id key }
    } }"""
    reps = [
        {"__typename": "Ticket", "id": ticket},
        {"__typename": "User", "id": world.a.owner_id},
        {"__typename": "Task", "id": task["id"]},
        {"__typename": "Project", "id": project["id"]},
    ]
    data = await api.ok(entities, {"r": reps}, tenant=world.a)
    ticket_view, user_view, task_view, project_view = data["_entities"]
    assert ticket_view["linkedTasks"] == [
        {"identifier": task["identifier"], "title": "engineering fix"}
    ]
    assert {"title": "engineering fix"} in user_view["assignedTasks"]
    assert task_view == {"id": task["id"], "title": "engineering fix"}
    assert project_view["id"] == project["id"]
    unlink = "mutation($t: ID!, $k: ID!) { unlinkTicket(taskId: $t, ticketId: $k) { task { linkedTickets { id } } userErrors { code } } }"
    data = await api.ok(unlink, {"t": task["id"], "k": ticket}, tenant=world.a)
    assert data["unlinkTicket"]["task"]["linkedTickets"] == []


async def test_worklogs_adjust_remaining_estimate(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    task = await api.task(world.a, project["id"], "timed", estimatedHours=10)
    tid = task["id"]
    await api.ok(LOG, {"i": {"taskId": tid, "seconds": 3600}}, tenant=world.a)  # AUTO
    assert (await api.ok(TASK_TIME, {"id": tid}, tenant=world.a))["task"]["remainingHours"] == 9
    await api.ok(
        LOG, {"i": {"taskId": tid, "seconds": 1800, "adjustEstimate": "LEAVE"}}, tenant=world.a
    )
    assert (await api.ok(TASK_TIME, {"id": tid}, tenant=world.a))["task"]["remainingHours"] == 9
    await api.ok(
        LOG,
        {"i": {"taskId": tid, "seconds": 60, "adjustEstimate": "NEW", "newEstimateSeconds": 7200}},
        tenant=world.a,
    )
    assert (await api.ok(TASK_TIME, {"id": tid}, tenant=world.a))["task"]["remainingHours"] == 2
    data = await api.ok(
        LOG,
        {"i": {"taskId": tid, "seconds": 60, "adjustEstimate": "MANUAL", "reduceBySeconds": 3600}},
        tenant=world.a,
    )
    state = (await api.ok(TASK_TIME, {"id": tid}, tenant=world.a))["task"]
    assert state == {
        "remainingHours": 1,
        "estimatedHours": 10,
        "timeSpentSeconds": 3600 + 1800 + 120,
    }
    body = await api.gql(
        LOG, {"i": {"taskId": tid, "seconds": 60, "adjustEstimate": "NEW"}}, tenant=world.a
    )
    assert codes(body, "logWork") == ["INVALID_INPUT"]
    body = await api.gql(LOG, {"i": {"taskId": tid, "seconds": 0}}, tenant=world.a)
    assert codes(body, "logWork") == ["INVALID_INPUT"]
    # deleting a worklog gives its time back to the remaining estimate
    worklog = data["logWork"]["worklog"]["id"]
    await api.ok(
        "mutation($id: ID!) { deleteWorklog(id: $id) { task { id } userErrors { code } } }",
        {"id": worklog},
        tenant=world.a,
    )
    state = (await api.ok(TASK_TIME, {"id": tid}, tenant=world.a))["task"]
    assert state["remainingHours"] == round(3660 / 3600, 4)
    assert state["timeSpentSeconds"] == 5460


async def test_one_running_timer_per_user(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    one = await api.task(world.a, project["id"], "one")
    two = await api.task(world.a, project["id"], "two")
    start = "mutation($t: ID!) { startTimer(taskId: $t) { timer { taskId } userErrors { code } } }"
    stop = (
        'mutation { stopTimer(note: "done") { worklog { durationSeconds } userErrors { code } } }'
    )
    await api.ok(start, {"t": one["id"]}, tenant=world.a, token=world.member)
    body = await api.gql(start, {"t": two["id"]}, tenant=world.a, token=world.member)
    assert codes(body, "startTimer") == ["TIMER_ALREADY_RUNNING"]
    mine = await api.ok("{ myTimer { taskId } }", tenant=world.a, token=world.member)
    assert mine["myTimer"] == {"taskId": one["id"]}
    # timers are per user: the owner can run one at the same time
    await api.ok(start, {"t": two["id"]}, tenant=world.a)
    data = await api.ok(stop, tenant=world.a, token=world.member)
    assert data["stopTimer"]["worklog"]["durationSeconds"] >= 1
    body = await api.gql(stop, tenant=world.a, token=world.member)
    assert codes(body, "stopTimer") == ["NO_RUNNING_TIMER"]
    await api.ok(stop, tenant=world.a)


async def test_time_rollups(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    one = await api.task(world.a, project["id"], "one")
    two = await api.task(world.a, project["id"], "two")
    logs = [
        (one, world.member, "2026-03-02T10:00:00Z", 3600),
        (one, None, "2026-03-03T10:00:00Z", 1800),
        (two, None, "2026-03-10T23:30:00Z", 600),
        (two, world.member, "2026-04-01T08:00:00Z", 60),
    ]
    for task, token, started, seconds in logs:
        await api.ok(
            LOG,
            {"i": {"taskId": task["id"], "seconds": seconds, "startedAt": started}},
            tenant=world.a,
            token=token,
        )
    query = "query($by: TimeRollupDimension!, $p: [ID!]) { timeRollup(by: $by, projectIds: $p) { key seconds worklogs } }"

    async def rollup(by: str) -> list[tuple[str, int, int]]:
        data = await api.ok(query, {"by": by, "p": [project["id"]]}, tenant=world.a)
        return [(r["key"], r["seconds"], r["worklogs"]) for r in data["timeRollup"]]

    assert await rollup("TASK") == [(one["id"], 5400, 2), (two["id"], 660, 2)]
    assert await rollup("PROJECT") == [(project["id"], 6060, 4)]
    member = next(uid for email, uid in world.a.users.items() if email.startswith("member"))
    assert sorted(await rollup("USER")) == sorted([(member, 3660, 2), (world.a.owner_id, 2400, 2)])
    assert await rollup("DAY") == [
        ("2026-03-02", 3600, 1),
        ("2026-03-03", 1800, 1),
        ("2026-03-10", 600, 1),
        ("2026-04-01", 60, 1),
    ]
    assert await rollup("WEEK") == [
        ("2026-03-02", 5400, 2),
        ("2026-03-09", 600, 1),
        ("2026-03-30", 60, 1),
    ]
    assert await rollup("MONTH") == [("2026-03", 6000, 3), ("2026-04", 60, 1)]


async def test_cycles_progress_and_rollover(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    create = "mutation($i: CreateCycleInput!) { createCycle(input: $i) { cycle { id } userErrors { code } } }"
    today = date.today()
    past = {
        "projectId": project["id"],
        "name": "S1",
        "startsOn": str(today - timedelta(14)),
        "endsOn": str(today - timedelta(1)),
    }
    nxt = {
        "projectId": project["id"],
        "name": "S2",
        "startsOn": str(today - timedelta(1)),
        "endsOn": str(today + timedelta(13)),
    }
    s1 = (await api.ok(create, {"i": past}, tenant=world.a))["createCycle"]["cycle"]["id"]
    s2 = (await api.ok(create, {"i": nxt}, tenant=world.a))["createCycle"]["cycle"]["id"]
    body = await api.gql(create, {"i": {**past, "endsOn": past["startsOn"]}}, tenant=world.a)
    assert codes(body, "createCycle") == ["INVALID_INPUT"]
    done = next(s["id"] for s in project["states"] if s["category"] == "COMPLETED")
    for title, state, points in (("done", done, 3), ("open", None, 5), ("open2", None, None)):
        await api.task(
            world.a, project["id"], title, cycleId=s1, stateId=state, estimatePoints=points
        )
    progress = "query($id: ID!) { project(id: $id) { cycles { name rolledOverCount completedAt progress { total completed pointsTotal pointsCompleted percentComplete } } } }"
    cycles = (await api.ok(progress, {"id": project["id"]}, tenant=world.a))["project"]["cycles"]
    assert cycles[0]["progress"] == {
        "total": 3,
        "completed": 1,
        "pointsTotal": 8.0,
        "pointsCompleted": 3.0,
        "percentComplete": 33.3,
    }
    # the scheduled job completes S1 (ended yesterday) and moves the unfinished tasks to S2
    tenant_id = TenantId(uuid.UUID(world.a.id))

    class Tenants:
        async def active_tenants(self) -> list[TenantId]:
            return [tenant_id]

    job = cycle_rollover_job(Tenants(), api.identity.runtime.tenants.session)
    await job.run(JobRun(job.name, datetime.now(UTC), 1))
    async with api.identity.runtime.tenants.session(tenant_id) as session:  # idempotent
        assert await rollover_due_cycles(session, tenant_id, today) == []
    cycles = (await api.ok(progress, {"id": project["id"]}, tenant=world.a))["project"]["cycles"]
    assert cycles[0]["rolledOverCount"] == 2
    assert cycles[0]["completedAt"]
    assert cycles[0]["progress"]["total"] == 1
    assert cycles[1]["progress"]["total"] == 2
    complete = "mutation($id: ID!) { completeCycle(id: $id) { cycle { completedAt } nextCycle { id } rolledOverCount userErrors { code } } }"
    data = await api.ok(complete, {"id": s2}, tenant=world.a)
    assert data["completeCycle"]["rolledOverCount"] == 2
    assert data["completeCycle"]["nextCycle"] is None
