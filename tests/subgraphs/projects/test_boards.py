# ruff: noqa: E501  (GraphQL documents read better on one line)
"""Kanban: moves between and within columns, WIP limits, swimlanes, the board feed, and
concurrent moves (PostgreSQL) that must leave a valid total order."""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

from subgraphs.kit.auth.principal import Principal, PrincipalKind
from subgraphs.kit.ids import TenantId
from subgraphs.projects.ranks import MAX_RANK_LENGTH
from subgraphs.projects.repository.tasks import TaskRepository
from subgraphs.projects.service.boards import REBALANCE_RADIUS, move_card
from tests.subgraphs.projects.conftest import World

MOVE = """mutation($input: MoveCardInput!) {
  moveCard(input: $input) { task { id rank state { name } } userErrors { field code message } }
}"""
BOARD = """query($id: ID!) {
  board(id: $id) {
    swimlane
    columns { id name wipLimit cardCount cards { id title rank } }
    lanes { key columns { name cards { title } } }
  }
}"""


def column(project: dict[str, Any], name: str) -> str:
    return str(next(c["id"] for c in project["board"]["columns"] if c["name"] == name))


async def board(world: World, board_id: str) -> dict[str, Any]:
    data = await world.api.ok(BOARD, {"id": board_id}, tenant=world.a)
    result: dict[str, Any] = data["board"]
    return result


def titles(state: dict[str, Any], name: str) -> list[str]:
    cards = next(c for c in state["columns"] if c["name"] == name)["cards"]
    return [c["title"] for c in cards]


