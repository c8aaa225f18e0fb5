"""`@context` / `@fromContext` (Federation 2.8) checks of one subgraph.

`@context(name: "userCtx")` on an object, interface or union names a context; an argument
with `@fromContext(field: "$userCtx { name }")` takes its value from the nearest ancestor (in
the response path) whose type sets that context. Errors, named as in the federation spec:

- `CONTEXT_NAME_INVALID`: a context name that is not a letter followed by letters and digits;
- `NO_CONTEXT_IN_SELECTION`: the `field:` value does not start with `$name` and a selection;
- `CONTEXT_NOT_SET`: no type of the subgraph sets that context, or the argument is on an
  abstract type's field, on a field implementing an interface field, or has a default;
- `CONTEXT_INVALID_SELECTION`: the selection is not one field path (or one per type
  condition), names an unknown field, or its type is not the argument's type;
- `CONTEXT_NO_RESOLVABLE_KEY`: the field's type has no resolvable `@key` (the router fetches
  contextual fields through `_entities`).

In the supergraph the argument disappears from the field and becomes an entry of
`@join__field(contextArguments:)` (`merge_fields.py`); contexts are prefixed with the subgraph
name (`b__userCtx`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from graphql import (
    FieldNode,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)

from router.compose.model import ArgDef, FieldDef, Kind, RawSubgraph, TypeDef, named_type
from router.compose.typerefs import TypeRef, parse_type

_REFERENCE = re.compile(r"^[\s,\ufeff]*\$[\s,\ufeff]*([_A-Za-z][_A-Za-z0-9]*)(.*)$", re.DOTALL)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")

ErrorSink = Callable[[str, str, str | None], None]


def context_reference(field: str) -> tuple[str | None, str | None]:
    """`"$userCtx { name }"` -> `("userCtx", " { name }")`; (None, None) when not a reference."""
    match = _REFERENCE.match(field)
    if match is None:
        return None, None
    return match.group(1), match.group(2)


def check_contexts(subgraph: RawSubgraph, error: ErrorSink, used: set[tuple[str, str]]) -> None:
    owners: dict[str, list[str]] = {}
    for tdef in subgraph.types.values():
        for name in tdef.contexts:
            if not _NAME.match(name):
                error(
                    "CONTEXT_NAME_INVALID",
                    f'Context name "{name}" is invalid. It should have only alphanumeric '
                    "characters.",
                    tdef.name,
                )
            owners.setdefault(name, []).append(tdef.name)
    for tdef in subgraph.types.values():
        for fdef in tdef.fields.values():
            for arg in fdef.args.values():
                if arg.from_context is not None:
                    _Argument(subgraph, error, used, owners, tdef, fdef, arg).check()


class _Argument:
    def __init__(
        self,
        subgraph: RawSubgraph,
        error: ErrorSink,
        used: set[tuple[str, str]],
        owners: dict[str, list[str]],
        tdef: TypeDef,
        fdef: FieldDef,
        arg: ArgDef,
    ) -> None:
        self.types = subgraph.types
        self.report = error
        self.used = used
        self.owners = owners
        self.tdef, self.fdef, self.arg = tdef, fdef, arg
        self.coordinate = f"{tdef.name}.{fdef.name}({arg.name}:)"

    def check(self) -> None:
        tdef, fdef, arg, coordinate = self.tdef, self.fdef, self.arg, self.coordinate
        if tdef.kind is not Kind.OBJECT:
            self.error(
                "CONTEXT_NOT_SET",
                "@fromContext argument cannot be used on a field that exists on an abstract "
                f'type "{coordinate}".',
            )
            return
        for iface in tdef.interfaces:
            if fdef.name in getattr(self.types.get(iface), "fields", {}):
                self.error(
                    "CONTEXT_NOT_SET",
                    "@fromContext argument cannot be used on a field implementing an interface "
                    f'field "{iface}.{fdef.name}".',
                )
        if arg.default is not None:
            self.error(
                "CONTEXT_NOT_SET",
                f'@fromContext arguments may not have a default value: "{coordinate}".',
            )
        context, selection = context_reference(arg.from_context or "")
        if not context or not selection or not selection.strip():
            self.error(
                "NO_CONTEXT_IN_SELECTION",
                f'@fromContext argument does not reference a context "{arg.from_context}".',
            )
            return
        owners = self.owners.get(context)
        if not owners:
            self.error(
                "CONTEXT_NOT_SET",
                f'Context "{context}" is used at location "{coordinate}" but is never set.',
            )
            return
        self.check_selection(context, selection, owners)
        if not any(key.resolvable for key in tdef.keys):
            self.error(
                "CONTEXT_NO_RESOLVABLE_KEY",
                f'Object "{tdef.name}" has no resolvable key but has a field with a contextual '
                "argument.",
            )

    def error(self, code: str, message: str) -> None:
        self.report(code, message, self.coordinate)

    def invalid(self, context: str, reason: str) -> None:
        self.error(
            "CONTEXT_INVALID_SELECTION",
            f'Context "{context}" is used in "{self.coordinate}" but the selection is invalid: '
            f"{reason}",
        )

    def check_selection(self, context: str, selection: str, owners: list[str]) -> None:
        text = selection.strip()
        try:
            document = parse(text if text.startswith("{") else "{" + text + "}", no_location=True)
        except GraphQLSyntaxError as exc:
            self.invalid(context, exc.message)
            return
        operation = document.definitions[0]
        if not isinstance(operation, OperationDefinitionNode) or len(document.definitions) > 1:
            self.invalid(context, "no selection is made")
            return
        problem = _shape_problem(operation.selection_set)
        if problem is not None:
            self.invalid(context, problem)
            return
        selections = operation.selection_set.selections
        expected = parse_type(self.arg.type)
        if isinstance(selections[0], FieldNode):
            for owner in owners:
                if not self.matches(context, owner, operation.selection_set, expected):
                    return
            return
        touched: set[str] = set()
        for owner in owners:
            runtime = self.runtime_types(owner)
            applicable = [
                s
                for s in selections
                if isinstance(s, InlineFragmentNode)
                and s.type_condition is not None
                and s.type_condition.name.value in runtime
            ]
            if not applicable:
                self.invalid(context, f'no type condition matches the location "{owner}"')
                return
            for fragment in applicable:
                assert fragment.type_condition is not None
                branch = fragment.type_condition.name.value
                touched.add(branch)
                if not self.matches(context, branch, fragment.selection_set, expected):
                    return
        for node in selections:
            condition = getattr(getattr(node, "type_condition", None), "name", None)
            if condition is not None and condition.value not in touched:
                self.invalid(context, f'type condition "{condition.value}" is never used.')
                return

    def runtime_types(self, name: str) -> set[str]:
        tdef = self.types.get(name)
        if tdef is None:
            return set()
        if tdef.kind is Kind.UNION:
            return set(tdef.members)
        if tdef.kind is Kind.INTERFACE:
            return {t.name for t in self.types.values() if name in t.interfaces}
        return {name}

    def matches(
        self, context: str, owner: str, selection_set: SelectionSetNode, expected: TypeRef
    ) -> bool:
        found = self.selected_type(context, owner, selection_set)
        if found is None:
            return False
        if not _fits(found, expected):
            self.invalid(
                context,
                f'the type of the selection "{found}" does not match the expected type '
                f'"{expected}"',
            )
            return False
        return True

    def selected_type(
        self, context: str, owner: str, selection_set: SelectionSetNode
    ) -> TypeRef | None:
        """The type of the one value the selection picks on `owner` (outer nullability
        dropped: an ancestor's value may be missing), or None after reporting."""
        tdef = self.types.get(owner)
        if tdef is not None and tdef.interface_object:
            self.invalid(
                context, f'One of the types in the selection is an interfaceObject: "{owner}"'
            )
            return None
        node = selection_set.selections[0]
        if isinstance(node, InlineFragmentNode):
            condition = node.type_condition.name.value if node.type_condition else owner
            return self.selected_type(context, condition, node.selection_set)
        assert isinstance(node, FieldNode)
        name = node.name.value
        if name == "__typename":
            return TypeRef("String", None, True)
        fdef = self.field_of(tdef, name)
        if tdef is None or fdef is None:
            self.invalid(
                context,
                f'Cannot query field "{name}" on type "{owner}".',
            )
            return None
        self.used.add((self.owner_of(tdef, name), name))
        field_type = parse_type(fdef.type)
        if node.selection_set is None:
            return TypeRef(field_type.name, field_type.list_of, False)
        inner = self.selected_type(context, named_type(fdef.type), node.selection_set)
        if inner is None:
            return None
        return _wrap_lists(TypeRef(field_type.name, field_type.list_of, False), inner)

    def field_of(self, tdef: TypeDef | None, name: str) -> FieldDef | None:
        if tdef is None:
            return None
        if name in tdef.fields:
            return tdef.fields[name]
        for iface in tdef.interfaces:
            found = self.types.get(iface)
            if found is not None and name in found.fields:
                return found.fields[name]
        return None

    def owner_of(self, tdef: TypeDef, name: str) -> str:
        if name in tdef.fields:
            return tdef.name
        return next((i for i in tdef.interfaces if name in self.types[i].fields), tdef.name)


def _shape_problem(selection_set: SelectionSetNode) -> str | None:
    """Aliases, directives and fragment spreads are not allowed; one field, or inline
    fragments with distinct type conditions."""
    selections = selection_set.selections
    if not selections:
        return "no selection is made"
    for node in selections:
        if not isinstance(node, FieldNode | InlineFragmentNode):
            return "fragment spread is not allowed"
        if isinstance(node, FieldNode) and node.alias is not None:
            return "aliases are not allowed in the selection"
        if node.directives:
            return "directives are not allowed in the selection"
        inner = node.selection_set
        if inner is not None:
            problem = _shape_problem(inner)
            if problem is not None:
                return problem
    if isinstance(selections[0], FieldNode):
        return None if len(selections) == 1 else "multiple selections are made"
    conditions = []
    for node in selections:
        if isinstance(node, FieldNode):
            return "multiple fields could be selected"
        assert isinstance(node, InlineFragmentNode)
        if node.type_condition is None:
            return "inline fragments must have type conditions"
        conditions.append(node.type_condition.name.value)
    if len(set(conditions)) != len(conditions):
        return "type conditions have same name"
    return None


def _wrap_lists(outer: TypeRef, inner: TypeRef) -> TypeRef:
    if outer.list_of is None:
        return inner
    return TypeRef(None, _wrap_lists(outer.list_of, inner), False)


def _fits(selected: TypeRef, expected: TypeRef) -> bool:
    if expected.non_null and not selected.non_null:
        return False
    if (selected.list_of is None) != (expected.list_of is None):
        return False
    if selected.list_of is not None and expected.list_of is not None:
        return _fits(selected.list_of, expected.list_of)
    return selected.name == expected.name
