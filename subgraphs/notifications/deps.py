"""Collaborators of the notifications subgraph, built once per process by `build_app`."""

from __future__ import annotations

from dataclasses import dataclass, field

from subgraphs.kit.pubsub import PubSub
from subgraphs.notifications.delivery.config import DeliveryConfig
from subgraphs.notifications.delivery.push import PushSender


@dataclass
class NotificationsDeps:
    pubsub: PubSub
    config: DeliveryConfig = field(default_factory=DeliveryConfig.from_env)
    push: PushSender | None = None

    def push_sender(self) -> PushSender:
        if self.push is None:
            self.push = PushSender(self.config)
        return self.push