async def test_moves_between_and_within_columns(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    cards = {t: await api.task(world.a, project["id"], t) for t in "abcd"}
    board_id = project["board"]["id"]
    todo, doing = column(project, "Todo"), column(project, "In Progress")
    move = {"boardId": board_id, "toColumnId": todo}
    # within a column: d between a and b, then c to the top
    await api.ok(
        MOVE,
        {"input": {**move, "taskId": cards["d"]["id"], "afterTaskId": cards["a"]["id"]}},
        tenant=world.a,
    )
    await api.ok(
        MOVE,
        {"input": {**move, "taskId": cards["c"]["id"], "beforeTaskId": cards["a"]["id"]}},
        tenant=world.a,
    )
    assert titles(await board(world, board_id), "Todo") == ["c", "a", "d", "b"]
    # to another column (end of it), which changes the state
    data = await api.ok(
        MOVE, {"input": {**move, "toColumnId": doing, "taskId": cards["a"]["id"]}}, tenant=world.a
    )
    assert data["moveCard"]["task"]["state"]["name"] == "In Progress"
    state = await board(world, board_id)
    assert titles(state, "Todo") == ["c", "d", "b"]
    assert titles(state, "In Progress") == ["a"]
    history = await api.ok(
        "query($id: ID!) { task(id: $id) { history { field } } }",
        {"id": cards["a"]["id"]},
        tenant=world.a,
    )
    assert "state" in [h["field"] for h in history["task"]["history"]]


async def test_long_keys_are_respaced_locally(world: World) -> None:
    """When the key between two cards would pass MAX_RANK_LENGTH, the few cards around the
    move get fresh short keys (never the whole column) and the order is kept. The project
    starts with two adjacent cards whose keys are already at the limit (as after ~120
    inserts into one gap), then moves go through the service."""
    api = world.api
    project = await api.project(world.a, world.key())
    others = [await api.task(world.a, project["id"], f"o{i}") for i in range(20)]
    first, m0, m1 = [await api.task(world.a, project["id"], t) for t in ("first", "m0", "m1")]
    board_id, todo = uuid.UUID(project["board"]["id"]), uuid.UUID(column(project, "Todo"))
    actor = Principal(
        tenant_id=TenantId(uuid.UUID(world.a.id)),
        user_id=uuid.UUID(world.a.owner_id),
        kind=PrincipalKind.USER,
    )
    states = [uuid.UUID(s["id"]) for s in project["states"]]
    long_key = "x" + "0" * 22
    async with api.identity.runtime.tenants.session(actor.tenant_id) as session:
        tasks = TaskRepository(session)
        for task, tail in ((m1, "3"), (m0, "2"), (first, "1")):
            found = await tasks.find(uuid.UUID(task["id"]))
            assert found is not None
            found.rank = long_key + tail
            await session.flush()
        before = {t.id: t.rank for t in await tasks.list_for_states(states)}
        await move_card(actor, session, board_id, uuid.UUID(m1["id"]), todo, uuid.UUID(first["id"]))
        after = {t.id: t.rank for t in await tasks.list_for_states(states)}
        changed = [k for k in after if after[k] != before[k]]
        assert 1 < len(changed) <= 2 * REBALANCE_RADIUS + 1
        for i in range(6):  # keep inserting into the same gap
            mover = uuid.UUID((m0, m1)[i % 2]["id"])
            await move_card(actor, session, board_id, mover, todo, uuid.UUID(first["id"]))
        await session.commit()
    state = await board(world, project["board"]["id"])
    cards = next(c for c in state["columns"] if c["name"] == "Todo")["cards"]
    assert [c["title"] for c in cards] == [*(o["title"] for o in others), "first", "m1", "m0"]
    ranks = [c["rank"] for c in cards]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == len(ranks)
    assert max(map(len, ranks)) <= MAX_RANK_LENGTH


async def test_wip_limit_is_enforced(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    board_id, doing = project["board"]["id"], column(project, "In Progress")
    await api.ok(
        "mutation($i: UpdateColumnInput!) { updateBoardColumn(input: $i) { column { wipLimit } userErrors { code } } }",
        {"i": {"id": doing, "wipLimit": 1}},
        tenant=world.a,
    )
    a = await api.task(world.a, project["id"], "a")
    b = await api.task(world.a, project["id"], "b")
    await api.ok(
        MOVE,
        {"input": {"boardId": board_id, "toColumnId": doing, "taskId": a["id"]}},
        tenant=world.a,
    )
    body = await api.gql(
        MOVE,
        {"input": {"boardId": board_id, "toColumnId": doing, "taskId": b["id"]}},
        tenant=world.a,
    )
    assert [e["code"] for e in body["data"]["moveCard"]["userErrors"]] == ["WIP_LIMIT_EXCEEDED"]
    # reordering inside the full column is still allowed, and nothing else moved
    body = await api.ok(
        MOVE,
        {"input": {"boardId": board_id, "toColumnId": doing, "taskId": a["id"]}},
        tenant=world.a,
    )
    state = await board(world, board_id)
    assert titles(state, "In Progress") == ["a"]
    assert titles(state, "Todo") == ["b"]
    # creating a task straight into the full state is refused too
    started = next(s for s in project["states"] if s["name"] == "In Progress")
    body = await api.gql(
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } userErrors { code } } }",
        {"i": {"projectId": project["id"], "title": "c", "stateId": started["id"]}},
        tenant=world.a,
    )
    assert body["data"]["createTask"]["userErrors"] == [{"code": "WIP_LIMIT_EXCEEDED"}]


