"""Greedy placement with look-ahead (`router/planner/reach.py`): a shareable field whose
value type another subgraph extends is fetched where its whole selection resolves."""

from __future__ import annotations

import pytest
from graphql import parse, validate
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from router.planner import PlanningError
from tests.router.planner.helpers import assert_plan, make_supergraph, plan
from tests.router.planner.test_plan_properties import operations
from tests.router.planner.test_plan_simulated import check

# Info is a value type: `a` in both subgraphs, `b` only in B; Product.info is shareable
VALUES = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) {
  product: Product @join__field(graph: A)
  products: [Product] @join__field(graph: A)
}
type Product @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  name: String @join__field(graph: A)
  info: Info
}
type Info @join__type(graph: A) @join__type(graph: B) {
  a: String
  b: String @join__field(graph: B)
  deep: Deep
}
type Deep @join__type(graph: A) @join__type(graph: B) {
  x: Int
  y: Int @join__field(graph: B)
}
"""
)

# the same, but B cannot be reached from A: no key of Product in B
STUCK = make_supergraph(
    """
type Query @join__type(graph: A) { product: Product @join__field(graph: A) }
type Product @join__type(graph: A, key: "id") @join__type(graph: B) {
  id: ID!
  info: Info
}
type Info @join__type(graph: A) @join__type(graph: B) {
  a: String
  b: String @join__field(graph: B)
}
"""
)


def test_value_type_extended_elsewhere_is_fetched_through_the_parent_entity() -> None:
    assert_plan(
        VALUES,
        "{ product { name info { a b } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                product {
                  name
                  __typename
                  id
                }
              }
            },
            Flatten(path: "product") {
              Fetch(service: "b") {
                {
                  ... on Product {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Product {
                    info {
                      a
                      b
                    }
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_fields_the_current_subgraph_can_finish_stay_there() -> None:
    fetches = plan(VALUES, "{ product { name info { a deep { x } } } }")
    assert fetches.stats["fetches"] == 1


def test_the_dead_end_may_be_levels_below() -> None:
    built = plan(VALUES, "{ products { info { deep { x y } } } }")
    assert built.stats["fetches"] == 2


def test_no_way_around_is_still_a_clear_planning_error() -> None:
    with pytest.raises(PlanningError) as caught:
        plan(STUCK, "{ product { info { b } } }")
    assert caught.value.code == "UNSATISFIABLE_SELECTION"
    assert "Info.b" in str(caught.value)


@pytest.mark.parametrize(
    "query",
    [
        "{ product { name info { a b } } }",
        "{ products { info { deep { x y } } name } }",
        "{ product { info { a deep { x } } } products { info { b } } }",
    ],
)
def test_detours_give_the_monolith_result(query: str) -> None:
    check(VALUES, query)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_operations_over_extended_value_types(data: st.DataObject) -> None:
    query = data.draw(operations(VALUES))
    assume(not validate(VALUES.api_schema, parse(query)))
    check(VALUES, query)
