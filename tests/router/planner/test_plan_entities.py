"""Entity jumps: keys (multiple, compound, nested, non-resolvable), key chains, @shareable."""

from __future__ import annotations

import pytest

from router.plan import Fetch, KeyRenamer, Sequence
from router.planner import PlanningError
from router.supergraph import parse_supergraph
from tests.router.planner.helpers import assert_plan, make_supergraph, plan, supergraph_sdl

BANK = make_supergraph(
    """
type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) @join__type(graph: D) {
  accounts: [Account] @join__field(graph: A)
  users: [User] @join__field(graph: A)
  shop: Shop @join__field(graph: A) @join__field(graph: B)
}
type Account
  @join__type(graph: A, key: "id")
  @join__type(graph: A, key: "number org { id }")
  @join__type(graph: B, key: "number org { id }")
  @join__type(graph: C, key: "id", resolvable: false)
{
  id: ID! @join__field(graph: A) @join__field(graph: C)
  number: Int! @join__field(graph: A) @join__field(graph: B)
  org: Org! @join__field(graph: A) @join__field(graph: B)
  balance: Int @join__field(graph: B)
  risk: Int @join__field(graph: C)
}
type Org @join__type(graph: A) @join__type(graph: B) {
  id: ID!
}
type User
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id")
  @join__type(graph: B, key: "email")
  @join__type(graph: D, key: "email")
{
  id: ID! @join__field(graph: A) @join__field(graph: B)
  email: String @join__field(graph: B) @join__field(graph: D)
  name: String @join__field(graph: A) @join__field(graph: B)
  score: Int @join__field(graph: D)
}
type Shop @join__type(graph: A) @join__type(graph: B) {
  name: String
  owner: User @join__field(graph: B)
}
""",
    graphs=("a", "b", "c", "d"),
)


def test_compound_nested_key_is_used_when_the_target_only_has_that_key() -> None:
    """B knows Account only by `number org { id }`; A has both keys."""
    assert_plan(
        BANK,
        """{ accounts { balance } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                accounts {
                  __typename
                  number
                  org {
                    id
                  }
                }
              }
            },
            Flatten(path: "accounts.@") {
              Fetch(service: "b") {
                {
                  ... on Account {
                    __typename
                    number
                    org {
                      id
                    }
                  }
                } =>
                {
                  ... on Account {
                    balance
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_key_chain_through_an_intermediate_subgraph() -> None:
    """D knows User by email only; A has no email, so B (id -> email) sits between."""
    assert_plan(
        BANK,
        """{ users { score } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                users {
                  __typename
                  id
                }
              }
            },
            Flatten(path: "users.@") {
              Fetch(service: "b") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    __typename
                    email
                  }
                }
              },
            },
            Flatten(path: "users.@") {
              Fetch(service: "d") {
                {
                  ... on User {
                    __typename
                    email
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
        }
        """,
    )


def test_shareable_field_stays_in_the_current_subgraph() -> None:
    """`name` is in A and B: A keeps it, only `email` jumps."""
    assert_plan(
        BANK,
        """{ users { name email } }""",
        """
        QueryPlan {
          Sequence {
            Fetch(service: "a") {
              {
                users {
                  name
                  __typename
                  id
                }
              }
            },
            Flatten(path: "users.@") {
              Fetch(service: "b") {
                {
                  ... on User {
                    __typename
                    id
                  }
                } =>
                {
                  ... on User {
                    email
                  }
                }
              },
            },
          },
        }
        """,
    )


def test_shareable_root_field_goes_where_all_its_fields_are() -> None:
    """`shop` is in A and B; only B also resolves `owner`."""
    assert_plan(
        BANK,
        """{ shop { name owner { name } } }""",
        """
        QueryPlan {
          Fetch(service: "b") {
            {
              shop {
                name
                owner {
                  name
                }
              }
            }
          },
        }
        """,
    )


def test_non_resolvable_key_cannot_be_jumped_to() -> None:
    """C declares Account's key with `resolvable: false`: its `risk` is unreachable."""
    with pytest.raises(PlanningError) as error:
        plan(BANK, "{ accounts { risk } }")
    assert error.value.code == "UNSATISFIABLE_SELECTION"
    assert "Account.risk" in str(error.value)


def test_added_key_field_is_aliased_when_the_client_took_its_name() -> None:
    """The client aliases `id: name`; the planner's own `id` gets a generated alias and an
    input rewrite renames it back to `id` in the representation."""
    built = plan(BANK, "{ users { id: name email } }")
    assert isinstance(built.node, Sequence)
    root, flatten = built.node.nodes
    assert isinstance(root, Fetch)
    assert root.operation == "query{users{id:name __typename _id_fed:id}}"
    entity = flatten.node  # type: ignore[union-attr]
    assert isinstance(entity, Fetch)
    assert entity.input_rewrites == (KeyRenamer(("... on User", "_id_fed"), "id"),)
    assert "_id_fed" in str(entity.requires)


def test_fields_of_one_target_at_one_path_share_a_fetch() -> None:
    built = plan(BANK, "{ users { email a: email id } }")
    assert isinstance(built.node, Sequence)
    assert len(built.node.nodes) == 2
    entity = built.node.nodes[1].node  # type: ignore[union-attr]
    assert isinstance(entity, Fetch)
    assert "{email a:email}" in entity.operation


HIDDEN_KEY = parse_supergraph(
    supergraph_sdl(
        """
directive @inaccessible on FIELD_DEFINITION | OBJECT
type Query @join__type(graph: A) @join__type(graph: B) {
  things: [Thing] @join__field(graph: A)
}
type Thing @join__type(graph: A, key: "secret") @join__type(graph: B, key: "secret") {
  secret: ID! @inaccessible
  name: String @join__field(graph: B)
}
""",
        extra_links='  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)\n',
    )
)


def test_inaccessible_key_field_is_still_used_as_a_key() -> None:
    thing = HIDDEN_KEY.api_schema.get_type("Thing")
    assert thing is not None
    assert "secret" not in thing.fields  # type: ignore[attr-defined]
    built = plan(HIDDEN_KEY, "{ things { name } }")
    assert isinstance(built.node, Sequence)
    root = built.node.nodes[0]
    assert isinstance(root, Fetch)
    assert root.operation == "query{things{__typename secret}}"
