"""Collaborators of the files subgraph, built once per process by `build_app`."""

from __future__ import annotations

from dataclasses import dataclass

from subgraphs.kit.files import FilesConfig, StorageBackend


@dataclass(frozen=True, slots=True)
class FilesDeps:
    config: FilesConfig
    storage: StorageBackend
