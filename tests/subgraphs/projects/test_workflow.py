# ruff: noqa: E501  (GraphQL documents read better on one line)
"""Custom workflow states within the fixed categories (a column for them, moves, category
filters, unique names) and removing a dependency from both of its tasks."""

from __future__ import annotations

from tests.subgraphs.projects.conftest import World
from tests.subgraphs.projects.test_links_time_cycles import LINK, RELATIONS

STATE = "mutation($i: CreateStateInput!) { createWorkflowState(input: $i) { state { id name category position } userErrors { field code } } }"
COLUMN = "mutation($i: AddColumnInput!) { addBoardColumn(input: $i) { column { id name wipLimit } userErrors { field code } } }"
MOVE = "mutation($i: MoveCardInput!) { moveCard(input: $i) { task { state { name category } } userErrors { code } } }"
BY_CATEGORY = "query($p: [ID!], $c: [StateCategory!]) { tasks(filter: {projectIds: $p, stateCategories: $c}, first: 50) { edges { node { title state { name } } } } }"
UNLINK = "mutation($r: ID!) { unlinkTasks(relationId: $r) { userErrors { code } } }"


async def test_custom_state_in_a_fixed_category(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    data = await api.ok(
        STATE,
        {"i": {"projectId": project["id"], "name": "QA", "category": "STARTED"}},
        tenant=world.a,
    )
    qa = data["createWorkflowState"]["state"]
    assert (qa["name"], qa["category"]) == ("QA", "STARTED")
    assert qa["position"] == max(s["position"] for s in project["states"]) + 1  # last
    again = await api.gql(
        STATE,
        {"i": {"projectId": project["id"], "name": " qa ", "category": "COMPLETED"}},
        tenant=world.a,
    )
    assert again["data"]["createWorkflowState"]["userErrors"] == [
        {"field": "name", "code": "INVALID_INPUT"}
    ]
    column = await api.ok(
        COLUMN,
        {
            "i": {
                "boardId": project["board"]["id"],
                "name": "QA",
                "stateIds": [qa["id"]],
                "wipLimit": 1,
            }
        },
        tenant=world.a,
    )
    column_id = column["addBoardColumn"]["column"]["id"]
    one = await api.task(world.a, project["id"], "one")
    two = await api.task(world.a, project["id"], "two")
    moved = await api.ok(
        MOVE,
        {"i": {"boardId": project["board"]["id"], "taskId": one["id"], "toColumnId": column_id}},
        tenant=world.a,
    )
    assert moved["moveCard"]["task"]["state"] == {"name": "QA", "category": "STARTED"}
    full = await api.gql(
        MOVE,
        {"i": {"boardId": project["board"]["id"], "taskId": two["id"], "toColumnId": column_id}},
        tenant=world.a,
    )
    assert [e["code"] for e in full["data"]["moveCard"]["userErrors"]] == ["WIP_LIMIT_EXCEEDED"]
    started = await api.ok(BY_CATEGORY, {"p": [project["id"]], "c": ["STARTED"]}, tenant=world.a)
    assert [e["node"] for e in started["tasks"]["edges"]] == [
        {"title": "one", "state": {"name": "QA"}}
    ]
    other = await api.project(world.a, world.key())  # names are per project
    await api.ok(
        STATE,
        {"i": {"projectId": other["id"], "name": "QA", "category": "UNSTARTED"}},
        tenant=world.a,
    )


async def test_unlinking_removes_the_dependency_from_both_tasks(world: World) -> None:
    api = world.api
    one, two = await api.project(world.a, world.key()), await api.project(world.a, world.key())
    a = await api.task(world.a, one["id"], "a")
    b = await api.task(world.a, two["id"], "b")
    link = await api.ok(
        LINK, {"i": {"taskId": a["id"], "type": "BLOCKS", "otherTaskId": b["id"]}}, tenant=world.a
    )
    relation = link["linkTasks"]["relation"]["id"]
    seen = await api.ok(RELATIONS, {"id": b["id"]}, tenant=world.a)
    assert [r["type"] for r in seen["task"]["relations"]] == ["BLOCKED_BY"]
    await api.ok(UNLINK, {"r": relation}, tenant=world.a)
    for task in (a, b):
        assert (await api.ok(RELATIONS, {"id": task["id"]}, tenant=world.a))["task"][
            "relations"
        ] == []
    gone = await api.gql(UNLINK, {"r": relation}, tenant=world.a)
    assert [e["code"] for e in gone["data"]["unlinkTasks"]["userErrors"]] == ["TASK_NOT_FOUND"]
    # b -> a is allowed now that a -> b is gone (no stale edge in the cycle check)
    await api.ok(
        LINK, {"i": {"taskId": b["id"], "type": "BLOCKS", "otherTaskId": a["id"]}}, tenant=world.a
    )
