"""The API schema: join/link machinery and @inaccessible elements removed."""

from __future__ import annotations

import textwrap
from pathlib import Path

from graphql import print_schema

from router.supergraph import parse_supergraph
from tests.router.planner.helpers import supergraph_sdl

BENCH = Path(__file__).parents[1] / "planner" / "fixtures" / "bench_supergraph.graphql"
INACCESSIBLE = '  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)\n'
TAG = '  @link(url: "https://specs.apollo.dev/tag/v0.3")\n'
DEFINITIONS = """
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION
  | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
  | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
"""
BODY = """
type Query @join__type(graph: A) @join__type(graph: B) {
  items(filter: Filter, debug: Boolean @inaccessible): [Item] @join__field(graph: A)
  secret: Secret @join__field(graph: A) @inaccessible
  node: Node @join__field(graph: B) @tag(name: "public")
}
interface Node @join__type(graph: A) @join__type(graph: B) {
  id: ID!
}
interface Hidden @join__type(graph: A) @inaccessible {
  id: ID!
}
type Item implements Node & Hidden
  @join__implements(graph: A, interface: "Node")
  @join__implements(graph: A, interface: "Hidden")
  @join__type(graph: A, key: "id")
{
  id: ID!
  color: Color @tag(name: "public")
  cost: Int @inaccessible
}
type Secret @join__type(graph: A) @inaccessible {
  code: String
}
union Thing @join__type(graph: A) @join__unionMember(graph: A, member: "Item")
  @join__unionMember(graph: A, member: "Secret") = Item | Secret
enum Color @join__type(graph: A) {
  RED @join__enumValue(graph: A)
  GREEN @join__enumValue(graph: A) @inaccessible
}
input Filter @join__type(graph: A) {
  color: Color
  internal: Int @inaccessible
}
"""


def _api(body: str, links: str = INACCESSIBLE + TAG, definitions: str = DEFINITIONS) -> str:
    sdl = supergraph_sdl(definitions + body, extra_links=links)
    return print_schema(parse_supergraph(sdl).api_schema)


def test_join_and_link_machinery_is_removed() -> None:
    api = print_schema(parse_supergraph(BENCH.read_text()).api_schema)
    for leftover in ("join__", "link__", "@link", "_entities", "_Any", "_service"):
        assert leftover not in api
    assert "type Product {" in api
    assert "shippingEstimate: Int\n" in api


def test_inaccessible_elements_and_tags_are_removed() -> None:
    expected = """
        type Query {
          items(filter: Filter): [Item]
          node: Node
        }

        interface Node {
          id: ID!
        }

        type Item implements Node {
          id: ID!
          color: Color
        }

        union Thing = Item

        enum Color {
          RED
        }

        input Filter {
          color: Color
        }
    """
    assert _api(BODY) == textwrap.dedent(expected).strip()


def test_renamed_imports_are_honoured() -> None:
    links = (
        '  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", '
        'import: [{name: "@inaccessible", as: "@hidden"}], for: SECURITY)\n'
        '  @link(url: "https://specs.apollo.dev/tag/v0.3", '
        'import: [{name: "@tag", as: "@label"}])\n'
    )
    definitions = DEFINITIONS.replace("@inaccessible on", "@hidden on").replace("@tag(", "@label(")
    body = BODY.replace("@inaccessible", "@hidden").replace("@tag(", "@label(")
    assert _api(body, links, definitions) == _api(BODY)


def test_federation_plumbing_is_removed_if_present() -> None:
    body = """
    scalar _Any @join__type(graph: A)
    type Query @join__type(graph: A) {
      a: Int
      _entities(representations: [_Any!]!): [Int]
    }
    """
    assert _api(body, "", "") == "type Query {\n  a: Int\n}"


def test_descriptions_and_deprecations_are_kept() -> None:
    body = """
    type Query @join__type(graph: A) {
      "The answer."
      a: Int @deprecated(reason: "use b")
      b: Int
    }
    """
    api = _api(body, "", "")
    assert '"""The answer."""' in api
    assert '@deprecated(reason: "use b")' in api
