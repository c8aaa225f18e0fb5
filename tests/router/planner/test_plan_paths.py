"""Paths through nested lists, mutations with entity jumps, nested @requires across
subgraphs, shared root fields and collapsed conditions."""

from __future__ import annotations

from router.plan import Condition
from tests.router.planner.helpers import assert_plan, make_supergraph, plan

CATALOG = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  items: [[Item]] @join__field(graph: A)
  node(id: ID!): Node @join__field(graph: A) @join__field(graph: B)
}
type Mutation @join__type(graph: A) @join__type(graph: B) {
  addItem(name: String): Item @join__field(graph: A)
  ping: Int @join__field(graph: B)
}
interface Node @join__type(graph: A) @join__type(graph: B) { id: ID! }
type Item implements Node
  @join__implements(graph: A, interface: "Node")
  @join__implements(graph: B, interface: "Node")
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id")
  @join__type(graph: C, key: "id")
{
  id: ID!
  owner: Person @join__field(graph: A) @join__field(graph: B, external: true)
  label(lang: String): String @join__field(graph: B, requires: "owner { name }")
  related: [Node] @join__field(graph: B)
  price: Int @join__field(graph: C)
}
type Person
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id")
  @join__type(graph: C, key: "id")
{
  id: ID!
  name: String @join__field(graph: C) @join__field(graph: B, external: true)
}
""",
    graphs=("a", "b", "c"),
)


def test_mutation_entity_jumps_finish_before_the_next_mutation_field() -> None:
    """`label` requires `owner { name }`: C answers `name`, then B `label`, then `ping`."""
    assert_plan(
        CATALOG,
        """mutation { addItem(name: "x") { id label } ping }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                addItem(name: "x") {
                  id
                  owner {
                    __typename
                    id
                  }
                  __typename
                }
              }
            },
            Flatten(path: "addItem.owner") {
              Fetch(service: "c") {
                {
                  ... on Person {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Person {
                    name
                  }
                }
              },
            },
            Flatten(path: "addItem") {
              Fetch(service: "b") {
                {
                  ... on Item {
                    __typename
                    id
                    owner {
                      name
                    }
                  }
                } =>
                {
                  ... on Item {
                    label
                  }
                }
              },
            },
            Fetch(service: "b") {
              {
                ping
              }
            },
          },
        }
        """,
    )


def test_nested_lists_give_one_at_sign_per_level() -> None:
    assert_plan(
        CATALOG,
        """{ items { label(lang: "fr") related { id ... on Item { price } } } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                items {
                  owner {
                    __typename
                    id
                  }
                  __typename
                  id
                }
              }
            },
            Flatten(path: "items.@.@.owner") {
              Fetch(service: "c") {
                {
                  ... on Person {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Person {
                    name
                  }
                }
              },
            },
            Flatten(path: "items.@.@") {
              Fetch(service: "b") {
                {
                  ... on Item {
                    __typename
                    id
                    owner {
                      name
                    }
                  }
                } =>
                {
                  ... on Item {
                    label(lang: "fr")
                    related {
                      __typename
                      ... on Item {
                        id
                        __typename
                      }
                    }
                  }
                }
              },
            },
            Flatten(path: "items.@.@.related.@") {
              Fetch(service: "c") {
                {
                  ... on Item {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Item {
                    price
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_aliased_paths_share_one_entities_fetch() -> None:
    # same subgraph, same entity type, same selection at two paths: one request
    assert_plan(
        CATALOG,
        """{ a: items { price } b: items { price } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                a: items {
                  __typename
                  id
                }
                b: items {
                  __typename
                  id
                }
              }
            },
            Flatten(paths: ["a.@.@", "b.@.@"]) {
              Fetch(service: "c") {
                {
                  ... on Item {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Item {
                    price
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_condition_that_changes_nothing_is_dropped() -> None:
    """With $v false the fragment is gone whatever $w is: no Condition on $w there."""
    built = plan(
        CATALOG,
        """
        query ($v: Boolean!, $w: Boolean!) { items { id ...F @include(if: $v) } }
        fragment F on Item { owner @skip(if: $w) { name } }
        """,
    )
    assert isinstance(built.node, Condition)
    assert built.node.variable == "v"
    assert isinstance(built.node.if_clause, Condition)
    assert built.node.if_clause.variable == "w"
    assert not isinstance(built.node.else_clause, Condition)
