# ruff: noqa: E501  (GraphQL documents read better on one line)
"""Projects: fields (lead, status, dates: set, kept when omitted, cleared with null),
archiving (hidden from lists, refuses writes, reversible), watchers, and `boardUpdated` with
another tenant's board."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from tests.subgraphs.projects.conftest import World
from tests.subgraphs.projects.harness import CREATE_TASK
from tests.subgraphs.projects.test_private import board_stream, user_of

FIELDS = "id name status startDate targetDate archived lead { id } members { id }"
UPDATE = f"mutation($i: UpdateProjectInput!) {{ updateProject(input: $i) {{ project {{ {FIELDS} }} userErrors {{ field code }} }} }}"
ARCHIVE = f"mutation($p: ID!, $a: Boolean!) {{ archiveProject(id: $p, archived: $a) {{ project {{ {FIELDS} }} userErrors {{ code }} }} }}"
LISTED = "query($a: Boolean!) { projects(first: 100, includeArchived: $a) { edges { node { id archived } } } }"
WATCH = "mutation($t: ID!, $w: Boolean!, $u: ID) { watchTask(taskId: $t, watching: $w, userId: $u) { task { watchers { id } } userErrors { code } } }"


async def update(world: World, **fields: Any) -> dict[str, Any]:
    body = await world.api.gql(UPDATE, {"i": fields}, tenant=world.a)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["updateProject"]
    return payload


async def test_project_fields_are_set_kept_and_cleared(world: World) -> None:
    project = await world.api.project(world.a, world.key())
    member = user_of(world.member)
    done = await update(world, id=project["id"], name="Renamed", status="ACTIVE", leadId=member,
                        startDate="2027-01-04", targetDate="2027-03-31")  # fmt: skip
    assert done["userErrors"] == []
    found = done["project"]
    assert (found["name"], found["status"], found["lead"]) == ("Renamed", "ACTIVE", {"id": member})
    assert (found["startDate"], found["targetDate"]) == ("2027-01-04", "2027-03-31")
    assert {"id": member} in found["members"]  # the lead is a member
    kept = (await update(world, id=project["id"], status="PAUSED"))["project"]
    assert (kept["name"], kept["lead"], kept["startDate"]) == (
        "Renamed",
        {"id": member},
        "2027-01-04",
    )
    cleared = (await update(world, id=project["id"], leadId=None, targetDate=None))["project"]
    assert (cleared["lead"], cleared["targetDate"], cleared["startDate"]) == (
        None,
        None,
        "2027-01-04",
    )
    backwards = await update(world, id=project["id"], targetDate="2026-12-01")
    assert [e["code"] for e in backwards["userErrors"]] == ["INVALID_INPUT"]


async def test_archived_project_is_hidden_from_lists_and_refuses_writes(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    data = await api.ok(ARCHIVE, {"p": project["id"], "a": True}, tenant=world.a)
    assert data["archiveProject"]["project"]["archived"] is True
    listed = await api.ok(LISTED, {"a": False}, tenant=world.a)
    assert project["id"] not in [e["node"]["id"] for e in listed["projects"]["edges"]]
    everything = await api.ok(LISTED, {"a": True}, tenant=world.a)
    assert {"id": project["id"], "archived": True} in [
        e["node"] for e in everything["projects"]["edges"]
    ]
    body = await api.gql(
        CREATE_TASK, {"input": {"projectId": project["id"], "title": "late"}}, tenant=world.a
    )
    assert [e["code"] for e in body["data"]["createTask"]["userErrors"]] == ["PROJECT_ARCHIVED"]
    refused = await update(world, id=project["id"], name="nope")
    assert [e["code"] for e in refused["userErrors"]] == ["PROJECT_ARCHIVED"]
    await api.ok(ARCHIVE, {"p": project["id"], "a": False}, tenant=world.a)
    assert (await api.task(world.a, project["id"], "back"))["identifier"] == f"{project['key']}-1"


async def test_watchers_can_be_added_and_removed(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    task = await api.task(world.a, project["id"], "watched")
    member = user_of(world.member)
    data = await api.ok(WATCH, {"t": task["id"], "w": True, "u": member}, tenant=world.a)
    assert {"id": member} in data["watchTask"]["task"]["watchers"]
    data = await api.ok(
        WATCH, {"t": task["id"], "w": True, "u": None}, tenant=world.a, token=world.member
    )
    assert data["watchTask"]["task"]["watchers"].count({"id": member}) == 1  # idempotent
    data = await api.ok(WATCH, {"t": task["id"], "w": False, "u": member}, tenant=world.a)
    assert {"id": member} not in data["watchTask"]["task"]["watchers"]
    assert {"id": world.a.owner_id} in data["watchTask"]["task"]["watchers"]  # the creator


async def test_board_updated_with_another_tenants_board_is_not_found(world: World) -> None:
    theirs = await world.api.project(world.b, world.key())
    stream = await board_stream(world, theirs["board"]["id"], uuid.UUID(world.a.owner_id))
    result = await asyncio.wait_for(anext(stream), 5)
    assert result.data is None
    assert [e.extensions["code"] for e in result.errors] == ["BOARD_NOT_FOUND"]
