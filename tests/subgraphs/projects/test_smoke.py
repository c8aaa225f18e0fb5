from __future__ import annotations

from tests.subgraphs.projects.conftest import World


async def test_create_project_and_tasks(world: World) -> None:
    projects = world.api
    tenant = world.a
    project = await projects.project(tenant, world.key())
    first = await projects.task(tenant, project["id"], "First")
    second = await projects.task(tenant, project["id"], "Second")
    assert first["identifier"].endswith("-1")
    assert second["identifier"].endswith("-2")
    assert first["rank"] < second["rank"]
