"""Entity fetches merged across parent fetches and paths (`router/planner/merging.py`)."""

from __future__ import annotations

import pytest
from graphql import parse, validate
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from router.plan import Fetch, Flatten, Parallel, PlanNode, Sequence
from router.planner.graph import Capabilities
from router.planner.groups import Group
from router.planner.merging import _mergeable
from router.supergraph import parse_supergraph
from tests.router.planner.helpers import assert_plan, plan, supergraph_sdl
from tests.router.planner.test_plan_node import MEDIA
from tests.router.planner.test_plan_properties import operations
from tests.router.planner.test_plan_simulated import check

# a: items; b: things (pointing at items); c: prices, scores, related items; d: stock, gadgets
YARD = parse_supergraph(
    supergraph_sdl(
        """
        type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: D) {
          items: [Item] @join__field(graph: A)
          things: [Thing] @join__field(graph: B)
          gadgets: [Item] @join__field(graph: D)
        }
        type Item @join__type(graph: A, key: "id")
          @join__type(graph: B, key: "id", resolvable: false)
          @join__type(graph: C, key: "id") @join__type(graph: D, key: "id") {
          id: ID!
          name: String @join__field(graph: A)
          price: Int @join__field(graph: C)
          tags: [String] @join__field(graph: C)
          stock: Int @join__field(graph: D)
        }
        type Thing @join__type(graph: B, key: "id") @join__type(graph: C, key: "id") {
          id: ID!
          item: Item @join__field(graph: B)
          score: Int @join__field(graph: C)
          size: String @join__field(graph: C)
          related: Item @join__field(graph: C)
        }
        """,
        graphs=("a", "b", "c", "d"),
    )
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


def _services(query: str) -> list[str]:
    return [f.service_name for f in _fetches(plan(YARD, query).node)]


def test_jumps_from_different_parents_share_one_request() -> None:
    # Item at two paths (from a's and b's root fetches) and Thing: one `_entities` call to c
    assert_plan(
        YARD,
        "{ items { price } things { score item { price } } }",
        """
        QueryPlan {
          Sequence {
            Parallel {
              Fetch(service: "a") {
                {
                  items {
                    __typename
                    id
                  }
                }
              },
              Fetch(service: "b") {
                {
                  things {
                    item {
                      __typename
                      id
                    }
                    __typename
                    id
                  }
                }
              },
            },
            Flatten(paths: ["items.@", "things.@.item", "things.@"]) {
              Fetch(service: "c") {
                {
                  ... on Item {
                    __typename
                    id
                  }
                  ... on Thing {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Item {
                    price
                  }
                  ... on Thing {
                    score
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_independent_parts_keep_their_own_shape() -> None:
    # a's and b's branches share c's request (level by level); d's branch (Item with
    # another selection: not merged) does not wait for them
    built = plan(YARD, "{ items { price } things { item { price } } gadgets { tags } }")
    assert isinstance(built.node, Parallel)
    merged, gadgets = built.node.nodes
    assert isinstance(merged, Sequence)
    assert [f.service_name for f in _fetches(merged)] == ["a", "b", "c"]
    assert isinstance(gadgets, Sequence)
    assert [f.service_name for f in _fetches(gadgets)] == ["d", "c"]
    assert [f.id for f in _fetches(built.node)] == list(range(5))


def test_same_response_shape_across_types_merges() -> None:
    # `x` is an Int on both types: `... on Item { x: price } ... on Thing { x: score }` is valid
    assert _services("{ items { x: price } things { x: score } }") == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("query", "services"),
    [
        # Item selected differently at two paths: merging would hand each path the other's
        # fields (and their errors)
        ("{ items { price } things { item { tags } } }", ["a", "c", "b", "c"]),
        # `x` is an Int on Item, a String on Thing: the merged operation would be invalid
        ("{ items { x: price } things { x: size } }", ["a", "c", "b", "c"]),
        # different depths: the items.@ fetch would wait for c's answer about things
        ("{ items { stock } things { related { stock } } }", ["a", "d", "b", "c", "d"]),
    ],
)
def test_unsafe_or_slower_merges_are_not_made(query: str, services: list[str]) -> None:
    assert _services(query) == services


def test_mutations_are_not_merged_across_root_fetches() -> None:
    shop = parse_supergraph(
        supergraph_sdl(
            """
            type Query @join__type(graph: A) { items: [Item] @join__field(graph: A) }
            type Mutation @join__type(graph: A) @join__type(graph: B) {
              one: Item @join__field(graph: A)
              two: Item @join__field(graph: B)
              three: Item @join__field(graph: A)
            }
            type Item @join__type(graph: A, key: "id") @join__type(graph: B, key: "id")
              @join__type(graph: C, key: "id") {
              id: ID!
              price: Int @join__field(graph: C)
            }
            """,
            graphs=("a", "b", "c"),
        )
    )
    built = plan(shop, "mutation { one { price } two { id } three { price } }")
    services = [f.service_name for f in _fetches(built.node)]
    assert services == ["a", "c", "b", "a", "c"]  # each mutation's price before the next one


@pytest.mark.parametrize(
    "query",
    [
        "{ items { price } things { score item { price } } }",
        "{ items { x: price } things { x: score } }",
        "{ items { price name } things { item { price } related { price tags } } }",
        "{ items { price tags } things { item { price tags } related { stock } } }",
        "{ items { stock } things { related { stock } } }",
        "{ items { price } things { item { price } } gadgets { tags } }",
    ],
)
def test_merged_plans_give_the_monolith_result(query: str) -> None:
    check(YARD, query)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_operations_on_merging_graph_give_the_monolith_result(data: st.DataObject) -> None:
    query = data.draw(operations(YARD))
    assume(not validate(YARD.api_schema, parse(query)))
    check(YARD, query)


def _group(index: int, path: tuple[str, ...], requires: dict[str, str]) -> Group:
    """An entity group of subgraph c at `path`: `requires` has one fragment per type condition
    (`condition -> field names`), the selection `... on T { id }` per condition."""
    parent = Group(0, "a", (), None)
    group = Group(index, "c", path, parent, deps={parent})
    for condition, names in requires.items():
        for name in names.split():
            group.requires.fragment(condition).add_field(name, name)
        group.root.fragment(condition or "Doc").add_field("id", "id")
    return group


@pytest.mark.parametrize(
    ("first", "second", "mergeable"),
    [
        # disjoint types at different paths
        ({"Doc": "__typename id"}, {"Pic": "__typename id"}, True),
        # an interface and one of its implementations overlap: a Doc would match both
        ({"Node": "__typename id"}, {"Doc": "__typename id"}, False),
        # an untyped representation fragment (@interfaceObject) applies to every object
        ({"": "__typename id"}, {"Pic": "__typename id"}, False),
        # the same type read differently at two paths
        ({"Doc": "__typename id"}, {"Doc": "__typename id text"}, False),
    ],
)
def test_merge_rules_for_representations(
    first: dict[str, str], second: dict[str, str], mergeable: bool
) -> None:
    caps = Capabilities(MEDIA)
    kept = _group(1, ("x",), first)
    assert _mergeable(caps, kept, _group(2, ("y",), second)) is mergeable
    assert _mergeable(caps, kept, _group(3, ("x",), second))  # the same objects: always
