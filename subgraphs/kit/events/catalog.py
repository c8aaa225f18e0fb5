"""The event catalog: every registered event type with its payload, as Markdown.

docs/events.md embeds `render_catalog()` between markers; a test keeps it current
(`python -m subgraphs.kit.events.catalog` prints it).
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import typing

from subgraphs.kit.events.public import PRIVATE_DOMAINS, SHAPES, camel, selection
from subgraphs.kit.events.types import ENVELOPE_FIELDS, EVENT_TYPES, Event

__all__ = [
    "END",
    "START",
    "load_platform_events",
    "platform_event_types",
    "render_catalog",
    "render_row",
    "render_webhook_row",
    "replace_block",
]

# modules that define events outside a subgraph's own `events.py`
EXTRA_EVENT_MODULES = ("subgraphs.kit.events.jobs",)


def load_platform_events(subgraph_names: typing.Iterable[str]) -> None:
    """Import `subgraphs.<name>.events` of every subgraph that has one."""
    for module in (*EXTRA_EVENT_MODULES, *(f"subgraphs.{n}.events" for n in subgraph_names)):
        if importlib.util.find_spec(module.rsplit(".", 1)[0]) is None:
            continue
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module)


def platform_event_types() -> list[type[Event]]:
    """Registered types defined in the platform (test-only types excluded)."""
    found = [cls for cls in EVENT_TYPES.values() if cls.__module__.startswith("subgraphs.")]
    return sorted(found, key=lambda cls: cls.event_type)


def _type_name(hint: typing.Any) -> str:
    text = getattr(hint, "__name__", None) or str(hint)
    return str(text).replace("typing.", "").replace("uuid.UUID", "UUID")


def render_row(cls: type[Event]) -> str:
    hints = typing.get_type_hints(cls)
    payload = ", ".join(
        f"`{f.name}: {_type_name(hints[f.name])}`"
        for f in dataclasses.fields(cls)
        if f.name not in ENVELOPE_FIELDS
    )
    return (
        f"| `{cls.event_type}` | {cls.version} | `{cls.domain}` (`events:{cls.domain}`) "
        f"| {payload} | {cls.description} |"
    )


def render_webhook_row(cls: type[Event]) -> str:
    """The webhook `data` of a type: its subscription selection, or the camelCase payload."""
    shape = SHAPES.get(cls.event_type)
    if shape is None:
        names = [f.name for f in dataclasses.fields(cls) if f.name not in ENVELOPE_FIELDS]
        keys = ", ".join(f"`{camel(n)}`" for n in names)
        return f"| `{cls.event_type}` | none (payload, camelCase) | {keys} |"
    document = selection(shape).removeprefix("subscription { ").removesuffix(" }")
    return (
        f"| `{cls.event_type}` | `{shape.subgraph}`: `{shape.subscription}` → "
        f"`{shape.graphql_type}` | `{document}` |"
    )


def render_catalog(
    types: typing.Sequence[type[Event]], webhook_types: typing.Sequence[type[Event]] = ()
) -> str:
    lines = [
        "| event type | v | domain (stream) | payload | description |",
        "|---|---|---|---|---|",
        *(render_row(cls) for cls in types),
    ]
    if webhook_types:
        lines += [
            "",
            "Webhook `data` per event type (the GraphQL subscription selection it equals):",
            "",
            "| event type | subscription (subgraph: field → type) | `data` = response of |",
            "|---|---|---|",
            *(render_webhook_row(cls) for cls in webhook_types),
        ]
    return "\n".join(lines) + "\n"


def webhook_event_types(types: typing.Sequence[type[Event]]) -> list[type[Event]]:
    """Types tenants can receive by webhook (internal `jobs.*` plumbing excluded)."""
    return [cls for cls in types if cls.domain not in PRIVATE_DOMAINS]


START = "<!-- events-catalog:start (python -m subgraphs.kit.events.catalog --write) -->"
END = "<!-- events-catalog:end -->"


def replace_block(document: str, catalog: str) -> str:
    head, _, rest = document.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{catalog}{END}{tail}"


if __name__ == "__main__":
    import sys
    from pathlib import Path

    from subgraphs.registry import PORTS

    load_platform_events(PORTS)
    found = platform_event_types()
    rendered = render_catalog(found, webhook_event_types(found))
    if "--write" in sys.argv:
        path = Path(__file__).resolve().parents[3] / "docs" / "events.md"
        path.write_text(replace_block(path.read_text(), rendered))
    else:
        print(rendered, end="")
