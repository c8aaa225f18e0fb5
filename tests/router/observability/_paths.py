"""Puts the policy test stack (tests/router/policies/policystack.py) and the subscription
stack (tests/router/subscriptions/) on sys.path; imported first by each test module (a
conftest.py here would shadow the `conftest` module tests/router/http imports)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "policies"))
sys.path.insert(0, str(Path(__file__).parents[1] / "subscriptions"))
