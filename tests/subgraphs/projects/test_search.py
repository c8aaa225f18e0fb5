# ruff: noqa: E501  (GraphQL documents read better on one line)
"""Full-text search of tasks (title, description, comments): `tasks(filter: {search})` with
RELEVANCE ordering and `searchTasks`, on PostgreSQL (tsvector + GIN) and SQLite (FTS5)."""

from __future__ import annotations

import secrets
import string
from typing import Any

from tests.subgraphs.projects.conftest import World

SEARCH = """query($q: String, $p: [ID!], $o: TaskOrderInput, $first: Int, $after: String) {
  tasks(filter: {search: $q, projectIds: $p}, orderBy: $o, first: $first, after: $after) {
    edges { node { id title } }
    pageInfo { hasNextPage endCursor }
  }
}"""
COMMENT = (
    "mutation($t: ID!, $b: String!) { addComment(taskId: $t, body: $b) { userErrors { code } } }"
)
UPDATE = "mutation($t: ID!, $title: String) { updateTask(input: {id: $t, title: $title}) { userErrors { code } } }"
SEARCH_TASKS = "query($q: String!) { searchTasks(text: $q) { id title } }"


def word() -> str:
    """A word no other test uses (the world is shared by the whole run)."""
    return "w" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))


async def titles(world: World, q: str, **variables: Any) -> list[str]:
    tenant = variables.pop("tenant", world.a)
    data = await world.api.ok(SEARCH, {"q": q, **variables}, tenant=tenant)
    return [e["node"]["title"] for e in data["tasks"]["edges"]]


async def test_title_description_and_comments_are_searched(world: World) -> None:
    api, w = world.api, word()
    project = await api.project(world.a, world.key())
    await api.task(world.a, project["id"], f"Deploy {w} service")
    await api.task(world.a, project["id"], "In the description", description=f"Steps: restart {w}.")
    commented = await api.task(world.a, project["id"], "Commented")
    await api.task(world.a, project["id"], "Unrelated")
    assert await titles(world, w) == ["Deploy " + w + " service", "In the description"]
    await api.ok(
        COMMENT, {"t": commented["id"], "b": f"seen again on {w.upper()} today"}, tenant=world.a
    )
    assert sorted(await titles(world, w)) == sorted(
        ["Deploy " + w + " service", "In the description", "Commented"]
    )
    # every word must match
    assert await titles(world, f"deploy {w}") == ["Deploy " + w + " service"]
    assert await titles(world, f"{w} nowhere") == []


async def test_index_follows_title_changes(world: World) -> None:
    api, old, new = world.api, word(), word()
    project = await api.project(world.a, world.key())
    task = await api.task(world.a, project["id"], f"About {old}")
    await api.ok(UPDATE, {"t": task["id"], "title": f"About {new}"}, tenant=world.a)
    assert await titles(world, old) == []
    assert await titles(world, new) == [f"About {new}"]


async def test_relevance_orders_best_match_first_and_pages(world: World) -> None:
    api, w = world.api, word()
    project = await api.project(world.a, world.key())
    await api.task(
        world.a,
        project["id"],
        "Weak",
        description=f"mentions {w} once among {'many other words ' * 20}",
    )
    await api.task(world.a, project["id"], f"{w} {w}", description=f"{w} all over: {w} {w}")
    for n in range(4):
        await api.task(
            world.a, project["id"], f"Filler {n}", description=f"{w} and filler text number {n}"
        )
    order = {"field": "RELEVANCE", "direction": "ASC"}
    found = await titles(world, w, o=order)
    assert found[0] == f"{w} {w}"
    assert found[-1] == "Weak"
    reverse = await titles(world, w, o={"field": "RELEVANCE", "direction": "DESC"})
    assert reverse[0] == "Weak"
    assert reverse[-1] == f"{w} {w}"
    # keyset cursors over the score: pages of 2 cover every match once, in the same order
    paged: list[str] = []
    after = None
    for _ in range(10):
        data = await api.ok(
            SEARCH, {"q": w, "o": order, "first": 2, "after": after}, tenant=world.a
        )
        paged += [e["node"]["title"] for e in data["tasks"]["edges"]]
        if not data["tasks"]["pageInfo"]["hasNextPage"]:
            break
        after = data["tasks"]["pageInfo"]["endCursor"]
    assert paged == found
    assert len(found) == 6


