"""`@fromContext` arguments (join v0.5 `contextArguments`): the context value is planned at the
nearest ancestor whose type sets the context (here from a third subgraph), and the field is
fetched through `_entities` with the value as a variable read by a `context_rewrites` path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graphql import parse

from router.compose import SubgraphSource, compose
from router.plan import Fetch, Flatten, KeyRenamer, Sequence
from router.planner import PlanningError, build_plan
from router.supergraph import Supergraph, parse_supergraph
from tests.router.compose.compose_fixtures import load_fixture
from tests.router.planner.helpers import assert_plan, plan
from tests.router.planner.simulation import World, run_plan, shape

# written by @theguild/federation-composition from tests/router/compose/fixtures/context_basic
GUILD = parse_supergraph((Path(__file__).parent / "fixtures" / "context_guild.graphql").read_text())


def test_context_value_comes_from_the_ancestor_in_another_subgraph() -> None:
    built = assert_plan(
        GUILD,
        "{ users { id items { id greeting(x: 1) } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                users {
                  id
                  items {
                    id
                    __typename
                  }
                  __typename
                }
              }
            },
            Flatten(path: "users.@") {
              Fetch(service: "c") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    name
                  }
                }
              },
            },
            Flatten(path: "users.@.items.@") {
              Fetch(service: "b") {
                {
                  ... on Item {
                    __typename
                    id
                  }
                } =>
                # context: $contextualArgument_0 <- ../../name
                {
                  ... on Item {
                    greeting(x: 1, who: $contextualArgument_0)
                  }
                }
              },
            },
          },
        }
        """,
    )
    assert isinstance(built.node, Sequence)
    last = built.node.nodes[-1]
    assert isinstance(last, Flatten)
    assert not isinstance(last.node, Flatten)
    fetch = last.node
    assert fetch.context_rewrites == (  # type: ignore[union-attr]
        KeyRenamer(("..", "..", "name"), "contextualArgument_0"),
    )
    assert "$contextualArgument_0:String" in fetch.operation  # type: ignore[union-attr]


def test_client_alias_on_the_context_field_does_not_hide_the_value() -> None:
    built = plan(GUILD, "{ users { name: id items { greeting } } }")
    fetches = [n.node for n in built.node.nodes if isinstance(n, Flatten)]  # type: ignore[union-attr]
    rewrites = [r for f in fetches for r in f.context_rewrites]  # type: ignore[union-attr]
    # the client took `name` for `id`: the context field gets a generated key
    assert rewrites == [KeyRenamer(("..", "..", "_name_fed"), "contextualArgument_0")]


def test_two_contextual_selections_get_two_variables() -> None:
    built = plan(GUILD, "{ users { items { a: greeting(x: 1) b: greeting(x: 2) } } }")
    text = str(built)
    assert "contextualArgument_0" in text
    assert "contextualArgument_1" in text


def test_no_ancestor_setting_the_context_is_a_planning_error() -> None:
    sdl = (Path(__file__).parent / "fixtures" / "context_guild.graphql").read_text()
    # an Item reachable without a User above it
    sdl = sdl.replace(
        "  users: [User!]! @join__field(graph: A)",
        "  users: [User!]! @join__field(graph: A)\n  item: Item @join__field(graph: A)",
    )
    supergraph = parse_supergraph(sdl)
    with pytest.raises(PlanningError) as caught:
        plan(supergraph, "{ item { greeting } }")
    assert caught.value.code == "UNSATISFIABLE_SELECTION"
    assert "context" in str(caught.value)


def _composed(*sdls: str) -> Supergraph:
    head = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", '
        'import: ["@key", "@context", "@fromContext", "@external", "@shareable"])\n'
    )
    sources = [
        SubgraphSource(n, f"http://{n}", head + sdl) for n, sdl in zip("abc", sdls, strict=False)
    ]
    composed = compose(sources)
    assert composed.supergraph_sdl is not None, composed.errors
    return parse_supergraph(composed.supergraph_sdl)


FRIENDS = _composed(
    "type Query { me: User }\n"
    'type User @key(fields: "id") @context(name: "u") '
    "{ id: ID! name: String! friends: [User!]! posts: [Post!]! }\n"
    'type Post @key(fields: "id") '
    '{ id: ID! title(by: String @fromContext(field: "$u { name }")): String }\n'
)
_UNION_SDL = compose(load_fixture("context_union")).supergraph_sdl
assert _UNION_SDL is not None
UNION = parse_supergraph(_UNION_SDL)
_INTERFACE_SDL = compose(load_fixture("context_interface")).supergraph_sdl
assert _INTERFACE_SDL is not None
INTERFACE = parse_supergraph(_INTERFACE_SDL)


def test_the_nearest_ancestor_setting_the_context_wins() -> None:
    built = plan(FRIENDS, "{ me { posts { title } friends { posts { title } } } }")
    rewrites = {path: f.context_rewrites for path, f in _entity_fetches(built.node)}
    # me.posts.@ reads me.name; me.friends.@.posts.@ reads the friend's name, not me's
    assert rewrites == {
        ("me", "posts", "@"): (KeyRenamer(("..", "..", "name"), "contextualArgument_0"),),
        ("me", "friends", "@", "posts", "@"): (
            KeyRenamer(("..", "..", "name"), "contextualArgument_1"),
        ),
    }


def _entity_fetches(node: object) -> list[tuple[tuple[str, ...], Fetch]]:
    if isinstance(node, Flatten):
        assert isinstance(node.node, Fetch)
        return [(node.path, node.node)]
    return [found for child in getattr(node, "nodes", ()) for found in _entity_fetches(child)]


@pytest.mark.parametrize(
    ("supergraph", "query"),
    [
        (GUILD, "{ users { id items { id greeting(x: 1) } } }"),
        (GUILD, "{ users { items { a: greeting(x: 1) b: greeting } } }"),
        (GUILD, "{ users { name: id items { greeting } } }"),
        (FRIENDS, "{ me { posts { title } friends { name posts { title } } } }"),
        (FRIENDS, "{ me { friends { friends { posts { id title } } } } }"),
        (UNION, '{ teams { docs { label(suffix: "!") } } people { id docs { id label } } }'),
        (INTERFACE, "{ owners { docs { label } } }"),
        (INTERFACE, "{ owners { id ... on Team { docs { id label } } } }"),
    ],
)
def test_contextual_fields_give_the_monolith_result(supergraph: Supergraph, query: str) -> None:
    document = parse(query)
    world = World(supergraph)
    merged = run_plan(world, build_plan(supergraph, document), {})
    expected = world.expected(document, {})
    assert shape(world, document, merged, {}) == expected
    assert "|" in json.dumps(expected)  # contextual answers carry their argument


def test_generated_variables_avoid_the_clients() -> None:
    built = plan(
        GUILD,
        "query($contextualArgument_0: Int) "
        "{ users { items { greeting(x: $contextualArgument_0) } } }",
    )
    (fetch,) = [f for _, f in _entity_fetches(built.node) if f.context_rewrites]
    assert fetch.context_rewrites == (KeyRenamer(("..", "..", "name"), "contextualArgument_1"),)
    assert fetch.variable_usages == ("contextualArgument_0",)
    assert "$contextualArgument_0: Int,$contextualArgument_1:String" in fetch.operation
    assert "who:$contextualArgument_1" in fetch.operation
