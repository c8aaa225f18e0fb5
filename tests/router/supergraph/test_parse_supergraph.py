"""Reading supergraph SDL: subgraphs, join metadata, link handling and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

import router.planner
import router.supergraph
from router.supergraph import (
    ContextArgument,
    JoinField,
    JoinType,
    SupergraphError,
    parse_supergraph,
)
from tests.router.planner.helpers import JOIN_DEFINITIONS, supergraph_sdl

BENCH = Path(__file__).parents[1] / "planner" / "fixtures" / "bench_supergraph.graphql"

SMALL = """
type Query @join__type(graph: A) @join__type(graph: B) {
  me: User @join__field(graph: A)
}
type User @join__type(graph: A, key: "id") @join__type(graph: B, key: "id", resolvable: false) {
  id: ID!
  name: String @join__field(graph: A) @join__field(graph: B, external: true)
}
"""


def test_subgraphs_are_named_by_join_graph_name_in_enum_order() -> None:
    supergraph = parse_supergraph(BENCH.read_text())
    assert list(supergraph.subgraphs) == ["accounts", "inventory", "products", "reviews"]
    assert supergraph.subgraphs["reviews"].url == "http://127.0.0.1:47200/reviews"
    assert supergraph.subgraphs["reviews"].name == "reviews"
    assert supergraph.graph_order == ("accounts", "inventory", "products", "reviews")


def test_join_metadata_is_read_per_graph() -> None:
    supergraph = parse_supergraph(BENCH.read_text())
    product = supergraph.types["Product"]
    assert product.graphs == ("inventory", "products", "reviews")
    assert product.keys("inventory") == (JoinType("inventory", key="upc"),)
    shipping = product.fields["shippingEstimate"]
    assert shipping.joins == (JoinField("inventory", requires="price weight"),)
    assert product.fields["price"].joins[0] == JoinField("inventory", external=True)
    assert product.fields["upc"].joins == ()
    author = supergraph.types["Review"].fields["author"]
    assert author.joins == (JoinField("reviews", provides="username"),)


def test_resolvable_false_and_extension_flags() -> None:
    supergraph = parse_supergraph(supergraph_sdl(SMALL))
    assert supergraph.types["User"].joins == (
        JoinType("a", key="id"),
        JoinType("b", key="id", resolvable=False),
    )


def test_unknown_security_feature_is_refused() -> None:
    link = '  @link(url: "https://specs.example.com/secret/v1.0", for: SECURITY)\n'
    with pytest.raises(SupergraphError) as error:
        parse_supergraph(supergraph_sdl(SMALL, extra_links=link))
    assert error.value.code == "UNSUPPORTED_FEATURE"
    assert "secret" in str(error.value)


def test_unknown_execution_feature_is_refused() -> None:
    link = '  @link(url: "https://specs.example.com/rateLimit/v0.1", for: EXECUTION)\n'
    with pytest.raises(SupergraphError) as error:
        parse_supergraph(supergraph_sdl(SMALL, extra_links=link))
    assert error.value.code == "UNSUPPORTED_FEATURE"


def test_unknown_feature_without_purpose_is_ignored() -> None:
    link = '  @link(url: "https://specs.example.com/docs/v0.1", import: ["@docs"])\n'
    sdl = supergraph_sdl(SMALL, extra_links=link) + "directive @docs(text: String) on OBJECT\n"
    supergraph = parse_supergraph(sdl.replace("type User ", 'type User @docs(text: "x") '))
    assert supergraph.api_schema.get_directive("docs") is None
    assert supergraph.api_schema.get_type("User") is not None


def test_supported_join_versions() -> None:
    for version in ("v0.3", "v0.4", "v0.5"):
        assert parse_supergraph(supergraph_sdl(SMALL, version=version)).types["User"]
    with pytest.raises(SupergraphError) as error:
        parse_supergraph(supergraph_sdl(SMALL, version="v0.2"))
    assert error.value.code == "UNSUPPORTED_VERSION"


def test_core_spec_supergraph_is_refused() -> None:
    sdl = 'schema @core(feature: "https://specs.apollo.dev/core/v0.2") { query: Query }\n'
    with pytest.raises(SupergraphError) as error:
        parse_supergraph(sdl + "type Query { a: Int }")
    assert error.value.code == "UNSUPPORTED_VERSION"


def test_missing_links_are_refused() -> None:
    with pytest.raises(SupergraphError) as no_link:
        parse_supergraph("type Query { a: Int }")
    assert no_link.value.code == "MISSING_LINK"
    only_link = 'schema @link(url: "https://specs.apollo.dev/link/v1.0") { query: Query }\n'
    with pytest.raises(SupergraphError) as no_join:
        parse_supergraph(only_link + JOIN_DEFINITIONS + "type Query { a: Int }")
    assert no_join.value.code == "MISSING_LINK"


def test_unparseable_sdl_is_refused() -> None:
    with pytest.raises(SupergraphError) as error:
        parse_supergraph("type Query {")
    assert error.value.code == "INVALID_SUPERGRAPH"


def test_unknown_graph_in_join_type_is_refused() -> None:
    with pytest.raises(SupergraphError) as error:
        parse_supergraph(supergraph_sdl(SMALL.replace("graph: B, key", "graph: Z, key")))
    assert error.value.code == "INVALID_JOIN_DIRECTIVE"


def test_join_spec_renamed_with_as() -> None:
    sdl = supergraph_sdl(SMALL).replace("join__", "j__")
    sdl = sdl.replace('join/v0.4", for: EXECUTION', 'join/v0.4", as: "j", for: EXECUTION')
    supergraph = parse_supergraph(sdl)
    assert supergraph.types["User"].keys("a") == (JoinType("a", key="id"),)
    assert supergraph.api_schema.get_type("j__Graph") is None


def test_public_exports() -> None:
    assert sorted(router.supergraph.__all__) == [
        "ContextArgument",
        "FieldMeta",
        "JoinField",
        "JoinType",
        "SubgraphInfo",
        "Supergraph",
        "SupergraphError",
        "TypeMeta",
        "parse_supergraph",
    ]
    assert sorted(router.planner.__all__) == ["PlanningError", "build_plan", "print_plan"]
    for module in (router.supergraph, router.planner):
        for name in module.__all__:
            assert getattr(module, name) is not None


def test_join_v05_directive_and_context_arguments_are_read_past() -> None:
    definitions = """
