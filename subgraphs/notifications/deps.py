"""Collaborators of the notifications subgraph, built once per process by `build_app`."""

from __future__ import annotations

from dataclasses import dataclass, field

from subgraphs.kit.pubsub import PubSub
from subgraphs.notifications.delivery.config import DeliveryConfig
from subgraphs.notifications.delivery.push import PushSender

_process_hub: list[PubSub] = []  # the hub of this process (set by build_app or the dispatcher)


def process_pubsub(candidate: PubSub | None = None) -> PubSub:
    """One hub per process for the app and the dispatcher: with the in-memory backend (the
    embedded `dev` process) a notification published on another hub would reach nobody."""
    if not _process_hub:
        _process_hub.append(candidate or PubSub.from_env())
    return _process_hub[0]


@dataclass
class NotificationsDeps:
    pubsub: PubSub
    config: DeliveryConfig = field(default_factory=DeliveryConfig.from_env)
    push: PushSender | None = None

    def push_sender(self) -> PushSender:
        if self.push is None:
            self.push = PushSender(self.config)
        return self.push
