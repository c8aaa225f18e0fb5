"""Root fields, aliases, variables, fragments, mutations and @skip/@include."""

from __future__ import annotations

import pytest
from graphql import parse

from router.plan import Condition, Fetch, OperationKind, Sequence, Subscription
from router.planner import PlanningError, build_plan
from tests.router.planner.helpers import assert_plan, make_supergraph, plan

SHOP = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) {
  me: User @join__field(graph: A)
  products(first: Int): [Product] @join__field(graph: B)
}
type User @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  name: String @join__field(graph: A)
  purchases: [Product] @join__field(graph: B)
}
type Product @join__type(graph: B, key: "upc") {
  upc: String!
  title: String
}
type Mutation @join__type(graph: A) @join__type(graph: B) {
  login(name: String!): User @join__field(graph: A)
  logout: Boolean @join__field(graph: A)
  buy(upc: String!): Product @join__field(graph: B)
}
"""
)

FEED = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) {
  me: User @join__field(graph: A)
}
type Subscription @join__type(graph: A) {
  userChanged: User
}
type User @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  name: String @join__field(graph: A)
  score: Int @join__field(graph: B)
}
"""
)


def test_root_fields_of_two_subgraphs_run_in_parallel() -> None:
    assert_plan(
        SHOP,
        """{ me { name } products(first: 2) { title } }""",
        """
        QueryPlan {
          Parallel {
            Fetch(service: "a") {
              {
                me {
                  name
                }
              }
            },
            Fetch(service: "b") {
              {
                products(first: 2) {
                  title
                }
              }
            },
          },
        }
        """,
    )


def test_aliases_and_arguments_are_kept() -> None:
    assert_plan(
        SHOP,
        """query Q($n: Int) { top: products(first: $n) { t: title } }""",
        """
        QueryPlan {
          Fetch(service: "b") {
            # variables: $n
            {
              top: products(first: $n) {
                t: title
              }
            }
          },
        }
        """,
    )


