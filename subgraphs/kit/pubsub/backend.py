"""broadcaster's Redis backend, with its listener woken only once SUBSCRIBE is done.

broadcaster 0.3.1's `RedisBackend.subscribe` sets the listener's ready event *before* awaiting
SUBSCRIBE, and redis-py 8 registers the channel only after that await. The listener then wakes
with no channel registered, `PubSub.listen()` returns at once, the event is cleared and the
listener sleeps until some later subscription: a hub whose first channel is its heartbeat
received nothing. Here the event is set after the channel is registered.
"""

from __future__ import annotations

from urllib.parse import urlparse

from broadcaster import Broadcast
from broadcaster._backends.redis import RedisBackend

__all__ = ["KitRedisBackend", "make_broadcast"]


class KitRedisBackend(RedisBackend):
    async def subscribe(self, channel: str) -> None:
        await self._pubsub.subscribe(channel)
        self._ready.set()  # the channel is registered: listen() stays in its loop


def make_broadcast(url: str) -> Broadcast:
    """A `Broadcast` for `url`; `redis://`/`rediss://` use `KitRedisBackend`."""
    if urlparse(url).scheme in ("redis", "rediss"):
        return Broadcast(backend=KitRedisBackend(url))
    return Broadcast(url)
