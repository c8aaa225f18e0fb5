"""Composition fixture folders and the type of The Guild's composition oracle."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from router.compose import SubgraphSource

FIXTURES = Path(__file__).parent / "fixtures"
JS_DIR = Path(__file__).resolve().parents[2] / "js"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

GuildCompose = Callable[[list[SubgraphSource]], dict[str, Any]]


def fixture_names() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def load_fixture(name: str) -> list[SubgraphSource]:
    return [
        SubgraphSource(path.stem, f"http://{path.stem}:4000/graphql", path.read_text())
        for path in sorted((FIXTURES / name).glob("*.graphql"))
    ]