def test_fragments_are_inlined_and_entity_fields_jump() -> None:
    """Named and inline fragments; the key `id` is added for the jump."""
    assert_plan(
        SHOP,
        """{ me { ...F } } fragment F on User { name ... on User { purchases { title } } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                me {
                  name
                  __typename
                  id
                }
              }
            },
            Flatten(path: "me") {
              Fetch(service: "b") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    purchases {
                      title
                    }
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_mutation_fields_run_in_order() -> None:
    """Consecutive fields of one subgraph share a fetch; order is kept."""
    assert_plan(
        SHOP,
        """mutation { a: login(name: "x") { id } logout buy(upc: "1") { upc } again: logout }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                a: login(name: "x") {
                  id
                }
                logout
              }
            },
            Fetch(service: "b") {
              {
                buy(upc: "1") {
                  upc
                }
              }
            },
            Fetch(service: "a") {
              {
                again: logout
              }
            },
          },
        }
        """,
    )


def test_literal_skip_causes_no_fetch() -> None:
    assert_plan(
        SHOP,
        """{ me { name purchases @skip(if: true) { title } }
             products @include(if: false) { upc } }""",
        """
        QueryPlan {
          Fetch(service: "a") {
            {
              me {
                name
              }
            }
          },
        }
        """,
    )


def test_variable_include_branches_on_a_condition() -> None:
    """Skipped fields must trigger no fetch: one branch per value."""
    assert_plan(
        SHOP,
        """query ($v: Boolean!) { me { name purchases @include(if: $v) { title } } }""",
        """
        QueryPlan {
          Condition(if: $v) {
            Then {
              Sequence {
                Fetch(service: "a") {
                  {
                    me {
                      name
                      __typename
                      id
                    }
                  }
                },
                Flatten(path: "me") {
                  Fetch(service: "b") {
                    {
                      ... on User {
                        __typename
                        id
                      }
                    } =>
                    {
                      ... on User {
                        purchases {
                          title
                        }
                      }
                    }
                  },
                },
              },
            },
            Else {
              Fetch(service: "a") {
                {
                  me {
                    name
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_typename_only_needs_no_fetch() -> None:
    built = plan(SHOP, "{ __typename t: __typename }")
    assert built.node is None
    assert built.operation_kind is OperationKind.QUERY


def test_root_introspection_fields_are_left_to_the_router() -> None:
    built = plan(SHOP, "{ __schema { queryType { name } } me { name } }")
    assert isinstance(built.node, Fetch)
    assert built.node.operation == "query{me{name}}"
    assert plan(SHOP, '{ __type(name: "User") { name } }').node is None


def test_fetch_operations_are_complete_documents_with_variable_definitions() -> None:
    built = plan(SHOP, "query Q($n: Int = 3) { products(first: $n) { upc } }")
    assert isinstance(built.node, Fetch)
    assert built.node.operation == "query Q__b__0($n: Int = 3){products(first:$n){upc}}"
    assert built.node.variable_usages == ("n",)
    assert built.node.operation_name == "Q__b__0"
    parse(built.node.operation)  # parses as a standalone document


def test_entity_fetch_declares_representations() -> None:
    built = plan(SHOP, "{ me { purchases { upc } } }")
    assert isinstance(built.node, Sequence)
    entity = built.node.nodes[1].node  # type: ignore[union-attr]
    assert isinstance(entity, Fetch)
    assert entity.operation == (
        "query($representations:[_Any!]!)"
        "{_entities(representations:$representations){...on User{purchases{upc}}}}"
    )
    assert entity.is_entity_fetch


def test_mutation_fetches_are_mutations() -> None:
    built = plan(
        SHOP, "mutation M($n: String!, $u: String!) { login(name: $n) { id } buy(upc: $u) { upc } }"
    )
    assert built.operation_kind is OperationKind.MUTATION
    assert isinstance(built.node, Sequence)
    first, second = _fetches(built.node)
    assert first.operation_kind is second.operation_kind is OperationKind.MUTATION
    assert first.operation == "mutation M__a__0($n: String!){login(name:$n){id}}"
    assert second.operation == "mutation M__b__1($u: String!){buy(upc:$u){upc}}"
    assert (first.variable_usages, second.variable_usages) == (("n",), ("u",))


def test_fetch_ids_are_unique_across_condition_branches() -> None:
    built = plan(SHOP, "query ($v: Boolean!) { me { name purchases @skip(if: $v) { title } } }")
    assert isinstance(built.node, Condition)
    assert isinstance(built.node.else_clause, Sequence)
    assert isinstance(built.node.if_clause, Fetch)
    ids = [built.node.if_clause.id, *(n.id for n in _fetches(built.node.else_clause))]
    assert sorted(ids) == [0, 1, 2]


def test_planning_is_deterministic() -> None:
    query = "{ me { name purchases { title } } products { upc } }"
    assert plan(SHOP, query) == plan(SHOP, query)


def test_operation_name_selects_the_operation() -> None:
    document = parse("query A { me { name } } query B { products { upc } }")
    built = build_plan(SHOP, document, "B")
    assert isinstance(built.node, Fetch)
    assert built.node.service_name == "b"
    with pytest.raises(PlanningError) as missing:
        build_plan(SHOP, document, "C")
    assert missing.value.code == "UNKNOWN_OPERATION"
    with pytest.raises(PlanningError) as ambiguous:
        build_plan(SHOP, document)
    assert ambiguous.value.code == "UNKNOWN_OPERATION"


def test_subscription_has_a_primary_fetch_and_the_rest_per_event() -> None:
    assert_plan(
        FEED,
        "subscription { userChanged { name score } }",
        """
        QueryPlan {
          Subscription {
            Primary: {
              Fetch(service: "a") {
                {
                  userChanged {
                    name
                    __typename
                    id
                  }
                }
              },
            },
            Rest: {
              Flatten(path: "userChanged") {
                Fetch(service: "b") {
                  {
                    ... on User {
                      __typename
                      id
                    }
                  } =>
                  {
                    ... on User {
                      score
                    }
                  }
                },
              },
            },
          },
        }
        """,
    )
    built = plan(FEED, "subscription { userChanged { name } }")
    assert isinstance(built.node, Subscription)
    assert built.node.rest is None
    assert built.node.primary.operation == "subscription{userChanged{name}}"
    assert built.node.primary.operation_kind is OperationKind.SUBSCRIPTION


def test_subscription_conditions_are_planned_as_included() -> None:
    """A Subscription cannot sit under a Condition: the executor drops skipped fields."""
    built = plan(FEED, "subscription ($v: Boolean!) { userChanged { score @include(if: $v) } }")
    assert isinstance(built.node, Subscription)
    assert built.node.rest is not None


def test_conditions_past_the_fourth_variable_are_planned_as_included() -> None:
    query = """
    query ($a: Boolean!, $b: Boolean!, $c: Boolean!, $d: Boolean!, $e: Boolean!) {
      me { name @include(if: $a) n2: name @include(if: $b) n3: name @include(if: $c)
           n4: name @include(if: $d) purchases @include(if: $e) { title } }
    }
    """
    built = plan(SHOP, query)
    node = built.node
    for variable in "abcd":
        assert isinstance(node, Condition)
        assert node.variable == variable
        node = node.if_clause
    assert isinstance(node, Sequence)  # $e is not branched on: purchases is fetched
    assert "purchases" in _fetches(node)[1].operation


def _fetches(node: object) -> list[Fetch]:
    if isinstance(node, Fetch):
        return [node]
    inner = getattr(node, "node", None)
    if inner is not None:
        return _fetches(inner)
    return [f for child in getattr(node, "nodes", ()) for f in _fetches(child)]


def test_unknown_field_is_a_planning_error_not_a_crash() -> None:
    """The pipeline validates first; a document for another schema still fails cleanly."""
    for query in ("{ nope }", "{ me { nope } }", "{ me { purchases { nope } } }"):
        with pytest.raises(PlanningError) as error:
            build_plan(SHOP, parse(query))
        assert error.value.code in {"UNSATISFIABLE_SELECTION", "UNKNOWN_FIELD"}