scalar join__DirectiveArguments
scalar join__ContextArgument
directive @join__directive(graphs: [join__Graph!], name: String!,
  args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION
"""
    body = SMALL.replace(
        "name: String @join__field(graph: A)",
        "name: String @join__field(graph: A, contextArguments: [])"
        ' @join__directive(graphs: [A], name: "custom", args: {a: 1})',
    )
    sdl = supergraph_sdl(definitions + body, version="v0.5").replace(
        "overrideLabel: String)",
        "overrideLabel: String, contextArguments: [join__ContextArgument!])",
    )
    supergraph = parse_supergraph(sdl)
    assert supergraph.types["User"].fields["name"].joins[0] == JoinField("a")
    user = supergraph.api_schema.get_type("User")
    assert user is not None
    assert user.ast_node is not None
    assert not user.fields["name"].ast_node.directives  # type: ignore[attr-defined]
    assert supergraph.api_schema.get_type("join__DirectiveArguments") is None


def test_context_feature_and_context_arguments_are_modelled() -> None:
    """join v0.5 `contextArguments` and `@context` (context v0.1, linked `for: SECURITY`)."""
    sdl = (Path(__file__).parents[1] / "planner" / "fixtures" / "context_guild.graphql").read_text()
    supergraph = parse_supergraph(sdl)
    assert supergraph.types["User"].contexts == ("b__userCtx",)
    assert supergraph.types["Item"].fields["greeting"].joins == (
        JoinField(
            "b",
            context_arguments=(ContextArgument("who", "String", "b__userCtx", " { name }"),),
        ),
    )
    item = supergraph.api_schema.get_type("Item")
    assert item is not None
    assert list(item.fields["greeting"].args) == ["x"]  # type: ignore[attr-defined]
    assert supergraph.api_schema.get_directive("context") is None
    assert supergraph.api_schema.get_type("context__ContextFieldValue") is None


def test_malformed_context_argument_is_refused() -> None:
    sdl = (Path(__file__).parents[1] / "planner" / "fixtures" / "context_guild.graphql").read_text()
    sdl = sdl.replace('name: "who", ', "")
    with pytest.raises(SupergraphError) as error:
        parse_supergraph(sdl)
    assert error.value.code == "INVALID_JOIN_DIRECTIVE"


def test_an_argument_kept_with_from_context_is_hidden_from_clients() -> None:
    sdl = (Path(__file__).parents[1] / "planner" / "fixtures" / "context_guild.graphql").read_text()
    sdl = sdl.replace(
        "greeting(x: Int)",
        'greeting(who: String @context__fromContext(field: "$userCtx { name }"), x: Int)',
    )
    supergraph = parse_supergraph(sdl)
    item = supergraph.api_schema.get_type("Item")
    assert list(item.fields["greeting"].args) == ["x"]  # type: ignore[union-attr]