async def test_swimlanes(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    board_id = project["board"]["id"]
    await api.task(world.a, project["id"], "mine", assigneeId=world.a.owner_id, priority="HIGH")
    await api.task(world.a, project["id"], "nobody", priority="LOW")
    swim = "mutation($b: ID!, $s: Swimlane!) { setBoardSwimlane(boardId: $b, swimlane: $s) { board { swimlane } userErrors { code } } }"
    await api.ok(swim, {"b": board_id, "s": "ASSIGNEE"}, tenant=world.a)
    lanes = (await board(world, board_id))["lanes"]
    assert [lane["key"] for lane in lanes] == [world.a.owner_id, ""]
    assert titles(lanes[0], "Todo") == ["mine"]
    assert titles(lanes[1], "Todo") == ["nobody"]
    await api.ok(swim, {"b": board_id, "s": "PRIORITY"}, tenant=world.a)
    lanes = (await board(world, board_id))["lanes"]
    assert [lane["key"] for lane in lanes] == ["HIGH", "LOW"]
    label = await api.ok(
        'mutation($p: ID!) { createLabel(projectId: $p, name: "bug") { label { id } userErrors { code } } }',
        {"p": project["id"]},
        tenant=world.a,
    )
    mine = (await board(world, board_id))["columns"][1]["cards"][0]["id"]
    await api.ok(
        "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { userErrors { code } } }",
        {"i": {"id": mine, "labelIds": [label["createLabel"]["label"]["id"]]}},
        tenant=world.a,
    )
    await api.ok(swim, {"b": board_id, "s": "LABEL"}, tenant=world.a)
    lanes = (await board(world, board_id))["lanes"]
    assert [lane["key"] for lane in lanes] == ["bug", ""]
    assert titles(lanes[0], "Todo") == ["mine"]


async def test_board_feed_announces_committed_moves_only(world: World) -> None:
    api = world.api
    project = await api.project(world.a, world.key())
    card = await api.task(world.a, project["id"], "live")
    board_id, doing = project["board"]["id"], column(project, "In Progress")
    from subgraphs.projects.realtime import channel

    stream = api.feed.subscribe(channel(uuid.UUID(world.a.id), uuid.UUID(project["id"])))
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.01)
    # a refused move (unknown anchor) is rolled back and never announced
    body = await api.gql(
        MOVE,
        {
            "input": {
                "boardId": board_id,
                "toColumnId": doing,
                "taskId": card["id"],
                "afterTaskId": project["id"],
            }
        },
        tenant=world.a,
    )
    assert body["data"]["moveCard"]["userErrors"][0]["code"] == "TASK_NOT_FOUND"
    await api.ok(
        MOVE,
        {"input": {"boardId": board_id, "toColumnId": doing, "taskId": card["id"]}},
        tenant=world.a,
    )
    message = await asyncio.wait_for(first, 5)
    assert (message.kind, message.task_id) == ("CARD_MOVED", card["id"])
    await stream.aclose()


async def test_concurrent_moves_keep_a_total_order(world: World) -> None:
    """N clients move random cards to random places at once; afterwards every card is on
    the board exactly once, ranks are unique and sorted, and no move was lost."""
    api = world.api
    project = await api.project(world.a, world.key())
    board_id = project["board"]["id"]
    columns = [column(project, n) for n in ("Todo", "In Progress", "In Review")]
    cards = [await api.task(world.a, project["id"], f"c{i}") for i in range(12)]
    ids = [c["id"] for c in cards]
    rng = random.Random(7)
    clients = 8 if world.backend == "postgres" else 3

    async def client(n: int) -> list[str]:
        codes = []
        for _ in range(6):
            task, anchor = rng.sample(ids, 2)
            move = {"boardId": board_id, "taskId": task, "toColumnId": rng.choice(columns)}
            if rng.random() < 0.5:
                move["afterTaskId"] = anchor
            body = await api.gql(MOVE, {"input": move}, tenant=world.a)
            codes += [e["code"] for e in body["data"]["moveCard"]["userErrors"]]
        return codes

    results = await asyncio.gather(*(client(n) for n in range(clients)))
    # an anchor in another column is fine (ranks are global); nothing may fail but nothing
    assert [c for codes in results for c in codes] == []
    state = await board(world, board_id)
    on_board = [card for col in state["columns"] for card in col["cards"]]
    assert sorted(c["id"] for c in on_board) == sorted(ids)
    ranks = [c["rank"] for c in sorted(on_board, key=lambda c: c["rank"])]
    assert len(set(ranks)) == len(ranks)
    for col in state["columns"]:
        column_ranks = [c["rank"] for c in col["cards"]]
        assert column_ranks == sorted(column_ranks)


