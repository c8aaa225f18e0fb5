"""Collaborators of the tickets subgraph, built once per process by `build_app`."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.kit.pubsub import PubSub


@dataclass
class TicketsDeps:
    pubsub: PubSub
