"""Fetch groups -> `Fetch` plan nodes: operation text, variables, representation selection."""

from __future__ import annotations

from collections.abc import Mapping

from graphql import VariableDefinitionNode, print_ast

from router.plan import Fetch, FieldSelection, InlineFragmentSelection, OperationKind, Selection
from router.planner.groups import Group
from router.planner.selections import SelectionTree

REPRESENTATIONS = "$representations:[_Any!]!"


class FetchBuilder:
    """Builds the `Fetch` of a group, numbering fetches in the order they are built."""

    def __init__(
        self,
        kind: OperationKind,
        operation_name: str | None,
        variable_definitions: Mapping[str, VariableDefinitionNode],
    ) -> None:
        self.kind = kind
        self.operation_name = operation_name
        self.definitions = variable_definitions
        self.next_id = 0

    def build(self, group: Group) -> Fetch:
        fetch_id = self.next_id
        self.next_id += 1
        variables = tuple(name for name in self.definitions if name in group.variables)
        definitions = [print_ast(self.definitions[name]) for name in variables]
        name = (
            f"{self.operation_name}__{group.service}__{fetch_id}" if self.operation_name else None
        )
        if group.is_entity:
            kind = OperationKind.QUERY
            selection = "{_entities(representations:$representations)" + group.root.text() + "}"
            definitions.insert(0, REPRESENTATIONS)
            definitions += [f"${v}:{t}" for v, t in group.context_variables.items()]
        else:
            kind = self.kind
            selection = group.root.text()
        head = kind.value + (f" {name}" if name else "")
        if definitions:
            head += "(" + ",".join(definitions) + ")"
        return Fetch(
            service_name=group.service,
            operation=head + selection,
            operation_kind=kind,
            variable_usages=variables,
            requires=to_selections(group.requires) if group.is_entity else (),
            operation_name=name,
            input_rewrites=tuple(group.input_rewrites),
            context_rewrites=tuple(group.context_rewrites) if group.is_entity else (),
            id=fetch_id,
        )


def to_selections(tree: SelectionTree) -> tuple[Selection, ...]:
    selections: list[Selection] = [
        FieldSelection(entry.response_key, to_selections(entry.tree) if entry.tree else ())
        for entry in tree.fields.values()
    ]
    selections.extend(
        InlineFragmentSelection(condition or None, to_selections(inner))
        for condition, inner in tree.fragments.items()
    )
    return tuple(selections)
