"""`@fromContext` arguments (join v0.5 `contextArguments`): the context value is planned at the
nearest ancestor whose type sets the context (here from a third subgraph), and the field is
fetched through `_entities` with the value as a variable read by a `context_rewrites` path."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.plan import Flatten, KeyRenamer, Sequence
from router.planner import PlanningError
from router.supergraph import parse_supergraph
from tests.router.planner.helpers import assert_plan, plan

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
