"""Collaborators of the projects subgraph, built once per process by `build_app`."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.projects.realtime import BoardFeed


@dataclass(frozen=True, slots=True)
class ProjectsDeps:
    feed: BoardFeed
