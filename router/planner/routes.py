"""Entity jumps: which subgraph to jump to for a field, and through which keys.

A jump from subgraph S to subgraph T for an object of type O needs a key of O that T can
resolve (`resolvable: true`) and whose fields S can select (itself, or because a `@provides`
on the path provides them). When no key links S to T directly, a breadth-first search finds
the shortest chain of jumps through other subgraphs.
"""

from __future__ import annotations

from collections import deque

from router.planner.graph import Capabilities, FieldTree, Key, field_tree, parse_field_set


def key_fields(key: Key) -> FieldTree:
    return field_tree(parse_field_set(key.fields))


def direct_keys(
    caps: Capabilities,
    source: str,
    type_name: str,
    target: str,
    entity_type: str,
    provided: FieldTree | None,
) -> list[Key]:
    """Keys of `entity_type` in `target` that `source` can provide on a `type_name` object."""
    return [
        key
        for key in caps.keys(target, entity_type)
        if caps.can_provide(source, type_name, key_fields(key), provided)
    ]


def find_route(
    caps: Capabilities,
    source: str,
    type_name: str,
    target: str,
    entity_type: str,
    provided: FieldTree | None,
) -> list[Key] | None:
    """The shortest chain of keys from `source` to `target` (one key per jump), or None."""
    direct = direct_keys(caps, source, type_name, target, entity_type, provided)
    if direct:
        return [direct[0]]
    if entity_type != type_name or source == target:
        return None  # interface-object and self jumps are direct only
    seen = {source}
    queue: deque[tuple[str, list[Key]]] = deque([(source, [])])
    while queue:
        graph, route = queue.popleft()
        for hop in caps.supergraph.graph_order:
            if hop in seen:
                continue
            keys = direct_keys(
                caps, graph, type_name, hop, type_name, provided if graph == source else None
            )
            if not keys:
                continue
            if hop == target:
                return [*route, keys[0]]
            seen.add(hop)
            queue.append((hop, [*route, keys[0]]))
    return None
