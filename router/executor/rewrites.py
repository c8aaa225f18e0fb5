"""Fetch rewrites: small edits applied to representations (input) or entities (output)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from router.plan import FetchRewrite, KeyRenamer, ValueSetter


def apply_rewrites(value: dict[str, Any], rewrites: Iterable[FetchRewrite]) -> None:
    for rewrite in rewrites:
        match rewrite:
            case ValueSetter(path=path, value=new_value):
                _apply(value, list(path), lambda obj, key: obj.__setitem__(key, new_value))
            case KeyRenamer(path=path, rename_key_to=new_key):
                _apply(value, list(path), lambda obj, key: _rename(obj, key, new_key))


def _rename(obj: dict[str, Any], key: str, new_key: str) -> None:
    if key in obj:
        obj[new_key] = obj.pop(key)


def _apply(value: Any, path: list[str], action: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _apply(item, path, action)
        return
    if not isinstance(value, dict) or not path:
        return
    head, rest = path[0], path[1:]
    if head.startswith("... on "):
        if value.get("__typename") == head.removeprefix("... on ").strip():
            _apply(value, rest, action)
        return
    if not rest:
        action(value, head)
    elif head in value:
        _apply(value[head], rest, action)
