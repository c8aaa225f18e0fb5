"""Policy tests: real HTTP stacks from `stack.py` (importable as a top-level module)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
