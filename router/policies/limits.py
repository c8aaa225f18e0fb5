"""Operation limits, checked before any subgraph is called.

`prescan` runs on the raw text before graphql-core parses it: the parser is recursive, so a
document nesting `{`, `[` or `(` thousands deep would exhaust the interpreter's stack; the scan
is linear and needs no recursion. `measure` walks a parsed operation (fragments expanded, cycles
cut) and returns its depth, height (distinct `Type.field`s), aliases and root fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)

from router.policies.config import LimitSettings

MAX_DEPTH = "MAX_DEPTH_LIMIT"
MAX_HEIGHT = "MAX_HEIGHT_LIMIT"
MAX_ALIASES = "MAX_ALIASES_LIMIT"
MAX_ROOT_FIELDS = "MAX_ROOT_FIELDS_LIMIT"
MAX_TOKENS = "MAX_TOKENS_LIMIT"
MAX_FIELDS = "MAX_FIELDS_LIMIT"
MAX_NESTING = "MAX_DEPTH_LIMIT"
_NODE_BUDGET = 50_000


class LimitError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def prescan(text: str, settings: LimitSettings) -> None:
    """Reject documents nesting brackets deeper than `max_nesting` or with obviously too many
    tokens, without recursion (strings, block strings and comments are skipped)."""
    depth = 0
    tokens = 0
    i = 0
    n = len(text)
    limit = settings.max_nesting
    while i < n:
        c = text[i]
        if c in "{[(":
            depth += 1
            tokens += 1
            if depth > limit:
                raise LimitError(MAX_NESTING, f"Document nesting exceeds {limit}.")
        elif c in "}])":
            depth -= 1
            tokens += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c == '"':
            i = _skip_string(text, i)
            tokens += 1
            continue
        elif c == "@" or c == "$" or c == ":" or c == "!" or c == "=" or c == "|":
            tokens += 1
        i += 1
    if tokens > settings.max_tokens:
        raise LimitError(MAX_TOKENS, f"Document has more than {settings.max_tokens} tokens.")


def _skip_string(text: str, i: int) -> int:
    if text.startswith('"""', i):
        end = text.find('"""', i + 3)
        while end > 0 and text[end - 1] == "\\":
            end = text.find('"""', end + 3)
        return len(text) if end < 0 else end + 3
    j = i + 1
    n = len(text)
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == '"' or c == "\n":
            return j + 1
        j += 1
    return n


@dataclass(frozen=True, slots=True)
class OperationMeasure:
    depth: int
    height: int
    aliases: int
    root_fields: int
    fields: int = 0


def measure(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> OperationMeasure:
    root = schema.get_root_type(operation.operation)
    walker = _Walker(schema, fragments)
    depth = walker.walk(operation.selection_set, root.name if root else "", 1, frozenset())
    roots = walker.count_roots(operation.selection_set, frozenset())
    return OperationMeasure(depth, len(walker.unique), walker.aliases, roots, walker.fields)


def check(found: OperationMeasure, settings: LimitSettings) -> None:
    for value, limit, code, what in (
        (found.depth, settings.max_depth, MAX_DEPTH, "depth"),
        (found.height, settings.max_height, MAX_HEIGHT, "height"),
        (found.aliases, settings.max_aliases, MAX_ALIASES, "aliases"),
        (found.root_fields, settings.max_root_fields, MAX_ROOT_FIELDS, "root fields"),
        (found.fields, settings.max_fields, MAX_FIELDS, "field count"),
    ):
        if value > limit:
            raise LimitError(code, f"Operation {what} {value} exceeds the limit of {limit}.")


class _Walker:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]):
        self.schema = schema
        self.fragments = fragments
        self.unique: set[str] = set()
        self.aliases = 0
        self.fields = 0
        self.visited = 0  # fragment spreads can multiply work exponentially: a budget

    def walk(
        self, selections: SelectionSetNode, parent: str, depth: int, seen: frozenset[str]
    ) -> int:
        deepest = depth - 1
        self.visited += len(selections.selections)
        if self.visited > _NODE_BUDGET:
            raise LimitError(MAX_HEIGHT, "Operation expands to too many selections.")
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                self.fields += 1
                if selection.alias is not None:
                    self.aliases += 1
                name = selection.name.value
                self.unique.add(f"{parent}.{name}")
                if selection.selection_set is not None:
                    child = self._field_type(parent, name)
                    deepest = max(
                        deepest, self.walk(selection.selection_set, child, depth + 1, seen)
                    )
                else:
                    deepest = max(deepest, depth)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = condition.name.value if condition else parent
                deepest = max(deepest, self.walk(selection.selection_set, inner, depth, seen))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None or fragment.name.value in seen:
                    continue  # unknown or cyclic: validation reports it
                inner = fragment.type_condition.name.value
                deepest = max(
                    deepest,
                    self.walk(fragment.selection_set, inner, depth, seen | {fragment.name.value}),
                )
        return deepest

    def count_roots(self, selections: SelectionSetNode, seen: frozenset[str]) -> int:
        count = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                count += 1
            elif isinstance(selection, InlineFragmentNode):
                count += self.count_roots(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in seen:
                    count += self.count_roots(fragment.selection_set, seen | {fragment.name.value})
        return count

    def _field_type(self, parent: str, name: str) -> str:
        named = self.schema.type_map.get(parent)
        fields = getattr(named, "fields", None) or {}
        definition = fields.get(name)
        return get_named_type(definition.type).name if definition is not None else ""
