"""Tenant-scoped pub/sub for subscriptions, on broadcaster (`memory://` or `redis://`).

    hub = PubSub.from_env()              # REDIS_URL set: redis://, else memory://
    await hub.connect()
    await hub.publish(channel(tenant_id, "ticket", ticket_id), payload)
    async for message in hub.subscribe(channel(tenant_id, "ticket", ticket_id)):
        ...

Every channel name comes from `channel()` (`t:{tenant}:...`), so two tenants never share one.
When the backend's listener dies (Redis went away), subscribers get `PubSubUnavailableError`
instead of waiting forever.
"""

from subgraphs.kit.pubsub.channels import channel
from subgraphs.kit.pubsub.hub import PubSub, PubSubUnavailableError

__all__ = ["PubSub", "PubSubUnavailableError", "channel"]
