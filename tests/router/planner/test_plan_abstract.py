"""Interfaces, unions and @interfaceObject."""

from __future__ import annotations

from router.plan import Fetch, Parallel, Sequence, ValueSetter
from tests.router.planner.helpers import assert_plan, make_supergraph, plan

LIBRARY = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) {
  search: [Media] @join__field(graph: A)
  results: [Result] @join__field(graph: A)
  accounts: [Account] @join__field(graph: A)
  topAccounts: [Account] @join__field(graph: B)
}
interface Media @join__type(graph: A) {
  id: ID!
  title: String
}
type Book implements Media
  @join__implements(graph: A, interface: "Media")
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id")
{
  id: ID!
  title: String @join__field(graph: A)
  pages: Int @join__field(graph: B)
}
type Movie implements Media @join__implements(graph: A, interface: "Media") @join__type(graph: A) {
  id: ID!
  title: String
  minutes: Int
}
union Result @join__type(graph: A)
  @join__unionMember(graph: A, member: "Book")
  @join__unionMember(graph: A, member: "Movie") = Book | Movie
interface Account
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id", isInterfaceObject: true)
{
  id: ID!
  name: String @join__field(graph: A)
  score: Int @join__field(graph: B)
}
type Admin implements Account
  @join__implements(graph: A, interface: "Account")
  @join__type(graph: A, key: "id")
{
  id: ID!
  name: String
  score: Int @join__field
  level: Int
}
type Member implements Account
  @join__implements(graph: A, interface: "Account")
  @join__type(graph: A, key: "id")
{
  id: ID!
  name: String
  score: Int @join__field
}
"""
)


def test_interface_stays_abstract_when_the_subgraph_resolves_everything() -> None:
    assert_plan(
        LIBRARY,
        """{ search { id title } }""",
        """
        QueryPlan {
          Fetch(service: "a") {
            {
              search {
                __typename
                id
                title
              }
            }
          },
        }
        """,
    )


def test_interface_is_exploded_when_one_type_needs_a_jump() -> None:
    """Only Book's `pages` lives in B; `__typename` lets the executor pick the Books."""
    assert_plan(
        LIBRARY,
        """{ search { title ... on Book { pages } } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                search {
                  __typename
                  ... on Book {
                    title
                    __typename
                    id
                  }
                  ... on Movie {
                    title
                  }
                }
              }
            },
            Flatten(path: "search.@") {
              Fetch(service: "b") {
                {
                  ... on Book {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Book {
                    pages
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_union_members_are_planned_per_type() -> None:
    assert_plan(
        LIBRARY,
        """{ results { __typename ... on Book { title pages } ... on Movie { minutes } } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                results {
                  __typename
                  ... on Book {
                    __typename
                    title
                    id
                  }
                  ... on Movie {
                    __typename
                    minutes
                  }
                }
              }
            },
            Flatten(path: "results.@") {
              Fetch(service: "b") {
                {
                  ... on Book {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Book {
                    pages
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_interface_object_fields_are_fetched_as_the_interface() -> None:
    """B only knows `Account` (an @interfaceObject): representations are sent as `Account`."""
    assert_plan(
        LIBRARY,
        """{ accounts { name score } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                accounts {
                  __typename
                  ... on Admin {
                    name
                    __typename
                    id
                  }
                  ... on Member {
                    name
                    __typename
                    id
                  }
                }
              }
            },
            Flatten(path: "accounts.@") {
              Fetch(service: "b") {
                {
                  ... on Admin {
                    __typename
                    id
                  }
                  ... on Member {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Account {
                    score
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_interface_object_root_jumps_back_for_the_real_type() -> None:
    """B cannot tell the concrete type: A resolves `__typename` and `name`."""
    assert_plan(
        LIBRARY,
        """{ topAccounts { __typename score name } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "b") {
              {
                topAccounts {
                  score
                  __typename
                  id
                }
              }
            },
            Flatten(path: "topAccounts.@") {
              Fetch(service: "a") {
                {
                  ... {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Account {
                    __typename
                    name
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_interface_object_representations_are_renamed_to_the_interface() -> None:
    built = plan(LIBRARY, "{ accounts { score } }")
    assert isinstance(built.node, Sequence)
    entity = built.node.nodes[1].node  # type: ignore[union-attr]
    assert isinstance(entity, Fetch)
    assert entity.input_rewrites == (
        ValueSetter(("... on Admin", "__typename"), "Account"),
        ValueSetter(("... on Member", "__typename"), "Account"),
    )
    assert "...on Account{score}" in entity.operation


def test_typename_is_selected_on_abstract_fields() -> None:
    built = plan(LIBRARY, "{ search { id } }")
    assert isinstance(built.node, Fetch)
    assert built.node.operation == "query{search{__typename id}}"


def test_concrete_fragments_under_an_interface_object_go_to_the_interface_owner() -> None:
    """B returns `Account`s it cannot type; `... on Admin` is answered by A."""
    assert_plan(
        LIBRARY,
        "{ topAccounts { score ... on Admin { level } } }",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "b") {
              {
                topAccounts {
                  score
                  __typename
                  id
                }
              }
            },
            Flatten(path: "topAccounts.@") {
              Fetch(service: "a") {
                {
                  ... {
                    __typename
                    id
                  }
                } =>
                {
                  ... on Account {
                    __typename
                    ... on Admin {
                      level
                    }
                  }
                }
              },
            },
          },
        }
        """,
    )


NODES = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) {
  node(id: ID!): Node
}
interface Node @join__type(graph: A) @join__type(graph: B) {
  id: ID!
}
type Doc implements Node @join__type(graph: A, key: "id")
  @join__implements(graph: A, interface: "Node") {
  id: ID!
  text: String
}
type Pic implements Node @join__type(graph: B, key: "id")
  @join__implements(graph: B, interface: "Node") {
  id: ID!
  url: String
}
"""
)


def test_shared_root_field_goes_to_the_subgraph_returning_the_selected_types() -> None:
    """`node` is in A and B; only A can return a `Doc`, only B a `Pic`: the subgraph returning
    the selected type is fetched first, the other one too (the id may be its), without the
    fragment (see test_plan_node.py)."""
    for fragment, service, other, field in (
        ("... on Doc { text }", "a", "b", "text"),
        ("... on Pic { url }", "b", "a", "url"),
    ):
        built = plan(NODES, f'{{ node(id: "1") {{ id {fragment} }} }}')
        assert isinstance(built.node, Parallel)
        first, second = built.node.nodes
        assert isinstance(first, Fetch)
        assert isinstance(second, Fetch)
        assert (first.service_name, second.service_name) == (service, other)
        assert field in first.operation
        assert field not in second.operation
