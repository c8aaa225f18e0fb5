"""Collaborators of the projects subgraph, built once per process by `build_app`."""

from __future__ import annotations

from dataclasses import dataclass, field

from subgraphs.projects.realtime import BoardFeed, MemoryBoardFeed


@dataclass(frozen=True, slots=True)
class ProjectsDeps:
    feed: BoardFeed = field(default_factory=MemoryBoardFeed)
