"""Router test fixtures.

`tests/router` would otherwise shadow the `router` package as a namespace package when pytest
is started as `.venv/bin/pytest` (no project root on sys.path), so the root goes first.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
_loaded = sys.modules.get("router")
if _loaded is not None and getattr(_loaded, "__file__", None) is None:
    del sys.modules["router"]
