"""`python -m bench.chat.serve NAME --port N`: `saas-platform subgraph NAME` with broadcaster's
Redis listener woken after each SUBSCRIBE completes.

broadcaster 0.3.1's `RedisBackend.subscribe` sets its "ready" event *before* awaiting the
SUBSCRIBE; with redis-py 8 the listener task wakes while no channel is registered yet,
`PubSub.listen()` returns at once, the event is cleared, and the listener sleeps until some
later subscription to a new channel. The kit hub's heartbeat subscribes first, so a hub
with no other channel within `heartbeat_timeout` (3 s) is marked broken and subscribers
racing the heartbeat get "Realtime updates are unavailable". The benchmark measures the
router path with the listener woken once the SUBSCRIBE is done (the fix belongs in
`subgraphs/kit/pubsub/hub.py`); `bench.chat.router --as-is` runs the plain command.
"""

from __future__ import annotations

import sys
from typing import Any

from broadcaster._backends.redis import RedisBackend

_original = RedisBackend.subscribe


async def _subscribe(self: Any, channel: str) -> None:
    await _original(self, channel)
    self._ready.set()  # the channel is registered now: listen() stays in its loop


def main() -> None:
    RedisBackend.subscribe = _subscribe  # type: ignore[method-assign]
    from saas_platform.commands.subgraph import subgraph

    name, port = sys.argv[1], int(sys.argv[sys.argv.index("--port") + 1])
    subgraph(name, port=port, host="127.0.0.1")


if __name__ == "__main__":
    main()
