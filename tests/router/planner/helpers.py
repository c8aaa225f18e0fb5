"""Tiny hand-written supergraphs and plan assertions for planner tests.

`supergraph_sdl(body, graphs=...)` wraps type definitions carrying join directives in the
link/join boilerplate that composition would write, so each test shows only its types.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from graphql import parse, validate

from router.plan import QueryPlan
from router.planner import build_plan, print_plan
from router.supergraph import Supergraph, parse_supergraph

JOIN_DEFINITIONS = """
directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet,
  type: String, external: Boolean, override: String, usedOverridden: Boolean,
  overrideLabel: String) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable
  on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false,
  resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable
  on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import])
  repeatable on SCHEMA
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
"""


def supergraph_sdl(
    body: str, graphs: Sequence[str] = ("a", "b"), extra_links: str = "", version: str = "v0.4"
) -> str:
    roots = ["query: Query"]
    if "type Mutation" in body:
        roots.append("mutation: Mutation")
    if "type Subscription" in body:
        roots.append("subscription: Subscription")
    enum = "\n".join(
        f'  {name.upper()} @join__graph(name: "{name}", url: "http://{name}/graphql")'
        for name in graphs
    )
    return (
        "schema\n"
        '  @link(url: "https://specs.apollo.dev/link/v1.0")\n'
        f'  @link(url: "https://specs.apollo.dev/join/{version}", for: EXECUTION)\n'
        f"{extra_links}"
        f"{{ {' '.join(roots)} }}\n"
        f"{JOIN_DEFINITIONS}\n"
        f"enum join__Graph {{\n{enum}\n}}\n"
        f"{textwrap.dedent(body)}"
    )


def make_supergraph(body: str, graphs: Sequence[str] = ("a", "b")) -> Supergraph:
    return parse_supergraph(supergraph_sdl(body, graphs))


def plan(supergraph: Supergraph, query: str, operation_name: str | None = None) -> QueryPlan:
    document = parse(query)
    errors = validate(supergraph.api_schema, document)
    assert not errors, errors
    return build_plan(supergraph, document, operation_name)


def assert_plan(supergraph: Supergraph, query: str, expected: str) -> QueryPlan:
    built = plan(supergraph, query)
    assert print_plan(built) == textwrap.dedent(expected).strip()
    return built
