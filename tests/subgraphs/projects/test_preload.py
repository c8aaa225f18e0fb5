# ruff: noqa: E501  (GraphQL documents read better on one line)
"""Lists preload `identifier`, `state` and `labels` for all their tasks (types/preload.py):
the values equal what `task(id)` resolves through the loaders, whatever the query's shape
(aliases, fragments, lanes, the `tasks` connection), with a constant statement count, and
a field nobody selected is not loaded."""

from __future__ import annotations

from typing import Any

from tests.subgraphs.projects.conftest import World
from tests.subgraphs.projects.test_layers import counted

LABEL = "mutation($p: ID!, $n: String!) { createLabel(projectId: $p, name: $n) { label { id } userErrors { code } } }"
SWIM = (
    "mutation($b: ID!) { setBoardSwimlane(boardId: $b, swimlane: LABEL) { userErrors { code } } }"
)
BOARD = """query($id: ID!) { board(id: $id) {
  columns { cards { ...Card } }
  lanes { key columns { cards { id ... on Task { code: identifier labels { name } } } } }
} }
fragment Card on Task { id key: identifier ... on Task { state { id name category } labels { name } } }"""
ONE = (
    "query($id: ID!) { task(id: $id) { id identifier state { id name category } labels { name } } }"
)
TASKS = "query($p: [ID!]) { tasks(filter: {projectIds: $p}, first: 50) { edges { node { id identifier state { id name category } labels { name } } } } }"
IDS_ONLY = "query($id: ID!) { board(id: $id) { columns { cards { id title } } } }"


async def _seed(world: World, cards: int) -> dict[str, Any]:
    api = world.api
    project = await api.project(world.a, world.key())
    labels = []
    for name in ("bug", "ui"):
        data = await api.ok(LABEL, {"p": project["id"], "n": name}, tenant=world.a)
        labels.append(data["createLabel"]["label"]["id"])
    states = [s["id"] for s in project["states"][:4]]
    for i in range(cards):
        await api.task(
            world.a, project["id"], f"c{i}", stateId=states[i % 4], labelIds=labels[: i % 3]
        )
    return project


async def _reads(world: World, ids: list[str]) -> dict[str, dict[str, Any]]:
    found = {}
    for task_id in ids:
        data = await world.api.ok(ONE, {"id": task_id}, tenant=world.a)
        found[task_id] = data["task"]
    return found


async def test_board_cards_match_task_reads(world: World) -> None:
    api = world.api
    project = await _seed(world, 6)
    await api.ok(SWIM, {"b": project["board"]["id"]}, tenant=world.a)
    data = await api.ok(BOARD, {"id": project["board"]["id"]}, tenant=world.a)
    cards = [c for col in data["board"]["columns"] for c in col["cards"]]
    assert len(cards) == 6
    truth = await _reads(world, [c["id"] for c in cards])
    for card in cards:
        expected = truth[card["id"]]
        assert card["key"] == expected["identifier"]
        assert card["key"].startswith(project["key"] + "-")
        assert card["state"] == expected["state"]
        assert card["labels"] == expected["labels"]
    assert {len(c["labels"]) for c in cards} == {0, 1, 2}
    lanes = {
        lane["key"]: [c for col in lane["columns"] for c in col["cards"]]
        for lane in data["board"]["lanes"]
    }
    assert sorted(lanes) == ["", "bug", "ui"]
    for key, lane_cards in lanes.items():
        for card in lane_cards:
            assert card["code"] == truth[card["id"]]["identifier"]
            assert card["labels"] == truth[card["id"]]["labels"]
            assert key in ([lb["name"] for lb in card["labels"]] or [""])


async def test_task_connection_matches_task_reads(world: World) -> None:
    project = await _seed(world, 5)
    data = await world.api.ok(TASKS, {"p": [project["id"]]}, tenant=world.a)
    nodes = [e["node"] for e in data["tasks"]["edges"]]
    truth = await _reads(world, [n["id"] for n in nodes])
    assert len(nodes) == 5
    assert all(node == truth[node["id"]] for node in nodes)


async def test_board_statements_are_constant_and_only_what_is_selected(world: World) -> None:
    small, large = await _seed(world, 3), await _seed(world, 12)
    counts = []
    for project in (small, large):
        with counted() as statements:
            await world.api.ok(BOARD, {"id": project["board"]["id"]}, tenant=world.a)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    with counted() as statements:
        await world.api.ok(IDS_ONLY, {"id": large["board"]["id"]}, tenant=world.a)
    assert not [s for s in statements if "task_labels" in s], statements
    assert len(statements) < counts[1]
