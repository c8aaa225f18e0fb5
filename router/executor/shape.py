"""Shape the merged subgraph data into the client's response.

The client operation is compiled once per (document, operation, values of the `@skip`/`@include`
variables) into `SelectionShape`s: for each concrete type, the fields in the client's order with
response keys, `__typename` and fragments resolved. Shaping then walks the data once, dropping
fields the client did not ask for (planner-internal keys, `@requires` inputs) and propagating
nulls by the API schema's non-null types. Nothing goes through graphql-core resolvers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    is_abstract_type,
    is_composite_type,
)
from graphql.language import BooleanValueNode, VariableNode

from router.executor.merge import ResponsePath


@dataclass(slots=True)
class TypeShape:
    """An output type: non-null flag, list item (for lists), selections (composite types)."""

    non_null: bool
    item: TypeShape | None = None
    selection: SelectionShape | None = None

    @property
    def kind(self) -> int:
        if self.selection is not None:
            return OBJECT
        return LEAF if self.item is None else LIST


# field kinds of the compiled fast path (`SelectionShape.fast_fields`)
LEAF, OBJECT, LIST, TYPENAME, PASSTHROUGH = range(5)
# (response key, kind, non-null, selection for OBJECT | item TypeShape for LIST | None)
FastField = tuple[str, int, bool, Any]


@dataclass(slots=True)
class FieldShape:
    key: str
    type: TypeShape
    typename: bool = False  # `__typename`: the value is the object's type name
    passthrough: bool = False  # introspection roots, already shaped by graphql-core
    type_name: str = ""  # parent.field for error messages
    name: str = ""


@dataclass(slots=True)
class SelectionShape:
    """Selections on one parent type; fields per concrete type are built on first use."""

    schema: GraphQLSchema
    parent: str
    nodes: tuple[SelectionSetNode, ...]
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    static_typename: str | None
    _by_type: dict[str, tuple[FieldShape, ...]] = field(default_factory=dict)
    fast: dict[str, tuple[FastField, ...]] = field(default_factory=dict)
    compiled: dict[str, Any] = field(default_factory=dict)  # typename -> generated function

    def fast_fields(self, typename: str) -> tuple[FastField, ...]:
        """The fields for `typename` as plain tuples, for the hot shaping loop."""
        fast = self.fast.get(typename)
        if fast is None:
            fast = self.fast[typename] = tuple(_fast(f) for f in self.fields_for(typename))
        return fast

    def fields_for(self, typename: str) -> tuple[FieldShape, ...]:
        shapes = self._by_type.get(typename)
        if shapes is None:
            shapes = self._by_type[typename] = self._compile(typename)
        return shapes

    def _compile(self, typename: str) -> tuple[FieldShape, ...]:
        grouped: dict[str, list[FieldNode]] = {}
        for node in self.nodes:
            self._collect(node, typename, grouped)
        object_type = self.schema.get_type(typename)
        shapes = []
        for key, nodes in grouped.items():
            shapes.append(self._field_shape(key, nodes, object_type, typename))
        return tuple(shapes)

    def _field_shape(
        self, key: str, nodes: list[FieldNode], object_type: Any, typename: str
    ) -> FieldShape:
        name = nodes[0].name.value
        if name == "__typename":
            return FieldShape(key, TypeShape(True), typename=True, name=name)
        if name in ("__schema", "__type"):
            return FieldShape(key, TypeShape(False), passthrough=True, name=name)
        if not isinstance(object_type, GraphQLObjectType) or name not in object_type.fields:
            return FieldShape(key, TypeShape(False), name=name, type_name=typename)
        sub_nodes = tuple(n.selection_set for n in nodes if n.selection_set is not None)
        type_shape = self._type_shape(object_type.fields[name].type, sub_nodes)
        return FieldShape(key, type_shape, type_name=typename, name=name)

    def _type_shape(
        self, gql_type: GraphQLOutputType, sub_nodes: tuple[SelectionSetNode, ...]
    ) -> TypeShape:
        non_null = isinstance(gql_type, GraphQLNonNull)
        inner = gql_type.of_type if isinstance(gql_type, GraphQLNonNull) else gql_type
        if isinstance(inner, GraphQLList):
            return TypeShape(non_null, item=self._type_shape(inner.of_type, sub_nodes))
        if is_composite_type(inner):
            static = None if is_abstract_type(inner) else inner.name
            selection = SelectionShape(
                self.schema,
                inner.name,
                sub_nodes,
                self.fragments,
                self.variables,
                static,
            )
            return TypeShape(non_null, selection=selection)
        return TypeShape(non_null)

    def _collect(
        self, selection_set: SelectionSetNode, typename: str, out: dict[str, list[FieldNode]]
    ) -> None:
        for node in selection_set.selections:
            if not _included(node.directives or (), self.variables):
                continue
            if isinstance(node, FieldNode):
                key = node.alias.value if node.alias else node.name.value
                out.setdefault(key, []).append(node)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else None
                if condition is None or self._applies(condition, typename):
                    self._collect(node.selection_set, typename, out)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment and self._applies(fragment.type_condition.name.value, typename):
                    self._collect(fragment.selection_set, typename, out)

    def _applies(self, condition: str, typename: str) -> bool:
        if condition == typename:
            return True
        condition_type = self.schema.get_type(condition)
        object_type = self.schema.get_type(typename)
        if not is_abstract_type(condition_type) or not isinstance(object_type, GraphQLObjectType):
            return False
        return self.schema.is_sub_type(condition_type, object_type)


def _fast(f: FieldShape) -> FastField:
    if f.typename:
        return (f.key, TYPENAME, True, None)
    if f.passthrough:
        return (f.key, PASSTHROUGH, False, None)
    t = f.type
    kind = t.kind
    sub: Any = t.selection if kind == OBJECT else t.item
    return (f.key, kind, t.non_null, sub)


def _included(directives: Iterable[Any], variables: Mapping[str, Any]) -> bool:
    for directive in directives:
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        value: Any = None
        for argument in directive.arguments:
            if argument.name.value == "if":
                node = argument.value
                if isinstance(node, VariableNode):
                    value = variables.get(node.name.value)
                elif isinstance(node, BooleanValueNode):
                    value = node.value
        if (name == "skip") == bool(value):
            return False
    return True


def condition_variables(document_nodes: Iterable[Any]) -> tuple[str, ...]:
    """Names of variables used by `@skip`/`@include` anywhere in the document."""
    found: list[str] = []

    def visit(node: Any) -> None:
        for directive in getattr(node, "directives", None) or ():
            if directive.name.value in ("skip", "include"):
                for argument in directive.arguments:
                    if isinstance(argument.value, VariableNode):
                        found.append(argument.value.name.value)
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            for child in selection_set.selections:
                visit(child)

    for node in document_nodes:
        visit(node)
    return tuple(sorted(set(found)))


@dataclass(slots=True)
class OperationShape:
    """The compiled client operation; one root shape per combination of condition values."""

    schema: GraphQLSchema
    operation: OperationDefinitionNode
    fragments: Mapping[str, FragmentDefinitionNode]
    root_type: str
    conditions: tuple[str, ...]
    _roots: dict[tuple[bool, ...], SelectionShape] = field(default_factory=dict)

    def root(self, variables: Mapping[str, Any]) -> SelectionShape:
        values = tuple(bool(variables.get(name)) for name in self.conditions)
        root = self._roots.get(values)
        if root is None:
            used = dict(zip(self.conditions, values, strict=True))
            root = SelectionShape(
                self.schema,
                self.root_type,
                (self.operation.selection_set,),
                self.fragments,
                used,
                self.root_type,
            )
            self._roots[values] = root
        return root


def compile_operation(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> OperationShape:
    root = schema.get_root_type(operation.operation)
    if root is None:
        raise ValueError(f"schema has no {operation.operation.value} root type")
    nodes = [operation, *fragments.values()]
    return OperationShape(schema, operation, fragments, root.name, condition_variables(nodes))


class _Invalid:
    """Marker: a non-null position got null, so the parent becomes null."""


INVALID = _Invalid()


@dataclass(slots=True)
class NullViolation:
    path: ResponsePath
    message: str


class Shaper:
    """One shaping pass. With `track` set, non-null violations are recorded with their paths
    (a second, slower pass run only when a violation happened)."""

    __slots__ = ("path", "track", "violated", "violations")

    def __init__(self, track: bool = False) -> None:
        self.track = track
        self.path: ResponsePath = []
        self.violations: list[NullViolation] = []
        self.violated = False

    def shape_object(self, src: dict[str, Any], selection: SelectionShape) -> Any:
        typename = selection.static_typename or src.get("__typename")
        if typename is None:
            return None
        out: dict[str, Any] = {}
        track = self.track
        for f in selection.fields_for(typename):
            key = f.key
            if f.typename:
                out[key] = typename
                continue
            value = src.get(key)
            if f.passthrough:
                out[key] = value
                continue
            if track:
                self.path.append(key)
            if value is None:
                if f.type.non_null:
                    self._violation(f)
                    if track:
                        self.path.pop()
                    return INVALID
                out[key] = None
            else:
                shaped = self.complete(value, f.type)
                if shaped is INVALID:
                    if f.type.non_null:
                        if track:
                            self.path.pop()
                        return INVALID
                    shaped = None
                out[key] = shaped
            if track:
                self.path.pop()
        return out

    def complete(self, value: Any, type_shape: TypeShape) -> Any:
        selection = type_shape.selection
        if selection is not None:
            if type(value) is not dict:
                return INVALID if type_shape.non_null else None
            return self.shape_object(value, selection)
        item = type_shape.item
        if item is None:
            return value
        if type(value) is not list:
            return INVALID if type_shape.non_null else None
        return self._complete_list(value, item)

    def _complete_list(self, values: list[Any], item: TypeShape) -> Any:
        if item.selection is None and item.item is None and not item.non_null:
            return values  # nullable leaves: nothing to reshape
        out: list[Any] = []
        track = self.track
        for index, value in enumerate(values):
            if track:
                self.path.append(index)
            if value is None:
                if item.non_null:
                    self._violation(None)
                    if track:
                        self.path.pop()
                    return INVALID
                out.append(None)
            else:
                shaped = self.complete(value, item)
                if shaped is INVALID:
                    if item.non_null:
                        if track:
                            self.path.pop()
                        return INVALID
                    shaped = None
                out.append(shaped)
            if track:
                self.path.pop()
        return out

    def _violation(self, f: FieldShape | None) -> None:
        self.violated = True
        if self.track:
            what = f"{f.type_name}.{f.name}" if f else "list item"
            message = f"Cannot return null for non-nullable field {what}."
            self.violations.append(NullViolation(list(self.path), message))


def shape_response(
    data: dict[str, Any], root: SelectionShape, report_nulls: bool
) -> tuple[dict[str, Any] | None, list[NullViolation]]:
    """Shape `data`; returns the client data (None when null reached the root) and, when
    `report_nulls`, the non-null violations with their paths."""
    from router.executor.complete import null_absorbed, shape_object

    token = null_absorbed.set(False)
    result = shape_object(data, root)
    violated = result is INVALID or null_absorbed.get()
    null_absorbed.reset(token)
    violations: list[NullViolation] = []
    if violated and report_nulls:
        tracker = Shaper(track=True)
        tracker.shape_object(data, root)
        violations = tracker.violations
    return (None if result is INVALID else result), violations
