"""Events, background jobs and scheduling: outbox -> relay -> streams -> consumers.

See docs/events.md. Subgraphs define events (`Event` + `register`) in their `events.py` and
call `record(session, event)` in the transaction of the change.
"""

from subgraphs.kit.events.consumer import (
    Consumer,
    ConsumerOptions,
    ConsumerStats,
    HandlerContext,
    Subscription,
)
from subgraphs.kit.events.deadletters import list_dead_letters, replay_dead_letters
from subgraphs.kit.events.keys import dead_letter_stream, key, stream_for
from subgraphs.kit.events.memory import MemoryStreams
from subgraphs.kit.events.outbox import EventHub, local_hub, record
from subgraphs.kit.events.relay import Relay, RelayOptions, SessionFactory, TenantSource
from subgraphs.kit.events.streams import RedisStreams, StreamEntry, Streams
from subgraphs.kit.events.types import (
    EVENT_TYPES,
    Event,
    EventDecodeError,
    ForgedEventError,
    from_envelope,
    register,
    to_envelope,
)

__all__ = [
    "EVENT_TYPES",
    "Consumer",
    "ConsumerOptions",
    "ConsumerStats",
    "Event",
    "EventDecodeError",
    "EventHub",
    "ForgedEventError",
    "HandlerContext",
    "MemoryStreams",
    "RedisStreams",
    "Relay",
    "RelayOptions",
    "SessionFactory",
    "StreamEntry",
    "Streams",
    "Subscription",
    "TenantSource",
    "dead_letter_stream",
    "from_envelope",
    "key",
    "list_dead_letters",
    "local_hub",
    "record",
    "register",
    "replay_dead_letters",
    "stream_for",
    "to_envelope",
]
