# ruff: noqa: E501  (GraphQL documents read better on one line)
"""Projects and tasks over HTTP: validation, fields, history, comments, custom fields,
permissions, filters, ordering, pagination, saved views and search."""

from __future__ import annotations

from typing import Any

from tests.subgraphs.projects.conftest import World
from tests.subgraphs.projects.harness import CREATE_PROJECT, CREATE_TASK

UPDATE = """mutation($input: UpdateTaskInput!) {
  updateTask(input: $input) {
    task { id title priority estimatePoints estimatedHours remainingHours dueDate
           assignee { id } state { name category } labels { name } completedAt
           history { field oldValue newValue actor { id } } watchers { id } }
    userErrors { field code message }
  }
}"""
TASKS = """query($f: TaskFilterInput, $o: TaskOrderInput, $first: Int, $after: String, $v: ID) {
  tasks(filter: $f, orderBy: $o, first: $first, after: $after, viewId: $v) {
    edges { node { id identifier title priority dueDate } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def errors(body: dict[str, Any], name: str) -> list[str]:
    return [e["code"] for e in body["data"][name]["userErrors"]]


async def test_project_key_is_validated_and_unique(world: World) -> None:
    api, key = world.api, world.key()
    await api.project(world.a, key)
    for bad, code in (
        (key, "PROJECT_KEY_TAKEN"),
        ("1AB", "INVALID_INPUT"),
        ("A", "INVALID_INPUT"),
        ("TOO-LONG", "INVALID_INPUT"),
    ):
        body = await api.gql(CREATE_PROJECT, {"input": {"key": bad, "name": "x"}}, tenant=world.a)
        assert errors(body, "createProject") == [code], bad
    # keys are unique per tenant only
    body = await api.gql(CREATE_PROJECT, {"input": {"key": key, "name": "x"}}, tenant=world.b)
    assert errors(body, "createProject") == []


async def test_new_project_has_workflow_and_board(world: World) -> None:
    project = await world.api.project(world.a, world.key())
    categories = [s["category"] for s in project["states"]]
    assert categories == ["BACKLOG", "UNSTARTED", "STARTED", "STARTED", "COMPLETED", "CANCELLED"]
    assert [c["name"] for c in project["board"]["columns"]] == [
        "Backlog",
        "Todo",
        "In Progress",
        "In Review",
        "Done",
    ]


async def test_update_task_records_field_history(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    task = await api.task(world.a, project["id"], "Draft", estimatedHours=4, estimatePoints=3)
    done = next(s for s in project["states"] if s["category"] == "COMPLETED")
    label = await api.ok(
        'mutation($p: ID!) { createLabel(projectId: $p, name: "bug") { label { id } userErrors { code } } }',
        {"p": project["id"]},
        tenant=world.a,
    )
    label_id = label["createLabel"]["label"]["id"]
    data = await api.ok(
        UPDATE,
        {
            "input": {
                "id": task["id"],
                "title": "Final",
                "priority": "HIGH",
                "stateId": done["id"],
                "assigneeId": world.a.owner_id,
                "dueDate": "2027-01-31",
                "labelIds": [label_id],
            }
        },
        tenant=world.a,
    )
    updated = data["updateTask"]["task"]
    assert updated["title"] == "Final"
    assert updated["priority"] == "HIGH"
    assert updated["state"]["category"] == "COMPLETED"
    assert updated["completedAt"]
    assert updated["labels"] == [{"name": "bug"}]
    assert updated["estimatedHours"] == 4
    assert updated["remainingHours"] == 4
    fields = {h["field"]: h for h in updated["history"]}
    assert {"created", "title", "priority", "state", "assignee", "dueDate", "labels"} <= set(fields)
    assert fields["title"]["oldValue"] == "Draft"
    assert fields["title"]["newValue"] == "Final"
    assert fields["title"]["actor"]["id"] == world.a.owner_id
    # null clears; omitted fields stay
    data = await api.ok(
        UPDATE,
        {"input": {"id": task["id"], "dueDate": None, "estimatePoints": None}},
        tenant=world.a,
    )
    cleared = data["updateTask"]["task"]
    assert cleared["dueDate"] is None
    assert cleared["estimatePoints"] is None
    assert cleared["priority"] == "HIGH"


async def test_update_validation_errors(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    other = await api.project(world.a, world.key())
    task = await api.task(world.a, project["id"])
    foreign_state = other["states"][0]["id"]
    cases = [
        ({"title": "  "}, "INVALID_INPUT"),
        ({"stateId": foreign_state}, "STATE_NOT_FOUND"),
        ({"parentId": task["id"]}, "PARENT_CYCLE"),
        ({"estimatedHours": -1}, "INVALID_INPUT"),
        ({"labelIds": ["00000000-0000-0000-0000-000000000000"]}, "LABEL_NOT_FOUND"),
    ]
    for change, code in cases:
        body = await api.gql(UPDATE, {"input": {"id": task["id"], **change}}, tenant=world.a)
        assert errors(body, "updateTask") == [code], change


async def test_subtasks_and_parent_cycle(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    parent = await api.task(world.a, project["id"], "Parent")
    child = await api.task(world.a, project["id"], "Child", parentId=parent["id"])
    body = await api.gql(
        UPDATE, {"input": {"id": parent["id"], "parentId": child["id"]}}, tenant=world.a
    )
    assert errors(body, "updateTask") == ["PARENT_CYCLE"]
    data = await api.ok(
        "query($id: ID!) { task(id: $id) { subtasks { id } parent { id } } }",
        {"id": parent["id"]},
        tenant=world.a,
    )
    assert data["task"] == {"subtasks": [{"id": child["id"]}], "parent": None}


async def test_comments_mentions_make_watchers(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    task = await api.task(world.a, project["id"])
    mentioned = next(uid for email, uid in world.a.users.items() if email.startswith("member"))
    body = f"Please look @[Mem](user:{mentioned}) **now**"
    data = await api.ok(
        "mutation($t: ID!, $b: String!) { addComment(taskId: $t, body: $b) { comment { body mentions { id } author { id } } userErrors { code } } }",
        {"t": task["id"], "b": body},
        tenant=world.a,
    )
    comment = data["addComment"]["comment"]
    assert comment["mentions"] == [{"id": mentioned}]
    assert comment["author"]["id"] == world.a.owner_id
    data = await api.ok(
        "query($id: ID!) { task(id: $id) { watchers { id } comments { body } } }",
        {"id": task["id"]},
        tenant=world.a,
    )
    assert {w["id"] for w in data["task"]["watchers"]} == {world.a.owner_id, mentioned}
    assert data["task"]["comments"] == [{"body": body}]


async def test_typed_custom_fields_are_validated_and_filterable(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    create = "mutation($i: CreateTaskCustomFieldInput!) { createCustomField(input: $i) { field { id type options } userErrors { code } } }"
    number = (
        await api.ok(
            create,
            {"i": {"projectId": project["id"], "name": "Risk", "type": "NUMBER"}},
            tenant=world.a,
        )
    )["createCustomField"]["field"]
    select = (
        await api.ok(
            create,
            {
                "i": {
                    "projectId": project["id"],
                    "name": "Env",
                    "type": "SELECT",
                    "options": ["prod", "staging"],
                }
            },
            tenant=world.a,
        )
    )["createCustomField"]["field"]
    low = await api.task(world.a, project["id"], "low")
    high = await api.task(world.a, project["id"], "high")
    set_value = "mutation($t: ID!, $f: ID!, $v: String) { setCustomFieldValue(taskId: $t, fieldId: $f, value: $v) { task { customFields { fieldId value } } userErrors { code } } }"
    await api.ok(set_value, {"t": low["id"], "f": number["id"], "v": "2"}, tenant=world.a)
    await api.ok(set_value, {"t": high["id"], "f": number["id"], "v": "9.5"}, tenant=world.a)
    await api.ok(set_value, {"t": high["id"], "f": select["id"], "v": "prod"}, tenant=world.a)
    for field, value in ((number, "lots"), (select, "qa")):
        body = await api.gql(
            set_value, {"t": low["id"], "f": field["id"], "v": value}, tenant=world.a
        )
        assert errors(body, "setCustomFieldValue") == ["INVALID_INPUT"]
    flt = {"projectIds": [project["id"]], "customFields": [{"fieldId": number["id"], "min": 5}]}
    data = await api.ok(TASKS, {"f": flt}, tenant=world.a)
    assert [e["node"]["title"] for e in data["tasks"]["edges"]] == ["high"]
    flt = {
        "projectIds": [project["id"]],
        "customFields": [{"fieldId": select["id"], "equals": "prod"}],
    }
    data = await api.ok(TASKS, {"f": flt}, tenant=world.a)
    assert [e["node"]["title"] for e in data["tasks"]["edges"]] == ["high"]


async def test_filters_order_and_pagination(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    specs = [
        ("a", "LOW", "2027-03-01"),
        ("b", "URGENT", None),
        ("c", "HIGH", "2027-01-01"),
        ("d", "URGENT", "2027-02-01"),
        ("e", "NONE", None),
    ]
    for title, priority, due in specs:
        await api.task(world.a, project["id"], title, priority=priority, dueDate=due)
    flt = {"projectIds": [project["id"]]}
    order = {"field": "PRIORITY", "direction": "ASC"}
    seen, after = [], None
    while True:
        data = await api.ok(
            TASKS, {"f": flt, "o": order, "first": 2, "after": after}, tenant=world.a
        )
        page = data["tasks"]
        seen += [e["node"]["title"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen[:2]) == ["b", "d"]
    assert seen[2:] == ["c", "a", "e"]
    data = await api.ok(
        TASKS,
        {"f": flt, "o": {"field": "DUE_DATE", "direction": "DESC"}, "first": 3},
        tenant=world.a,
    )
    titles = [e["node"]["title"] for e in data["tasks"]["edges"]]
    assert sorted(titles[:2]) == ["b", "e"]
    assert titles[2] == "a"
    data = await api.ok(
        TASKS, {"f": {**flt, "priorities": ["URGENT"], "dueBefore": "2027-06-01"}}, tenant=world.a
    )
    assert [e["node"]["title"] for e in data["tasks"]["edges"]] == ["d"]
    # a saved view replays its filter and order
    view = await api.ok(
        "mutation($i: SaveViewInput!) { saveView(input: $i) { view { id name } userErrors { code } } }",
        {
            "i": {
                "name": "Urgent",
                "filter": {**flt, "priorities": ["URGENT"]},
                "orderBy": {"field": "NUMBER", "direction": "DESC"},
            }
        },
        tenant=world.a,
    )
    data = await api.ok(TASKS, {"v": view["saveView"]["view"]["id"]}, tenant=world.a)
    assert [e["node"]["title"] for e in data["tasks"]["edges"]] == ["d", "b"]


async def test_search_by_identifier_and_text(world: World) -> None:
    api = world.api
    key = world.key()
    project = await api.project(world.a, key)
    await api.task(world.a, project["id"], "Fix the flux capacitor")
    second = await api.task(world.a, project["id"], "Other")
    query = "query($q: String!) { searchTasks(text: $q) { id title } }"
    data = await api.ok(query, {"q": f"{key.lower()}-2"}, tenant=world.a)
    assert data["searchTasks"] == [{"id": second["id"], "title": "Other"}]
    data = await api.ok(query, {"q": "FLUX capacitor"}, tenant=world.a)  # whole words
    assert [t["title"] for t in data["searchTasks"]] == ["Fix the flux capacitor"]


async def test_permissions(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    # a viewer reads but cannot write
    data = await api.ok(
        "query($id: ID!) { project(id: $id) { id } }",
        {"id": project["id"]},
        tenant=world.a,
        token=world.viewer,
    )
    assert data["project"]["id"] == project["id"]
    body = await api.gql(
        CREATE_PROJECT,
        {"input": {"key": world.key(), "name": "x"}},
        tenant=world.a,
        token=world.viewer,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # a member writes
    created = await api.ok(
        CREATE_TASK,
        {"input": {"projectId": project["id"], "title": "m"}},
        tenant=world.a,
        token=world.member,
    )
    assert created["createTask"]["task"]["identifier"].endswith("-1")
    response = await api.client.post(
        "/graphql",
        json={"query": "{ projects { edges { node { id } } } }"},
        headers={"x-tenant-id": world.a.id},
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
