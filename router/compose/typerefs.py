"""Type references across subgraphs: compatibility and merging (nullability)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TypeRef:
    """`[Int!]` is TypeRef(list_of=TypeRef(name="Int", non_null=True))."""

    name: str | None
    list_of: TypeRef | None
    non_null: bool

    def __str__(self) -> str:
        inner = f"[{self.list_of}]" if self.list_of is not None else str(self.name)
        return inner + ("!" if self.non_null else "")


def parse_type(text: str) -> TypeRef:
    non_null = text.endswith("!")
    body = text[:-1] if non_null else text
    if body.startswith("["):
        return TypeRef(None, parse_type(body[1:-1]), non_null)
    return TypeRef(body, None, non_null)


def _same_shape(a: TypeRef, b: TypeRef) -> bool:
    if (a.list_of is None) != (b.list_of is None):
        return False
    if a.list_of is not None and b.list_of is not None:
        return _same_shape(a.list_of, b.list_of)
    return a.name == b.name


def _combine(a: TypeRef, b: TypeRef, output: bool) -> TypeRef:
    non_null = (a.non_null and b.non_null) if output else (a.non_null or b.non_null)
    if a.list_of is not None and b.list_of is not None:
        return TypeRef(None, _combine(a.list_of, b.list_of, output), non_null)
    return TypeRef(a.name, None, non_null)


def merge_types(types: list[str], *, output: bool) -> str | None:
    """Most general type for outputs, most restrictive for inputs; None when incompatible."""
    refs = [parse_type(t) for t in types]
    merged = refs[0]
    for ref in refs[1:]:
        if not _same_shape(merged, ref):
            return None
        merged = _combine(merged, ref, output)
    # the merged type must be one of the subgraphs' types: `[T]!` and `[T!]` do not merge
    return str(merged) if str(merged) in types else None
