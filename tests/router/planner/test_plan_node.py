"""A shared `node(id:)` split across the subgraphs that can return the selected types
(`router/planner/splits.py`): snapshots and simulated data."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse, validate
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from router.plan import Fetch, Flatten, Parallel, PlanNode, Sequence
from router.planner import build_plan
from tests.router.planner.helpers import assert_plan, make_supergraph, plan
from tests.router.planner.simulation import World, run_plan, shape
from tests.router.planner.test_plan_paths import CATALOG
from tests.router.planner.test_plan_properties import operations

# a: Doc, b: Pic, c: Vid (and Doc.views); `node` in all three, `nodes` in a and b
MEDIA = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  node(id: ID!): Node @join__field(graph: A) @join__field(graph: B) @join__field(graph: C)
  nodes(ids: [ID!]!): [Node]! @join__field(graph: A) @join__field(graph: B)
  strict(id: ID!): Node! @join__field(graph: A) @join__field(graph: B)
}
interface Node @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  id: ID!
}
type Doc implements Node @join__type(graph: A, key: "id") @join__type(graph: C, key: "id")
  @join__implements(graph: A, interface: "Node") {
  id: ID!
  text: String @join__field(graph: A)
  views: Int @join__field(graph: C)
}
type Pic implements Node @join__type(graph: B, key: "id")
  @join__implements(graph: B, interface: "Node") {
  id: ID!
  url: String
}
type Vid implements Node @join__type(graph: C, key: "id")
  @join__implements(graph: C, interface: "Node") {
  id: ID!
  length: Int
}
""",
    graphs=("a", "b", "c"),
)

QUERY = (
    '{ node(id: "1") { id ... on Doc { text views } ... on Pic { url } ... on Vid { length } } }'
)


def _fetches(node: PlanNode | None) -> list[Fetch]:
    match node:
        case Fetch():
            return [node]
        case Flatten(node=inner):
            return _fetches(inner)
        case Sequence(nodes=nodes) | Parallel(nodes=nodes):
            return [f for child in nodes for f in _fetches(child)]
    return []


def test_node_is_fetched_from_each_subgraph_with_the_types_it_serves() -> None:
    assert_plan(
        MEDIA,
        QUERY,
        """
        QueryPlan {
          Parallel {
            Sequence {
              Fetch(service: "a") {
                {
                  node(id: "1") {
                    __typename
                    ... on Doc {
                      id
                      text
                      __typename
                    }
                  }
                }
              },
              Flatten(path: "node") {
                Fetch(service: "c") {
                  {
                    ... on Doc {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on Doc {
                      views
                    }
                  }
                },
              },
            },
            Fetch(service: "b") {
              {
                node(id: "1") {
                  __typename
                  ... on Pic {
                    id
                    url
                  }
                }
              }
            },
            Fetch(service: "c") {
              {
                node(id: "1") {
                  __typename
                  ... on Vid {
                    id
                    length
                  }
                }
              }
            },
          },
        }
        """,
    )


def test_lists_split_too_and_non_null_fields_do_not() -> None:
    query = (
        '{ nodes(ids: ["1", "2"]) { id ... on Doc { text } ... on Pic { url } } '
        'strict(id: "3") { id ... on Doc { text } ... on Pic { url } } }'
    )
    fetches = _fetches(plan(MEDIA, query).node)
    assert [f.service_name for f in fetches] == ["a", "b"]
    assert "strict" in fetches[0].operation  # `Node!` cannot answer null: not split
    assert "strict" not in fetches[1].operation
    assert "... on Pic" not in fetches[0].operation
    assert "... on Doc" not in fetches[1].operation


def test_interface_fields_alone_still_ask_every_owner() -> None:
    # the id may be a Pic's: `{ node { id } }` cannot be answered by one subgraph
    fetches = _fetches(plan(MEDIA, '{ node(id: "1") { __typename id } }').node)
    assert [f.service_name for f in fetches] == ["a", "b", "c"]
    # the subgraph returning the selected type is the main one; others add the rest
    fetches = _fetches(plan(MEDIA, '{ node(id: "1") { id ... on Vid { length } } }').node)
    assert [f.service_name for f in fetches] == ["c", "a", "b"]
    assert "length" not in fetches[1].operation
    assert "length" in fetches[0].operation


def test_no_split_when_one_subgraph_returns_every_type() -> None:
    fetches = _fetches(plan(CATALOG, '{ node(id: "1") { id ... on Item { price } } }').node)
    assert [f.service_name for f in fetches] == ["a", "c"]


def test_named_fragments_are_filtered_per_subgraph() -> None:
    query = """
    query { node(id: "1") { ...Any } }
    fragment Any on Node { id ...D ...P }
    fragment D on Doc { text }
    fragment P on Pic { url }
    """
    fetches = _fetches(plan(MEDIA, query).node)
    assert [f.service_name for f in fetches] == ["a", "b", "c"]
    assert "text" not in fetches[2].operation
    assert "url" not in fetches[2].operation
    assert "url" not in fetches[0].operation
    assert "text" in fetches[0].operation
    assert "text" not in fetches[1].operation
    assert "url" in fetches[1].operation


@pytest.mark.parametrize("type_name", ["Doc", "Pic", "Vid"])
def test_split_node_gives_the_monolith_result_whoever_owns_the_id(type_name: str) -> None:
    world = World(MEDIA)
    world.root["node"] = world.objects[type_name][1]
    _check(world, QUERY)


def test_split_list_gives_the_monolith_result() -> None:
    world = World(MEDIA)
    world.root["nodes"] = [world.objects["Pic"][0], None, world.objects["Doc"][2]]
    _check(
        world, '{ nodes(ids: ["p", "x", "d"]) { id ... on Doc { text views } ... on Pic { url } } }'
    )


def _check(world: World, query: str) -> None:
    document = parse(query)
    merged = run_plan(world, build_plan(MEDIA, document), {})
    expected: Any = world.expected(document, {})
    assert shape(world, document, merged, {}) == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_operations_with_split_nodes_give_the_monolith_result(data: st.DataObject) -> None:
    query = data.draw(operations(MEDIA))
    assume("strict" not in query)  # `Node!` is not split (see above)
    assume(not validate(MEDIA.api_schema, parse(query)))
    world = World(MEDIA)
    world.root["node"] = world.objects[data.draw(st.sampled_from(["Doc", "Pic", "Vid"]))][0]
    _check(world, query)