async def test_pubsub_feed_round_trip_on_tenant_channels() -> None:
    """The production feed on the kit's pub/sub (memory:// here): a message reaches the
    subscriber of its tenant's channel only."""
    from subgraphs.kit.pubsub import PubSub
    from subgraphs.projects.realtime import BoardMessage, PubSubBoardFeed, channel

    pubsub = PubSub("memory://")
    feed = PubSubBoardFeed(pubsub)
    project = uuid.uuid4()
    mine, other = channel(uuid.uuid4(), project), channel(uuid.uuid4(), project)
    assert mine != other
    try:
        received = feed.subscribe(mine)
        first = asyncio.ensure_future(anext(received))
        await asyncio.sleep(0.05)
        await feed.publish(other, BoardMessage("CARD_MOVED", str(project), "foreign", None))
        await feed.publish(mine, BoardMessage("CARD_MOVED", str(project), "t1", "u1", "s1", "0i"))
        message = await asyncio.wait_for(first, 5)
        assert (message.task_id, message.rank) == ("t1", "0i")
        await received.aclose()
    finally:
        await pubsub.disconnect()


async def test_board_updated_subscription_sees_another_clients_move(world: World) -> None:
    """`boardUpdated` resolved by the schema (the WebSocket transport is the kit's): a move
    by another client over HTTP arrives as an event; a viewer may subscribe."""
    from subgraphs.kit.context import SubgraphContext, TenantScope
    from subgraphs.kit.loaders import LoaderRegistry
    from subgraphs.kit.sessions import RequestSessions
    from subgraphs.projects.app import build_schema
    from subgraphs.projects.deps import ProjectsDeps

    api = world.api
    project = await api.project(world.a, world.key())
    card = await api.task(world.a, project["id"], "watched")
    tenant = TenantId(uuid.UUID(world.a.id))
    registry = api.identity.runtime.tenants
    sessions = RequestSessions(lambda: registry.session(tenant))
    viewer = Principal(tenant_id=tenant, user_id=uuid.uuid4(), kind=PrincipalKind.USER,
                       permissions=frozenset({"projects:read"}))  # fmt: skip
    context = SubgraphContext(
        request=None,  # type: ignore[arg-type]
        request_id="test", scope=TenantScope(tenant, world.a.slug), sessions=sessions,
        loaders=LoaderRegistry(sessions), deps=ProjectsDeps(feed=api.feed), principal=viewer,
        authenticated=True,
    )  # fmt: skip
    document = "subscription($b: ID!) { boardUpdated(boardId: $b) { kind taskId stateId actorId } }"
    stream = await build_schema().subscribe(document, {"b": project["board"]["id"]}, context)
    assert not isinstance(stream, type(None))
    first = asyncio.ensure_future(anext(stream))  # type: ignore[arg-type]
    for _ in range(100):  # until the resolver subscribed to the feed
        if api.feed.subscribers(channel_of(world, project)) > 0:
            break
        await asyncio.sleep(0.02)
    await api.ok(MOVE, {"input": {"boardId": project["board"]["id"], "taskId": card["id"],
                                  "toColumnId": column(project, "Done")}}, tenant=world.a)  # fmt: skip
    result = await asyncio.wait_for(first, 5)
    assert result.errors is None, result.errors
    event = result.data["boardUpdated"]
    assert event["kind"] == "CARD_MOVED"
    assert event["taskId"] == card["id"]
    assert event["actorId"] == world.a.owner_id
    await stream.aclose()  # type: ignore[union-attr]


def channel_of(world: World, project: dict[str, Any]) -> str:
    from subgraphs.projects.realtime import channel

    return channel(uuid.UUID(world.a.id), uuid.UUID(project["id"]))
