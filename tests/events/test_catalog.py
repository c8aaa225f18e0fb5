"""docs/events.md lists every event type with its payload; the kit's exports are deliberate."""

from __future__ import annotations

from pathlib import Path

import subgraphs.kit.events as events
from subgraphs.kit.events.catalog import (
    END,
    START,
    load_platform_events,
    platform_event_types,
    render_row,
    render_webhook_row,
    webhook_event_types,
)
from subgraphs.registry import PORTS

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def test_docs_list_every_event_type_with_its_payload() -> None:
    load_platform_events(PORTS)
    text = DOC.read_text()
    block = text.split(START, 1)[1].split(END, 1)[0]
    missing = [cls.event_type for cls in platform_event_types() if render_row(cls) not in block]
    missing += [
        f"{cls.event_type} (webhook data)"
        for cls in webhook_event_types(platform_event_types())
        if render_webhook_row(cls) not in block
    ]
    assert not missing, (
        f"docs/events.md misses or has stale rows for {missing}: "
        "run `python -m subgraphs.kit.events.catalog --write`"
    )


def test_package_exports() -> None:
    assert sorted(events.__all__) == sorted(
        name for name in events.__all__ if hasattr(events, name)
    )
    assert {"record", "Event", "register", "Relay", "Consumer", "Subscription"} <= set(
        events.__all__
    )
