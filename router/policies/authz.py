"""`@authenticated`, `@requiresScopes` and `@policy`, enforced by the router (Apollo semantics).

Before planning, fields the caller may not read are removed from the operation (fragments are
inlined first, so one decision holds per position); a field whose selections all go is removed
too. The subgraphs never see them. The response gets `null` at each removed position and one
error per position with `extensions.code` UNAUTHORIZED_FIELD_OR_TYPE; the rest is served.
A denied non-null field's null propagates to the nearest nullable position (GraphQL spec,
"Handling Field Errors"); the error's path is the denied field's, with list indexes.
A field is denied when its own coordinate or its return type carries a requirement that the
caller does not meet. `@policy` names go to a configured callable (default: all denied).
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    is_list_type,
    is_non_null_type,
    print_ast,
)

from router.policies.context import Principal
from router.policies.directives import Access, SchemaRules

UNAUTHORIZED = "UNAUTHORIZED_FIELD_OR_TYPE"
PolicyEvaluator = Callable[[Principal | None, frozenset[str]], Any]
# a denied position: (response key, field type) per step from the root to the denied field
Step = tuple[str, GraphQLOutputType]
Denial = tuple[Step, ...]


def deny_all(principal: Principal | None, policies: frozenset[str]) -> frozenset[str]:
    """The default policy evaluator: no policy is granted."""
    return frozenset()


def load_evaluator(dotted: str) -> PolicyEvaluator:
    """`package.module:function` (or `package.module.function`) -> the callable."""
    if not dotted:
        return deny_all
    module, sep, name = dotted.partition(":")
    if not sep:
        module, _, name = dotted.rpartition(".")
    evaluator: PolicyEvaluator = getattr(importlib.import_module(module), name)
    return evaluator


@dataclass(frozen=True, slots=True)
class Grants:
    authenticated: bool
    scopes: frozenset[str]
    policies: frozenset[str]

    def allows(self, access: Access) -> bool:
        if access.authenticated and not self.authenticated:
            return False
        if access.scopes and not any(group <= self.scopes for group in access.scopes):
            return False
        return not access.policies or any(group <= self.policies for group in access.policies)


def requirements(
    rules: SchemaRules,
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> list[Access]:
    """Every requirement the operation touches (empty: nothing to enforce)."""
    found: list[Access] = []

    def visit(node: SelectionSetNode, parent: str, seen: frozenset[str]) -> None:
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                named = _field_type(schema, parent, selection.name.value)
                for key in (f"{parent}.{selection.name.value}", named):
                    access = rules.access.get(key)
                    if access is not None:
                        found.append(access)
                if selection.selection_set is not None:
                    visit(selection.selection_set, named, seen)
            elif isinstance(selection, InlineFragmentNode):
                cond = selection.type_condition
                visit(selection.selection_set, cond.name.value if cond else parent, seen)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in seen:
                    inner = fragment.type_condition.name.value
                    visit(fragment.selection_set, inner, seen | {fragment.name.value})

    root = schema.get_root_type(operation.operation)
    if root is not None:
        visit(operation.selection_set, root.name, frozenset())
    return found


async def grants_for(
    principal: Principal | None, needed: list[Access], evaluator: PolicyEvaluator
) -> Grants:
    policies = frozenset(p for a in needed for group in a.policies for p in group)
    granted: frozenset[str] = frozenset()
    if policies:
        result = evaluator(principal, policies)
        if inspect.isawaitable(result):
            result = await result
        granted = frozenset(result or ()) & policies
    scopes = principal.scopes if principal is not None else frozenset()
    return Grants(principal is not None, scopes, granted)


def filter_operation(
    rules: SchemaRules,
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    grants: Grants,
) -> tuple[str | None, list[Denial]]:
    """(the rewritten document text, or None when nothing is denied; denied positions)."""
    denied: list[Denial] = []

    def keep(
        node: SelectionSetNode, parent: str, path: Denial, seen: frozenset[str]
    ) -> list[SelectionNode]:
        kept: list[SelectionNode] = []
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                field_type = _field_def_type(schema, parent, selection.name.value)
                named = get_named_type(field_type).name if field_type is not None else ""
                step: Step = (key, field_type) if field_type is not None else (key, _NULLABLE)
                if not _allowed(rules, grants, f"{parent}.{selection.name.value}", named):
                    denied.append((*path, _certain(step, path, parent, root_name)))
                    continue
                if selection.selection_set is None:
                    kept.append(selection)
                    continue
                inner = keep(selection.selection_set, named, (*path, step), seen)
                if not inner:
                    denied.append((*path, _certain(step, path, parent, root_name)))
                    continue
                kept.append(_with(selection, inner))
            elif isinstance(selection, InlineFragmentNode):
                cond = selection.type_condition
                inner = keep(
                    selection.selection_set, cond.name.value if cond else parent, path, seen
                )
                if inner:
                    kept.append(_with(selection, inner))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is None or fragment.name.value in seen:
                    continue
                cond_name = fragment.type_condition.name.value
                inner = keep(fragment.selection_set, cond_name, path, seen | {fragment.name.value})
                if inner:
                    kept.append(
                        InlineFragmentNode(
                            type_condition=NamedTypeNode(name=NameNode(value=cond_name)),
                            directives=selection.directives,
                            selection_set=SelectionSetNode(selections=tuple(inner)),
                        )
                    )
        return kept

    root = schema.get_root_type(operation.operation)
    if root is None:
        return None, []
    root_name = root.name
    selections = keep(operation.selection_set, root.name, (), frozenset())
    if not denied:
        return None, []
    if not selections:
        return "", denied
    selection_set = SelectionSetNode(selections=tuple(selections))
    body = print_ast(selection_set)
    variables = tuple(  # a variable only a removed field used would fail validation
        v
        for v in operation.variable_definitions or ()
        if re.search(rf"\${v.variable.name.value}\b", body)
    )
    rewritten = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=variables,
        directives=operation.directives,
        selection_set=selection_set,
    )
    return print_ast(DocumentNode(definitions=(rewritten,))), denied


def _certain(step: Step, path: Denial, parent: str, root_name: str) -> Step:
    """Under a type condition narrower than the enclosing field's type, the router cannot
    tell which objects are of that type: the position is nulled in place, never propagated."""
    enclosing = get_named_type(path[-1][1]).name if path else root_name
    return step if enclosing == parent else (step[0], _NULLABLE)


def _allowed(rules: SchemaRules, grants: Grants, coordinate: str, named: str) -> bool:
    for key in (coordinate, named):
        access = rules.access.get(key)
        if access is not None and not grants.allows(access):
            return False
    return True


def _with(node: Any, selections: list[SelectionNode]) -> Any:
    values = {key: getattr(node, key) for key in node.keys}
    values["selection_set"] = SelectionSetNode(selections=tuple(selections))
    return type(node)(**values)


def _field_type(schema: GraphQLSchema, parent: str, name: str) -> str:
    field_type = _field_def_type(schema, parent, name)
    return get_named_type(field_type).name if field_type is not None else ""


def _field_def_type(schema: GraphQLSchema, parent: str, name: str) -> GraphQLOutputType | None:
    named = schema.type_map.get(parent)
    definition = (getattr(named, "fields", None) or {}).get(name)
    return definition.type if definition is not None else None


_NULLABLE: GraphQLOutputType = GraphQLScalarType("_RouterUnknown")


def apply_denials(response: dict[str, Any], denied: list[Denial]) -> None:
    """One error per concrete denied position (its path with list indexes), then `null` at
    the position, or at its nearest nullable ancestor when the field is non-null (`data`
    itself when every ancestor is non-null)."""
    data = response.get("data")
    errors: list[dict[str, Any]] = []
    chains: list[list[tuple[Any, str | int, GraphQLOutputType]]] = []
    for denial in denied:
        for path, chain in _occurrences(data, denial):
            errors.append(
                {
                    "message": "Unauthorized field or type",
                    "path": path,
                    "extensions": {"code": UNAUTHORIZED},
                }
            )
            chains.append(chain)
    for chain in chains:
        _null_nearest(response, chain)
    if errors:
        response["errors"] = [*response.get("errors", []), *errors]


Link = tuple[Any, str | int, GraphQLOutputType]  # (container, key or index, its type)


def _occurrences(data: Any, denial: Denial) -> list[tuple[list[str | int], list[Link]]]:
    """Every concrete position of `denial` in `data`: (response path, links from the root)."""
    found: list[tuple[list[str | int], list[Link]]] = []

    def field(container: dict[str, Any], i: int, path: list[str | int], chain: list[Link]) -> None:
        key, field_type = denial[i]
        link: Link = (container, key, field_type)
        if i == len(denial) - 1:
            found.append(([*path, key], [*chain, link]))
            return
        value(container.get(key), field_type, i, [*path, key], [*chain, link])

    def value(
        item: Any, item_type: GraphQLOutputType, i: int, path: list[str | int], chain: list[Link]
    ) -> None:
        inner = item_type.of_type if is_non_null_type(item_type) else item_type
        if is_list_type(inner) and isinstance(item, list):
            element = inner.of_type
            for index, entry in enumerate(item):
                value(entry, element, i, [*path, index], [*chain, (item, index, element)])
        elif isinstance(item, dict):
            field(item, i + 1, path, chain)

    if isinstance(data, dict) and denial:
        field(data, 0, [], [])
    return found


def _null_nearest(response: dict[str, Any], chain: list[Link]) -> None:
    for container, key, position_type in reversed(chain):
        if not is_non_null_type(position_type):
            container[key] = None
            return
    response["data"] = None
