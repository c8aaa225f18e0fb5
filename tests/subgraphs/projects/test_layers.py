# ruff: noqa: E501  (GraphQL documents read better on one line)
"""Structure: constant query counts for lists (loaders), SQL only in repositories, services
free of GraphQL/HTTP, modules under ~500 lines; rank keys (property-based)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from sqlalchemy.engine import Engine

from subgraphs.projects.models import ProjectsBase
from subgraphs.projects.ranks import DIGITS, keys_between, rank_after, rank_between
from tests.subgraphs.projects.conftest import World

PACKAGE = Path(__file__).resolve().parents[3] / "subgraphs" / "projects"
LIST = """query($p: [ID!], $first: Int) { tasks(filter: {projectIds: $p}, first: $first) { edges { node {
  identifier title project { key lead { id } } state { name category } assignee { id } labels { name }
  subtasks { id } parent { id } watchers { id } comments { body mentions { id } } relations { type task { id } }
  linkedTickets { id } timeSpentSeconds customFields { value } cycle { name progress { total } }
  history { field } worklogs { durationSeconds }
} } } }"""


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # only this subgraph's tables: a pool opening a connection may add its own queries
        if any(f" {table}" in statement for table in ProjectsBase.metadata.tables):
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


async def test_task_list_costs_a_constant_number_of_queries(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    cycle = await api.ok(
        'mutation($p: ID!) { createCycle(input: {projectId: $p, name: "c", startsOn: "2027-01-01", endsOn: "2027-01-14"}) { cycle { id } userErrors { code } } }',
        {"p": project["id"]},
        tenant=world.a,
    )
    parent = None
    for i in range(12):
        task = await api.task(
            world.a,
            project["id"],
            f"t{i}",
            assigneeId=world.a.owner_id,
            cycleId=cycle["createCycle"]["cycle"]["id"],
            parentId=parent,
        )
        parent = task["id"]
        await api.ok(
            'mutation($t: ID!) { addComment(taskId: $t, body: "hi") { userErrors { code } } }',
            {"t": task["id"]},
            tenant=world.a,
        )
        await api.ok(
            "mutation($t: ID!) { logWork(input: {taskId: $t, seconds: 60}) { userErrors { code } } }",
            {"t": task["id"]},
            tenant=world.a,
        )
    counts = []
    for first in (2, 12):
        with counted() as statements:
            data = await api.ok(LIST, {"p": [project["id"]], "first": first}, tenant=world.a)
        assert len(data["tasks"]["edges"]) == first
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path) -> list[str]:
    return [
        line.strip()
        for line in path.read_text().splitlines()
        if line.strip().startswith(("import ", "from "))
    ]


def test_sql_only_in_repositories() -> None:
    """Outside repository/ (and the table definitions), no statement building at all."""
    for path in _modules():
        if "repository" in path.parts or path.name == "models.py":
            continue
        assert "select(" not in path.read_text(), path.name
        assert not [i for i in _imports(path) if i.startswith("from sqlalchemy import")], path.name


def test_services_never_import_graphql_or_http() -> None:
    for path in (PACKAGE / "service").rglob("*.py"):
        for line in _imports(path):
            for banned in ("strawberry", "starlette", "subgraphs.projects.types", "resolvers"):
                assert banned not in line, (path.name, line)


def test_modules_stay_small() -> None:
    for path in _modules():
        assert len(path.read_text().splitlines()) < 500, path.name


keys = st.text(alphabet=DIGITS, min_size=1, max_size=12).filter(lambda k: not k.endswith("0"))


@settings(max_examples=300, deadline=None)
@given(a=keys, b=keys)
def test_rank_between_is_strictly_between(a: str, b: str) -> None:
    if a == b:
        return
    low, high = sorted((a, b))
    middle = rank_between(low, high)
    assert low < middle < high
    assert not middle.endswith("0")
    assert rank_between(None, low) < low
    assert rank_between(high, None) > high


@settings(max_examples=100, deadline=None)
@given(a=st.one_of(st.none(), keys), count=st.integers(0, 40))
def test_keys_between_are_ordered_and_unique(a: str | None, count: int) -> None:
    spread = keys_between(a, None, count)
    assert spread == sorted(spread)
    assert len(set(spread)) == count
    assert all(a is None or k > a for k in spread)
    assert a is None or rank_after(a) > a


def test_composes_with_every_other_subgraph() -> None:
    """The supergraph composes: no type of ours clashes with another subgraph's (errors of
    other subgraphs among themselves are theirs to fix, so only ours are asserted)."""
    from router.compose.compose import compose
    from router.compose.result import SubgraphSource
    from subgraphs.registry import subgraph_sdls

    sources = [SubgraphSource(name=n, url=u, sdl=s) for n, (u, s) in subgraph_sdls().items()]
    assert "projects" in {s.name for s in sources}
    result = compose(sources)
    ours = [str(e) for e in result.errors or [] if "projects" in str(e)]
    assert ours == []
