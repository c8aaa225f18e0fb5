"""Subgraph SDL -> `RawSubgraph`: parse, resolve federation names, drop federation machinery."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graphql import (
    ConstDirectiveNode,
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    GraphQLSyntaxError,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    parse,
    print_ast,
)
from graphql.utilities import value_from_ast_untyped

from router.compose.fieldset import top_level_names
from router.compose.links import FederationLink, LinkError, read_federation_link
from router.compose.model import (
    ROOT_TYPES,
    Applied,
    ArgDef,
    EnumValueDef,
    FieldDef,
    Key,
    Kind,
    RawSubgraph,
    TypeDef,
)
from router.compose.result import CompositionError, SubgraphSource

_MACHINERY_TYPES = frozenset(
    {"_Service", "_Entity", "_Any", "_FieldSet", "FieldSet", "link__Import", "link__Purpose"}
)
_REPEATABLE = frozenset(
    {"key", "tag", "shareable", "requiresScopes", "policy", "context", "composeDirective"}
)
_MACHINERY_FIELDS = frozenset({"_entities", "_service"})
_BUILTIN_DIRECTIVES = frozenset({"deprecated", "specifiedBy", "oneOf", "include", "skip", "link"})
_KINDS: dict[type[Any], Kind] = {
    ObjectTypeDefinitionNode: Kind.OBJECT,
    ObjectTypeExtensionNode: Kind.OBJECT,
    InterfaceTypeDefinitionNode: Kind.INTERFACE,
    InterfaceTypeExtensionNode: Kind.INTERFACE,
    UnionTypeDefinitionNode: Kind.UNION,
    UnionTypeExtensionNode: Kind.UNION,
    EnumTypeDefinitionNode: Kind.ENUM,
    EnumTypeExtensionNode: Kind.ENUM,
    InputObjectTypeDefinitionNode: Kind.INPUT,
    InputObjectTypeExtensionNode: Kind.INPUT,
    ScalarTypeDefinitionNode: Kind.SCALAR,
    ScalarTypeExtensionNode: Kind.SCALAR,
}


class _Reader:
    def __init__(self, source: SubgraphSource, link: FederationLink, document: DocumentNode):
        self.source = source
        self.link = link
        self.errors: list[CompositionError] = []
        self.used_specs: set[str] = set()
        self.defined_directives = {
            d.name.value for d in document.definitions if isinstance(d, DirectiveDefinitionNode)
        }
        self.root_names = _root_renames(document)

    def error(self, message: str, coordinate: str | None, code: str = "INVALID_GRAPHQL") -> None:
        self.errors.append(
            CompositionError(code, f"[{self.source.name}] {message}", self.source.name, coordinate)
        )

    def directives(
        self, nodes: Iterable[ConstDirectiveNode], coordinate: str
    ) -> list[tuple[str, dict[str, Any]]]:
        """Applied directives as (canonical federation name or own name, arguments)."""
        found_nodes: list[ConstDirectiveNode] = []
        found: list[tuple[str, dict[str, Any]]] = []
        for node in nodes:
            if node.name.value in (n.name.value for n in found_nodes) and (
                self.link.canonical(node.name.value) not in _REPEATABLE
            ):
                self.error(
                    f'The directive "@{node.name.value}" can only be used once at this location.',
                    coordinate,
                )
            found_nodes.append(node)
            local = node.name.value
            name = self.link.canonical(local)
            if name is None:
                if local not in _BUILTIN_DIRECTIVES and local not in self.defined_directives:
                    self.error(f'Unknown directive "@{local}".', coordinate)
                name = local
            args = {a.name.value: value_from_ast_untyped(a.value) for a in node.arguments or ()}
            found.append((name, args))
        return found

    def applied(self, target: Applied, found: list[tuple[str, dict[str, Any]]]) -> None:
        for name, args in found:
            if name == "inaccessible":
                target.inaccessible = True
                self.used_specs.add("inaccessible")
            elif name == "tag":
                if str(args.get("name")) not in target.tags:
                    target.tags.append(str(args.get("name")))
                self.used_specs.add("tag")
            elif name == "deprecated":
                target.deprecated = str(args.get("reason") or "No longer supported")
            elif name == "specifiedBy":
                target.specified_by = str(args.get("url"))
            elif name == "oneOf":
                target.one_of = True
            elif name == "authenticated":
                target.authenticated = True
                self.used_specs.add(name)
            elif name == "cost":
                weight = args.get("weight")
                target.cost = int(weight) if isinstance(weight, int | str) else 0
                self.used_specs.add("cost")
            elif name == "listSize":
                target.list_size = dict(args)
                self.used_specs.add("cost")
            elif name in ("requiresScopes", "policy"):
                argument = "scopes" if name == "requiresScopes" else "policies"
                value = [[str(item) for item in group] for group in args.get(argument) or ()]
                if name == "requiresScopes":
                    target.scopes = value
                else:
                    target.policies = value
                self.used_specs.add(name)

    def type_name(self, name: str) -> str:
        return self.root_names.get(name, name)

    def type_ref(self, node: Any) -> str:
        printed = print_ast(node)
        inner = printed.replace("[", "").replace("]", "").replace("!", "")
        return printed.replace(inner, self.type_name(inner))

    def argument(self, node: InputValueDefinitionNode, coordinate: str) -> ArgDef:
        arg = ArgDef(
            name=node.name.value,
            type=self.type_ref(node.type),
            default=print_ast(node.default_value) if node.default_value else None,
            description=node.description.value if node.description else None,
        )
        found = self.directives(node.directives or (), coordinate)
        self.applied(arg, found)
        for name, args in found:
            if name == "fromContext":
                arg.from_context = str(args.get("field", ""))
                self.used_specs.add("context")
        return arg

    def field(self, node: FieldDefinitionNode | InputValueDefinitionNode, owner: str) -> FieldDef:
        coordinate = f"{owner}.{node.name.value}"
        fdef = FieldDef(
            name=node.name.value,
            type=self.type_ref(node.type),
            description=node.description.value if node.description else None,
        )
        if isinstance(node, InputValueDefinitionNode):
            fdef.default = print_ast(node.default_value) if node.default_value else None
        else:
            for arg_node in node.arguments or ():
                coord = f"{coordinate}({arg_node.name.value}:)"
                fdef.args[arg_node.name.value] = self.argument(arg_node, coord)
        found = self.directives(node.directives or (), coordinate)
        self.applied(fdef, found)
        for name, args in found:
            if name == "external":
                fdef.external = fdef.declared_external = True
            elif name == "shareable":
                fdef.shareable = True
            elif name == "requires":
                fdef.requires = str(args.get("fields", ""))
            elif name == "provides":
                fdef.provides = str(args.get("fields", ""))
            elif name == "override":
                fdef.override = str(args.get("from", ""))
                label = args.get("label")
                fdef.override_label = str(label) if label is not None else None
        return fdef

    def merge_node(self, tdef: TypeDef, node: TypeDefinitionNode | TypeExtensionNode) -> None:
        name = tdef.name
        description = getattr(node, "description", None)
        if description is not None and tdef.description is None:
            tdef.description = description.value
        found = self.directives(getattr(node, "directives", None) or (), name)
        self.applied(tdef, found)
        for dname, args in found:
            if dname == "key":
                resolvable = args.get("resolvable", True)
                tdef.keys.append(Key(str(args.get("fields", "")), resolvable is not False))
            elif dname == "extends":
                tdef.extension = True
            elif dname == "shareable":
                tdef.shareable = True
            elif dname == "interfaceObject":
                tdef.interface_object = True
            elif dname == "context" and tdef.kind in (Kind.OBJECT, Kind.INTERFACE, Kind.UNION):
                tdef.contexts.append(str(args.get("name", "")))
                self.used_specs.add("context")
        for field_node in getattr(node, "fields", None) or ():
            fname = field_node.name.value
            if fname in _MACHINERY_FIELDS and name == "Query":
                continue
            if fname in tdef.fields:
                self.error(f'Field "{name}.{fname}" can only be defined once.', f"{name}.{fname}")
            tdef.fields[fname] = self.field(field_node, name)
            if any(name == "external" for name, _ in found):  # type-level @external
                tdef.fields[fname].external = tdef.fields[fname].declared_external = True
        for iface in getattr(node, "interfaces", None) or ():
            if iface.name.value not in tdef.interfaces:
                tdef.interfaces.append(iface.name.value)
        for member in getattr(node, "types", None) or ():
            if member.name.value not in tdef.members and member.name.value != "_Entity":
                tdef.members.append(member.name.value)
        for value_node in getattr(node, "values", None) or ():
            value = EnumValueDef(
                name=value_node.name.value,
                description=value_node.description.value if value_node.description else None,
            )
            coordinate = f"{name}.{value.name}"
            self.applied(value, self.directives(value_node.directives or (), coordinate))
            tdef.values[value.name] = value

    def read(self, document: DocumentNode) -> dict[str, TypeDef]:
        types: dict[str, TypeDef] = {}
        defined: set[str] = set()
        for node in document.definitions:
            kind = _KINDS.get(type(node))
            if kind is None:
                continue
            name = self.type_name(node.name.value)  # type: ignore[attr-defined]
            if name in _MACHINERY_TYPES or name.startswith(("federation__", "link__")):
                continue
            tdef = types.setdefault(name, TypeDef(kind=kind, name=name))
            if isinstance(node, TypeDefinitionNode):
                defined.add(name)
            if tdef.kind is not kind:
                self.error(f'Type "{name}" is defined with two different kinds.', name)
                continue
            self.merge_node(tdef, node)  # type: ignore[arg-type]
        for name, tdef in types.items():
            # Federation 2 reads `extend type` (with no definition) as @extends; Federation 1
            # composition drops such extensions for types defined elsewhere (ours: always).
            if name not in defined and name not in ROOT_TYPES and not self.link.fed1:
                tdef.extension = True
            if tdef.extension:
                _ignore_external_on_keys(tdef)
        if self.link.fed1:
            _upgrade_fed1(types)
        return types


def _root_renames(document: DocumentNode) -> dict[str, str]:
    renames: dict[str, str] = {}
    for node in document.definitions:
        if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
            for op in node.operation_types or ():
                renames[op.type.name.value] = op.operation.value.capitalize()
    return renames


def _ignore_external_on_keys(tdef: TypeDef) -> None:
    key_fields = {f for key in tdef.keys for f in top_level_names(key.fields)}
    for fdef in tdef.fields.values():
        if fdef.external and fdef.name in key_fields:
            fdef.external = False


def _upgrade_fed1(types: dict[str, TypeDef]) -> None:
    """Federation 1 semantics: every field shareable, `@external` on key fields ignored."""
    for tdef in types.values():
        _ignore_external_on_keys(tdef)
        for fdef in tdef.fields.values():
            if tdef.kind is Kind.OBJECT:
                fdef.shareable = True


def read_subgraph(source: SubgraphSource) -> RawSubgraph | Sequence[CompositionError]:
    """Parse one subgraph; errors are INVALID_GRAPHQL or @link problems."""
    try:
        document = parse(source.sdl)
    except GraphQLSyntaxError as exc:
        message = f"[{source.name}] {exc.message}"
        return [CompositionError("INVALID_GRAPHQL", message, source.name, None)]
    try:
        link = read_federation_link(document)
    except LinkError as exc:
        return [CompositionError(exc.code, f"[{source.name}] {exc}", source.name, None)]
    reader = _Reader(source, link, document)
    types = reader.read(document)
    if reader.errors:
        return reader.errors
    return RawSubgraph(
        name=source.name,
        url=source.url,
        types=types,
        fed1=link.fed1,
        fed_version=link.version,
        used_specs=frozenset(reader.used_specs),
    )
