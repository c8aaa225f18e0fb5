"""Read the `join` directives of a supergraph document into `TypeMeta` values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    value_from_ast_untyped,
)

from router.supergraph.errors import SupergraphError
from router.supergraph.links import Feature
from router.supergraph.model import (
    ContextArgument,
    FieldMeta,
    JoinField,
    JoinType,
    SubgraphInfo,
    TypeMeta,
)

_KINDS = {
    "object_type_definition": "OBJECT",
    "interface_type_definition": "INTERFACE",
    "union_type_definition": "UNION",
    "enum_type_definition": "ENUM",
    "input_object_type_definition": "INPUT_OBJECT",
    "scalar_type_definition": "SCALAR",
}


def read_graphs(document: DocumentNode, join: Feature) -> dict[str, SubgraphInfo]:
    """`join__Graph` enum value -> subgraph, in enum order."""
    enum_name, graph_directive = join.type("Graph"), join.directive("graph")
    graphs: dict[str, SubgraphInfo] = {}
    for definition in document.definitions:
        if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == enum_name:
            for value in definition.values or ():
                args = _args(value.directives, graph_directive)
                if not args or not isinstance(args[0].get("name"), str):
                    raise SupergraphError(
                        "INVALID_JOIN_DIRECTIVE",
                        f"{enum_name}.{value.name.value} has no @{graph_directive}(name:, url:)",
                    )
                graphs[value.name.value] = SubgraphInfo(args[0]["name"], args[0].get("url") or "")
    if not graphs:
        raise SupergraphError("INVALID_SUPERGRAPH", f"no subgraphs: enum {enum_name} is empty")
    return graphs


def read_types(
    document: DocumentNode,
    join: Feature,
    graphs: dict[str, SubgraphInfo],
    skip: set[str],
    context: Feature | None = None,
) -> dict[str, TypeMeta]:
    """Join metadata for every type not owned by a linked feature (`skip`)."""
    reader = _Reader(join, graphs, context)
    by_name: dict[str, list[TypeDefinitionNode | TypeExtensionNode]] = {}
    for definition in document.definitions:
        if (
            isinstance(definition, TypeDefinitionNode | TypeExtensionNode)
            and definition.name.value not in skip
        ):
            by_name.setdefault(definition.name.value, []).append(definition)
    return {name: reader.type_meta(name, nodes) for name, nodes in by_name.items()}


class _Reader:
    def __init__(
        self, join: Feature, graphs: dict[str, SubgraphInfo], context: Feature | None
    ) -> None:
        self.graphs = graphs
        self.context_d = context.directive("context") if context is not None else None
        self.type_d = join.directive("type")
        self.field_d = join.directive("field")
        self.implements_d = join.directive("implements")
        self.member_d = join.directive("unionMember")

    def graph(self, value: Any, where: str) -> str:
        info = self.graphs.get(value) if isinstance(value, str) else None
        if info is None:
            raise SupergraphError("INVALID_JOIN_DIRECTIVE", f"unknown graph {value!r} on {where}")
        return info.name

    def type_meta(self, name: str, nodes: list[TypeDefinitionNode | TypeExtensionNode]) -> TypeMeta:
        kind = next((_KINDS[n.kind] for n in nodes if n.kind in _KINDS), "OBJECT")
        joins: list[JoinType] = []
        implements: dict[str, list[str]] = {}
        members: dict[str, list[str]] = {}
        fields: dict[str, FieldMeta] = {}
        contexts: list[str] = []
        for node in nodes:
            if self.context_d is not None:
                contexts.extend(str(a.get("name")) for a in _args(node.directives, self.context_d))
            for args in _args(node.directives, self.type_d):
                joins.append(
                    JoinType(
                        graph=self.graph(args.get("graph"), name),
                        key=args.get("key"),
                        extension=bool(args.get("extension", False)),
                        resolvable=args.get("resolvable", True) is not False,
                        is_interface_object=bool(args.get("isInterfaceObject", False)),
                    )
                )
            for args in _args(node.directives, self.implements_d):
                graph = self.graph(args.get("graph"), name)
                implements.setdefault(graph, []).append(str(args.get("interface")))
            for args in _args(node.directives, self.member_d):
                graph = self.graph(args.get("graph"), name)
                members.setdefault(graph, []).append(str(args.get("member")))
            if isinstance(node, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
                for field_node in node.fields or ():
                    fields[field_node.name.value] = self.field_meta(name, field_node)
            elif not isinstance(node, UnionTypeDefinitionNode):
                for child in getattr(node, "fields", None) or ():
                    fields[child.name.value] = self.field_meta(name, child)
        return TypeMeta(
            name=name,
            kind=kind,
            joins=tuple(joins),
            fields=fields,
            implements={g: tuple(v) for g, v in implements.items()},
            union_members={g: tuple(v) for g, v in members.items()},
            contexts=tuple(contexts),
        )

    def field_meta(
        self, type_name: str, node: FieldDefinitionNode | InputValueDefinitionNode
    ) -> FieldMeta:
        where = f"{type_name}.{node.name.value}"
        joins = tuple(
            JoinField(
                graph=self.graph(args["graph"], where) if args.get("graph") is not None else None,
                requires=args.get("requires"),
                provides=args.get("provides"),
                type=args.get("type"),
                external=bool(args.get("external", False)),
                override=args.get("override"),
                used_overridden=bool(args.get("usedOverridden", False)),
                override_label=args.get("overrideLabel"),
                context_arguments=_context_arguments(args.get("contextArguments"), where),
            )
            for args in _args(node.directives, self.field_d)
        )
        return FieldMeta(node.name.value, joins)


def _context_arguments(value: Any, where: str) -> tuple[ContextArgument, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("name", "type", "context", "selection")
        ):
            raise SupergraphError(
                "INVALID_JOIN_DIRECTIVE", f"invalid contextArguments entry {item!r} on {where}"
            )
        found.append(
            ContextArgument(item["name"], item["type"], item["context"], item["selection"])
        )
    return tuple(found)


def _args(directives: Iterable[DirectiveNode] | None, name: str) -> list[dict[str, Any]]:
    """Arguments of every application of directive `name`, as plain Python values."""
    found = []
    for directive in directives or ():
        if directive.name.value == name:
            found.append(
                {
                    arg.name.value: value_from_ast_untyped(arg.value)
                    for arg in directive.arguments or ()
                }
            )
    return found
