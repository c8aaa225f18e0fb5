# ruff: noqa: E501  (GraphQL documents read better on one line)
"""Private projects: visible to their members and the tenant's admins only. For anyone
else every operation answers as for an id that does not exist (not found, never FORBIDDEN),
including the federated paths (`_entities`, `Ticket.linkedTasks`, `User.assignedTasks`),
links, search, roll-ups and the board subscription."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from typing import Any

import pytest

from subgraphs.kit.auth.principal import Principal, PrincipalKind
from subgraphs.kit.ids import TenantId
from tests.subgraphs.projects.conftest import World
from tests.subgraphs.projects.test_isolation import NF, OPERATIONS, SNAPSHOT, _empty, _seed

UPDATE_PROJECT = "mutation($id: ID!, $private: Boolean) { updateProject(input: {id: $id, private: $private}) { project { id private } userErrors { code } } }"
MEMBER = "mutation($p: ID!, $u: ID!) { addProjectMember(projectId: $p, userId: $u) { userErrors { code } } }"
UNMEMBER = "mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) { userErrors { code } } }"
SEE = "query($p: ID!, $t: ID!) { project(id: $p) { id private } task(id: $t) { id } projects(first: 100) { edges { node { id } } } }"
# operations that touch nothing of the private project
NOT_PROJECT_SCOPED = {
    "createProject",  # its own new project (a taken key is still reported: keys are tenant-wide)
    "saveView",
    "deleteView",  # views are per user, not per project
    "savedViews",
    "stopTimer",
    "myTimer",
    "_service",
}


def user_of(token: str) -> str:
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sub"])


async def make_private(world: World, project_id: str, private: bool = True) -> None:
    data = await world.api.ok(
        UPDATE_PROJECT, {"id": project_id, "private": private}, tenant=world.a
    )
    assert data["updateProject"]["project"]["private"] is private


async def test_every_operation_finds_nothing_for_a_non_member(world: World) -> None:
    api = world.api
    ids = await _seed(world)
    await api.ok(
        "mutation($t: ID!, $u: ID!) { updateTask(input: {id: $t, assigneeId: $u}) { userErrors { code } } }",
        {"t": ids["task"], "u": ids["owner"]},
        tenant=world.a,
    )  # so that User.assignedTasks has something to hide
    await make_private(world, ids["project"])
    snapshot = await api.ok(SNAPSHOT, {"p": ids["project"], "t": ids["task"]}, tenant=world.a)
    for name, (document, variables, kind) in OPERATIONS.items():
        body = await api.gql(document, variables(ids), tenant=world.a, token=world.member)
        assert "errors" not in body, (name, body)
        value = body["data"][name]
        if name in NOT_PROJECT_SCOPED:
            continue
        if kind == "query":
            if name == "_entities":  # (the owner may have other, visible, tasks assigned)
                assert value[:3] == [None, None, {"linkedTasks": []}], value
                assert {"id": ids["task"]} not in value[3]["assignedTasks"], value
            else:
                assert _empty(value), (name, value)
        else:
            found = [e["code"] for e in value["userErrors"]]
            assert len(found) == 1, (name, found)
            assert found[0].endswith(NF), (name, found)
    assert (
        await api.ok(SNAPSHOT, {"p": ids["project"], "t": ids["task"]}, tenant=world.a) == snapshot
    )
    # the owner (an admin) still sees all of it, through the same paths
    document = OPERATIONS["_entities"][0].replace("assignedTasks", "assignedTasks(first: 200)")
    data = await api.ok(document, OPERATIONS["_entities"][1](ids), tenant=world.a)
    assert [e.get("id") for e in data["_entities"][:2]] == [ids["task"], ids["project"]]
    assert data["_entities"][2]["linkedTasks"] == [{"id": ids["task"]}]
    assert {"id": ids["task"]} in data["_entities"][3]["assignedTasks"]
    await api.ok("mutation { stopTimer { userErrors { code } } }", tenant=world.a)


async def test_members_and_admins_see_it_others_do_not(world: World) -> None:
    api = world.api
    member = user_of(world.member)
    project = await api.project(world.a, world.key())
    task = await api.task(world.a, project["id"], "private work")
    variables = {"p": project["id"], "t": task["id"]}

    async def sees(token: str | None) -> bool:
        data = await api.ok(SEE, variables, tenant=world.a, token=token)
        listed = project["id"] in [e["node"]["id"] for e in data["projects"]["edges"]]
        found = {data["project"] is not None, data["task"] is not None, listed}
        assert len(found) == 1, data  # all three paths agree
        return found.pop()

    assert await sees(world.member)  # public: everyone of the tenant
    await make_private(world, project["id"])
    assert await sees(None)  # the owner: an admin (and the creator)
    assert not await sees(world.member)
    assert not await sees(world.viewer)
    await api.ok(MEMBER, {"p": project["id"], "u": member}, tenant=world.a)
    assert await sees(world.member)
    assert not await sees(world.viewer)
    # a member may work in it
    created = await api.ok(
        'mutation($p: ID!) { createTask(input: {projectId: $p, title: "by member"}) { task { id } userErrors { code } } }',
        {"p": project["id"]},
        tenant=world.a,
        token=world.member,
    )
    assert created["createTask"]["task"]["id"]
    await api.ok(UNMEMBER, {"p": project["id"], "u": member}, tenant=world.a)
    assert not await sees(world.member)
    await make_private(world, project["id"], False)
    assert await sees(world.viewer)


async def test_links_from_visible_objects_do_not_reveal_private_tasks(world: World) -> None:
    api = world.api
    public = await api.project(world.a, world.key())
    secret = await api.project(world.a, world.key())
    shown = await api.task(world.a, public["id"], "public task", assigneeId=world.a.owner_id)
    hidden = await api.task(world.a, secret["id"], "secret task", assigneeId=world.a.owner_id)
    await api.ok(
        "mutation($t: ID!, $o: ID!) { linkTasks(input: {taskId: $t, type: BLOCKS, otherTaskId: $o}) { userErrors { code } } }",
        {"t": shown["id"], "o": hidden["id"]},
        tenant=world.a,
    )
    ticket = "T-" + uuid.uuid4().hex[:8]
    for task in (shown, hidden):
        await api.ok(
            "mutation($t: ID!, $k: ID!) { linkTicket(taskId: $t, ticketId: $k) { userErrors { code } } }",
            {"t": task["id"], "k": ticket},
            tenant=world.a,
        )
    await make_private(world, secret["id"])
    document = """query($t: ID!, $r: [_Any!]!) {
      task(id: $t) { relations { type task { id } } }
      _entities(representations: $r) { ... on Ticket { linkedTasks { id } } ... on User { assignedTasks(first: 200) { id } } }
    }"""
    variables = {
        "t": shown["id"],
        "r": [
            {"__typename": "Ticket", "id": ticket},
            {"__typename": "User", "id": world.a.owner_id},
        ],
    }

    def seen(data: dict[str, Any]) -> tuple[list[Any], list[str], set[str]]:
        relations = data["task"]["relations"]
        linked = [t["id"] for t in data["_entities"][0]["linkedTasks"]]
        assigned = {t["id"] for t in data["_entities"][1]["assignedTasks"]}
        return relations, linked, assigned

    relations, linked, assigned = seen(
        await api.ok(document, variables, tenant=world.a, token=world.member)
    )
    assert relations == []
    assert linked == [shown["id"]]
    assert shown["id"] in assigned
    assert hidden["id"] not in assigned
    relations, linked, assigned = seen(await api.ok(document, variables, tenant=world.a))
    assert relations == [{"type": "BLOCKS", "task": {"id": hidden["id"]}}]
    assert sorted(linked) == sorted([shown["id"], hidden["id"]])
    assert hidden["id"] in assigned
    # and a member of the public project cannot link to the hidden task either
    body = await api.gql(
        "mutation($t: ID!, $o: ID!) { linkTasks(input: {taskId: $t, type: RELATES, otherTaskId: $o}) { userErrors { field code } } }",
        {"t": shown["id"], "o": hidden["id"]},
        tenant=world.a,
        token=world.member,
    )
    assert body["data"]["linkTasks"]["userErrors"] == [
        {"field": "otherTaskId", "code": "TASK_NOT_FOUND"}
    ]
    # nor make it the parent of a task of the public project
    body = await api.gql(
        'mutation($p: ID!, $parent: ID!) { createTask(input: {projectId: $p, title: "child", parentId: $parent}) { userErrors { field code } } }',
        {"p": public["id"], "parent": hidden["id"]},
        tenant=world.a,
        token=world.member,
    )
    assert body["data"]["createTask"]["userErrors"] == [
        {"field": "parentId", "code": "TASK_NOT_FOUND"}
    ]


async def test_search_and_rollups_leave_private_projects_out(world: World) -> None:
    api = world.api
    word = "p" + uuid.uuid4().hex[:10]
    public = await api.project(world.a, world.key())
    secret = await api.project(world.a, world.key())
    await api.task(world.a, public["id"], f"open {word}")
    hidden = await api.task(world.a, secret["id"], f"secret {word}")
    await api.ok(
        "mutation($t: ID!) { logWork(input: {taskId: $t, seconds: 120}) { userErrors { code } } }",
        {"t": hidden["id"]},
        tenant=world.a,
    )
    await make_private(world, secret["id"])
    search = "query($q: String!) { searchTasks(text: $q) { title } tasks(filter: {search: $q}) { edges { node { title } } } }"
    data = await api.ok(search, {"q": word}, tenant=world.a, token=world.member)
    assert data["searchTasks"] == [{"title": f"open {word}"}]
    assert [e["node"]["title"] for e in data["tasks"]["edges"]] == [f"open {word}"]
    by_identifier = await api.ok(
        search, {"q": hidden["identifier"]}, tenant=world.a, token=world.member
    )
    assert by_identifier["searchTasks"] == []
    rollup = "query($u: [ID!]) { timeRollup(by: PROJECT, userIds: $u) { key seconds } }"
    mine = await api.ok(rollup, {"u": [world.a.owner_id]}, tenant=world.a, token=world.member)
    assert secret["id"] not in [r["key"] for r in mine["timeRollup"]]
    owners = await api.ok(rollup, {"u": [world.a.owner_id]}, tenant=world.a)
    assert {"key": secret["id"], "seconds": 120} in owners["timeRollup"]


MOVE_CARD = "mutation($i: MoveCardInput!) { moveCard(input: $i) { userErrors { code } } }"


async def board_stream(world: World, board_id: str, user: uuid.UUID) -> Any:
    """`boardUpdated(board_id)` resolved by the schema for a tenant member `user` (the
    WebSocket transport is the kit's), returned once it listens to the feed (or failed)."""
    from subgraphs.kit.context import SubgraphContext, TenantScope
    from subgraphs.kit.loaders import LoaderRegistry
    from subgraphs.kit.sessions import RequestSessions
    from subgraphs.projects.app import build_schema
    from subgraphs.projects.deps import ProjectsDeps

    api = world.api
    tenant = TenantId(uuid.UUID(world.a.id))
    sessions = RequestSessions(lambda: api.identity.runtime.tenants.session(tenant))
    principal = Principal(tenant_id=tenant, user_id=user, kind=PrincipalKind.USER, roles=("member",),
                          permissions=frozenset({"projects:read"}))  # fmt: skip
    context = SubgraphContext(
        request=None,  # type: ignore[arg-type]
        request_id="test", scope=TenantScope(tenant, world.a.slug), sessions=sessions,
        loaders=LoaderRegistry(sessions), deps=ProjectsDeps(feed=api.feed), principal=principal,
        authenticated=True,
    )  # fmt: skip
    document = "subscription($b: ID!) { boardUpdated(boardId: $b) { kind taskId } }"
    return await build_schema().subscribe(document, {"b": board_id}, context)


async def listening(world: World, project: dict[str, Any], first: Any) -> None:
    from subgraphs.projects.realtime import channel

    subscribed = channel(uuid.UUID(world.a.id), uuid.UUID(project["id"]))
    for _ in range(100):  # until the resolver subscribed to the feed (or failed)
        if world.api.feed.subscribers(subscribed) > 0 or first.done():
            return
        await asyncio.sleep(0.02)


async def move_to(world: World, project: dict[str, Any], task: dict[str, Any], col: int) -> None:
    column = project["board"]["columns"][col]["id"]
    variables = {
        "i": {"boardId": project["board"]["id"], "taskId": task["id"], "toColumnId": column}
    }
    await world.api.ok(MOVE_CARD, variables, tenant=world.a)


@pytest.mark.parametrize("member", [False, True])
async def test_board_subscription_of_a_private_project(world: World, member: bool) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    await make_private(world, project["id"])
    user = uuid.uuid4()
    if member:
        await api.ok(MEMBER, {"p": project["id"], "u": str(user)}, tenant=world.a)
    stream = await board_stream(world, project["board"]["id"], user)
    first = asyncio.ensure_future(anext(stream))
    if member:  # subscribed: a move arrives
        task = await api.task(world.a, project["id"], "card")
        await listening(world, project, first)
        await move_to(world, project, task, -1)
        result = await asyncio.wait_for(first, 5)
        assert result.errors is None, result.errors
        assert result.data["boardUpdated"]["kind"] in {"CARD_CREATED", "CARD_MOVED"}
    else:
        result = await asyncio.wait_for(first, 5)
        assert result.errors is not None
        assert result.errors[0].extensions["code"] == "BOARD_NOT_FOUND"
    await stream.aclose()


@pytest.mark.parametrize("how", ["removed", "made_private"])
async def test_board_subscription_ends_when_access_is_lost(world: World, how: str) -> None:
    """Visibility is re-checked for each event: a member removed from a private project (or
    anyone outside a project made private) gets `BOARD_NOT_FOUND` instead of the next move,
    and the stream ends; no later move reaches them."""
    api = world.api
    project = await api.project(world.a, world.key())
    task = await api.task(world.a, project["id"], "card")
    user = uuid.uuid4()
    if how == "removed":
        await make_private(world, project["id"])
        await api.ok(MEMBER, {"p": project["id"], "u": str(user)}, tenant=world.a)
    stream = await board_stream(world, project["board"]["id"], user)
    first = asyncio.ensure_future(anext(stream))
    await listening(world, project, first)
    await move_to(world, project, task, -1)
    seen = await asyncio.wait_for(first, 5)
    assert seen.errors is None, seen.errors
    assert seen.data["boardUpdated"] == {"kind": "CARD_MOVED", "taskId": task["id"]}
    if how == "removed":
        await api.ok(UNMEMBER, {"p": project["id"], "u": str(user)}, tenant=world.a)
    else:
        await make_private(world, project["id"])
    following = asyncio.ensure_future(anext(stream))
    await move_to(world, project, task, 0)
    refused = await asyncio.wait_for(following, 5)
    assert refused.data is None
    assert [e.extensions["code"] for e in refused.errors] == ["BOARD_NOT_FOUND"]
    await move_to(world, project, task, -1)
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(stream), 5)


async def test_mentions_in_a_private_project_reach_members_only(world: World) -> None:
    api = world.api
    member, outsider = user_of(world.member), user_of(world.viewer)
    project = await api.project(world.a, world.key())
    task = await api.task(world.a, project["id"], "private discussion")
    await make_private(world, project["id"])
    await api.ok(MEMBER, {"p": project["id"], "u": member}, tenant=world.a)
    data = await api.ok(
        "mutation($t: ID!, $b: String!) { addComment(taskId: $t, body: $b) { comment { mentions { id } } userErrors { code } } }",
        {"t": task["id"], "b": f"@{member} and @{outsider}, look"},
        tenant=world.a,
    )
    # the comment keeps what was written; only the member becomes a watcher (and is notified)
    assert {m["id"] for m in data["addComment"]["comment"]["mentions"]} == {member, outsider}
    watchers = await api.ok(
        "query($t: ID!) { task(id: $t) { watchers { id } } }", {"t": task["id"]}, tenant=world.a
    )
    assert {w["id"] for w in watchers["task"]["watchers"]} == {world.a.owner_id, member}
