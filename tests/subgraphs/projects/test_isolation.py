# ruff: noqa: E501  (GraphQL documents read better on one line)
"""Cross-tenant isolation for every operation: tenant B's owner, sending tenant A's ids,
finds nothing and changes nothing; B's token with A's tenant header is refused.

Every Query and Mutation field of the schema must appear in OPERATIONS (checked), so a new
operation cannot ship without its cross-tenant case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from subgraphs.projects.app import build_schema
from tests.subgraphs.projects.conftest import World

Ids = dict[str, str]
NF = "NOT_FOUND"  # any *_NOT_FOUND code


def mutation(
    document: str, variables: Callable[[Ids], dict[str, Any]]
) -> tuple[str, Callable[[Ids], dict[str, Any]], str]:
    return document, variables, "mutation"


def query(
    document: str, variables: Callable[[Ids], dict[str, Any]]
) -> tuple[str, Callable[[Ids], dict[str, Any]], str]:
    return document, variables, "query"


OPERATIONS: dict[str, tuple[str, Callable[[Ids], dict[str, Any]], str]] = {
    "project": query("query($id: ID!) { project(id: $id) { id } }", lambda i: {"id": i["project"]}),
    "projects": query(
        "query($s: String) { projects(search: $s) { edges { node { id } } } }",
        lambda i: {"s": i["key"]},
    ),
    "task": query("query($id: ID!) { task(id: $id) { id } }", lambda i: {"id": i["task"]}),
    "tasks": query(
        "query($p: [ID!]) { tasks(filter: {projectIds: $p}) { edges { node { id } } } }",
        lambda i: {"p": [i["project"]]},
    ),
    "board": query("query($id: ID!) { board(id: $id) { id } }", lambda i: {"id": i["board"]}),
    "searchTasks": query(
        "query($q: String!) { searchTasks(text: $q) { id } }", lambda i: {"q": i["identifier"]}
    ),
    "savedViews": query("{ savedViews { id } }", lambda i: {}),
    "myTimer": query("{ myTimer { taskId } }", lambda i: {}),
    "timeRollup": query(
        "query($p: [ID!]) { timeRollup(by: PROJECT, projectIds: $p) { key } }",
        lambda i: {"p": [i["project"]]},
    ),
    "_entities": query(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Task { id } ... on Project { id } ... on Ticket { linkedTasks { id } } ... on User { assignedTasks { id } } } }",
        lambda i: {
            "r": [
                {"__typename": "Task", "id": i["task"]},
                {"__typename": "Project", "id": i["project"]},
                {"__typename": "Ticket", "id": i["ticket"]},
                {"__typename": "User", "id": i["owner"]},
            ]
        },
    ),
    "_service": query("{ _service { sdl } }", lambda i: {}),
    "createProject": mutation(
        'mutation($k: String!) { createProject(input: {key: $k, name: "B"}) { project { id } userErrors { code } } }',
        lambda i: {"k": i["key"]},
    ),
    "updateProject": mutation(
        'mutation($id: ID!) { updateProject(input: {id: $id, name: "x"}) { userErrors { code } } }',
        lambda i: {"id": i["project"]},
    ),
    "archiveProject": mutation(
        "mutation($id: ID!) { archiveProject(id: $id) { userErrors { code } } }",
        lambda i: {"id": i["project"]},
    ),
    "addProjectMember": mutation(
        "mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u) { userErrors { code } } }",
        lambda i: {"p": i["project"], "u": i["owner"]},
    ),
    "removeProjectMember": mutation(
        "mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) { userErrors { code } } }",
        lambda i: {"p": i["project"], "u": i["owner"]},
    ),
    "createLabel": mutation(
        'mutation($p: ID!) { createLabel(projectId: $p, name: "x") { userErrors { code } } }',
        lambda i: {"p": i["project"]},
    ),
    "createWorkflowState": mutation(
        'mutation($p: ID!) { createWorkflowState(input: {projectId: $p, name: "x", category: STARTED}) { userErrors { code } } }',
        lambda i: {"p": i["project"]},
    ),
    "createCustomField": mutation(
        'mutation($p: ID!) { createCustomField(input: {projectId: $p, name: "x", type: TEXT}) { userErrors { code } } }',
        lambda i: {"p": i["project"]},
    ),
    "createBoard": mutation(
        'mutation($p: ID!) { createBoard(input: {projectId: $p, name: "x"}) { userErrors { code } } }',
        lambda i: {"p": i["project"]},
    ),
    "setBoardSwimlane": mutation(
        "mutation($b: ID!) { setBoardSwimlane(boardId: $b, swimlane: LABEL) { userErrors { code } } }",
        lambda i: {"b": i["board"]},
    ),
    "addBoardColumn": mutation(
        'mutation($b: ID!, $s: ID!) { addBoardColumn(input: {boardId: $b, name: "x", stateIds: [$s]}) { userErrors { code } } }',
        lambda i: {"b": i["board"], "s": i["state"]},
    ),
    "updateBoardColumn": mutation(
        "mutation($c: ID!) { updateBoardColumn(input: {id: $c, wipLimit: 1}) { userErrors { code } } }",
        lambda i: {"c": i["column"]},
    ),
    "createTask": mutation(
        'mutation($p: ID!) { createTask(input: {projectId: $p, title: "x"}) { userErrors { code } } }',
        lambda i: {"p": i["project"]},
    ),
    "updateTask": mutation(
        'mutation($t: ID!) { updateTask(input: {id: $t, title: "x"}) { userErrors { code } } }',
        lambda i: {"t": i["task"]},
    ),
    "setCustomFieldValue": mutation(
        'mutation($t: ID!, $f: ID!) { setCustomFieldValue(taskId: $t, fieldId: $f, value: "x") { userErrors { code } } }',
        lambda i: {"t": i["task"], "f": i["field"]},
    ),
    "watchTask": mutation(
        "mutation($t: ID!) { watchTask(taskId: $t) { userErrors { code } } }",
        lambda i: {"t": i["task"]},
    ),
    "addComment": mutation(
        'mutation($t: ID!) { addComment(taskId: $t, body: "x") { userErrors { code } } }',
        lambda i: {"t": i["task"]},
    ),
    "moveCard": mutation(
        "mutation($b: ID!, $t: ID!, $c: ID!) { moveCard(input: {boardId: $b, taskId: $t, toColumnId: $c}) { userErrors { code } } }",
        lambda i: {"b": i["board"], "t": i["task"], "c": i["column"]},
    ),
    "linkTasks": mutation(
        "mutation($t: ID!, $o: ID!) { linkTasks(input: {taskId: $t, type: BLOCKS, otherTaskId: $o}) { userErrors { code } } }",
        lambda i: {"t": i["task"], "o": i["task2"]},
    ),
    "unlinkTasks": mutation(
        "mutation($r: ID!) { unlinkTasks(relationId: $r) { userErrors { code } } }",
        lambda i: {"r": i["relation"]},
    ),
    "linkTicket": mutation(
        "mutation($t: ID!, $k: ID!) { linkTicket(taskId: $t, ticketId: $k) { userErrors { code } } }",
        lambda i: {"t": i["task"], "k": i["ticket"]},
    ),
    "unlinkTicket": mutation(
        "mutation($t: ID!, $k: ID!) { unlinkTicket(taskId: $t, ticketId: $k) { userErrors { code } } }",
        lambda i: {"t": i["task"], "k": i["ticket"]},
    ),
    "logWork": mutation(
        "mutation($t: ID!) { logWork(input: {taskId: $t, seconds: 60}) { userErrors { code } } }",
        lambda i: {"t": i["task"]},
    ),
    "deleteWorklog": mutation(
        "mutation($w: ID!) { deleteWorklog(id: $w) { userErrors { code } } }",
        lambda i: {"w": i["worklog"]},
    ),
    "startTimer": mutation(
        "mutation($t: ID!) { startTimer(taskId: $t) { userErrors { code } } }",
        lambda i: {"t": i["task"]},
    ),
    "stopTimer": mutation("mutation { stopTimer { userErrors { code } } }", lambda i: {}),
    "createCycle": mutation(
        'mutation($p: ID!) { createCycle(input: {projectId: $p, name: "x", startsOn: "2027-01-01", endsOn: "2027-01-14"}) { userErrors { code } } }',
        lambda i: {"p": i["project"]},
    ),
    "completeCycle": mutation(
        "mutation($c: ID!) { completeCycle(id: $c) { userErrors { code } } }",
        lambda i: {"c": i["cycle"]},
    ),
    "saveView": mutation(
        'mutation($p: ID!) { saveView(input: {name: "x", filter: {projectIds: [$p]}}) { view { id } userErrors { code } } }',
        lambda i: {"p": i["project"]},
    ),
    "deleteView": mutation(
        "mutation($v: ID!) { deleteView(id: $v) { userErrors { code } } }",
        lambda i: {"v": i["view"]},
    ),
}
# operations that name no foreign object: they act on B alone (checked to leave A intact)
TENANT_LOCAL = {"createProject", "saveView", "stopTimer", "savedViews", "myTimer", "_service"}
SNAPSHOT = """query($p: ID!, $t: ID!) {
  project(id: $p) { name archived members { id } labels { name } states { name } boards { name swimlane columns { wipLimit cards { id } } } cycles { completedAt } customFields { name } timeSpentSeconds }
  task(id: $t) { title state { id } watchers { id } comments { body } relations { id } linkedTickets { id } worklogs { id } customFields { value } history { field } remainingHours }
}"""


def test_every_operation_has_a_cross_tenant_case() -> None:
    schema = build_schema()._schema
    assert schema.mutation_type is not None
    fields = set(schema.query_type.fields) | set(schema.mutation_type.fields)
    assert fields == set(OPERATIONS)


async def _seed(world: World) -> Ids:
    api, a = world.api, world.a
    key = world.key()
    project = await api.project(a, key)
    task = await api.task(a, project["id"], "secret")
    task2 = await api.task(a, project["id"], "secret2")
    q = api.ok
    rel = await q(
        "mutation($t: ID!, $o: ID!) { linkTasks(input: {taskId: $t, type: RELATES, otherTaskId: $o}) { relation { id } userErrors { code } } }",
        {"t": task["id"], "o": task2["id"]},
        tenant=a,
    )
    field = await q(
        'mutation($p: ID!) { createCustomField(input: {projectId: $p, name: "f", type: TEXT}) { field { id } userErrors { code } } }',
        {"p": project["id"]},
        tenant=a,
    )
    cycle = await q(
        'mutation($p: ID!) { createCycle(input: {projectId: $p, name: "c", startsOn: "2027-01-01", endsOn: "2027-01-14"}) { cycle { id } userErrors { code } } }',
        {"p": project["id"]},
        tenant=a,
    )
    work = await q(
        "mutation($t: ID!) { logWork(input: {taskId: $t, seconds: 60}) { worklog { id } userErrors { code } } }",
        {"t": task["id"]},
        tenant=a,
    )
    view = await q(
        'mutation { saveView(input: {name: "mine", shared: true}) { view { id } userErrors { code } } }',
        tenant=a,
    )
    ticket = "T-" + key
    await q(
        "mutation($t: ID!, $k: ID!) { linkTicket(taskId: $t, ticketId: $k) { userErrors { code } } }",
        {"t": task["id"], "k": ticket},
        tenant=a,
    )
    await q(
        "mutation($t: ID!) { startTimer(taskId: $t) { userErrors { code } } }",
        {"t": task["id"]},
        tenant=a,
    )
    return {
        "key": key,
        "project": project["id"],
        "task": task["id"],
        "task2": task2["id"],
        "identifier": task["identifier"],
        "board": project["board"]["id"],
        "column": project["board"]["columns"][2]["id"],
        "state": project["states"][0]["id"],
        "relation": rel["linkTasks"]["relation"]["id"],
        "field": field["createCustomField"]["field"]["id"],
        "cycle": cycle["createCycle"]["cycle"]["id"],
        "worklog": work["logWork"]["worklog"]["id"],
        "view": view["saveView"]["view"]["id"],
        "ticket": ticket,
        "owner": a.owner_id,
    }


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, list):
        return all(_empty(v) for v in value)
    if isinstance(value, dict):
        return all(_empty(v) for k, v in value.items() if k not in {"key", "__typename"})
    return False


async def test_foreign_ids_find_nothing_and_change_nothing(world: World) -> None:
    api = world.api
    ids = await _seed(world)
    snapshot = await api.ok(SNAPSHOT, {"p": ids["project"], "t": ids["task"]}, tenant=world.a)
    for name, (document, variables, kind) in OPERATIONS.items():
        body = await api.gql(document, variables(ids), tenant=world.b)
        assert "errors" not in body, (name, body)
        value = body["data"][name]
        if name in TENANT_LOCAL:
            continue
        if kind == "query":
            if name == "_entities":
                assert [
                    e
                    for e in value
                    if e and (e.get("id") or e.get("linkedTasks") or e.get("assignedTasks"))
                ] == [], value
            else:
                assert _empty(value), (name, value)
        else:
            found = [e["code"] for e in value["userErrors"]]
            assert len(found) == 1, (name, found)
            assert found[0].endswith(NF), (name, found)
    # B's view list never shows A's shared view
    views = (await api.ok("{ savedViews { id } }", tenant=world.b))["savedViews"]
    assert ids["view"] not in [v["id"] for v in views]
    assert (
        await api.ok(SNAPSHOT, {"p": ids["project"], "t": ids["task"]}, tenant=world.a) == snapshot
    )
    timer = await api.ok("{ myTimer { taskId } }", tenant=world.a)
    assert timer["myTimer"] == {"taskId": ids["task"]}
    await api.ok("mutation { stopTimer { userErrors { code } } }", tenant=world.a)


@pytest.mark.parametrize("operation", ["project", "tasks", "updateTask"])
async def test_token_of_another_tenant_is_refused(world: World, operation: str) -> None:
    document, variables, _ = OPERATIONS[operation]
    ids = dict.fromkeys(("project", "task"), "00000000-0000-0000-0000-000000000000")
    response = await world.api.client.post(
        "/graphql",
        json={"query": document, "variables": variables(ids)},
        headers={"x-tenant-id": world.a.id, "authorization": f"Bearer {world.b.owner_token}"},
    )
    body = response.json()
    assert body["data"] is None or body["data"].get(operation) is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
