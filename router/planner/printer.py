"""Render a `QueryPlan` as Apollo-style text (what snapshot tests compare and users read)."""

from __future__ import annotations

from graphql import FieldNode, OperationDefinitionNode, SelectionSetNode, parse, print_ast

from router.plan import (
    Condition,
    Fetch,
    FieldSelection,
    Flatten,
    Parallel,
    PlanNode,
    QueryPlan,
    Selection,
    Sequence,
    Subscription,
)

INDENT = "  "


def print_plan(plan: QueryPlan) -> str:
    lines = ["QueryPlan {"]
    if plan.node is not None:
        _node(plan.node, 1, lines)
    lines.append("}")
    return "\n".join(lines)


def _node(node: PlanNode | Subscription, depth: int, lines: list[str]) -> None:
    pad = INDENT * depth
    match node:
        case Fetch():
            _fetch(node, depth, lines)
        case Flatten(path=path, node=inner, more_paths=()):
            lines.append(f'{pad}Flatten(path: "{".".join(path)}") {{')
            _node(inner, depth + 1, lines)
            lines.append(f"{pad}}},")
        case Flatten(node=inner):
            paths = ", ".join(f'"{".".join(path)}"' for path in node.paths)
            lines.append(f"{pad}Flatten(paths: [{paths}]) {{")
            _node(inner, depth + 1, lines)
            lines.append(f"{pad}}},")
        case Sequence(nodes=nodes) | Parallel(nodes=nodes):
            lines.append(f"{pad}{type(node).__name__} {{")
            for child in nodes:
                _node(child, depth + 1, lines)
            lines.append(f"{pad}}},")
        case Condition(variable=variable, if_clause=if_clause, else_clause=else_clause):
            lines.append(f"{pad}Condition(if: ${variable}) {{")
            for label, clause in (("Then", if_clause), ("Else", else_clause)):
                if clause is not None:
                    lines.append(f"{pad}{INDENT}{label} {{")
                    _node(clause, depth + 2, lines)
                    lines.append(f"{pad}{INDENT}}},")
            lines.append(f"{pad}}},")
        case Subscription(primary=primary, rest=rest):
            lines.append(f"{pad}Subscription {{")
            lines.append(f"{pad}{INDENT}Primary: {{")
            _fetch(primary, depth + 2, lines)
            lines.append(f"{pad}{INDENT}}},")
            if rest is not None:
                lines.append(f"{pad}{INDENT}Rest: {{")
                _node(rest, depth + 2, lines)
                lines.append(f"{pad}{INDENT}}},")
            lines.append(f"{pad}}},")


def _fetch(fetch: Fetch, depth: int, lines: list[str]) -> None:
    pad = INDENT * depth
    lines.append(f'{pad}Fetch(service: "{fetch.service_name}") {{')
    inner = pad + INDENT
    operation = parse(fetch.operation, no_location=True).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    selection = operation.selection_set
    if fetch.requires:
        lines.extend(inner + line for line in _requires(fetch.requires).split("\n"))
        lines[-1] += " =>"
        first = selection.selections[0]
        if isinstance(first, FieldNode) and first.selection_set is not None:
            selection = first.selection_set
    for rewrite in fetch.context_rewrites:
        source = "/".join(rewrite.path)
        lines.append(f"{inner}# context: ${rewrite.rename_key_to} <- {source}")
    if fetch.variable_usages:
        lines.append(f"{inner}# variables: " + ", ".join(f"${v}" for v in fetch.variable_usages))
    lines.extend(inner + line for line in _block(selection).split("\n"))
    lines.append(f"{pad}}},")


def _block(selection: SelectionSetNode) -> str:
    return print_ast(selection)


def _requires(selections: tuple[Selection, ...], depth: int = 0) -> str:
    pad = INDENT * (depth + 1)
    lines = ["{"]
    for selection in selections:
        if isinstance(selection, FieldSelection):
            if selection.selections:
                inner = _requires(selection.selections, depth + 1)
                lines.append(f"{pad}{selection.name} {inner}")
            else:
                lines.append(f"{pad}{selection.name}")
        else:
            inner = _requires(selection.selections, depth + 1)
            condition = f" on {selection.type_condition}" if selection.type_condition else ""
            lines.append(f"{pad}...{condition} {inner}")
    lines.append(INDENT * depth + "}")
    return "\n".join(lines)
