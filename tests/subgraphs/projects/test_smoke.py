from __future__ import annotations

from tests.subgraphs.projects.harness import ProjectsHarness


async def test_create_project_and_tasks(projects: ProjectsHarness) -> None:
    tenant = await projects.tenant()
    project = await projects.project(tenant)
    first = await projects.task(tenant, project["id"], "First")
    second = await projects.task(tenant, project["id"], "Second")
    assert first["identifier"] == "OPS-1"
    assert second["identifier"] == "OPS-2"
    assert first["rank"] < second["rank"]
