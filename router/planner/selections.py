"""Mutable selection trees the planner fills while it walks an operation, printed at the end.

A `SelectionTree` is one selection set of one subgraph operation: fields by response key, then
inline fragments by type condition. `reserved` holds the client's response keys at that object
position, so a field the planner adds for itself (a key, a `@requires` input, `__typename`)
takes its plain name unless the client uses that name for a different field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import FieldNode, print_ast


def print_arguments(node: FieldNode) -> str:
    """Compact argument text, `(a:1,b:$v)`, or "" without arguments."""
    if not node.arguments:
        return ""
    return "(" + ",".join(f"{a.name.value}:{print_ast(a.value)}" for a in node.arguments) + ")"


@dataclass(eq=False, slots=True)
class FieldEntry:
    name: str
    alias: str | None
    arguments: str = ""
    tree: SelectionTree | None = None

    @property
    def response_key(self) -> str:
        return self.alias or self.name

    def print(self, out: list[str]) -> None:
        out.append(f"{self.alias}:{self.name}" if self.alias else self.name)
        out.append(self.arguments)
        if self.tree is not None:
            self.tree.print(out)


@dataclass(eq=False, slots=True)
class SelectionTree:
    fields: dict[str, FieldEntry] = field(default_factory=dict)
    fragments: dict[str, SelectionTree] = field(default_factory=dict)
    reserved: dict[str, tuple[str, str]] = field(default_factory=dict)

    def add_field(
        self, key: str, name: str, arguments: str = "", composite: bool = False
    ) -> FieldEntry:
        """Add (or find) the field under response key `key`."""
        entry = self.fields.get(key)
        if entry is None:
            entry = FieldEntry(name, key if key != name else None, arguments)
            self.fields[key] = entry
        if composite and entry.tree is None:
            entry.tree = SelectionTree()
        return entry

    def internal_key(self, name: str, arguments: str = "") -> str:
        """Response key for a field the planner adds: its name unless the client took it (or
        the planner took it for the same field with other arguments)."""
        key = name
        while self._taken(key, name, arguments):
            key = f"_{key}"
        return key if key == name else f"{key}_fed"

    def _taken(self, key: str, name: str, arguments: str) -> bool:
        if key in self.reserved and self.reserved[key] != (name, arguments):
            return True
        entry = self.fields.get(key)
        return entry is not None and (entry.name, entry.arguments) != (name, arguments)

    def add_internal(self, name: str, composite: bool = False) -> FieldEntry:
        return self.add_field(self.internal_key(name), name, "", composite)

    def fragment(self, type_condition: str) -> SelectionTree:
        tree = self.fragments.get(type_condition)
        if tree is None:
            tree = self.fragments[type_condition] = SelectionTree()
        return tree

    def merge(self, other: SelectionTree) -> None:
        self.reserved.update(other.reserved)
        for key, entry in other.fields.items():
            mine = self.fields.get(key)
            if mine is None:
                self.fields[key] = entry
            elif entry.tree is not None:
                if mine.tree is None:
                    mine.tree = entry.tree
                else:
                    mine.tree.merge(entry.tree)
        for condition, tree in other.fragments.items():
            self.fragment(condition).merge(tree)

    def is_empty(self) -> bool:
        return not self.fields and all(t.is_empty() for t in self.fragments.values())

    def print(self, out: list[str]) -> None:
        out.append("{")
        first = True
        for entry in self.fields.values():
            if not first:
                out.append(" ")
            entry.print(out)
            first = False
        for condition, tree in self.fragments.items():
            if tree.is_empty():
                continue
            if not first:
                out.append(" ")
            out.append(f"...on {condition}")
            tree.print(out)
            first = False
        out.append("}")

    def text(self) -> str:
        out: list[str] = []
        self.print(out)
        return "".join(out)
