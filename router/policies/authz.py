"""`@authenticated`, `@requiresScopes` and `@policy`, enforced by the router (Apollo semantics).

Before planning, fields the caller may not read are removed from the operation (fragments are
inlined first, so one decision holds per position); a field whose selections all go is removed
too. The subgraphs never see them. The response gets `null` at each removed position and one
error per position with `extensions.code` UNAUTHORIZED_FIELD_OR_TYPE; the rest is served.
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
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    print_ast,
)

from router.policies.context import Principal
from router.policies.directives import Access, SchemaRules

UNAUTHORIZED = "UNAUTHORIZED_FIELD_OR_TYPE"
PolicyEvaluator = Callable[[Principal | None, frozenset[str]], Any]
Path = tuple[str, ...]


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
) -> tuple[str | None, list[Path]]:
    """(the rewritten document text, or None when nothing is denied; denied response paths)."""
    denied: list[Path] = []

    def keep(
        node: SelectionSetNode, parent: str, path: Path, seen: frozenset[str]
    ) -> list[SelectionNode]:
        kept: list[SelectionNode] = []
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                named = _field_type(schema, parent, selection.name.value)
                if not _allowed(rules, grants, f"{parent}.{selection.name.value}", named):
                    denied.append((*path, key))
                    continue
                if selection.selection_set is None:
                    kept.append(selection)
                    continue
                inner = keep(selection.selection_set, named, (*path, key), seen)
                if not inner:
                    denied.append((*path, key))
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
    named = schema.type_map.get(parent)
    definition = (getattr(named, "fields", None) or {}).get(name)
    return get_named_type(definition.type).name if definition is not None else ""


def apply_denials(response: dict[str, Any], denied: list[Path]) -> None:
    """Put null at every denied position of `response["data"]` and add one error per path."""
    data = response.get("data")
    for path in denied:
        if isinstance(data, dict):
            _set_null(data, path)
    errors = [
        {
            "message": "Unauthorized field or type",
            "path": list(path),
            "extensions": {"code": UNAUTHORIZED},
        }
        for path in denied
    ]
    if errors:
        response["errors"] = [*response.get("errors", []), *errors]


def _set_null(value: Any, path: Path) -> None:
    if isinstance(value, list):
        for item in value:
            _set_null(item, path)
        return
    if not isinstance(value, dict):
        return
    if len(path) == 1:
        value[path[0]] = None
        return
    _set_null(value.get(path[0]), path[1:])