async def test_search_combines_with_filters_and_search_tasks_ranks(world: World) -> None:
    api, w = world.api, word()
    one = await api.project(world.a, world.key())
    two = await api.project(world.a, world.key())
    await api.task(world.a, two["id"], "Two", description=f"the {w} is in the description")
    await api.task(world.a, one["id"], f"{w} in one")
    assert await titles(world, w, p=[one["id"]]) == [f"{w} in one"]
    data = await api.ok(SEARCH_TASKS, {"q": w}, tenant=world.a)
    # a match in the title ranks above one in the description
    assert [t["title"] for t in data["searchTasks"]] == [f"{w} in one", "Two"]


async def test_relevance_needs_a_search(world: World) -> None:
    body = await world.api.gql(SEARCH, {"o": {"field": "RELEVANCE"}}, tenant=world.a)
    assert body["data"] is None or body["data"]["tasks"] is None
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_query_syntax_is_not_injected(world: World) -> None:
    api, w = world.api, word()
    project = await api.project(world.a, world.key())
    await api.task(world.a, project["id"], f'Quote "{w}" here')
    for text in ['"', "NEAR(", "*", "-", "a OR", "' OR 1=1 --", "title:x", "^", "(", ":"]:
        body = await api.gql(SEARCH, {"q": text, "p": [project["id"]]}, tenant=world.a)
        assert "errors" not in body, (text, body)
        assert body["data"]["tasks"]["edges"] == [], text
    assert await titles(world, f'"{w}"') == [f'Quote "{w}" here']


async def test_search_is_tenant_scoped(world: World) -> None:
    api, w = world.api, word()
    mine = await api.project(world.a, world.key())
    theirs = await api.project(world.b, world.key())
    await api.task(world.a, mine["id"], f"A {w}")
    other = await api.task(world.b, theirs["id"], "B task")
    await api.ok(COMMENT, {"t": other["id"], "b": f"B says {w}"}, tenant=world.b)
    assert await titles(world, w) == [f"A {w}"]
    assert await titles(world, w, tenant=world.b) == ["B task"]
    data = await api.ok(SEARCH_TASKS, {"q": w}, tenant=world.b)
    assert [t["title"] for t in data["searchTasks"]] == ["B task"]


async def test_a_word_ending_with_a_star_is_a_prefix(world: World) -> None:
    """Search-as-you-type: `wabc*` matches every word starting with `wabc` in titles,
    descriptions and comments; without the star only the whole word matches."""
    api, w = world.api, word()
    stem = w[:7]
    project = await api.project(world.a, world.key())
    await api.task(world.a, project["id"], f"Deploy {w} service")
    described = await api.task(
        world.a, project["id"], "Described", description=f"see {stem}zzz-{w}-note"
    )
    commented = await api.task(world.a, project["id"], "Commented")
    await api.ok(COMMENT, {"t": commented["id"], "b": f"about {stem.upper()}QQ"}, tenant=world.a)
    await api.task(world.a, project["id"], f"Almost {stem[:-1]}")
    assert await titles(world, stem) == []
    everything = ["Commented", f"Deploy {w} service", "Described"]
    assert sorted(await titles(world, f"{stem}*")) == everything
    assert sorted(await titles(world, f"{stem}*", o={"field": "RELEVANCE"})) == everything
    # with other words (all required) and several prefixes
    assert await titles(world, f"deploy {stem}*") == [f"Deploy {w} service"]
    assert await titles(world, f"dep* {stem}*") == [f"Deploy {w} service"]
    assert await titles(world, f"{stem}zz*") == ["Described"]
    assert await titles(world, f'"{stem}*"') == []  # inside quotes `*` is no operator
    data = await api.ok(SEARCH_TASKS, {"q": f"{stem}*"}, tenant=world.a)
    assert {t["id"] for t in data["searchTasks"]} >= {described["id"], commented["id"]}
    assert await titles(world, f"{stem}*", tenant=world.b) == []  # tenant-scoped
    if world.backend == "postgres":  # websearch's `-word` excludes a prefix too
        assert sorted(await titles(world, f"{stem}* -deplo*")) == ["Commented", "Described"]


async def test_prefix_syntax_is_not_injected(world: World) -> None:
    api, w = world.api, word()
    project = await api.project(world.a, world.key())
    await api.task(world.a, project["id"], f"Safe {w}")
    tricks = ["'*", "':*|'*", "\\*", "(*", ")*", "!*", "&*", "|*", ":*", "NEAR(*", '"*',
              "**", "-*", "x' | '*", "a:* | b*", "'; DROP TABLE tasks; --*"]  # fmt: skip
    for text in tricks:
        body = await api.gql(SEARCH, {"q": text, "p": [project["id"]]}, tenant=world.a)
        assert "errors" not in body, (text, body)
        assert body["data"]["tasks"]["edges"] == [], text
    assert await titles(world, f"{w[:5]}'*", p=[project["id"]]) == [f"Safe {w}"]
